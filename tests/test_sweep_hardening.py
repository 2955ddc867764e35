"""Sweep hardening (issue 12, items 7 and 8): design sizes are checked before any draw,
tasks are planned lazily, and a Dask run survives losing its workers bit-identically."""

import importlib
import itertools
import os
import signal
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

import alliance_sim as asim
from alliance_sim.parameters import BLOCK
from alliance_sim.parameters.sampling import MAX_POINTS, check_design_size, unit_design
from alliance_sim.sweep import ChunkError
from alliance_sim.sweep.chunks import CHUNK, plan_tasks

# `alliance_sim.sweep.simulate` is the function; these are the modules.
simmod = importlib.import_module("alliance_sim.sweep.simulate")
chunks = importlib.import_module("alliance_sim.sweep.chunks")
execution = importlib.import_module("alliance_sim.sweep.execution")

CORE = {"stances": False, "talks": False}
COMMON = dict(
    entropy=1,
    spawn_key=(),
    sampler="random",
    stances=False,
    talks=False,
    offers=False,
    arrays=False,
    summarize=True,
    by=None,
)


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


@pytest.fixture()
def evaluations(monkeypatch):
    """Counts every evaluation of draws: the probe's and the tasks'."""
    calls = []

    def counting(original):
        def wrapper(scenario, task, start, stop):
            calls.append((start, stop))
            return original(scenario, task, start, stop)

        return wrapper

    monkeypatch.setattr(chunks, "evaluate_draws", counting(chunks.evaluate_draws))
    monkeypatch.setattr(simmod, "evaluate_draws", counting(simmod.evaluate_draws))
    return calls


# --- A. Sizes are checked up front; planning is lazy (item 7) ------------------------------


def test_sobol_beyond_its_size_is_refused_before_any_draw(scn, evaluations):
    with pytest.raises(ValueError, match=r"n=4,294,967,297 draws exceed the 'sobol' design's "):
        asim.simulate(scn, 2**32 + 1, seed=1, sampler="sobol", keep=False, **CORE)
    assert evaluations == []  # not even the two-draw probe ran
    with pytest.raises(ValueError, match=r"limit of 4,294,967,296 draws"):
        asim.simulate(scn, 2**32 + 1, seed=1, sampler="sobol", keep=False, **CORE)


def test_draw_indices_beyond_int64_are_refused_before_any_draw(scn, evaluations):
    with pytest.raises(ValueError, match=r"n=9,223,372,036,854,775,808 .*int64"):
        asim.simulate(scn, 2**63, seed=1, keep=False, **CORE)
    assert evaluations == []


def test_design_size_limits():
    check_design_size(2**32, "sobol")  # the whole sequence is fine
    check_design_size(MAX_POINTS["random"], "random")
    with pytest.raises(ValueError, match=r"n=2 draws from draw 4,294,967,295 exceed"):
        check_design_size(2, "sobol", start=2**32 - 1)
    # The design itself refuses too, with the same message.
    with pytest.raises(ValueError, match="exceed the 'sobol' design's limit"):
        unit_design(["a"], 2, root=np.random.SeedSequence(1), sampler="sobol", start=2**32 - 1)


def test_planning_any_number_of_draws_is_lazy_and_constant_in_memory():
    n = 10**11  # 1.5 million tasks: 444 MiB of Task objects when they were built as a list
    assert isinstance(plan_tasks(n, CHUNK, **COMMON), Iterator)
    tracemalloc.start()
    try:
        tasks = plan_tasks(n, CHUNK, **COMMON)
        first = list(itertools.islice(tasks, 3))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**10
    assert [(t.index, t.start, t.stop) for t in first] == [
        (0, 0, BLOCK),
        (1, BLOCK, 2 * BLOCK),
        (2, 2 * BLOCK, 3 * BLOCK),
    ]
    # Starting mid-way builds nothing before; the last task is short.
    last_index = (n - 1) // BLOCK
    (last,) = plan_tasks(n, CHUNK, first=last_index, **COMMON)
    assert (last.index, last.start, last.stop) == (last_index, last_index * BLOCK, n)
    assert list(plan_tasks(n, CHUNK, first=last_index + 1, **COMMON)) == []


class FirstTask(Exception):
    pass


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_a_huge_streamed_run_starts_its_first_task_in_constant_memory(scn, monkeypatch, scheduler):
    def stop(scenario, task):
        raise FirstTask(task.index)

    asim.simulate(scn, 200, seed=1, keep=False, progress=False, **CORE)  # warm caches
    monkeypatch.setattr(execution, "run_task", stop)
    tracemalloc.start()
    try:
        with pytest.raises(FirstTask):
            asim.simulate(scn, 10**11, seed=1, keep=False, scheduler=scheduler, workers=2, **CORE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # was > 440 MiB: the whole task list


# --- B. Lost Dask workers (item 8) ----------------------------------------------------------

distributed = pytest.importorskip("distributed")


@pytest.fixture()
def kill_workers_after_first_result(client, monkeypatch):
    """Arms a hook that SIGKILLs every worker (the nannies restart them) as soon as the
    driver collects the first result; returns the indices of the results it fired on."""
    client.wait_for_workers(2, timeout=120)
    killed = []

    def arm():
        pids = list(client.run(os.getpid).values())
        add = simmod._Collector.add

        def add_then_kill(self, result):
            if not killed:
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                killed.append(result.index)
            return add(self, result)

        monkeypatch.setattr(simmod._Collector, "add", add_then_kill)
        return killed

    yield arm
    client.wait_for_workers(2, timeout=120)


@pytest.fixture()
def scatters(monkeypatch):
    calls = []
    scatter = execution._scatter

    def counting(client, scenario):
        calls.append(scenario.name)
        return scatter(client, scenario)

    monkeypatch.setattr(execution, "_scatter", counting)
    return calls


@pytest.mark.slow
def test_losing_every_worker_is_recovered_bit_identically(
    scn, client, kill_workers_after_first_result, scatters
):
    n = 5 * BLOCK  # five tasks: after the first result, four are in flight on the cluster
    expected = asim.simulate(scn, n, seed=17, scheduler="sync", **CORE)
    killed = kill_workers_after_first_result()
    again = asim.simulate(scn, n, seed=17, client=client, **CORE)
    assert killed == [0]
    assert len(scatters) >= 2  # the scenario died with the workers and was scattered again
    assert list(again) == list(expected)
    for k in expected:
        assert again[k].dtype == expected[k].dtype, k
        assert np.array_equal(again[k], expected[k], equal_nan=True), k
    for k in expected.parameters:
        assert np.array_equal(again.parameters[k], expected.parameters[k]), k


@pytest.mark.slow
def test_a_task_that_keeps_losing_its_worker_is_a_chunk_error_naming_its_draws(
    scn, client, kill_workers_after_first_result, monkeypatch
):
    monkeypatch.setattr(execution, "MAX_RETRIES", 0)  # give up at the first loss
    kill_workers_after_first_result()
    with pytest.raises(ChunkError, match=r"was lost with its Dask worker 1 time\(s\)") as info:
        asim.simulate(scn, 5 * BLOCK, seed=17, client=client, **CORE)
    err = info.value
    assert err.index >= 1 and err.start == err.index * BLOCK and err.stop == err.start + BLOCK
    assert f"(draws {err.start}–{err.stop - 1})" in str(err)
    assert "SeedSequence(17" in str(err)
