"""Axiomatic bargaining solutions: closed forms, independent references, axioms, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from alliance_sim.games import BargainingProblem
from alliance_sim.parameters import Draws
from alliance_sim.players import FunctionTerm, Player, tokyo, washington
from alliance_sim.solvers import (
    ks_linear,
    ks_solution,
    nash_linear,
    nash_solution,
    split_linear,
    split_solution,
)
from alliance_sim.solvers.rootfind import RTOL, XTOL
from alliance_sim.testing.reference import (
    default_gains,
    ks_reference,
    nash_foc_reference,
    nash_reference,
    reservations_reference,
)
from alliance_sim.testing.strategies import (
    DEFAULT_RANGES,
    default_player_draws,
    default_problem,
    linear_ranges,
)


def tol(x):
    """The documented solver tolerance at x."""
    return XTOL + RTOL * np.abs(x)


def random_draws(n: int, seed: int) -> Draws:
    rng = np.random.default_rng(seed)
    return Draws({k: rng.uniform(lo, hi, n) for k, (lo, hi) in DEFAULT_RANGES.items()}, n=n)


def nonaffine(player: Player) -> Player:
    """The same preferences, but declared non-affine: forces the root-finding path."""
    return player.with_term(FunctionTerm("zero", lambda d, x, T, t: 0.0 * x))


def affine_problem(d: Draws, *, force_root: bool = False) -> BargainingProblem:
    payer = tokyo().without("reference_point")
    payee = washington().without("reference_point")
    if force_root:
        payer, payee = nonaffine(payer), nonaffine(payee)
    return BargainingProblem(
        payer,
        payee,
        d,
        term_years=d["term_years"],
        signing_time=d["t_signing"],
        scale=d["status_quo"],
    )


# --- Closed forms ----------------------------------------------------------------------


@given(linear_ranges())
@example((np.array([5.0]), np.array([5.0]), np.array([0.3])))  # a tie
@example((np.array([-10.0]), np.array([10.0]), np.array([0.2])))  # the floor binds
def test_nash_linear_is_lo_plus_beta_times_range(args):
    r_u, r_j, beta = args
    x = nash_linear(r_u, r_j, beta)
    lo = np.maximum(r_u, 0.0)
    feasible = lo <= r_j
    assert np.array_equal(np.isnan(x), ~feasible)
    expected = np.clip(r_u + beta * (r_j - r_u), lo, r_j)
    np.testing.assert_allclose(x[feasible], expected[feasible], rtol=1e-15, atol=1e-12)
    unfloored = feasible & (r_u >= 0)
    np.testing.assert_allclose(
        x[unfloored], (r_u + beta * (r_j - r_u))[unfloored], rtol=1e-15, atol=1e-12
    )


@given(linear_ranges())
# Found by hypothesis: (hi·B + r_U·A)/(A + B) underflowed to 0 for tiny payments.
@example((np.array([-1.80914612e-221]), np.array([1.38514166e-194]), np.array([0.0])))
def test_ks_equals_symmetric_nash_and_split_for_linear_utilities(args):
    r_u, r_j, _ = args
    ks = ks_linear(r_u, r_j)
    lo = np.maximum(r_u, 0.0)
    feasible = lo <= r_j
    assert np.array_equal(np.isnan(ks), ~feasible)
    unfloored = feasible & (r_u >= 0)
    np.testing.assert_allclose(ks[unfloored], nash_linear(r_u, r_j, 0.5)[unfloored], atol=1e-12)
    np.testing.assert_allclose(ks[unfloored], split_linear(lo, r_j)[unfloored], atol=1e-12)
    # With the floor binding, KS equalizes the shares of the ideal gains.
    f = feasible & (r_u < 0) & (lo < r_j)
    share_j = (r_j[f] - ks[f]) / (r_j[f] - lo[f])
    share_u = (ks[f] - r_u[f]) / (r_j[f] - r_u[f])
    np.testing.assert_allclose(share_j, share_u, atol=1e-12)


def test_reservation_payments_of_affine_players_in_closed_form():
    d = random_draws(500, 1)
    pb = affine_problem(d)
    pi = d["pi_drawdown"]
    late = d["c_budget"] * (d["t_signing"] > d["t_budget"]) / d["term_years"]
    lapsed = np.maximum(0, d["t_signing"] - d["t_expiry"]) / d["term_years"]
    r_j = (d["S_J"] * pi * d["rho_J"] + d["c_J"] - late - d["lapse_J"] * lapsed) / (1 + d["mcpf_J"])
    r_u = (
        -(d["S_U"] * pi * d["rho_U"] - pi * d["s_U"] * d["C_U"] + d["a_US"] - d["lapse_U"] * lapsed)
        / d["w_US"]
    )
    np.testing.assert_allclose(pb.payer_reservation, r_j, rtol=1e-13, atol=1e-10)
    np.testing.assert_allclose(pb.payee_reservation, r_u, rtol=1e-13, atol=1e-10)
    beta = np.random.default_rng(2).uniform(0, 1, d.n)
    np.testing.assert_allclose(
        nash_solution(pb, beta).payment, nash_linear(r_u, r_j, beta), rtol=1e-12, atol=1e-9
    )


def test_reservations_of_the_default_players_in_closed_form():
    """r_U has a kink at x0 and r_J solves a quadratic above x0.

    See docs/explanation/model/bargaining.md.
    """
    d = random_draws(3000, 7)
    pb = default_problem(d)
    x0, pi = d["status_quo"], d["pi_drawdown"]
    lapsed = np.maximum(0, d["t_signing"] - d["t_expiry"]) / d["term_years"]
    k_u = d["S_U"] * pi * d["rho_U"] - pi * d["s_U"] * d["C_U"] + d["a_US"] - d["lapse_U"] * lapsed
    w, kap = d["w_US"], d["kappa_U"]
    r_u = np.where(k_u + w * x0 >= 0, (kap * x0 - k_u) / (w + kap), -k_u / w)
    late = d["c_budget"] * (d["t_signing"] > d["t_budget"]) / d["term_years"]
    k_j = d["S_J"] * pi * d["rho_J"] + d["c_J"] - late - d["lapse_J"] * lapsed
    lam, kj = 1 + d["mcpf_J"], d["kappa_J"]
    linear = k_j / lam
    # (1+λ)x + κ(x − x0)²/x0 = K_J  ⇔  (κ/x0) y² + (1+λ) y + (1+λ)x0 − K_J = 0, y = x − x0 > 0
    a, c = kj / x0, lam * x0 - k_j
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(a > 0, 2 * -c / (lam + np.sqrt(lam * lam - 4 * a * c)), -c / lam)
    r_j = np.where(linear <= x0, linear, x0 + y)
    assert np.all(np.abs(pb.payee_reservation - r_u) <= tol(r_u) + 1e-12 * np.abs(k_u))
    assert np.all(np.abs(pb.payer_reservation - r_j) <= tol(r_j) + 1e-12 * np.abs(k_j))


def test_root_path_agrees_with_closed_form_on_affine_problems():
    d = random_draws(2000, 3)
    beta = np.random.default_rng(4).uniform(0, 1, d.n)
    closed, rooted = affine_problem(d), affine_problem(d, force_root=True)
    assert closed.affine and not rooted.affine
    assert np.all(
        np.abs(rooted.payer_reservation - closed.payer_reservation) <= tol(closed.payer_reservation)
    )
    assert np.all(
        np.abs(rooted.payee_reservation - closed.payee_reservation) <= tol(closed.payee_reservation)
    )
    for solve in (lambda p: nash_solution(p, beta), ks_solution):
        a, b = solve(closed).payment, solve(rooted).payment
        assert np.array_equal(np.isnan(a), np.isnan(b))
        ok = ~np.isnan(a)
        # Both reservations and the solution carry one tolerance each.
        assert np.all(np.abs(a[ok] - b[ok]) <= 3 * tol(a[ok]))


# --- Against independent per-draw references ---------------------------------------------


@pytest.fixture(scope="module")
def reference_case():
    d = random_draws(3000, 11)
    pb = default_problem(d)
    beta = np.random.default_rng(12).uniform(0, 1, d.n)
    cols = {k: np.asarray(v) for k, v in d.items()}
    params = [{k: float(v[i]) for k, v in cols.items()} for i in range(d.n)]
    return d, pb, beta, params


def test_reservations_match_brentq(reference_case):
    d, pb, _, params = reference_case
    r_j, r_u = reservations_reference(lambda i: default_gains(params[i]), d.n, scale=100.0)
    assert np.all(np.abs(pb.payer_reservation - r_j) <= tol(r_j) + 1e-12)
    assert np.all(np.abs(pb.payee_reservation - r_u) <= tol(r_u) + 1e-12)


def test_nash_meets_its_tolerance_against_brentq_on_the_foc(reference_case):
    d, pb, beta, params = reference_case
    ours = nash_solution(pb, beta).payment
    ref = nash_foc_reference(lambda i: params[i], beta, d.n, scale=100.0)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    assert 0 < np.isnan(ours).sum() < d.n  # the sample has empty ranges and real ones
    ok = ~np.isnan(ref)
    # Our tolerance, plus the reservation roots' (which bound the bracket) and brentq's.
    assert np.max(np.abs(ours[ok] - ref[ok]) / (2 * tol(ref[ok]) + 1e-12)) <= 1.0


def test_nash_matches_scipy_maximization_of_the_nash_product(reference_case):
    _, pb, beta, params = reference_case
    n = 600  # minimize_scalar is slow; a fifth of the sample
    ours = nash_solution(pb, beta).payment[:n]
    ref = nash_reference(lambda i: default_gains(params[i]), beta[:n], n, scale=100.0)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    for i in np.flatnonzero(~np.isnan(ref)):
        g_j, g_u = default_gains(params[i])
        b = beta[i]

        def log_product(x, g_j=g_j, g_u=g_u, b=b):
            gj, gu = g_j(x), g_u(x)
            if gj <= 0 or gu <= 0:  # outside the settlement range
                return -math.inf
            return (1 - b) * math.log(gj) + b * math.log(gu)

        # Maximizing by function values pins x to ~sqrt(eps)|x| only; ours is never worse.
        assert log_product(ours[i]) >= log_product(ref[i]) - 1e-12 * (1 + abs(log_product(ref[i])))
        assert abs(ours[i] - ref[i]) <= 1e-4 * (1 + abs(ref[i]))


def test_ks_matches_brentq(reference_case):
    d, pb, _, params = reference_case
    ours = ks_solution(pb).payment
    ref = ks_reference(lambda i: default_gains(params[i]), d.n, scale=100.0)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    assert np.max(np.abs(ours[ok] - ref[ok]) / (3 * tol(ref[ok]) + 1e-12)) <= 1.0


# --- Edge cases --------------------------------------------------------------------------


def line_player(name: str, intercept: str, slope: float) -> Player:
    """U = intercept + slope·x, no-deal utility 0 (reservation −intercept/slope)."""
    return Player(
        name,
        [
            FunctionTerm(
                "line",
                lambda d, x, T, t: d[intercept] + slope * x,
                affine=True,
                slope=lambda d, x, T, t: slope + 0.0 * x,
            )
        ],
    )


def line_problem(r_u: list[float], r_j: list[float], *, force_root: bool = False):
    d = Draws({"aj": np.array(r_j), "au": -np.array(r_u)})
    payer, payee = line_player("J", "aj", -1.0), line_player("U", "au", 1.0)
    if force_root:
        payer, payee = nonaffine(payer), nonaffine(payee)
    return BargainingProblem(payer, payee, d, term_years=5.0, signing_time=0.0, scale=100.0)


@pytest.mark.parametrize("force_root", [False, True])
def test_empty_range_tie_and_extreme_powers(force_root):
    pb = line_problem(
        [100.0, 150.0, 300.0, -50.0], [200.0, 150.0, 200.0, 100.0], force_root=force_root
    )
    assert pb.feasible.tolist() == [True, True, False, True]
    assert pb.lo.tolist()[3] == 0.0  # the floor binds
    for beta, expected in (
        (0.0, [100.0, 150.0, np.nan, 0.0]),
        (1.0, [200.0, 150.0, np.nan, 100.0]),
        (0.5, [150.0, 150.0, np.nan, 25.0]),
    ):
        sol = nash_solution(pb, beta)
        np.testing.assert_allclose(sol.payment, expected, atol=1e-8)
        assert sol.feasible.tolist() == [True, True, False, True]
        assert np.isnan(sol.payer_gain[2]) and np.isnan(sol.payee_gain[2])
    np.testing.assert_allclose(ks_solution(pb).payment, [150.0, 150.0, np.nan, 40.0], atol=1e-8)
    np.testing.assert_allclose(split_solution(pb).payment, [150.0, 150.0, np.nan, 50.0])


def test_kink_solution_is_exactly_the_status_quo():
    d = random_draws(4000, 5)
    pb = default_problem(d)
    x = nash_solution(pb, np.full(d.n, 0.5)).payment
    at_kink = x == d["status_quo"]
    assert at_kink.sum() > 0  # loss aversion makes the status quo sticky


def test_bargaining_problem_errors():
    d = random_draws(3, 0)
    kw = dict(term_years=d["term_years"], signing_time=d["t_signing"], scale=d["status_quo"])
    with pytest.raises(ValueError, match="floor must be a scalar >= 0"):
        BargainingProblem(tokyo(), washington(), d, floor=-1.0, **kw)
    with pytest.raises(TypeError, match="payer must be a Player"):
        BargainingProblem("Tokyo", washington(), d, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Washington's utility must be strictly increasing"):
        BargainingProblem(
            tokyo().without("reference_point"),
            washington().without("reference_point").reweight("payment_value", -1.0),
            d,
            **kw,
        )
    flat = Player("Flat", [FunctionTerm("flat", lambda dd, x, T, t: 1.0 + 0.0 * x)])
    with pytest.raises(ValueError, match="Flat's gain from agreement never changes sign"):
        BargainingProblem(flat, washington(), d, **kw)
    with pytest.raises(ValueError, match="term_years must be > 0"):
        BargainingProblem(
            tokyo(), washington(), d, term_years=0.0, signing_time=0.0, scale=d["status_quo"]
        )


@pytest.mark.parametrize(
    ("power", "match"),
    [
        (1.5, r"power must lie in \[0, 1\]"),
        (-0.1, r"power must lie in \[0, 1\]"),
        (np.nan, "power must be finite"),
        (np.inf, "power must be finite"),
        (np.array([0.5, 0.5]), "power must be a scalar or a 1-D array of length 3"),
        ("half", "power must be numeric"),
    ],
)
def test_nash_rejects_bad_power(power, match):
    pb = line_problem([100.0, 150.0, 300.0], [200.0, 150.0, 200.0])
    with pytest.raises((ValueError, TypeError), match=match):
        nash_solution(pb, power)


def test_closed_forms_reject_bad_arrays():
    with pytest.raises(ValueError, match="lo and hi must have the same shape"):
        split_linear([1.0, 2.0], [3.0])
    with pytest.raises(ValueError, match="hi must be finite"):
        ks_linear([1.0], [np.inf])
    with pytest.raises(ValueError, match=r"power must lie in \[0, 1\]"):
        nash_linear([1.0], [2.0], 2.0)


# --- Axioms and comparative statics (hypothesis) -------------------------------------------


@given(default_player_draws(), st.floats(0.0, 1.0))
def test_individual_rationality(d, beta):
    pb = default_problem(d)
    for sol in (nash_solution(pb, beta), ks_solution(pb), split_solution(pb)):
        f = pb.feasible
        assert np.array_equal(np.isnan(sol.payment), ~f)
        x = sol.payment[f]
        assert np.all(x >= pb.lo[f] - tol(x)) and np.all(x <= pb.hi[f] + tol(x))
        gj, gu = pb.gains(np.where(f, sol.payment, pb.lo))
        slope_j, slope_u = pb.gain_slopes(np.where(f, sol.payment, pb.lo))
        # A payment within tol of the range gives a gain within |slope|·tol of >= 0.
        assert np.all(gj[f] >= -np.abs(slope_j[f]) * tol(x) * 2 - 1e-9)
        assert np.all(gu[f] >= -np.abs(slope_u[f]) * tol(x) * 2 - 1e-9)


# Found by hypothesis: a grid point 0.0033 worse for the payee and 0.0127 better for the
# payer was counted as dominating when the "no worse" side also had a tolerance.
_PARETO_TRADE_OFF = Draws(
    {
        "S_J": [0.0, 0.0], "rho_J": [0.0, 0.0], "pi_drawdown": [0.9453125, 0.0],
        "mcpf_J": [1.0, 0.0], "kappa_J": [3.0, 0.0], "status_quo": [10.0, 10.0],
        "c_J": [800.0, -100.0], "c_budget": [0.0, 0.0], "t_budget": [0.0, 0.0],
        "t_signing": [0.0, 0.0], "t_expiry": [0.3, 0.3], "lapse_J": [0.0, 0.0],
        "lapse_U": [0.0, 0.0], "term_years": [1.0, 1.0], "S_U": [3771.0, 0.0],
        "rho_U": [1.0, 0.0], "w_US": [0.517578125, 0.2], "kappa_U": [0.0, 0.0],
        "a_US": [-100.0, -100.0], "s_U": [1.0, 0.0], "C_U": [1000.0, 0.0],
    }
)  # fmt: skip


@given(default_player_draws(), st.floats(0.0, 1.0))
@example(_PARETO_TRADE_OFF, 0.0)
def test_pareto_efficiency(d, beta):
    pb = default_problem(d)
    f = pb.feasible
    assume(f.any())
    grid = pb.lo + (pb.hi - pb.lo) * np.linspace(0, 1, 41)[:, None]
    gj_grid, gu_grid = pb.gains(grid)
    for sol in (nash_solution(pb, beta), ks_solution(pb), split_solution(pb)):
        x = np.where(f, sol.payment, pb.lo)
        gj, gu = pb.gains(x)
        eps = 1e-6 * (1 + np.abs(gj) + np.abs(gu))
        # Dominated: a grid point no worse for either side and better by > eps for one.
        # (A tolerance on the "no worse" side would count trade-offs as dominance.)
        dominated = (
            (gj_grid >= gj) & (gu_grid >= gu) & ((gj_grid > gj + eps) | (gu_grid > gu + eps))
        )
        assert not dominated[:, f].any()


@given(
    default_player_draws(),
    st.floats(0.0, 1.0),
    st.floats(0.01, 100.0),
    st.floats(-1e4, 1e4),
    st.floats(0.01, 100.0),
    st.floats(-1e4, 1e4),
)
@example(
    Draws({k: np.array([lo]) for k, (lo, _) in DEFAULT_RANGES.items()}, n=1),
    0.5,
    1.0,
    0.0,
    1.0,
    0.0,
)
def test_invariance_to_positive_affine_rescaling(d, beta, a_j, b_j, a_u, b_u):
    base = default_problem(d)
    scaled = BargainingProblem(
        tokyo().scaled(a_j, b_j),
        washington().scaled(a_u, b_u),
        d,
        term_years=d["term_years"],
        signing_time=d["t_signing"],
        scale=d["status_quo"],
    )
    assert np.array_equal(base.feasible, scaled.feasible)
    for solve in (lambda p: nash_solution(p, beta), ks_solution):
        x0, x1 = solve(base).payment, solve(scaled).payment
        ok = ~np.isnan(x0)
        assert np.array_equal(ok, ~np.isnan(x1))
        assert np.all(np.abs(x0[ok] - x1[ok]) <= 4 * tol(x0[ok]))


def mirrored_players() -> tuple[Player, Player]:
    """g_J(m + y) = c − b·y − k·max(0, y)²/m and g_U(m + y) = g_J(m − y): a symmetric problem."""

    def payer(d, x, T, t):
        y = x - d["m"]
        return d["c"] - d["b"] * y - d["k"] * np.maximum(0.0, y) ** 2 / d["m"]

    def payee(d, x, T, t):
        y = x - d["m"]
        return d["c"] + d["b"] * y - d["k"] * np.maximum(0.0, -y) ** 2 / d["m"]

    return Player("J", [FunctionTerm("g", payer)]), Player("U", [FunctionTerm("g", payee)])


@given(st.floats(1.0, 1e3), st.floats(0.1, 5.0), st.floats(0.0, 5.0), st.floats(0.0, 0.99))
def test_symmetric_problems_split_evenly(m, b, k, frac):
    c = frac * b * m  # c < b·m keeps lo = m − y* > 0: the floor does not bind
    d = Draws({"m": m, "b": b, "k": k, "c": c}, n=1)
    payer, payee = mirrored_players()
    pb = BargainingProblem(payer, payee, d, term_years=1.0, signing_time=0.0, scale=d["m"])
    assert abs((pb.lo[0] + pb.hi[0]) / 2 - m) <= 2 * tol(m)
    for sol in (nash_solution(pb, 0.5), ks_solution(pb), split_solution(pb)):
        # Central differences in FunctionTerm slopes add ~1e-10 relative error.
        assert abs(sol.payment[0] - m) <= 4 * tol(m) + 1e-8 * m


@given(default_player_draws(), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_more_power_never_lowers_the_nash_payment(d, beta, step):
    pb = default_problem(d)
    low, high = nash_solution(pb, beta).payment, nash_solution(pb, beta + step).payment
    ok = pb.feasible
    assert np.all(high[ok] >= low[ok] - 2 * tol(low[ok]))


def admissible_top(r_j):
    """Highest admissible payment Tokyo accepts (payments are >= 0; below 0 it accepts none)."""
    return np.maximum(r_j, 0.0)


# Found by hypothesis: with a negative reservation (Tokyo accepts no admissible payment) a
# higher λ moves the root toward 0 — the property holds on admissible payments only.
NEGATIVE_RESERVATION = Draws(
    {k: np.array([lo]) for k, (lo, _) in DEFAULT_RANGES.items()} | {"c_J": np.array([-100.0])},
    n=1,
)


@given(default_player_draws(), st.floats(1e-3, 1.0))
@example(NEGATIVE_RESERVATION, 1.0)
def test_more_fiscal_pressure_never_raises_tokyos_reservation(d, step):
    before = admissible_top(default_problem(d).payer_reservation)
    after = admissible_top(default_problem(d.replace(mcpf_J=d["mcpf_J"] + step)).payer_reservation)
    assert np.all(after <= before + 2 * tol(before))


@given(default_player_draws(), st.floats(1e-3, 5_000.0))
def test_more_security_value_never_lowers_tokyos_reservation(d, step):
    before = admissible_top(default_problem(d).payer_reservation)
    after = admissible_top(default_problem(d.replace(S_J=d["S_J"] + step)).payer_reservation)
    assert np.all(after >= before - 2 * tol(before))


def test_frontier_spans_the_settlement_range():
    d = random_draws(500, 21)
    pb = default_problem(d)
    fr = pb.frontier(25)
    assert all(v.shape == (d.n, 25) for v in fr.values())
    f = pb.feasible
    assert 0 < f.sum() < d.n
    assert np.isnan(fr["payment"][~f]).all() and not np.isnan(fr["payment"][f]).any()
    np.testing.assert_array_equal(fr["payment"][f, 0], pb.lo[f])
    np.testing.assert_allclose(fr["payment"][f, -1], pb.hi[f])
    # Along the frontier the payer loses what the payee gains (both monotone).
    assert np.all(np.diff(fr["payer_utility"][f], axis=1) <= 1e-9)
    assert np.all(np.diff(fr["payee_utility"][f], axis=1) >= -1e-9)
    # Its ends are individually rational: the gains there are ~0 at one end.
    gj_hi = fr["payer_utility"][f, -1] - pb.d_payer[f]
    assert np.all(np.abs(gj_hi) <= 1e-6 * (1 + np.abs(pb.d_payer[f])))
    with pytest.raises(ValueError, match="n_points must be an int >= 2"):
        pb.frontier(1)
