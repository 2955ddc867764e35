"""Units of work of a sweep: tasks of whole seed blocks, run anywhere, reproducibly.

A run of ``n`` draws is cut into *tasks* that start on a multiple of
:data:`~alliance_sim.parameters.BLOCK` and span a whole number of blocks (the last
may be short). A task samples its draws by index from the run's one seed (random
streams keyed by block, Sobol' points by ``fast_forward``, Latin-hypercube points
shipped with the task), evaluates them ``chunk_size`` at a time, and, when the
summary is streamed, reduces them block by block
(:class:`~alliance_sim.results.summary.SummaryAccumulator`). Every number a task
returns therefore depends only on the seed and the draw indices — not on the
chunk size, on which worker runs it, or on the backend — and a task is a plain
picklable value that Dask can ship to any worker. Tasks are planned lazily
(:func:`plan_tasks` is a generator), so a run of any length costs O(1) memory to plan.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..parameters import BLOCK, Draws, unit_design
from ..parameters.sampling import Sampler
from ..results.result import result_stats
from ..results.summary import Grouping, SummaryAccumulator
from ..scenarios import Scenario
from ..solvers import Equilibria
from .pipeline import evaluate, evaluate_offers, evaluate_stances, evaluate_talks

__all__ = [
    "CHUNK",
    "ChunkError",
    "Task",
    "TaskResult",
    "evaluate_unit",
    "plan_tasks",
    "run_task",
    "task_summary",
]

#: Default draws evaluated at a time inside a task. The core model makes ~60 full-width
#: numpy passes per root-finder iteration; at 32,768 draws (256 kB per array) they stay
#: closer to the cache than at 65,536, and numpy's per-call overhead is still small.
#: Measured on 2 cores (benchmarks/README.md, C and F): 19% faster than 65,536 on one
#: thread, 4% on Dask threads.
CHUNK = 32_768


class ChunkError(RuntimeError):
    """A task of a sweep failed; names the draws and the seed that reproduce it.

    Attributes
    ----------
    index : int
        Task number.
    start, stop : int
        The draws ``start … stop − 1``.
    entropy : int
        ``seed.entropy`` of the run.
    spawn_key : tuple of int
        ``seed.spawn_key`` of the run.
    sampler : str
        The run's sampler.
    """

    def __init__(
        self,
        message: str,
        index: int,
        start: int,
        stop: int,
        entropy: int,
        spawn_key: tuple[int, ...],
        sampler: str,
    ) -> None:
        super().__init__(message)
        self.index, self.start, self.stop = index, start, stop
        self.entropy, self.spawn_key, self.sampler = entropy, spawn_key, sampler

    @classmethod
    def for_task(cls, task: Task, scenario: str, what: str) -> ChunkError:
        """The error for ``task`` of scenario ``scenario``, with ``what`` happened to it."""
        return cls(
            f"task {task.index} (draws {task.start}–{task.stop - 1}) of scenario "
            f"{scenario!r} {what}. It is deterministic: rerun with the same seed, or "
            f"inspect the draws with scenario.parameters.sample({task.stop - task.start}, "
            f"seed=numpy.random.SeedSequence({task.entropy}, spawn_key={task.spawn_key}), "
            f"sampler={task.sampler!r}, start={task.start})",
            task.index,
            task.start,
            task.stop,
            task.entropy,
            task.spawn_key,
            task.sampler,
        )

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across Dask workers intact
        return (
            ChunkError,
            (
                str(self),
                self.index,
                self.start,
                self.stop,
                self.entropy,
                self.spawn_key,
                self.sampler,
            ),
        )


@dataclass(frozen=True)
class Task:
    """Draws ``start … stop − 1`` of a run, and what to compute for them.

    Attributes
    ----------
    index : int
        Position of the task in the run (results are combined in this order).
    start, stop : int
        Draw range; ``start`` is a multiple of :data:`BLOCK`.
    chunk_size : int
        Draws evaluated at a time inside the task (bounds the temporaries).
    entropy, spawn_key
        The run's :class:`numpy.random.SeedSequence`.
    sampler : str
        ``"random"``, ``"sobol"`` or ``"lhs"``.
    stances, talks, offers : bool
        Optional pipeline stages.
    arrays : bool
        Return the per-draw outputs and parameters.
    summarize : bool
        Return the block-reduced summary.
    by : str or None
        Summary grouping output.
    unit : tuple of ndarray or None
        The task's rows of a Latin-hypercube design (it cannot be taken by index).
    """

    index: int
    start: int
    stop: int
    chunk_size: int
    entropy: int
    spawn_key: tuple[int, ...]
    sampler: Sampler
    stances: bool
    talks: bool
    arrays: bool
    summarize: bool
    by: str | None
    unit: tuple[NDArray[np.float64], ...] | None = None
    offers: bool = False

    @property
    def seed(self) -> np.random.SeedSequence:
        """The run's root sequence."""
        return np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)


@dataclass
class TaskResult:
    """What a task returns (only what the run asked for)."""

    index: int
    start: int
    stop: int
    outputs: dict[str, NDArray] | None
    parameters: dict[str, NDArray] | None  # 0-d arrays for parameters constant over draws
    equilibria: Equilibria | None
    summary: SummaryAccumulator | None


def task_length(chunk_size: int) -> int:
    """Draws per task: ``chunk_size`` rounded up to whole blocks."""
    return -(-chunk_size // BLOCK) * BLOCK


def plan_tasks(n: int, chunk_size: int, *, first: int = 0, **common: Any) -> Iterator[Task]:
    """Cut draws ``0 … n − 1`` into tasks of whole blocks (see :func:`task_length`), lazily.

    Parameters
    ----------
    n : int
        Draws in the run.
    chunk_size : int
        Draws evaluated at a time; tasks span it rounded up to whole blocks.
    first : int
        Index of the first task to yield (the tasks before it are skipped without
        being built: a resumed run starts mid-way).
    **common
        The other :class:`Task` fields, the same for every task.

    Yields
    ------
    Task
        Tasks ``first, first + 1, …`` in draw order. Nothing is built ahead, so
        planning any ``n`` takes constant memory.
    """
    step = task_length(chunk_size)
    for i in itertools.count(first):
        start = i * step
        if start >= n:
            return
        yield Task(index=i, start=start, stop=min(start + step, n), chunk_size=chunk_size, **common)


def task_summary(
    scenario: Scenario, task: Task, outputs: Mapping[str, NDArray]
) -> SummaryAccumulator:
    """The block-reduced summary of a task's outputs (draws ``task.start … task.stop − 1``).

    Shared by :func:`run_task` and by a resumed run, which reads the outputs of the
    tasks already in its store back instead of recomputing them: the same reduction
    of the same numbers, hence the same summary bit for bit.
    """
    summary = SummaryAccumulator(result_stats(scenario, outputs), Grouping(task.by), sketch=True)
    needed = summary.variables
    for b in range(0, task.stop - task.start, BLOCK):
        summary.update({k: outputs[k][b : b + BLOCK] for k in needed})
    return summary


def evaluate_unit(
    scenario: Scenario,
    u: Sequence[NDArray[np.float64]],
    n: int,
    *,
    stances: bool,
    talks: bool,
    offers: bool = False,
) -> tuple[dict[str, NDArray], Draws, Equilibria | None]:
    """Map unit-cube columns ``u`` to ``n`` draws and run the pipeline stages asked for.

    Shared by the sweep's tasks and by :func:`alliance_sim.sensitivity.sobol_indices`
    (which evaluates a Saltelli design).
    """
    draws = scenario.parameters.transform(u, n)
    out = evaluate(scenario, draws)
    eq = None
    if stances:
        extra, eq = evaluate_stances(scenario, draws, core=out)
        out.update(extra)
    if talks:
        out.update(evaluate_talks(scenario, draws))
    if offers:
        out.update(evaluate_offers(scenario, draws))
    return out, draws, eq


def evaluate_draws(
    scenario: Scenario, task: Task, start: int, stop: int
) -> tuple[dict[str, NDArray], dict[str, NDArray], Equilibria | None]:
    """Sample draws ``start … stop − 1`` of the task's run and evaluate the pipeline."""
    space = scenario.parameters
    if task.unit is not None:
        u = [col[start - task.start : stop - task.start] for col in task.unit]
    else:
        u = unit_design(
            space.random_names,
            stop - start,
            root=task.seed,
            sampler=task.sampler,
            start=start,
        )
    out, draws, eq = evaluate_unit(
        scenario, u, stop - start, stances=task.stances, talks=task.talks, offers=task.offers
    )
    return out, {k: np.asarray(v) for k, v in draws.items()}, eq


def _join(parts: list[dict[str, NDArray]]) -> dict[str, NDArray]:
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def run_task(scenario: Scenario, task: Task) -> TaskResult:
    """Run one task (on any worker).

    Raises
    ------
    ChunkError
        Wrapping any error, with the draws and seed that reproduce it.
    """
    try:
        outs, pars, eqs = [], [], []
        for a in range(task.start, task.stop, task.chunk_size):
            out, par, eq = evaluate_draws(scenario, task, a, min(a + task.chunk_size, task.stop))
            outs.append(out)
            pars.append(par)
            if eq is not None:
                eqs.append(eq)
        outputs = _join(outs)
        summary = task_summary(scenario, task, outputs) if task.summarize else None
        if not task.arrays:
            return TaskResult(task.index, task.start, task.stop, None, None, None, summary)
        # Parameters constant over draws (fixed, or derived from constants) travel as 0-d.
        const = {k for k in pars[0] if all(p[k].strides == (0,) for p in pars)}
        parameters = {
            k: pars[0][k][0].copy() if k in const else np.concatenate([p[k] for p in pars])
            for k in pars[0]
        }
        equilibria = Equilibria.concatenate(eqs) if eqs else None
        return TaskResult(
            task.index, task.start, task.stop, outputs, parameters, equilibria, summary
        )
    except Exception as exc:
        raise ChunkError.for_task(
            task, scenario.name, f"failed: {type(exc).__name__}: {exc}"
        ) from exc
