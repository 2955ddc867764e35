"""`simulate`: sample a scenario's parameters and run the pipeline, task by task."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from .._rng import SeedLike, seed_sequence
from .._validation import check_bool, check_int
from ..parameters import SAMPLERS, unit_design
from ..parameters.sampling import Sampler, check_design_size, is_power_of_two, warn_sobol_size
from ..results import SimulationResult
from ..results.result import _DEFAULT, default_by, result_stats
from ..results.store import StoreWriter, load_result
from ..results.summary import Grouping, SummaryAccumulator
from ..scenarios import Scenario
from ..solvers import Equilibria
from .chunks import (
    CHUNK,
    Task,
    TaskResult,
    evaluate_draws,
    plan_tasks,
    task_length,
    task_summary,
)
from .execution import SCHEDULERS, Scheduler, check_client, default_workers, ordered_results
from .memory import check_memory, work_bytes_per_draw
from .pipeline import has_offers, has_stance_game, has_talks, wants

__all__ = ["simulate"]


class _TaskSettings(TypedDict):
    """The :class:`Task` fields shared by every task of a run."""

    entropy: int
    spawn_key: tuple[int, ...]
    sampler: Sampler
    stances: bool
    talks: bool
    offers: bool
    arrays: bool
    summarize: bool


def simulate(
    scenario: Scenario,
    n: int,
    *,
    seed: SeedLike = None,
    sampler: Sampler = "random",
    chunk_size: int = CHUNK,
    keep: bool = True,
    store: str | Path | None = None,
    overwrite: bool = False,
    resume: bool = False,
    by: str | None = _DEFAULT,
    progress: bool | None = None,
    scheduler: Scheduler | None = None,
    workers: int | None = None,
    client: Any = None,
    stances: bool | None = None,
    talks: bool | None = None,
    offers: bool | None = None,
) -> SimulationResult:
    """Simulate ``n`` draws of ``scenario``: parameters → players → problem → solutions.

    The draws are cut into tasks of whole seed blocks of
    :data:`~alliance_sim.parameters.BLOCK` draws (:mod:`alliance_sim.sweep.chunks`),
    run in-process, on Dask's threaded scheduler or on a Dask cluster
    (:mod:`alliance_sim.sweep.execution`), and combined in draw order. Each draw's
    random numbers come from its block's stream of the one ``seed`` (Sobol' points
    by index), and summaries are reduced block by block
    (:mod:`alliance_sim.results.summary`), so per-draw outputs **and** summaries are
    bit-identical whatever ``chunk_size``, ``workers``, ``scheduler`` or ``client``.
    Tasks are planned lazily and at most a window of them is in flight, so the memory
    a run needs before its first task does not grow with ``n``.

    Parameters
    ----------
    scenario : Scenario
        E.g. :func:`alliance_sim.scenarios.japan_us_2020`.
    n : int
        Number of draws (> 0); at most 2**32 for ``"sobol"`` (a Sobol' sequence of
        32-bit points) and 2**63 − 1 otherwise (int64 draw indices), checked before
        anything runs.
    seed : int, numpy.random.SeedSequence or None
        Root of all randomness; None draws fresh entropy (recorded on the result). A
        SeedSequence must have one integer ``entropy`` (the run records it).
    sampler : {"random", "sobol", "lhs"}
        Sampling design: plain Monte Carlo, scrambled Sobol' (warns when ``n`` is not a
        power of two) or a Latin hypercube (built whole: needs ``8·n·d`` bytes for
        ``d`` random parameters, so it suits moderate ``n``).
    chunk_size : int
        Draws evaluated at a time (default :data:`~alliance_sim.sweep.chunks.CHUNK`
        = 32,768; bounds the model's temporaries: about 1 kB a draw, 14 kB with the
        talks; :mod:`alliance_sim.sweep.memory`). Tasks span ``chunk_size`` rounded
        up to whole blocks. Results do not depend on it.
    keep : bool
        Keep the per-draw outputs (memory grows with ``n``). With False the run keeps
        only its streamed summary (memory bounded by the task window), and quantiles
        are streamed estimates (:mod:`alliance_sim.results.sketch`).
    store : str or pathlib.Path, optional
        Also stream the per-draw outputs and parameters to this Zarr store, task by
        task (:mod:`alliance_sim.results.store`); read it back with
        :meth:`SimulationResult.load`. Usually combined with ``keep=False``. The path
        must not exist or be an empty folder (checked before any task runs), unless
        ``overwrite`` or ``resume``.
    overwrite : bool
        Replace an alliance_sim store already at ``store`` (never anything else).
    resume : bool
        Continue the incomplete ``store`` of an interrupted run of the same call:
        its identity (scenario, ``seed``, ``sampler``, ``n``, ``chunk_size``,
        ``stances``, ``talks``, ``offers``, alliance_sim version) must match this
        call's exactly; the tasks already written and verified against the store's
        checksum journal are read back instead of computed, and the rest appended, so
        the completed store and the returned result are identical to those of an
        uninterrupted run (:mod:`alliance_sim.results.store`). On a complete store
        nothing is computed or written: its manifest is verified and the result read
        back. With no store at ``store`` a new one is written. Needs ``store``;
        excludes ``overwrite``. ``by``, ``keep``, ``progress`` and the backend may
        differ from the interrupted call.
    by : str or None
        Boolean or integer output that splits the streamed summary into columns
        (default: the election winner when there is one). Only used with
        ``keep=False``; a kept result can be summarized by any output later.
    progress : bool or None
        Show a progress bar (tqdm) on stderr; None: only in an interactive terminal
        outside CI, and only once the run has lasted two seconds.
    scheduler : {"sync", "threads"} or None
        Local backend; None: Dask's threads when dask is installed and there are
        several tasks and cores, else in-process.
    workers : int or None
        Threads for ``scheduler="threads"`` (default: the available cores).
    client : dask.distributed.Client, optional
        Run the tasks on this Dask cluster (``pip install 'alliance_sim[dask]'``).
    stances : bool or None
        Also build and solve the stance game of every draw
        (:mod:`alliance_sim.games.stance`); None: whenever the scenario defines one
        and lists ``"stances"`` in ``Scenario.solvers``.
    talks : bool or None
        Also solve the talks as a reputational war of attrition on the calendar
        (:mod:`alliance_sim.games.talks`); None: whenever the scenario has a
        ``talks`` calendar and an election and lists ``"talks"`` in ``Scenario.solvers``.
    offers : bool or None
        Also solve complete-information alternating offers on the calendar
        (:mod:`alliance_sim.games.offers`; outputs ``offers_*``); None: when the
        scenario lists ``"offers"`` in ``Scenario.solvers``.

    Returns
    -------
    SimulationResult

    Raises
    ------
    TypeError, ValueError
        On a bad argument (including an ``n`` beyond the sampler's design, a
        ``chunk_size`` or a kept ``n`` that does not fit in memory, a ``client`` that
        is not a Dask client, and ``resume`` on a store written by a different run:
        the message names every mismatching argument), before any task runs.
    FileExistsError
        If ``store`` is a file, a folder that is not an alliance_sim store, or (without
        ``overwrite`` or ``resume``) an existing store.
    ChunkError
        When a task fails, or loses its Dask worker more than
        :data:`~alliance_sim.sweep.execution.MAX_RETRIES` times; it names the draws and
        seed that reproduce the failure (and, with ``store``, notes how to resume).

    Examples
    --------
    >>> import alliance_sim as asim
    >>> res = asim.simulate(asim.scenarios.japan_us_2020(), 1_000, seed=7)
    >>> res["nash_payment"].shape
    (1000,)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario; got {type(scenario).__name__}")
    n = check_int(n, "n")
    chunk_size = check_int(chunk_size, "chunk_size")
    keep = check_bool(keep, "keep")
    overwrite = check_bool(overwrite, "overwrite")
    resume = check_bool(resume, "resume")
    progress = check_bool(progress, "progress", none=True)
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}")
    check_design_size(n, sampler)  # before any draw: not in the last task, hours in
    if resume and store is None:
        raise ValueError("resume=True needs store=path: the store of the run to continue")
    if resume and overwrite:
        raise ValueError(
            "resume=True continues the store, overwrite=True replaces it: pass only one"
        )
    if scheduler is not None and scheduler not in SCHEDULERS:
        raise ValueError(f"scheduler must be one of {SCHEDULERS} or None; got {scheduler!r}")
    workers = check_int(workers, "workers", none=True)
    if client is not None:
        check_client(client)
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
        "a talks calendar and an election",
        default=wants(scenario, "talks"),
    )
    offers = _enabled(
        "offers",
        offers,
        has_offers(scenario),
        scenario.name,
        "a talks calendar, an election and a drawdown probability",
        default=wants(scenario, "offers"),
    )
    root = seed_sequence(seed)
    if not isinstance(root.entropy, int | np.integer):
        raise TypeError(
            "seed must be an int, None or a numpy.random.SeedSequence whose entropy is one "
            f"integer (the run records it); got entropy {root.entropy!r}"
        )
    if sampler == "sobol" and not is_power_of_two(n):
        warn_sobol_size(n)

    common = _TaskSettings(
        entropy=int(root.entropy),
        spawn_key=tuple(int(k) for k in root.spawn_key),
        sampler=sampler,
        stances=stances,
        talks=talks,
        offers=offers,
        arrays=keep or store is not None,
        summarize=not keep,
    )
    # A dry run on two draws gives the output names and sizes, and checks `by`.
    probe = Task(index=-1, start=0, stop=min(n, 2), chunk_size=2, by=None, **common)
    probe_out, probe_par, _ = evaluate_draws(scenario, probe, 0, probe.stop)
    if by is _DEFAULT:
        by = default_by(probe_out)
    elif by is not None:
        kind = probe_out[by].dtype.kind if by in probe_out else ""
        if kind not in ("b", "i", "u"):
            raise ValueError(
                f"by must name a boolean or integer output of this run; got {by!r}"
                + (f" (dtype {probe_out[by].dtype})" if kind else "")
            )
    workers = workers or default_workers()
    scheduler = scheduler or _default_scheduler(workers)
    parallel = client.scheduler_info()["workers"] if client is not None else None
    check_memory(
        n=n,
        chunk_size=chunk_size,
        task_draws=task_length(chunk_size),
        in_flight=(len(parallel) if parallel else workers if scheduler == "threads" else 1),
        draw_bytes=_bytes_per_draw(probe_out, probe_par),
        keep=keep,
        work_bytes=work_bytes_per_draw(stances, talks, offers),
        lhs_columns=len(scenario.parameters.random_names) if sampler == "lhs" else 0,
        worker_memory=_worker_memory(parallel),
    )
    unit = None
    if sampler == "lhs":
        unit = tuple(unit_design(scenario.parameters.random_names, n, root=root, sampler="lhs"))
    step = task_length(chunk_size)

    writer = None
    if store is not None:
        settings = {
            "chunk_size": chunk_size,
            "task_draws": step,
            "stances": stances,
            "talks": talks,
            "offers": offers,
        }
        if resume:
            writer = StoreWriter.resume(
                store,
                scenario,
                root,
                sampler,
                n_planned=n,
                settings=settings,
                names=(list(probe_out), list(probe_par)),
            )
        else:
            writer = StoreWriter(
                store, scenario, root, sampler, n_planned=n, overwrite=overwrite, settings=settings
            )
    # Tasks already in a resumed store are read back, not computed.
    done = writer.n if writer is not None else 0
    if done % step and done != n:  # (the settings match, so this cannot happen)
        raise ValueError(f"{store}: {done:,} draws written is not a whole number of tasks")
    skipped = -(-done // step)
    tasks: Iterator[Task] = plan_tasks(n, chunk_size, first=skipped, by=by, **common)
    if unit is not None:
        tasks = (_with_unit(t, unit) for t in tasks)

    # A resumed kept run reads its arrays back from the completed store at the end.
    collector = _Collector(n, probe_out, probe_par) if keep and not resume else None
    summary = None
    if not keep:
        summary = SummaryAccumulator(result_stats(scenario, probe_out), Grouping(by))
    with _progress_bar(n, progress) as bar:
        if summary is not None and writer is not None:
            for task in itertools.islice(plan_tasks(n, chunk_size, by=by, **common), skipped):
                outputs = writer.read(list(probe_out), task.start, task.stop)
                summary.merge(task_summary(scenario, task, outputs))
                bar.update(task.stop - task.start)
        else:
            bar.update(done)
        results = (
            ordered_results(scenario, tasks, scheduler=scheduler, workers=workers, client=client)
            if done < n
            else iter(())
        )
        try:
            for r in results:
                if summary is not None and r.summary is not None:
                    summary.merge(r.summary)
                if writer is not None:
                    # a run with a store asks every task for its arrays (arrays=True)
                    assert r.outputs is not None and r.parameters is not None
                    writer.append(r.outputs, r.parameters, r.equilibria)
                if collector is not None:
                    collector.add(r)
                bar.update(r.stop - r.start)
        except (Exception, KeyboardInterrupt) as exc:  # a ChunkError, a full disk, Ctrl-C
            if writer is not None and writer.n:
                exc.add_note(
                    f"{writer.path} holds the first {writer.n:,} of {n:,} draws: continue "
                    f"with the same arguments and resume=True (command line: --resume)"
                )
            raise
    store_path = None
    if writer is not None:
        if not writer.complete:
            writer.close()
        store_path = writer.path
    if keep and writer is not None and collector is None:
        back = load_result(writer.path, scenario, verify=False)  # (verified or just written)
        return SimulationResult(
            scenario,
            back.outputs,
            back.parameters,
            root,
            sampler,
            back.stance_equilibria,
            n=n,
            store=store_path,
        )
    if collector is not None:
        outputs, parameters, eq = collector.arrays()
        return SimulationResult(
            scenario, outputs, parameters, root, sampler, eq, n=n, store=store_path
        )
    return SimulationResult(
        scenario, {}, {}, root, sampler, None, n=n, streamed=summary, store=store_path
    )


def _default_scheduler(workers: int) -> Scheduler:
    if workers < 2:
        return "sync"
    try:
        import dask  # noqa: F401
    except ImportError:
        return "sync"
    return "threads"


def _with_unit(task: Task, unit: tuple[NDArray[np.float64], ...]) -> Task:
    from dataclasses import replace

    return replace(task, unit=tuple(col[task.start : task.stop] for col in unit))


def _bytes_per_draw(*parts: dict[str, NDArray]) -> int:
    return sum(v.dtype.itemsize for p in parts for v in p.values() if v.strides != (0,))


def _worker_memory(workers: dict[str, Any] | None) -> int | None:
    if not workers:
        return None
    limits = [w.get("memory_limit") or 0 for w in workers.values()]
    return min(limits) or None


class _Collector:
    """Copies task results into preallocated per-draw arrays (one copy, no concatenation)."""

    def __init__(self, n: int, out: dict[str, NDArray], par: dict[str, NDArray]) -> None:
        self.n = n
        self.outputs = {k: np.empty(n, dtype=v.dtype) for k, v in out.items()}
        self.parameters: dict[str, NDArray] = {}
        self.equilibria: list[Equilibria] = []
        self._par_template = par

    def add(self, r: TaskResult) -> None:
        assert r.outputs is not None and r.parameters is not None
        for k, v in r.outputs.items():
            self.outputs[k][r.start : r.stop] = v
        for k, v in r.parameters.items():
            if v.ndim == 0:  # constant over draws
                self.parameters.setdefault(k, np.broadcast_to(v, (self.n,)))
            else:
                if k not in self.parameters:
                    self.parameters[k] = np.empty(self.n, dtype=v.dtype)
                self.parameters[k][r.start : r.stop] = v
        if r.equilibria is not None:
            self.equilibria.append(r.equilibria)

    def arrays(self) -> tuple[dict[str, NDArray], dict[str, NDArray], Equilibria | None]:
        eq = Equilibria.concatenate(self.equilibria) if self.equilibria else None
        order = {k: self.parameters[k] for k in self._par_template if k in self.parameters}
        return self.outputs, order, eq


class _NoBar:
    def update(self, k: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress_bar(n: int, progress: bool | None) -> Any:
    """A tqdm bar on stderr if asked; None: in a terminal outside CI, after two seconds."""
    delay = 0.0
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
        delay = 2.0
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=n, unit="draw", unit_scale=True, delay=delay, desc="simulate")


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
    wanted = check_bool(wanted, option, none=True)
    if wanted is None:
        return available and default
    if wanted and not available:
        raise ValueError(f"{option}=True needs a scenario with {needs}; {name!r} lacks one")
    return bool(wanted)
