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
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from ..scenarios import Scenario
from .chunks import Task, TaskResult, run_task

__all__ = ["DASK_CONFIG", "SCHEDULERS", "check_client", "default_workers", "ordered_results"]

#: Dask settings for clusters that run sweeps; apply with ``dask.config.set(DASK_CONFIG)``
#: before creating the cluster. The nanny's default ``MALLOC_TRIM_THRESHOLD_=65536``
#: (any value, in fact) switches off glibc's dynamic mmap threshold, so every large
#: numpy temporary is mmapped and page-faulted afresh: measured 2x slower here
#: (786k draws on a 2-worker LocalCluster: 6.3 s with it, 3.2 s without;
#: benchmarks/README.md). None removes the variable from the workers' environment.
DASK_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

Scheduler = Literal["sync", "threads"]
SCHEDULERS: tuple[str, ...] = ("sync", "threads")
#: Tasks in flight per worker: enough to keep workers busy between results.
WINDOW_PER_WORKER = 2


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
    tasks: Sequence[Task],
    *,
    scheduler: Scheduler = "sync",
    workers: int = 1,
    client: Any = None,
) -> Iterator[TaskResult]:
    """Run ``tasks`` and yield their results in task order.

    Parameters
    ----------
    scenario : Scenario
    tasks : sequence of Task
    scheduler : {"sync", "threads"}
        Local backend (ignored when ``client`` is given).
    workers : int
        Threads for ``"threads"``.
    client : dask.distributed.Client, optional
        Run on this cluster.

    Raises
    ------
    ChunkError
        The first failing task's error (re-raised from the worker intact).
    """
    if client is not None:
        yield from _distributed(scenario, tasks, client)
    elif scheduler == "threads" and workers > 1 and len(tasks) > 1:
        yield from _threads(scenario, tasks, workers)
    else:
        for task in tasks:
            yield run_task(scenario, task)


def _windows(tasks: Sequence[Task], size: int) -> Iterator[Sequence[Task]]:
    for i in range(0, len(tasks), size):
        yield tasks[i : i + size]


def _threads(scenario: Scenario, tasks: Sequence[Task], workers: int) -> Iterator[TaskResult]:
    import dask

    run = dask.delayed(run_task, pure=False)
    for window in _windows(tasks, WINDOW_PER_WORKER * workers):
        yield from dask.compute(
            *[run(scenario, t) for t in window], scheduler="threads", num_workers=workers
        )


def _distributed(scenario: Scenario, tasks: Sequence[Task], client: Any) -> Iterator[TaskResult]:
    from distributed import as_completed

    nworkers = max(1, len(client.scheduler_info()["workers"]))
    limit = WINDOW_PER_WORKER * nworkers
    shared = client.scatter(scenario, broadcast=True, hash=False)
    token = uuid.uuid4().hex

    def submit(task: Task) -> Any:
        return client.submit(
            run_task, shared, task, pure=False, key=f"alliance-sim-{token}-{task.index}"
        )

    pending = iter(tasks)
    live = {submit(t) for t in itertools.islice(pending, limit)}  # dropped once consumed
    in_flight = as_completed(live)
    done: dict[int, TaskResult] = {}
    nxt = 0
    try:
        for future in in_flight:
            result: TaskResult = future.result()  # re-raises a worker's ChunkError
            live.discard(future)
            done[result.index] = result
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
            # Finished-but-unordered results count against the window: memory stays bounded.
            while in_flight.count() + len(done) < limit:
                task = next(pending, None)
                if task is None:
                    break
                new = submit(task)
                live.add(new)
                in_flight.add(new)
    finally:
        client.cancel(list(live))
