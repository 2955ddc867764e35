"""Property checkers a researcher calls in their own tests (plain functions, hypothesis-friendly).

Each checker evaluates the model on draws and raises ``AssertionError`` with a
counterexample — the draw's index, its parameters and the numbers that break the
property — when the property fails, so it can be used directly inside a
``@given`` test and hypothesis will shrink the inputs that feed it.

* :func:`check_individual_rationality` — every solution lies in the settlement
  range and gives both sides at least their no-deal utility;
* :func:`check_pareto_efficiency` — no admissible agreement is better for one side
  and no worse for the other;
* :func:`check_monotone` — an output moves in one direction when a parameter rises
  (comparative statics, with common random numbers: the same draws, one parameter
  shifted);
* :func:`check_rescaling_invariance` — a solution is unchanged when a player's
  utility is replaced by a positive affine transform ``a·U + b`` (Nash 1950's axiom).

Each returns the number of draws it checked, and a checker that checked fewer than
``min_checked`` draws (default 1) fails: on a model where no draw has a deal, "no
counterexample" means nothing was tested, not that the property holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..games import BargainingProblem
from ..games.offers import OFFERS_OUTPUTS
from ..games.talks import TALKS_OUTPUTS
from ..parameters import Draws
from ..scenarios import Scenario
from ..solvers import Solution, ks_solution, nash_solution, split_solution
from ..solvers.rootfind import RTOL, XTOL
from ..sweep import bargaining_problem, evaluate, evaluate_offers, evaluate_talks

__all__ = [
    "check_individual_rationality",
    "check_monotone",
    "check_pareto_efficiency",
    "check_rescaling_invariance",
    "scenario_problem",
]

Array = NDArray[np.float64]


def scenario_problem(scenario: Scenario, draws: Draws) -> BargainingProblem:
    """The bargaining problem of ``draws`` exactly as :func:`~alliance_sim.simulate` builds it."""
    return bargaining_problem(scenario, draws)


def _describe(draws: Draws, i: int, names: Sequence[str] | None = None) -> str:
    keys = names if names is not None else list(draws)
    return ", ".join(f"{k}={float(draws[k][i]):.6g}" for k in keys)


def _enough(checked: int, n: int, min_checked: int, what: str) -> int:
    """``checked``, or an AssertionError when it is below ``min_checked`` (vacuous)."""
    if checked < min_checked:
        raise AssertionError(
            f"checked {checked} of {n} draws (fewer than min_checked={min_checked}): {what}; "
            f"the property was not tested (pass min_checked=0 to allow this)"
        )
    return checked


def _solutions(problem: BargainingProblem, power: Array) -> dict[str, Solution]:
    return {
        "nash": nash_solution(problem, power),
        "kalai_smorodinsky": ks_solution(problem),
        "split": split_solution(problem),
    }


def check_individual_rationality(scenario: Scenario, draws: Draws, *, min_checked: int = 1) -> int:
    """Assert that every solution lies in ``[lo, hi]`` and gives both sides a gain ≥ 0.

    Tolerances: the solvers' ``xtol + rtol·|x|`` on payments and that tolerance
    times the marginal utility on gains.

    Returns
    -------
    int
        The draws checked (those with a non-empty settlement range).

    Raises
    ------
    AssertionError
        Naming the solution concept, the draw and its parameters; or when fewer than
        ``min_checked`` draws have a settlement range.
    """
    pb = scenario_problem(scenario, draws)
    power = np.broadcast_to(draws[scenario.power], (draws.n,))
    for name, sol in _solutions(pb, power).items():
        f = pb.feasible
        x = np.where(f, sol.payment, pb.lo)
        tol = XTOL + RTOL * np.abs(x)
        sj, su = pb.gain_slopes(x)
        bad = f & (
            (x < pb.lo - tol)
            | (x > pb.hi + tol)
            | (sol.payer_gain < -2 * np.abs(sj) * tol - 1e-9)
            | (sol.payee_gain < -2 * np.abs(su) * tol - 1e-9)
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AssertionError(
                f"{name}: payment {x[i]:.6g} outside the settlement range [{pb.lo[i]:.6g}, "
                f"{pb.hi[i]:.6g}] or a negative gain (payer {sol.payer_gain[i]:.3g}, payee "
                f"{sol.payee_gain[i]:.3g}) in draw {i}: {_describe(draws, i)}"
            )
    return _enough(int(pb.feasible.sum()), draws.n, min_checked, "no settlement range")


def check_pareto_efficiency(
    scenario: Scenario, draws: Draws, *, grid: int = 41, min_checked: int = 1
) -> int:
    """Assert that no agreement on a grid of the settlement range dominates a solution.

    Dominates: at least as good for both sides and strictly better for one, where
    "at least as good" allows what the solution's own tolerance allows — the change
    of each side's gain when the payment moves by four times the solvers'
    ``xtol + rtol·|x|`` — plus ``1e-12·(1 + |g|)`` of rounding. (A fixed tolerance on
    the gains would call a nearby grid point dominating whenever one side's gain is
    much steeper than the other's.)

    Returns the draws checked (with a settlement range); fewer than ``min_checked``
    fails.
    """
    pb = scenario_problem(scenario, draws)
    power = np.broadcast_to(draws[scenario.power], (draws.n,))
    f = pb.feasible
    xs = pb.lo + (pb.hi - pb.lo) * np.linspace(0.0, 1.0, grid)[:, None]
    gj_grid, gu_grid = pb.gains(xs)
    for name, sol in _solutions(pb, power).items():
        x = np.where(f, sol.payment, pb.lo)
        gj, gu = pb.gains(x)
        dx = 4 * (XTOL + RTOL * np.abs(x))
        gj_moved, gu_moved = pb.gains(np.stack([x - dx, x + dx]))
        eps_j = np.abs(gj_moved - gj).max(axis=0) + 1e-12 * (1 + np.abs(gj))
        eps_u = np.abs(gu_moved - gu).max(axis=0) + 1e-12 * (1 + np.abs(gu))
        dominated = (
            (gj_grid >= gj - eps_j)
            & (gu_grid >= gu - eps_u)
            & ((gj_grid > gj + eps_j) | (gu_grid > gu + eps_u))
        )
        bad = f & dominated.any(axis=0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            k = int(np.flatnonzero(dominated[:, i])[0])
            raise AssertionError(
                f"{name}: payment {sol.payment[i]:.6g} is Pareto-dominated by {xs[k, i]:.6g} "
                f"in draw {i}: {_describe(draws, i)}"
            )
    return _enough(int(f.sum()), draws.n, min_checked, "no settlement range")


def check_monotone(
    scenario: Scenario,
    parameter: str,
    output: str,
    direction: Literal["increasing", "decreasing"],
    *,
    draws: Draws | None = None,
    n: int = 2_000,
    seed: int = 0,
    step: float | None = None,
    tol: float = 1e-7,
    where: str | None = None,
    min_checked: int = 1,
) -> int:
    """Assert that ``output`` never moves against ``direction`` when ``parameter`` rises.

    Common random numbers: the same draws are evaluated twice, once with
    ``parameter`` raised by ``step`` (default: 1% of its absolute mean, or 0.01)
    and the quantities derived from it recomputed. Draws where the output is
    undefined (NaN: no settlement range, no agreement) in either run are skipped.
    Any output of :data:`alliance_sim.sweep.OUTPUTS` works: the static ones (e.g.
    ``payer_reservation``, ``nash_payment``, ``lo``, ``hi``) and those of the
    talks (e.g. ``p_one_year``, ``expected_payment``), which are then solved too.

    Parameters
    ----------
    scenario : Scenario
    parameter : str
        A name of the scenario's parameters (or a resolved typed name).
    output : str
        An output of :func:`~alliance_sim.sweep.evaluate`.
    direction : {"increasing", "decreasing"}
        ``increasing``: the output never falls; ``decreasing``: never rises.
    draws : Draws, optional
        Draws to use (e.g. from a hypothesis strategy); else ``n`` are sampled.
    n, seed : int
        Sample size and seed when ``draws`` is None.
    step : float, optional
        The increase of the parameter.
    tol : float
        Allowed movement against the direction, relative to ``1 + |output|``.
    where : str, optional
        A boolean output (e.g. ``"feasible"``) restricting the check to the draws
        where it holds in the base run — comparative statics often hold only on
        admissible payments (docs/explanation/model/bargaining.md, §3).
    min_checked : int
        Fail when fewer draws than this have the output defined in both runs (and
        ``where`` true): a check of nothing is not a pass.

    Returns
    -------
    int
        The draws checked.

    Raises
    ------
    ValueError
        On an unknown parameter, output or direction.
    AssertionError
        With the first draw where the property fails and its parameters, or when
        fewer than ``min_checked`` draws were checked.

    Examples
    --------
    >>> from alliance_sim.scenarios import japan_us_2020
    >>> check_monotone(japan_us_2020(), "mcpf_J", "payer_reservation", "decreasing", n=500)
    500
    """
    if direction not in ("increasing", "decreasing"):
        raise ValueError(f"direction must be 'increasing' or 'decreasing'; got {direction!r}")
    d = draws if draws is not None else scenario.parameters.sample(n, seed=seed)
    if parameter not in d:
        raise ValueError(f"unknown parameter {parameter!r}; known: {', '.join(d)}")
    stages = {output, where} & (set(TALKS_OUTPUTS) | set(OFFERS_OUTPUTS))
    base = _outputs(scenario, d, stages)
    if output not in base:
        raise ValueError(f"unknown output {output!r}; outputs: {', '.join(base)}")
    value = np.asarray(d[parameter], dtype=np.float64)
    if step is None:
        step = max(0.01, 0.01 * float(np.abs(value).mean()))
    raised = scenario.parameters.rederive(d.replace(**{parameter: value + step}), keep=[parameter])
    moved = _outputs(scenario, raised, stages)
    y0 = np.asarray(base[output], dtype=np.float64)
    y1 = np.asarray(moved[output], dtype=np.float64)
    sign = 1.0 if direction == "increasing" else -1.0
    skip = np.isnan(y0) | np.isnan(y1)
    if where is not None:
        if where not in base or np.asarray(base[where]).dtype != bool:
            raise ValueError(f"where must name a boolean output; got {where!r}")
        skip |= ~np.asarray(base[where])
    ok = skip | (sign * (y1 - y0) >= -tol * (1 + np.abs(y0)))
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise AssertionError(
            f"{output} is not {direction} in {parameter}: raising {parameter} from "
            f"{value[i]:.6g} to {value[i] + step:.6g} moves {output} from {y0[i]:.6g} to "
            f"{y1[i]:.6g} in draw {i} ({(~ok).sum()} of {ok.size} draws): {_describe(d, i)}"
        )
    what = f"{output} is undefined" + (f" or {where} false" if where else "") + " everywhere"
    return _enough(int((~skip).sum()), d.n, min_checked, what)


def _outputs(scenario: Scenario, draws: Draws, names: set[str | None]) -> dict[str, NDArray]:
    """Static outputs, plus the talks' or the offers' when ``names`` asks for them."""
    out = evaluate(scenario, draws)
    if names & set(TALKS_OUTPUTS):
        out.update(evaluate_talks(scenario, draws))
    if names & set(OFFERS_OUTPUTS):
        out.update(evaluate_offers(scenario, draws))
    return out


def check_rescaling_invariance(
    scenario: Scenario,
    draws: Draws,
    *,
    side: Literal["payer", "payee"] = "payer",
    a: float = 3.0,
    b: float = -50.0,
    solutions: Sequence[str] = ("nash", "kalai_smorodinsky"),
    min_checked: int = 1,
) -> int:
    """Assert that solutions do not change when one side's utility becomes ``a·U + b``.

    Tolerance: four times the solvers' ``xtol + rtol·|x|``. Returns the draws checked
    (a solution defined before rescaling); fewer than ``min_checked`` fails.
    """
    if side not in ("payer", "payee"):
        raise ValueError(f"side must be 'payer' or 'payee'; got {side!r}")
    scaled = scenario.with_players(
        payer=scenario.payer.scaled(a, b) if side == "payer" else None,
        payee=scenario.payee.scaled(a, b) if side == "payee" else None,
    )
    power = np.broadcast_to(draws[scenario.power], (draws.n,))
    before = _solutions(scenario_problem(scenario, draws), power)
    after = _solutions(scenario_problem(scaled, draws), power)
    for name in solutions:
        x0, x1 = before[name].payment, after[name].payment
        same_nan = np.isnan(x0) == np.isnan(x1)
        close = np.isnan(x0) | (np.abs(x0 - x1) <= 4 * (XTOL + RTOL * np.abs(x0)))
        bad = ~(same_nan & close)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AssertionError(
                f"{name} changes under {side} utility → {a}·U + {b}: {x0[i]:.9g} → {x1[i]:.9g} "
                f"in draw {i}: {_describe(draws, i)}"
            )
    defined = ~np.isnan(before[solutions[0]].payment) if solutions else np.zeros(0, bool)
    return _enough(int(defined.sum()), draws.n, min_checked, "no solution is defined")
