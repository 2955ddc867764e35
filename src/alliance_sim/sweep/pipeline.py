"""The pipeline for one batch of draws: players → games → solvers → per-draw outputs."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..games import TOKYO_STANCES, WASHINGTON_STANCES, BargainingProblem, stance_game
from ..games.offers import OFFERS_OUTPUTS, offers_equilibrium
from ..games.talks import TALKS_OUTPUTS, talks_equilibrium
from ..parameters import Draws
from ..scenarios import Scenario
from ..solvers import (
    Equilibria,
    bimatrix_equilibria,
    ks_solution,
    nash_solution,
    select_equilibrium,
    split_solution,
)

__all__ = [
    "OUTPUTS",
    "bargaining_problem",
    "evaluate",
    "evaluate_offers",
    "evaluate_stances",
    "evaluate_talks",
    "has_offers",
    "has_stance_game",
    "has_talks",
    "stance_names",
]

#: Per-draw outputs of :func:`evaluate`, with their meaning (units: the scenario's payment unit).
OUTPUTS: dict[str, str] = {
    "challenger_wins": "1 if the challenger wins the election (bool)",
    "challenger_in_office": "1 if the challenger's administration signs (bool)",
    "d_payer": "payer's no-deal utility d_J",
    "d_payee": "payee's no-deal utility d_U",
    "payer_reservation": "most the payer accepts, r_J (root of g_J)",
    "payee_reservation": "least the payee accepts, r_U (root of g_U; may be negative)",
    "lo": "settlement range low end, max(r_U, floor)",
    "hi": "settlement range high end, r_J",
    "feasible": "settlement range non-empty, lo <= hi (bool)",
    "power": "payee's bargaining power β",
    "nash_payment": "generalized Nash payment (NaN where not feasible)",
    "ks_payment": "Kalai–Smorodinsky payment (NaN where not feasible)",
    "split_payment": "split-the-difference payment (NaN where not feasible)",
    "nash_payer_gain": "payer's gain over no deal at the Nash payment (NaN where not feasible)",
    "nash_payee_gain": "payee's gain over no deal at the Nash payment (NaN where not feasible)",
    "status_quo": "current payment x0",
    "demand": "payee's reported demand (NaN-free; absent if the scenario has none)",
    "demand_in_range": "the demand lies in a non-empty settlement range (bool)",
    "n_equilibria": "number of (extreme) Nash equilibria of the stance game",
    "stance_degenerate": "the stance game is degenerate (bool)",
    "stance_outcome": "selected equilibrium's cell 3·row + col if pure, −1 if mixed",
    "stance_payer_payoff": "payer's payoff in the selected stance equilibrium",
    "stance_payee_payoff": "payee's payoff in the selected stance equilibrium",
    "<player>_<stance>_prob": "probability of the stance in the selected equilibrium",
    "<player>_<stance>_in_every_eq": "the stance has positive probability in every equilibrium",
    "<player>_<stance>_in_some_eq": "the stance has positive probability in some equilibrium",
}


OUTPUTS.update(TALKS_OUTPUTS)
OUTPUTS.update(OFFERS_OUTPUTS)


def has_talks(scenario: Scenario) -> bool:
    """True when the scenario defines the reputational talks (a calendar and an election)."""
    return None not in (scenario.talks, scenario.election)


def has_offers(scenario: Scenario) -> bool:
    """True when the scenario defines complete-information alternating offers on the calendar."""
    return None not in (scenario.talks, scenario.election, scenario.drawdown)


def wants(scenario: Scenario, stage: str) -> bool:
    """True when the scenario lists ``stage`` among the solvers to run by default."""
    return stage in scenario.solvers


def evaluate_talks(scenario: Scenario, draws: Draws) -> dict[str, NDArray]:
    """The talks as a reputational war of attrition on the calendar (`games.talks`)."""
    return talks_equilibrium(scenario, draws)


def evaluate_offers(scenario: Scenario, draws: Draws) -> dict[str, NDArray]:
    """Complete-information alternating offers on the calendar (`games.offers`)."""
    return offers_equilibrium(scenario, draws)


def has_stance_game(scenario: Scenario) -> bool:
    """True when the scenario defines what a stance game needs (election, demand, drawdown)."""
    return None not in (scenario.election, scenario.demand, scenario.drawdown)


def stance_names(scenario: Scenario) -> dict[str, list[str]]:
    """Output-name prefixes: ``{"tokyo": ["tokyo_accept", ...], "washington": [...]}``."""
    payer, payee = scenario.payer.name.lower(), scenario.payee.name.lower()
    return {
        payer: [f"{payer}_{s}" for s in TOKYO_STANCES],
        payee: [f"{payee}_{s}" for s in WASHINGTON_STANCES],
    }


def evaluate_stances(
    scenario: Scenario, draws: Draws, core: dict[str, NDArray] | None = None
) -> tuple[dict[str, NDArray], Equilibria]:
    """Stance game of every draw, all its equilibria, and the per-draw stance outputs.

    The selected equilibrium is :func:`~alliance_sim.solvers.select_equilibrium`'s.
    ``core``, :func:`evaluate`'s outputs on the same draws, spares the stance game one
    of its bargaining problems (``stance_game(settled=...)``; same results).
    """
    settled = None
    if core is not None:
        settled = (core["challenger_in_office"], core["feasible"], core["nash_payment"])
    game = stance_game(scenario, draws, settled=settled)
    eq = bimatrix_equilibria(game.A, game.B)
    sel = select_equilibrium(eq)
    row, col = eq.row[sel], eq.col[sel]
    out: dict[str, NDArray] = {
        "n_equilibria": eq.count,
        "stance_degenerate": eq.degenerate,
        "stance_payer_payoff": eq.row_payoff[sel],
        "stance_payee_payoff": eq.col_payoff[sel],
    }
    pure = (row.max(axis=1) == 1.0) & (col.max(axis=1) == 1.0)
    out["stance_outcome"] = np.where(pure, 3 * row.argmax(axis=1) + col.argmax(axis=1), -1)
    names = stance_names(scenario)
    for (_, labels), strategies, chosen in zip(
        names.items(), (eq.row, eq.col), (row, col), strict=True
    ):
        for j, label in enumerate(labels):
            played = np.bincount(eq.game, weights=strategies[:, j] > 0, minlength=eq.n_games)
            out[f"{label}_prob"] = chosen[:, j]
            out[f"{label}_in_every_eq"] = played == eq.count
            out[f"{label}_in_some_eq"] = played > 0
    return out, eq


def bargaining_problem(
    scenario: Scenario, draws: Draws, *, state: Draws | None = None
) -> BargainingProblem:
    """The bargaining problem of ``draws`` exactly as :func:`evaluate` builds it.

    The election's typed parameters are resolved at the signing time unless the
    already resolved ``state`` is given.
    """
    t = draws[scenario.signing_time]
    if state is None:
        state = scenario.election.resolve(draws, t) if scenario.election is not None else draws
    return BargainingProblem(
        scenario.payer,
        scenario.payee,
        state,
        term_years=draws[scenario.term_years],
        signing_time=t,
        floor=scenario.payment_floor,
        scale=draws[scenario.status_quo],
    )


def evaluate(scenario: Scenario, draws: Draws) -> dict[str, NDArray]:
    """Run the model on a batch of draws and return the per-draw outputs (see `OUTPUTS`).

    Parameters
    ----------
    scenario : Scenario
        Players, election timing and names of the outcome parameters.
    draws : Draws
        Sampled parameters of the scenario's space.

    Returns
    -------
    dict of str to ndarray
        Each of shape ``(n,)``; booleans as ``bool``.
    """
    scenario.check_draws(draws)
    t = draws[scenario.signing_time]
    out: dict[str, NDArray] = {}
    state = draws
    if scenario.election is not None:
        state = scenario.election.resolve(draws, t)
        out["challenger_wins"] = draws[scenario.election.challenger_wins] > 0.5
        out["challenger_in_office"] = state["challenger_in_office"] > 0.5
    problem = bargaining_problem(scenario, draws, state=state)
    power = draws[scenario.power]
    nash = nash_solution(problem, power)
    out.update(
        d_payer=problem.d_payer,
        d_payee=problem.d_payee,
        payer_reservation=problem.payer_reservation,
        payee_reservation=problem.payee_reservation,
        lo=problem.lo,
        hi=problem.hi,
        feasible=problem.feasible,
        power=np.asarray(power, dtype=np.float64),
        nash_payment=nash.payment,
        ks_payment=ks_solution(problem).payment,
        split_payment=split_solution(problem).payment,
        nash_payer_gain=nash.payer_gain,
        nash_payee_gain=nash.payee_gain,
        status_quo=np.asarray(draws[scenario.status_quo], dtype=np.float64),
    )
    if scenario.demand is not None:
        demand = np.asarray(draws[scenario.demand], dtype=np.float64)
        out["demand"] = demand
        out["demand_in_range"] = problem.feasible & (problem.lo <= demand) & (demand <= problem.hi)
    return {k: np.ascontiguousarray(v) for k, v in out.items()}
