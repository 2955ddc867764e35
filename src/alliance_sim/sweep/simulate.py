"""`simulate`: sample a scenario's parameters and run the pipeline, chunk by chunk."""

from __future__ import annotations

import numpy as np

from .._rng import SeedLike, seed_sequence
from ..parameters import BLOCK, METHODS, Parameter
from ..parameters.sampling import Method
from ..results import SimulationResult
from ..scenarios import Scenario
from ..solvers import Equilibria
from .pipeline import (
    evaluate,
    evaluate_stances,
    evaluate_talks,
    has_stance_game,
    has_talks,
    wants,
)

__all__ = ["simulate"]


def simulate(
    scenario: Scenario,
    n: int,
    *,
    seed: SeedLike = None,
    method: Method = "random",
    chunk_size: int = BLOCK,
    stances: bool | None = None,
    talks: bool | None = None,
) -> SimulationResult:
    """Simulate ``n`` draws of ``scenario``: parameters → players → problem → solutions.

    Draws are generated and evaluated ``chunk_size`` at a time (the model's
    temporaries are bounded by the chunk; the per-draw results, about 8 bytes per
    output and random parameter per draw, are kept), each chunk taking its draws
    by index from the one seed (see :mod:`alliance_sim.parameters.sampling`), so
    the result is bit-identical whatever ``chunk_size`` is.

    Parameters
    ----------
    scenario : Scenario
        E.g. :func:`alliance_sim.scenarios.japan_us_2020`.
    n : int
        Number of draws (> 0).
    seed : int, numpy.random.SeedSequence or None
        Root of all randomness; None draws fresh entropy (recorded on the result).
    method : {"random", "sobol", "lhs"}
        Sampling design. ``"lhs"`` is generated in one piece.
    chunk_size : int
        Draws per chunk (> 0).
    stances : bool or None
        Also build and solve the stance game of every draw
        (:mod:`alliance_sim.games.stance`); None: whenever the scenario defines one
        and lists ``"stances"`` in ``Scenario.solvers``.
    talks : bool or None
        Also solve the alternating-offers talks on the calendar
        (:mod:`alliance_sim.games.talks`; about 45 µs a draw); None: whenever the
        scenario has a ``talks`` calendar and lists ``"talks"`` in ``Scenario.solvers``.

    Returns
    -------
    SimulationResult

    Raises
    ------
    TypeError, ValueError
        On a bad scenario, ``n``, ``method`` or ``chunk_size``, before any computation.

    Examples
    --------
    >>> import alliance_sim as asim
    >>> res = asim.simulate(asim.scenarios.japan_us_2020(), 1_000, seed=7)
    >>> res["nash_payment"].shape
    (1000,)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario; got {type(scenario).__name__}")
    for label, v in (("n", n), ("chunk_size", chunk_size)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{label} must be a positive int; got {v!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    stances = _enabled(
        "stances",
        stances,
        has_stance_game(scenario),
        scenario.name,
        "an election, a demand and a drawdown probability",
        default=wants(scenario, "stances"),
    )
    talks = _enabled(
        "talks",
        talks,
        has_talks(scenario),
        scenario.name,
        "a talks calendar, an election and a drawdown probability",
        default=wants(scenario, "talks"),
    )
    root = seed_sequence(seed)
    step = int(n) if method == "lhs" else int(chunk_size)
    outputs: list[dict[str, np.ndarray]] = []
    params: list[dict[str, np.ndarray]] = []
    equilibria: list[Equilibria] = []
    for start in range(0, int(n), step):
        size = min(step, int(n) - start)
        draws = scenario.parameters.sample(size, seed=root, method=method, start=start)
        out = evaluate(scenario, draws)
        if stances:
            extra, eq = evaluate_stances(scenario, draws)
            out.update(extra)
            equilibria.append(eq)
        if talks:
            out.update(evaluate_talks(scenario, draws))
        outputs.append(out)
        params.append({k: np.asarray(v) for k, v in draws.items()})
    merged_out = {k: np.concatenate([o[k] for o in outputs]) for k in outputs[0]}
    # Fixed parameters stay broadcast views (no memory per draw); the rest are joined.
    fixed = {
        e.name: e.value
        for e in scenario.parameters.entries
        if isinstance(e, Parameter) and e.is_fixed
    }
    merged_par = {
        k: np.broadcast_to(np.float64(fixed[k]), (int(n),))
        if k in fixed
        else np.concatenate([p[k] for p in params])
        for k in params[0]
    }
    return SimulationResult(
        scenario=scenario,
        outputs=merged_out,
        parameters=merged_par,
        seed=root,
        method=method,
        stance_equilibria=Equilibria.concatenate(equilibria) if equilibria else None,
    )


def _enabled(
    option: str,
    wanted: bool | None,
    available: bool,
    name: str,
    needs: str,
    *,
    default: bool = True,
) -> bool:
    """Resolve an optional stage (None: when available and listed; True but unavailable: error)."""
    if wanted is None:
        return available and default
    if wanted and not available:
        raise ValueError(f"{option}=True needs a scenario with {needs}; {name!r} lacks one")
    return bool(wanted)
