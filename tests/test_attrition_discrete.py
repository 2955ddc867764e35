"""The continuous war of attrition against a brute-force discrete-time reference.

:func:`alliance_sim.testing.discrete_attrition.discrete_war_of_attrition` solves an
alternating-move, discrete-time version of the game by backward induction over a
grid of beliefs, with none of the continuous solver's closed forms. Here it is
compared with :func:`alliance_sim.solvers.attrition.war_of_attrition` and
:func:`alliance_sim.solvers.reputation.abreu_gul` at two period lengths Δ and Δ/2:
three Abreu–Gul cases, the deadline case (a's payoffs drop at τ = 0.3; lapse costs
and collapse from 0.5) and a lapse case where the war ends because a's concession
payoff reaches 0.

How the comparison is made, and why the tolerances are what they are:

* **Prior bands.** The discrete game's outcome is a staircase in the priors (the
  reputations climb ladders with O(Δ) steps; see the reference's docstring). Each
  comparison is of Hann-weighted averages over a 9 × 9 band of priors,
  ``ln z_i ± 0.2`` around the nominal ones, both solvers evaluated at the same 81
  priors; this removes the lattice oscillation and leaves a smooth O(Δ) error.
* **Grids.** ``grid ≈ 3.2/Δ`` points per belief axis (spacing ≈ 0.8Δ in ln μ, a
  quarter of a ladder step). Doubling the grid moves the band averages by ≤ 0.05Δ
  (≤ 0.1Δ for the first moves): that is the floor of the tolerances.
* **Equilibrium check.** ``path_regret`` (the largest gain from a one-period
  deviation on the forward path, computed exactly along the path) is ≤ 0.18Δ in the
  Abreu–Gul and deadline cases. In the lapse case it is ≈ 0.12: there the path
  interpolated between grid columns is not an equilibrium, and only the outcomes
  from the backward tables are compared (they converge).
* **Move order.** In continuous time the weaker side concedes with an atom at t = 0;
  in the discrete game it does so in its first move, at 0 if it moves first and at
  Δ otherwise. Both orders are tested. With the weaker side first, the agreement
  probabilities, the expected time and the values agree to ≤ 0.07Δ; with it
  second, E[τ] and the values carry an O(Δ) bias (≤ 1.0Δ and ≤ 0.8Δ observed).
  A side's first move also holds the flow of concessions over its first period
  ([0, Δ) or [0, 2Δ)): compared with the atom plus that flow it agrees to ≤ 0.07Δ.
* **Tolerances** are written as ``C·Δ`` with ``C`` about 1.25–2 × the largest
  ratio error/Δ observed at Δ ∈ {0.02, 0.01, 0.005} and never below the grid
  floor; every error that is clearly O(Δ) (> 0.25Δ) must shrink by a factor
  ≥ 1/0.6 from Δ to Δ/2 (observed ratios 0.48–0.53).
* **Deadlines.** The continuous solver's deadline atom is conceded *just before*
  τ (the other side gets its pre-deadline win payoff). The discrete game matches
  that only if the period just before τ is the conceding side's move; when that
  side's move falls *at* τ, the discrete atom converges to the other convention
  (ℓ⁻ − ℓ⁺)/(w⁺ − ℓ⁺) instead (``test_deadline_atom_convention``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from alliance_sim.solvers.attrition import Attrition, Piecewise, war_of_attrition
from alliance_sim.solvers.reputation import abreu_gul
from alliance_sim.testing.discrete_attrition import (
    DiscreteAttrition,
    discrete_war_of_attrition,
    prior_band,
)

# Brute-force references: minutes of discrete-time simulation, run by `pytest -m slow`.
pytestmark = pytest.mark.slow

INF = np.inf
BAND_HALF_WIDTH = 0.2
BAND_NODES = 9


def piecewise_callable(
    knots: list[float], levels: list[float], slopes: list[float]
) -> Callable[[np.ndarray], np.ndarray]:
    """``level[k] + slope[k]·(t − knots[k])`` on ``[knots[k], knots[k+1])`` (right-continuous)."""
    kn = np.asarray(knots, float)
    lv = np.asarray(levels, float)
    sl = np.asarray(slopes, float)

    def f(t: np.ndarray) -> np.ndarray:
        tt = np.asarray(t, float)
        k = np.searchsorted(kn[1:-1], tt, side="right")
        return lv[k] + sl[k] * (tt - kn[k])

    return f


@dataclass(frozen=True)
class Case:
    """Inputs shared by both solvers: knots, (levels, slopes) per payoff, rates, priors."""

    name: str
    knots: list[float]
    concede_a: tuple[list[float], list[float]]
    win_a: tuple[list[float], list[float]]
    concede_b: tuple[list[float], list[float]]
    win_b: tuple[list[float], list[float]]
    rate_a: float
    rate_b: float
    z_a: float
    z_b: float
    collapse: list[float]
    # Abreu–Gul demands when the shares are constant (else None).
    demands: tuple[float, float] | None = None


def abreu_gul_case(
    name: str, alpha_a: float, alpha_b: float, r_a: float, r_b: float, z_a: float, z_b: float
) -> Case:
    """Constant shares: ℓ_a = 1 − α_b, w_a = α_a, ℓ_b = 1 − α_a, w_b = α_b, η = 0."""
    return Case(
        name,
        [0.0, INF],
        ([1 - alpha_b], [0.0]),
        ([alpha_a], [0.0]),
        ([1 - alpha_a], [0.0]),
        ([alpha_b], [0.0]),
        r_a,
        r_b,
        z_a,
        z_b,
        [0.0],
        demands=(alpha_a, alpha_b),
    )


AG_CASES = {
    # a is weaker: concedes at once with probability ≈ 0.39 (T0 ≈ 1.2).
    "base": abreu_gul_case("base", 0.7, 0.6, 1.0, 1.5, 0.1, 0.2),
    # b is much weaker: concedes at once with probability ≈ 0.68 (T0 ≈ 0.58).
    "b_weak": abreu_gul_case("b_weak", 0.6, 0.6, 1.0, 2.0, 0.1, 0.1),
    # Symmetric (a knife edge at the centre of the band; T0 ≈ 0.95).
    "symmetric": abreu_gul_case("symmetric", 0.6, 0.6, 1.0, 1.0, 0.15, 0.15),
}
# The side that concedes at t = 0 (in the symmetric band either side, depending on the prior).
WEAKER_FIRST = {"base": "a", "b_weak": "b", "symmetric": None}
AG_STEPS = (0.02, 0.01)

# The deadline case of the brief: a's payoffs drop by 0.05 at τ = 0.3; lapse costs and
# a collapse hazard 0.5 from 0.5 on.
DEADLINE = Case(
    "deadline",
    [0.0, 0.3, 0.5, INF],
    ([0.4, 0.35, 0.35], [0.0, 0.0, -0.3]),
    ([0.7, 0.65, 0.65], [0.0, 0.0, -0.3]),
    ([0.3, 0.3, 0.3], [0.0, 0.0, -0.2]),
    ([0.6, 0.6, 0.6], [0.0, 0.0, -0.2]),
    1.0,
    1.5,
    0.1,
    0.2,
    [0.0, 0.0, 0.5],
)
TAU = 0.3
# τ/Δ = 30 and 60 are even: with a first, the period just before τ is b's move.
DEADLINE_STEPS = (0.01, 0.005)
# Lapse costs that end the war: a's concession payoff falls to 0 at 0.6, before either
# reputation reaches 1 (the continuous solver's stop-time branch), with collapse from 0.2.
LAPSE = Case(
    "lapse",
    [0.0, 0.2, INF],
    ([0.4, 0.4], [0.0, -1.0]),
    ([0.7, 0.7], [0.0, -1.0]),
    ([0.3, 0.3], [0.0, -0.5]),
    ([0.6, 0.6], [0.0, -0.5]),
    1.0,
    1.5,
    0.05,
    0.05,
    [0.0, 0.3],
)
CASES = {**AG_CASES, "deadline": DEADLINE, "lapse": LAPSE}


def grid_for(dt: float) -> int:
    return round(3.2 / dt) + 1


@dataclass(frozen=True)
class Band:
    za: np.ndarray  # (9, 9)
    zb: np.ndarray
    weights: np.ndarray

    def mean(self, q: np.ndarray) -> float:
        return float((self.weights * np.asarray(q).reshape(self.weights.shape)).sum())


def band(case: Case) -> Band:
    return _band(case.name)


@functools.cache
def _band(name: str) -> Band:
    case = CASES[name]
    za, wa = prior_band(case.z_a, BAND_HALF_WIDTH, BAND_NODES)
    zb, wb = prior_band(case.z_b, BAND_HALF_WIDTH, BAND_NODES)
    ga, gb = np.meshgrid(za, zb, indexing="ij")
    return Band(ga, gb, np.outer(wa, wb))


def continuous(case: Case) -> Attrition:
    return _continuous(case.name)


@functools.cache
def _continuous(name: str) -> Attrition:
    case = CASES[name]
    b = band(case)
    n = b.za.size

    def pw(p: tuple[list[float], list[float]]) -> Piecewise:
        return Piecewise(
            np.tile(np.array(p[0], float), (n, 1)), np.tile(np.array(p[1], float), (n, 1))
        )

    war = war_of_attrition(
        np.tile(np.array(case.knots, float), (n, 1)),
        pw(case.concede_a),
        pw(case.win_a),
        pw(case.concede_b),
        pw(case.win_b),
        case.rate_a,
        case.rate_b,
        b.za.ravel(),
        b.zb.ravel(),
        collapse=np.tile(np.array(case.collapse, float), (n, 1)),
    )
    assert war.regular.all()
    return war


def discrete(case: Case, dt: float, first: str, horizon: float | None = None) -> DiscreteAttrition:
    return _discrete(case.name, dt, first, horizon)


@functools.cache
def _discrete(name: str, dt: float, first: str, horizon: float | None) -> DiscreteAttrition:
    case = CASES[name]
    b = band(case)
    zeros = [0.0] * len(case.collapse)
    f = [
        piecewise_callable(case.knots, *p)
        for p in (case.concede_a, case.win_a, case.concede_b, case.win_b)
    ]
    if horizon is None:  # well past the end of the continuous war
        horizon = 1.3 * float(continuous(case).end.max()) + 0.2
    return discrete_war_of_attrition(
        *f,
        case.rate_a,
        case.rate_b,
        b.za,
        b.zb,
        collapse=piecewise_callable(case.knots, case.collapse, zeros),
        dt=dt,
        horizon=horizon,
        grid=grid_for(dt),
        first=first,
    )


def first_window_flow(war: Attrition, side: str, width: float) -> np.ndarray:
    """P(side concedes in [0, width]): its start atom plus the flow, hazards constant on [0, t1)."""
    inc = war.incidence()
    share = inc[side][:, 0] / (inc["a"][:, 0] + inc["b"][:, 0])
    n = war.end.shape
    flow = (war.survival(np.zeros(n)) - war.survival(np.full(n, width))) * share
    return (war.start_atom_a if side == "a" else war.start_atom_b) + flow


def errors(case: Case, dt: float, first: str) -> dict[str, float]:
    """Band-averaged discrete − continuous, per quantity."""
    b, war, d = band(case), continuous(case), discrete(case, dt, first)
    # First moves: the first mover's at 0 stands for [0, Δ), the second's at Δ for [0, 2Δ).
    w_a, w_b = (dt, 2 * dt) if first == "a" else (2 * dt, dt)
    pairs = {
        "p_a": (d.p_a_concedes, war.p_concedes("a")),
        "p_b": (d.p_b_concedes, war.p_concedes("b")),
        "p_none": (d.p_no_agreement, 1.0 - war.p_agreement()),
        "time": (d.expected_time, war.expected_time()),
        "value_a": (d.value_a, war.value("a")),
        "value_b": (d.value_b, war.value("b")),
        "first_a": (d.first_move_a, war.start_atom_a),
        "first_b": (d.first_move_b, war.start_atom_b),
        "first_a_window": (d.first_move_a, first_window_flow(war, "a", w_a)),
        "first_b_window": (d.first_move_b, first_window_flow(war, "b", w_b)),
    }
    return {k: b.mean(x) - b.mean(y) for k, (x, y) in pairs.items()}


# Tolerances as multiples of Δ (module docstring): (weaker side first, weaker side second).
AG_TOL = {
    "p_a": (0.1, 0.1),  # observed ≤ 0.032Δ
    "p_b": (0.1, 0.1),
    "time": (0.1, 1.25),  # ≤ 0.031Δ; ≤ 0.99Δ (the atom comes at Δ)
    "value_a": (0.1, 1.0),  # ≤ 0.024Δ; ≤ 0.79Δ
    "value_b": (0.1, 1.0),
    # The atom plus the first move's flow (over [0, Δ) or [0, 2Δ)): ≤ 2.5Δ; ≤ 2.9Δ.
    "first_a": (3.5, 3.5),
    "first_b": (3.5, 3.5),
    "first_a_window": (0.15, 1.6),  # ≤ 0.07Δ; ≤ 1.25Δ
    "first_b_window": (0.15, 1.6),
}


# --- the reference itself -------------------------------------------------------------


def test_prior_band_and_argument_checks() -> None:
    z, w = prior_band(0.2, 0.1, 7)
    assert np.isclose(w.sum(), 1.0) and np.allclose(w, w[::-1])
    assert np.isclose(np.exp(np.log(z) @ w), 0.2)
    with pytest.raises(ValueError, match="first"):
        discrete_war_of_attrition(0.4, 0.7, 0.3, 0.6, 1, 1, 0.1, 0.1, dt=0.1, horizon=1, first="c")
    with pytest.raises(ValueError, match="z_b"):
        discrete_war_of_attrition(0.4, 0.7, 0.3, 0.6, 1, 1, 0.1, 1.0, dt=0.1, horizon=1)
    with pytest.raises(ValueError, match="collapse"):
        discrete_war_of_attrition(
            0.4,
            0.7,
            0.3,
            0.6,
            1,
            1,
            0.1,
            0.1,
            dt=0.1,
            horizon=1,
            collapse=lambda t: -np.ones_like(t),
        )


@pytest.mark.parametrize("name", sorted(AG_CASES))
def test_discrete_bookkeeping(name: str) -> None:
    case = AG_CASES[name]
    d = discrete(case, AG_STEPS[0], WEAKER_FIRST[name] or "a")
    b = band(case)
    total = d.p_a_concedes + d.p_b_concedes + d.p_no_agreement
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    # No collapse: both reputations reach 1 on the path, where the impasse is z_a·z_b
    # exactly; the tables (lotteries over grid beliefs) give it up to O(grid spacing).
    np.testing.assert_allclose(d.mu_a[-1], 1.0, atol=1e-12)
    np.testing.assert_allclose(d.mu_b[-1], 1.0, atol=1e-12)
    on_path = 1.0 - d.concede_a.sum(axis=0) - d.concede_b.sum(axis=0)
    np.testing.assert_allclose(on_path, b.za * b.zb, rtol=1e-10)
    np.testing.assert_allclose(d.p_unresolved, b.za * b.zb, atol=2e-3 * d.dt)  # ≤ 8.5e-4Δ
    np.testing.assert_array_equal(d.p_collapse, 0.0)
    assert np.all(np.diff(d.mu_a, axis=0) >= 0) and np.all(np.diff(d.mu_b, axis=0) >= 0)
    # The continuation is non-decreasing in the mover's own reputation: the cutoff rule
    # is the equilibrium of the gridded game.
    assert d.monotonicity_violation == 0.0
    # The path is an equilibrium of the discrete game up to the grid's error (the check
    # is exact along the path: observed ≤ 0.18Δ in payoff units).
    assert np.all(d.path_regret <= 0.3 * d.dt)
    # Outcomes from the tables and from the path agree (per prior: ≤ 0.028Δ observed).
    np.testing.assert_allclose(d.concede_a.sum(axis=0), d.p_a_concedes, atol=0.05 * d.dt)
    # The horizon is off the equilibrium path.
    longer = discrete(case, AG_STEPS[0], d.first, horizon=d.horizon + 0.5)
    np.testing.assert_allclose(longer.p_a_concedes, d.p_a_concedes, atol=1e-12)
    np.testing.assert_allclose(longer.expected_time, d.expected_time, atol=1e-12)


# --- Abreu & Gul: constant shares -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(AG_CASES))
def test_continuous_solvers_agree_on_constant_shares(name: str) -> None:
    case, b = AG_CASES[name], band(AG_CASES[name])
    assert case.demands is not None
    ag = abreu_gul(*case.demands, b.za.ravel(), b.zb.ravel(), case.rate_a, case.rate_b)
    war = continuous(case)
    np.testing.assert_allclose(war.p_concedes("a"), ag.p_a_concedes, atol=1e-8)
    np.testing.assert_allclose(war.p_concedes("b"), ag.p_b_concedes, atol=1e-8)
    np.testing.assert_allclose(1.0 - war.p_agreement(), ag.p_impasse, atol=1e-8)
    np.testing.assert_allclose(war.expected_time(), ag.expected_delay, atol=1e-7)
    np.testing.assert_allclose(war.start_atom_a, ag.p_concede_now_a, atol=1e-8)
    np.testing.assert_allclose(war.value("b"), ag.value_b, atol=1e-8)


@pytest.mark.parametrize("first", ["a", "b"])
@pytest.mark.parametrize("name", sorted(AG_CASES))
def test_abreu_gul_agreement(name: str, first: str) -> None:
    case, b = AG_CASES[name], band(AG_CASES[name])
    assert case.demands is not None
    ag = abreu_gul(*case.demands, b.za.ravel(), b.zb.ravel(), case.rate_a, case.rate_b)
    col = 0 if first == WEAKER_FIRST[name] else 1
    for dt in AG_STEPS:
        d = discrete(case, dt, first)
        # The impasse is z_a·z_b (exactly on the path; ≤ 8.5e-4Δ from the tables).
        assert abs(b.mean(d.p_no_agreement) - b.mean(ag.p_impasse)) < 2e-3 * dt
        assert abs(b.mean(d.p_a_concedes) - b.mean(ag.p_a_concedes)) < 0.1 * dt
        assert abs(b.mean(d.expected_time) - b.mean(ag.expected_delay)) < AG_TOL["time"][col] * dt
        err = errors(case, dt, first)
        for key, tols in AG_TOL.items():
            assert abs(err[key]) <= tols[col] * dt, (name, first, dt, key, err[key] / dt)


@pytest.mark.parametrize("first", ["a", "b"])
@pytest.mark.parametrize("name", sorted(AG_CASES))
def test_abreu_gul_convergence(name: str, first: str) -> None:
    coarse, fine = (errors(AG_CASES[name], dt, first) for dt in AG_STEPS)
    checked = 0
    for key, e in coarse.items():
        if abs(e) > 0.25 * AG_STEPS[0]:
            checked += 1
            assert abs(fine[key]) <= 0.6 * abs(e), (name, first, key, e, fine[key])
    assert checked >= 1


# --- time-varying payoffs with a one-sided deadline -----------------------------------

DEADLINE_TOL = {  # multiples of Δ; largest observed ratio at Δ = 0.01, 0.005 in brackets
    "p_a": 0.1,  # [0.032]
    "p_b": 0.1,  # [0.030]
    "p_none": 0.05,  # [0.002]
    "time": 0.1,  # [0.017]
    "value_a": 0.05,  # [0]
    "value_b": 0.05,  # [0.008]
    "first_a": 1.5,  # [0.70]
    "first_b": 2.0,  # [1.25]
    "first_a_window": 0.1,  # [0.032]
    "first_b_window": 0.1,  # [0.001]
}


def deadline_atom(d: DiscreteAttrition, band_: Band) -> tuple[float, float]:
    """b's deadline atom in the discrete game: unconditional and conditional excess.

    The atom is b's first move after a's last move before τ; the flow part is removed by
    subtracting b's previous move (the same, up to O(Δ²)).
    """
    kb = np.flatnonzero(d.mover == "b")
    ka = np.flatnonzero((d.mover == "a") & (d.times < TAU - 1e-12))[-1]
    k1, k0 = kb[kb > ka][0], kb[kb < ka][-1]
    events = d.concede_a + d.concede_b + d.collapse
    alive = 1.0 - np.concatenate([np.zeros((1, *events.shape[1:])), np.cumsum(events, 0)])
    uncond = band_.mean(d.concede_b[k1] - d.concede_b[k0])
    cond = band_.mean(d.concede_b[k1] / alive[k1] - d.concede_b[k0] / alive[k0])
    return uncond, cond


def test_deadline_continuous_solution_shape() -> None:
    war = continuous(DEADLINE)
    inc = war.incidence()
    # a is weaker; b concedes with an atom just before τ; the war ends after the lapse
    # costs start (0.5) and well before the horizon.
    assert np.all(war.start_atom_a > 0.3) and np.all(war.start_atom_b == 0)
    assert np.all(inc["atom_b"][:, 1] > 0.02) and np.all(inc["atom_a"][:, 1:] == 0)
    assert np.all((war.end > 0.5) & (war.end < 1.0))


def test_deadline_agreement_and_convergence() -> None:
    case, b = DEADLINE, band(DEADLINE)
    war = continuous(case)
    atom_cont = b.mean(war.incidence()["atom_b"][:, 1])
    ell_minus, ell_plus, w_minus = 0.4, 0.35, 0.7
    a_b = (ell_minus - ell_plus) / (w_minus - ell_plus)  # = 1/7, conditional
    errs = []
    for dt in DEADLINE_STEPS:
        d = discrete(case, dt, "a")
        assert d.times[np.flatnonzero(d.times < TAU - 1e-12)[-1]] == pytest.approx(TAU - dt)
        assert d.mover[round(TAU / dt) - 1] == "b"  # aligned: b moves just before τ
        assert d.monotonicity_violation == 0.0
        assert np.all(d.path_regret <= 0.3 * dt)  # observed ≤ 0.18Δ
        err = errors(case, dt, "a")
        for key, tol in DEADLINE_TOL.items():
            assert abs(err[key]) <= tol * dt, (dt, key, err[key] / dt)
        uncond, cond = deadline_atom(d, b)
        assert abs(uncond - atom_cont) <= 0.1 * dt  # observed ≤ 0.047Δ
        # Raw: b's concessions in the last two periods before τ (one b move: atom + flow).
        last = b.mean(d.p_concedes_between("b", TAU - 2 * dt - 1e-12, TAU - 1e-12))
        assert 0.0 < last - atom_cont <= 1.0 * dt  # observed 0.54Δ at both
        assert abs(cond - a_b) <= 1.0 * dt  # observed 0.65Δ, 0.66Δ
        errs.append({**err, "atom_conditional": cond - a_b})
    coarse, fine = errs
    for key in ("first_a", "first_b", "atom_conditional"):
        assert abs(fine[key]) <= 0.6 * abs(coarse[key]), (key, coarse[key], fine[key])


def test_deadline_atom_convention() -> None:
    """With b's move *at* τ (a's win payoff already dropped) the atom is (ℓ⁻ − ℓ⁺)/(w⁺ − ℓ⁺).

    The continuous solver uses the pre-deadline win payoff w⁻ (b concedes just before
    τ); the misaligned discrete game converges to the other limit, 1/6 instead of 1/7.
    """
    b = band(DEADLINE)
    gaps = []
    for dt in DEADLINE_STEPS:
        d = discrete(DEADLINE, dt, "b")
        assert d.mover[round(TAU / dt)] == "b"
        _, cond = deadline_atom(d, b)
        gaps.append(cond - 0.05 / 0.30)
        assert abs(gaps[-1]) <= 0.6 * dt  # observed 0.35Δ
        assert cond - 0.05 / 0.35 > 0.015  # not the continuous solver's atom
    assert abs(gaps[1]) <= 0.6 * abs(gaps[0])


# --- lapse costs: the war ends when a's concession payoff reaches 0 -------------------

LAPSE_TOL = {  # multiples of Δ; largest observed ratio at Δ = 0.01, 0.005 (both orders)
    "p_a": 0.4,  # [0.24]
    "p_b": 0.4,  # [0.25]
    "p_none": 0.05,  # [0.015]
    "time": 1.25,  # [0.83] b, the weaker side, concedes its atom at Δ when a moves first
    "value_a": 0.8,  # [0.50]
    "value_b": 0.8,  # [0.45]
}


@pytest.mark.parametrize("first", ["a", "b"])
def test_lapse_agreement(first: str) -> None:
    """Outcomes agree; the forward path does not, and ``path_regret`` flags it.

    b is weaker (start atom ≈ 0.65); a's reputation is still ≈ 0.2 when its concession
    payoff reaches 0 at 0.6, where the continuous war ends. In the gridded game the
    cutoff functions jump by O(1) here, so the path interpolated between grid columns is
    not an equilibrium of the discrete game (regret ≈ 0.12, against ≤ 0.18Δ in the other
    cases) and its per-period quantities are not compared; the outcome tables, which
    carry the backward pass's own interpolation, converge to the continuous solution.
    """
    war = continuous(LAPSE)
    np.testing.assert_allclose(war.end, 0.6, atol=1e-9)
    assert np.all(war.start_atom_b > 0.5)
    for dt in DEADLINE_STEPS:
        d = discrete(LAPSE, dt, first)
        assert d.monotonicity_violation == 0.0
        assert d.path_regret.max() > 0.05
        err = errors(LAPSE, dt, first)
        for key, tol in LAPSE_TOL.items():
            assert abs(err[key]) <= tol * dt, (first, dt, key, err[key] / dt)
