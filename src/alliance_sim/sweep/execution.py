"""Where a sweep's tasks run: in-process, on Dask's threaded scheduler, or on a cluster.

Every backend yields the task results **in task order** and holds only a bounded
window of them at a time (a few per worker), so a run of any length needs memory
for the window, not for the run. Results are the same bit for bit on every backend
because a task's numbers depend only on the seed and its draw indices
(:mod:`alliance_sim.sweep.chunks`).

* ``"sync"``: one task after another in the calling thread.
* ``"threads"``: Dask's threaded scheduler (``dask.compute(...,
  scheduler="threads")``), one window of tasks per call; numpy and scipy release
  the GIL in their array loops, so threads scale on one machine without copying
  data between processes.
* a ``dask.distributed.Client``: tasks are submitted to the cluster with at most a
  window in flight; the scenario is scattered to the workers once. Any cluster
  Dask reaches works (``LocalCluster``, SSH, or SLURM/PBS through dask-jobqueue).

Tasks are taken from any iterable (:func:`~alliance_sim.sweep.chunks.plan_tasks`
is a generator) a window at a time, so nothing is built ahead of the window.

**Lost workers.** A worker that dies (killed, out of memory, its node lost) takes its
running tasks with it, and with them, if it held the last copy, the scattered
scenario: Dask then cancels every task that needs it (``FutureCancelledError``), or
gives up on a task that kept killing workers (``KilledWorker``). The distributed
backend recovers: it scatters the scenario again when its copy is gone and
resubmits the affected tasks, up to :data:`MAX_RETRIES` times each. A task is
deterministic, so a retried task returns the same numbers bit for bit. When the
retries run out it raises :class:`~alliance_sim.sweep.chunks.ChunkError` naming the
task's draws. A task that *fails* (raises) is not retried: it would fail again.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from ..scenarios import Scenario
from .chunks import ChunkError, Task, TaskResult, run_task

__all__ = [
    "DASK_CONFIG",
    "MAX_RETRIES",
    "SCHEDULERS",
    "check_client",
    "default_workers",
    "ordered_results",
]

#: Dask settings for clusters that run sweeps; apply with ``dask.config.set(DASK_CONFIG)``
#: before creating the cluster. The nanny's default ``MALLOC_TRIM_THRESHOLD_=65536``
#: (any value, in fact) switches off glibc's dynamic mmap threshold, so every large
#: numpy temporary is mmapped and page-faulted afresh: measured 2x slower here
#: (786k draws on a 2-worker LocalCluster: 6.3 s with it, 3.2 s without;
#: benchmarks/README.md). None removes the variable from the workers' environment.
DASK_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

Scheduler = Literal["sync", "threads"]
#: In-process schedulers: the calling thread, or Dask's threads.
SCHEDULERS: tuple[str, ...] = ("sync", "threads")
#: Tasks in flight per worker: enough to keep workers busy between results.
WINDOW_PER_WORKER = 2
#: Times a task is resubmitted after losing its worker (or the scattered scenario)
#: before the run gives up with a ChunkError.
MAX_RETRIES = 3


def default_workers() -> int:
    """CPU cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def check_client(client: object) -> Any:
    """Return ``client`` if it is a ``dask.distributed.Client``; raise ``TypeError`` if not."""
    try:
        from distributed import Client
    except ImportError:
        raise TypeError(
            f"client must be a dask.distributed.Client; got {type(client).__name__} "
            "(and dask[distributed] is not installed: pip install 'alliance_sim[dask]')"
        ) from None
    if not isinstance(client, Client):
        raise TypeError(f"client must be a dask.distributed.Client; got {type(client).__name__}")
    return client


def ordered_results(
    scenario: Scenario,
    tasks: Iterable[Task],
    *,
    scheduler: Scheduler = "sync",
    workers: int = 1,
    client: Any = None,
    retries: int | None = None,
) -> Iterator[TaskResult]:
    """Run ``tasks`` and yield their results in task order.

    Parameters
    ----------
    scenario : Scenario
        The scenario every task evaluates.
    tasks : iterable of Task
        In task order; consumed lazily, a window at a time.
    scheduler : {"sync", "threads"}
        Local backend (ignored when ``client`` is given).
    workers : int
        Threads for ``"threads"``.
    client : dask.distributed.Client, optional
        Run on this cluster.
    retries : int, optional
        Resubmissions of a task whose worker was lost (cluster only; default
        :data:`MAX_RETRIES`).

    Yields
    ------
    TaskResult
        One per task, in task order.

    Raises
    ------
    ChunkError
        The first failing task's error (re-raised from the worker intact), or, on a
        cluster, a task that lost its worker more than ``retries`` times (the message
        names its draws).
    """
    if client is not None:
        yield from _distributed(
            scenario, tasks, client, MAX_RETRIES if retries is None else retries
        )
    elif scheduler == "threads" and workers > 1:
        yield from _threads(scenario, tasks, workers)
    else:
        for task in tasks:
            yield run_task(scenario, task)


def _windows(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Consecutive lists of at most ``size`` tasks, taken from ``tasks`` as needed."""
    it = iter(tasks)
    while window := list(itertools.islice(it, size)):
        yield window


def _threads(scenario: Scenario, tasks: Iterable[Task], workers: int) -> Iterator[TaskResult]:
    import dask

    run = dask.delayed(run_task, pure=False)
    for window in _windows(tasks, WINDOW_PER_WORKER * workers):
        if len(window) == 1:  # nothing to run alongside it
            yield run_task(scenario, window[0])
            continue
        yield from dask.compute(
            *[run(scenario, t) for t in window], scheduler="threads", num_workers=workers
        )


class _Scattered:
    """The scenario scattered to a cluster, scattered again when the cluster loses it."""

    def __init__(self, client: Any, scenario: Scenario) -> None:
        self.client, self.scenario = client, scenario
        self.future = _scatter(client, scenario)

    def ensure(self) -> None:
        """Scatter the scenario again if no live worker holds it any more."""
        if self.future.status == "finished":
            holders = self.client.who_has([self.future]).get(self.future.key)
            if holders:
                return
        self.future = _scatter(self.client, self.scenario)


def _scatter(client: Any, scenario: Scenario) -> Any:
    """Copy ``scenario`` to every worker (waits for a worker if the cluster has none)."""
    return client.scatter(scenario, broadcast=True, hash=False)


def _lost_worker_errors() -> tuple[type[BaseException], ...]:
    """Exceptions by which Dask reports a task lost with its worker, not a failed task."""
    from distributed.scheduler import KilledWorker

    # FutureCancelledError subclasses concurrent.futures.CancelledError.
    return (concurrent.futures.CancelledError, KilledWorker)


def _distributed(
    scenario: Scenario, tasks: Iterable[Task], client: Any, retries: int
) -> Iterator[TaskResult]:
    from distributed import as_completed

    lost = _lost_worker_errors()
    nworkers = max(1, len(client.scheduler_info()["workers"]))
    limit = WINDOW_PER_WORKER * nworkers
    shared = _Scattered(client, scenario)
    token = uuid.uuid4().hex
    attempts: dict[int, int] = {}  # task index -> times resubmitted
    owner: dict[Any, Task] = {}  # live futures (dropped once consumed)

    def submit(task: Task) -> Any:
        retry = attempts.get(task.index, 0)
        key = f"alliance-sim-{token}-{task.index}" + (f"-retry{retry}" if retry else "")
        future = client.submit(run_task, shared.future, task, pure=False, key=key)
        owner[future] = task
        return future

    pending = iter(tasks)
    in_flight = as_completed([submit(t) for t in itertools.islice(pending, limit)])
    done: dict[int, TaskResult] = {}
    nxt = 0
    try:
        for future in in_flight:
            task = owner.pop(future)
            try:
                result: TaskResult = future.result()  # re-raises a worker's ChunkError
            except lost as exc:
                attempts[task.index] = attempts.get(task.index, 0) + 1
                if attempts[task.index] > retries:
                    raise ChunkError.for_task(
                        task,
                        scenario.name,
                        f"was lost with its Dask worker {attempts[task.index]} time(s), "
                        f"the last by {type(exc).__name__}: {exc}; check the workers' logs "
                        f"(memory limit, killed processes)",
                    ) from exc
                shared.ensure()  # the scenario may have died with the worker
                in_flight.add(submit(task))
                continue
            done[result.index] = result
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
            # Finished-but-unordered results count against the window: memory stays bounded.
            while in_flight.count() + len(done) < limit:
                queued = next(pending, None)
                if queued is None:
                    break
                in_flight.add(submit(queued))
    finally:
        client.cancel(list(owner))
