"""Memory: streamed sweeps stay within a fixed budget; the up-front estimate is an upper bound."""

import json
import subprocess
import sys
import tracemalloc

import pytest

import alliance_sim as asim
from alliance_sim.sweep.chunks import Task, run_task
from alliance_sim.sweep.memory import check_memory, work_bytes_per_draw

#: Peak resident memory allowed for 10^7 streamed draws. Measured here: 0.28-0.31 GB
#: (the process floor, imports and preset, is 0.13 GB); a run that kept its draws would
#: need 3.7 GB, and the issue's goal for 10^8 streamed draws is 1.5 GB. (Read from VmHWM:
#: ru_maxrss of a fresh child reports pytest's own peak, seen as 0.60 GB once.)
RSS_BUDGET_MB = 600

_CHILD = """
import json, alliance_sim as asim
from alliance_sim.sweep.memory import peak_rss
scn = asim.scenarios.japan_us_2020()
res = asim.simulate(scn, 10_000_000, seed=3, keep=False, stances=False, talks=False,
                    progress=False)
table = res.summary()
print(json.dumps({"peak_bytes": peak_rss(), "n": int(table.loc[("draws", "count"), "all"])}))
"""


@pytest.mark.slow
def test_ten_million_streamed_draws_stay_within_a_modest_rss_budget():
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], check=True, capture_output=True, text=True, timeout=1200
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["n"] == 10_000_000
    assert report["peak_bytes"] / 2**20 < RSS_BUDGET_MB


@pytest.mark.parametrize("preset", ["japan_us_2020", "korea_us_2019"])
@pytest.mark.parametrize(("stances", "talks"), [(False, False), (True, False), (True, True)])
def test_task_memory_is_within_the_estimate(preset, stances, talks):
    scn = getattr(asim.scenarios, preset)()
    n = 8_192
    task = Task(0, 0, n, n, 1, (), "random", stances, talks, True, True, None)
    run_task(scn, task)  # warm caches (imports, lazily built tables)
    tracemalloc.start()
    try:
        result = run_task(scn, task)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    draw_bytes = (
        sum(v.nbytes for v in result.outputs.values()) / n
        + sum(v.nbytes for v in result.parameters.values() if v.ndim) / n
    )
    estimate = n * work_bytes_per_draw(stances, talks) + 2 * n * draw_bytes
    assert peak <= estimate


def test_check_memory_explains_what_to_change():
    common = dict(task_draws=65_536, in_flight=2, draw_bytes=400, available=2**30)
    check_memory(n=10**8, chunk_size=65_536, keep=False, **common)
    with pytest.raises(ValueError, match="use keep=False"):
        check_memory(n=10**8, chunk_size=65_536, keep=True, **common)
    with pytest.raises(ValueError, match="smaller chunk_size"):
        check_memory(n=100, chunk_size=10**7, keep=False, **common)
    with pytest.raises(ValueError, match="use 'sobol'"):
        check_memory(n=10**8, chunk_size=65_536, keep=False, lhs_columns=27, **common)
    with pytest.raises(ValueError, match="per task but a worker has"):
        check_memory(n=100, chunk_size=10**7, keep=False, worker_memory=2**28, **common)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_peak_rss_is_the_childs_own_not_its_parents():
    import numpy as np

    big = np.ones(1024 * 2**20 // 8)  # this process now holds 1 GB
    code = (
        "import json, resource; from alliance_sim.sweep.memory import peak_rss; "
        "print(json.dumps([peak_rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    own, inherited_kb = json.loads(out.stdout)
    # The child is small (its imports, numba's compiler included, about 215 MB) ...
    assert own < 500 * 2**20
    assert inherited_kb * 1024 >= 1024 * 2**20  # ... though ru_maxrss says otherwise
    del big
