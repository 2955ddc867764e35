"""The compiled kernels end to end: same answers as the numpy reference, whatever the chunking,
backend or disk cache (issue 13).

Kernel-by-kernel comparisons live beside each module's tests
(``test_attrition_kernels.py``, ``test_inverse_cdf_kernels.py``,
``test_alternating_kernels.py``); here the whole pipeline runs both ways.
"""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import alliance_sim as asim
from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.solvers import find_root

#: Payments and gains in ¥ bn, probabilities and times in years: the documented tolerance.
ATOL = 1e-9


def assert_close_arrays(kernel, reference):
    """Floats within ATOL (NaN at the same draws); integers, booleans and strings identical."""
    assert list(kernel) == list(reference)
    for name in reference:
        got, ref = np.asarray(kernel[name]), np.asarray(reference[name])
        assert got.dtype == ref.dtype, name
        if ref.dtype.kind == "f":
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=ATOL, err_msg=name)
        else:
            np.testing.assert_array_equal(got, ref, err_msg=name)


def assert_same_arrays(a, b):
    assert list(a) == list(b)
    for name in a:
        assert np.array_equal(np.asarray(a[name]), np.asarray(b[name]), equal_nan=True), name


PRESETS = {
    "japan_us_2020": asim.scenarios.japan_us_2020,
    "korea_us_2019": asim.scenarios.korea_us_2019,
}


@pytest.fixture(scope="module", params=sorted(PRESETS))
def preset(request):
    scn = PRESETS[request.param]()
    kernel = asim.simulate(scn, 3_000, seed=11, scheduler="sync")
    return scn, kernel


def test_every_stage_agrees_with_the_numpy_reference(preset):
    scn, kernel = preset
    assert kernels_enabled()
    with numpy_reference():
        reference = asim.simulate(scn, 3_000, seed=11, scheduler="sync")
    assert "spe_payment" in kernel and "stance_outcome" in kernel
    assert_close_arrays(kernel.parameters, reference.parameters)
    assert_close_arrays(kernel.outputs, reference.outputs)
    # The comparison is not vacuous: the talks end in different ways across the draws.
    for name in ("p_one_year", "p_lapse", "expected_delay"):
        if name in kernel.outputs:
            assert np.nanstd(kernel.outputs[name]) > 0, name


@pytest.mark.parametrize(("chunk_size", "scheduler"), [(997, "sync"), (2_048, "threads")])
def test_kernels_do_not_depend_on_chunks_or_threads(preset, chunk_size, scheduler):
    scn, kernel = preset
    again = asim.simulate(scn, 3_000, seed=11, chunk_size=chunk_size, scheduler=scheduler)
    assert_same_arrays(again.parameters, kernel.parameters)
    assert_same_arrays(again.outputs, kernel.outputs)


def test_the_reference_switch_is_per_thread_and_restored():
    seen = {}
    with numpy_reference():
        worker = threading.Thread(target=lambda: seen.update(other=kernels_enabled()))
        worker.start()
        worker.join()
        seen["inside"] = kernels_enabled()
        with numpy_reference():
            pass
        seen["nested"] = kernels_enabled()
    assert seen == {"other": True, "inside": False, "nested": False}
    assert kernels_enabled()


def test_a_bad_switch_value_is_refused():
    code = "import alliance_sim._jit"
    env = dict(os.environ, ALLIANCE_SIM_KERNELS="maybe")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "ALLIANCE_SIM_KERNELS must be 0 or 1; got 'maybe'" in run.stderr


_CHILD = """
import json, sys
import numpy as np
import alliance_sim as asim
from alliance_sim._jit import kernels_enabled
res = asim.simulate(asim.scenarios.japan_us_2020(), 500, seed=3, scheduler="sync")
np.savez(sys.argv[1], **{k: np.asarray(v) for k, v in res.outputs.items()})
print(json.dumps({"kernels": kernels_enabled()}))
"""


@pytest.mark.slow
def test_the_disk_cache_does_not_change_results(tmp_path):
    """Compiled in a fresh process with an empty cache, then loaded from it: same bits."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("ALLIANCE_SIM_KERNELS", None)
    outs = []
    for run in ("compile", "load"):
        out = tmp_path / f"{run}.npz"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"kernels": True}
        outs.append(dict(np.load(out)))
    assert list((tmp_path / "cache").rglob("*.nbi")), "the kernels were not cached on disk"
    here = asim.simulate(asim.scenarios.japan_us_2020(), 500, seed=3, scheduler="sync")
    assert_same_arrays(outs[0], outs[1])
    assert_same_arrays(outs[0], {k: np.asarray(v) for k, v in here.outputs.items()})


@settings(deadline=None, max_examples=80)
@given(
    roots=st.lists(st.floats(-50, 50), min_size=1, max_size=12),
    power=st.sampled_from([1, 3, 5]),
    kink=st.floats(-60, 60),
    lo=st.floats(-100, -50),
    hi=st.floats(50, 100),
    xtol=st.sampled_from([1e-9, 1e-3]),
    rtol=st.sampled_from([0.0, 1e-12]),
)
@example(roots=[0.0, -100.0], power=1, kink=0.0, lo=-100.0, hi=100.0, xtol=1e-9, rtol=0.0)
def test_the_root_finder_step_is_bit_identical_to_the_reference(
    roots, power, kink, lo, hi, xtol, rtol
):
    """Odd powers (flat at the root), a kink, roots at a bracket end: same bits, same count."""
    r = np.asarray(roots).reshape(1, -1).repeat(2, axis=0)  # a 2-D batch

    def f(x):
        return np.sign(x - r) * np.abs(x - r) ** power + 0.1 * np.maximum(x - kink, 0.0)

    kernel = find_root(f, lo, hi, xtol=xtol, rtol=rtol, maxiter=60)
    with numpy_reference():
        reference = find_root(f, lo, hi, xtol=xtol, rtol=rtol, maxiter=60)
    assert np.array_equal(kernel.x, reference.x)
    assert np.array_equal(kernel.converged, reference.converged)
    assert kernel.iterations == reference.iterations
