"""The war of attrition on a calendar: Abreu & Gul as a special case, equilibrium checked
by brute-force best responses, outcome probabilities by two independent Monte Carlos."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_sim.solvers.attrition import Piecewise, attrition_hazards, war_of_attrition
from alliance_sim.solvers.reputation import abreu_gul
from alliance_sim.testing.strategies import deadline_war as deadline_case


def constant(n, m, v):
    return Piecewise(np.full((n, m), float(v)), np.zeros((n, m)))


@settings(deadline=None, max_examples=40)
@given(
    alpha_a=st.floats(0.35, 0.9),
    extra=st.floats(0.02, 0.5),
    z_a=st.floats(0.01, 0.9),
    z_b=st.floats(0.01, 0.9),
    r_a=st.floats(0.1, 3.0),
    r_b=st.floats(0.1, 3.0),
    split=st.floats(0.01, 3.0),
)
def test_constant_shares_reproduce_abreu_gul(alpha_a, extra, z_a, z_b, r_a, r_b, split):
    alpha_b = min(1.0 - alpha_a + extra, 0.99)
    ag = abreu_gul(alpha_a, alpha_b, z_a, z_b, r_a, r_b)
    # Two segments (an extra knot changes nothing) to infinity.
    war = war_of_attrition(
        [[0.0, split, np.inf]],
        constant(1, 2, 1 - alpha_b),
        constant(1, 2, alpha_a),
        constant(1, 2, 1 - alpha_a),
        constant(1, 2, alpha_b),
        r_a,
        r_b,
        z_a,
        z_b,
    )
    assert war.end[0] == pytest.approx(float(ag.t_max), rel=1e-9)
    assert war.start_atom_a[0] == pytest.approx(float(ag.p_concede_now_a), abs=1e-12)
    assert war.start_atom_b[0] == pytest.approx(float(ag.p_concede_now_b), abs=1e-12)
    assert war.p_concedes("a")[0] == pytest.approx(float(ag.p_a_concedes), abs=1e-10)
    assert war.p_concedes("b")[0] == pytest.approx(float(ag.p_b_concedes), abs=1e-10)
    assert war.expected_time()[0] == pytest.approx(float(ag.expected_delay), rel=1e-8, abs=1e-12)
    for t in (0.25, 0.5, 0.9):
        tt = t * float(ag.t_max)
        assert 1 - war.survival(tt)[0] == pytest.approx(float(ag.agreement_cdf(tt)), abs=1e-12)
    assert war.value("a")[0] == pytest.approx(float(ag.value_a), abs=1e-12)


def _concession_curves(war, grid):
    """Unconditional survival of each side's concession and of the collapse on ``grid``."""
    hz = war.hz
    n = hz.n
    out = {}
    for s in ("a", "b"):
        cum = np.stack(
            [np.minimum(hz.cumulative(s, np.full(n, t)), war.theta[s]) for t in grid], axis=1
        )
        atom = war.atoms[s][:, None]
        out[s] = np.where(grid[None, :] < war.end[:, None], (1 - atom) * np.exp(-cum), np.nan)
        last = (1 - atom[:, 0]) * np.exp(-np.minimum(hz.cumulative(s, war.end), war.theta[s]))
        out[s] = np.where(np.isnan(out[s]), last[:, None], out[s])
    col = np.stack([war.hz.collapse_cum[:, 0] * 0 for _ in grid], axis=1)
    for j, t in enumerate(grid):
        k = hz.segment_of(np.full(n, t))
        u = t - hz.knots[np.arange(n), k]
        col[:, j] = hz.collapse_cum[np.arange(n), k] + hz.collapse[np.arange(n), k] * u
    return out, np.exp(-col)


@pytest.mark.slow
def test_equilibrium_by_brute_force_best_responses():
    """Each rational side, given the other's strategy, is indifferent among all concession
    times up to T* and does no better by conceding later: checked on a fine grid with the
    payoffs evaluated directly (no hazard formula)."""
    case = deadline_case(n=3, z_a=np.array([0.1, 0.4, 0.02]), z_b=np.array([0.2, 0.05, 0.03]))
    war = war_of_attrition(**case)
    r = {"a": 1.0, "b": 1.5}
    pay = {
        "a": (case["concede_a"], case["win_a"]),
        "b": (case["concede_b"], case["win_b"]),
    }
    for i in range(3):
        end = war.end[i]
        # The knots are on the grid, so a deadline atom falls in the step that ends at its knot.
        grid = np.union1d(np.linspace(0.0, 1.6 * end, 16001), case["knots"][i][:-1])
        surv, col = _concession_curves(war, grid)
        for side, other in (("a", "b"), ("b", "a")):
            ell_f, win_f = pay[side]
            k = np.clip(np.searchsorted(case["knots"][i], grid, side="right") - 1, 0, 2)
            u = grid - case["knots"][i][k]
            ell = ell_f.level[i][k] + ell_f.slope[i][k] * u
            # The other's concession at τ (or in the deadline atom just before a knot) pays
            # w(τ−): the winning payoff at the left limit.
            k_left = np.clip(np.searchsorted(case["knots"][i], grid, side="left") - 1, 0, 2)
            u_left = grid - case["knots"][i][k_left]
            win = win_f.level[i][k_left] + win_f.slope[i][k_left] * u_left
            s_o = surv[other][i]
            disc = np.exp(-r[side] * grid)
            d_f = -np.diff(s_o)  # other's concession probability in each grid step
            gain_from_other = np.concatenate(
                [[0.0], np.cumsum(disc[1:] * win[1:] * col[i][1:] * d_f)]
            )
            payoff = gain_from_other + disc * ell * s_o * col[i]
            inside = (grid > 0.002 * end) & (grid < 0.998 * end)
            scale = np.abs(payoff[inside]).max()
            # Indifferent before T* (the grid's Riemann sums are good to about 1e-4).
            assert np.ptp(payoff[inside]) < 5e-4 * scale, (side, i)
            after = grid > end
            assert payoff[after].max() <= payoff[inside].max() + 5e-4 * scale  # no gain later


def _independent_monte_carlo(war, size, rng):
    """Each side's concession time from its own distribution, the collapse from its hazard;
    the agreement is the earliest — no use of the solver's competing-risk sampler."""
    hz = war.hz
    times = {}
    grid = np.linspace(0.0, float(war.end[0]), 40001)
    n = hz.n
    for s in ("a", "b"):
        cum = np.array([min(hz.cumulative(s, np.full(n, t))[0], war.theta[s][0]) for t in grid])
        surv = (1 - war.atoms[s][0]) * np.exp(-cum)  # P(not conceded by t), non-increasing
        u = rng.random(size)
        # Inverse of the survival on the grid; beyond T* the side never concedes.
        idx = np.searchsorted(-surv, -(1.0 - u), side="left")
        t = np.where(u < war.atoms[s][0], 0.0, grid[np.minimum(idx, grid.size - 1)])
        times[s] = np.where(idx >= grid.size, np.inf, t)
    # Collapse: hazard 0 before 0.5, then 0.5 a year.
    e = rng.exponential(1 / 0.5, size)
    t_col = 0.5 + e
    tau = np.minimum(np.minimum(times["a"], times["b"]), t_col)
    who = np.where(tau == times["a"], 0, np.where(tau == times["b"], 1, 2))
    who = np.where(np.isinf(tau), 3, who)
    return tau, who


@pytest.mark.parametrize(
    ("z_a", "z_b"),
    [
        (0.1, 0.2),
        pytest.param(0.4, 0.05, marks=pytest.mark.slow),
        pytest.param(0.02, 0.03, marks=pytest.mark.slow),
    ],
)
def test_outcomes_agree_with_two_monte_carlos(z_a, z_b):
    size = 200_000
    rng = np.random.default_rng(5)
    war1 = war_of_attrition(**deadline_case(1, z_a, z_b))
    p_a, p_b = war1.p_concedes("a")[0], war1.p_concedes("b")[0]
    delay = war1.expected_time()[0]
    se = 0.5 / np.sqrt(size)
    # (1) the solver's own sampler, on the draw replicated
    war = war_of_attrition(**deadline_case(size, z_a, z_b))
    t, ev = war.sample(rng.random(size), rng.random(size))
    assert (ev == 0).mean() == pytest.approx(p_a, abs=5 * se)
    assert (ev == 1).mean() == pytest.approx(p_b, abs=5 * se)
    agree = ev <= 1
    assert t[agree].mean() == pytest.approx(delay, abs=5 * t[agree].std() / np.sqrt(agree.sum()))
    # The deadline atom: side b concedes just before a's budget draft at 0.3.
    atom = war1.incidence()["atom_b"][0, 1]
    assert ((t == 0.3) & (ev == 1)).mean() == pytest.approx(atom, abs=5 * se + 1e-4)
    # (2) independent concession times (grid inversion: resolution 2.5e-5 of T*)
    tau, who = _independent_monte_carlo(war1, size, rng)
    assert (who == 0).mean() == pytest.approx(p_a, abs=5 * se + 1e-3)
    assert (who == 1).mean() == pytest.approx(p_b, abs=5 * se + 1e-3)
    ok = who <= 1
    assert tau[ok].mean() == pytest.approx(delay, abs=5 * tau[ok].std() / np.sqrt(ok.sum()) + 1e-3)


def test_deadline_atom_is_the_documented_formula():
    war = war_of_attrition(**deadline_case(1))
    before_l, after_l, before_w = 0.4, 0.35, 0.7
    expected = (before_l - after_l) / (before_w - after_l)
    assert war.hz.jump["b"][0, 1] == pytest.approx(expected)
    assert war.hz.jump["a"][0, 1] == 0.0


def test_a_side_whose_payoff_reaches_zero_stops_and_the_war_ends_by_then():
    n = 1
    knots = [[0.0, np.inf]]
    ca = Piecewise(np.array([[0.4]]), np.array([[-0.4]]))  # 0 at t = 1
    wa = Piecewise(np.array([[0.7]]), np.array([[-0.4]]))
    war = war_of_attrition(
        knots, ca, wa, constant(n, 1, 0.3), constant(n, 1, 0.6), 1e-3, 1e-3, 0.5, 0.5
    )
    assert war.hz.stop["a"][0] == pytest.approx(1.0)
    assert war.end[0] <= 1.0 + 1e-12


def test_a_side_that_prefers_to_concede_concedes_at_once():
    n = 2
    war = war_of_attrition(
        [[0.0, np.inf]] * n,
        constant(n, 1, 0.5),
        constant(n, 1, 0.45),  # a would rather concede than win
        constant(n, 1, 0.3),
        constant(n, 1, 0.6),
        1.0,
        1.0,
        np.array([0.2, 0.5]),
        0.3,
    )
    np.testing.assert_allclose(war.start_atom_a, [0.8, 0.5])
    np.testing.assert_allclose(war.start_atom_b, [0.2 * 0.7, 0.5 * 0.7])
    np.testing.assert_allclose(war.end, 0.0)
    np.testing.assert_allclose(war.value("a"), 0.5)
    assert war.regular.all()


def test_results_do_not_depend_on_the_batch():
    case = deadline_case(
        4, z_a=np.array([0.1, 0.4, 0.02, 0.3]), z_b=np.array([0.2, 0.05, 0.03, 0.3])
    )
    whole = war_of_attrition(**case)
    u, v = np.linspace(0.05, 0.95, 4), np.linspace(0.9, 0.1, 4)
    t_all, e_all = whole.sample(u, v)
    for i in range(4):
        one = {
            k: (
                Piecewise(f.level[i : i + 1], f.slope[i : i + 1])
                if isinstance(f, Piecewise)
                else (f[i : i + 1] if isinstance(f, np.ndarray) else f)
            )
            for k, f in case.items()
        }
        war = war_of_attrition(**one)
        assert war.end[0] == whole.end[i]
        assert war.p_concedes("a")[0] == whole.p_concedes("a")[i]
        t, e = war.sample(u[i : i + 1], v[i : i + 1])
        assert t[0] == t_all[i] and e[0] == e_all[i]


def test_bad_input_is_refused_with_a_reason():
    case = deadline_case(1)
    args = {k: case[k] for k in ("knots", "concede_a", "win_a", "concede_b", "win_b")}
    up = Piecewise(np.array([[0.3, 0.35, 0.35]]), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="jumps up"):
        attrition_hazards(**{**args, "concede_a": up}, rate_a=1.0, rate_b=1.0)
    both = Piecewise(np.array([[0.3, 0.25, 0.25]]), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="simultaneous"):
        attrition_hazards(**{**args, "concede_b": both}, rate_a=1.0, rate_b=1.0)
    rising = Piecewise(np.array([[0.3, 0.3, 0.3]]), np.array([[0.0, 5.0, 0.0]]))
    with pytest.raises(ValueError, match="rises faster than its discount rate"):
        attrition_hazards(
            **{
                **args,
                "concede_b": rising,
                "win_b": rising.__class__(rising.level + 0.3, rising.slope),
            },
            rate_a=1.0,
            rate_b=1.0,
        )
    with pytest.raises(ValueError, match="rate_a must lie"):
        attrition_hazards(**args, rate_a=0.0, rate_b=1.0)
    with pytest.raises(ValueError, match="collapse must lie"):
        attrition_hazards(**args, rate_a=1.0, rate_b=1.0, collapse=-1.0)
    with pytest.raises(ValueError, match="non-decreasing"):
        attrition_hazards(**{**args, "knots": [[0.0, 0.5, 0.3, np.inf]]}, rate_a=1, rate_b=1)
    with pytest.raises(ValueError, match=r"shape \(1, 3\)"):
        attrition_hazards(**{**args, "concede_a": constant(1, 2, 0.4)}, rate_a=1, rate_b=1)
    with pytest.raises(ValueError, match="z_a must lie"):
        war_of_attrition(**{**case, "z_a": 0.0})
    flat = dict(
        knots=[[0.0, 1.0]],
        concede_a=constant(1, 1, 0.4),
        win_a=constant(1, 1, 0.7),
        concede_b=constant(1, 1, 0.3),
        win_b=constant(1, 1, 0.6),
    )
    with pytest.raises(ValueError, match="never ends"):
        war_of_attrition(**flat, rate_a=1e-3, rate_b=1e-3, z_a=0.01, z_b=0.01)


def test_rows_gives_the_same_numbers_as_the_full_batch():
    """``AttritionHazards.rows`` is a lane subset: solving it reproduces those lanes."""
    rng = np.random.default_rng(5)
    n = 40
    knots = np.tile([0.0, 0.5, 1.2, np.inf], (n, 1))
    lv = -np.sort(-rng.uniform(0.5, 1.0, (n, 3)), axis=1)  # a's deadlines: downward jumps
    lb = np.repeat(rng.uniform(0.5, 1.0, (n, 1)), 3, axis=1)
    hz = attrition_hazards(
        knots,
        Piecewise(lv, np.zeros((n, 3))),
        Piecewise(lv + rng.uniform(0.5, 2.0, (n, 3)), np.zeros((n, 3))),
        Piecewise(lb, np.zeros((n, 3))),
        Piecewise(lb + rng.uniform(0.5, 2.0, (n, 3)), np.zeros((n, 3))),
        rng.uniform(0.05, 0.2, n),
        rng.uniform(0.05, 0.2, n),
    )
    th_a, th_b = rng.uniform(0.1, 3.0, n), rng.uniform(0.1, 3.0, n)
    idx = np.array([3, 17, 0, 39, 17])
    full, part = hz.solve(th_a, th_b), hz.rows(idx).solve(th_a[idx], th_b[idx])
    for side in ("a", "b"):
        np.testing.assert_array_equal(part.value(side), full.value(side)[idx])
        np.testing.assert_array_equal(part.p_concedes(side), full.p_concedes(side)[idx])
    np.testing.assert_array_equal(part.end, full.end[idx])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ell_a", "win_a", "z_b", "yields"),
    [
        (-3.0, -9.0, 0.01, True),  # the other concedes at once: waiting mostly ends worse
        (-1.0, -1.05, 0.9, False),  # a committed other is likely: waiting ends in no deal
    ],
)
def test_a_side_that_prefers_no_deal_yields_when_waiting_is_worse(ell_a, win_a, z_b, yields):
    """With w_a < ℓ_a ≤ 0 and a conceding other side, side a yields at once exactly when
    ℓ_a > (1 − z_b)·w_a (found in the talks' brute-force check, draw 636 of seed 41). The
    rule is an approximation (a negative concession is worth delaying, which the
    discrete-time game exploits a little), so such wars are flagged irregular, and the
    value is checked against the discrete game within a tenth of the stakes w − ℓ."""
    from alliance_sim.testing.discrete_attrition import discrete_war_of_attrition

    n = 1
    knots = np.array([[0.0, np.inf]])
    flat = np.zeros((n, 1))
    hz = attrition_hazards(
        knots,
        Piecewise(np.full((n, 1), ell_a), flat),
        Piecewise(np.full((n, 1), win_a), flat),
        Piecewise(np.full((n, 1), 5.0), flat),
        Piecewise(np.full((n, 1), 8.0), flat),
        0.3,
        0.4,
        0.5,
    )
    z_a = 0.3
    war = hz.solve(-np.log([z_a]), -np.log([z_b]))
    assert bool(war.yielded["a"][0]) is yields
    assert not war.regular[0]
    dw = discrete_war_of_attrition(
        ell_a, win_a, 5.0, 8.0, 0.3, 0.4, z_a, z_b, collapse=0.5, dt=0.002, horizon=2.0
    )
    stakes = abs(win_a - ell_a) + abs(ell_a)
    assert war.value("a")[0] == pytest.approx(float(np.ravel(dw.value_a)[0]), abs=0.1 * stakes)
