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

#: Kernel against reference: nothing to compare with the kernels switched off.
pytestmark = pytest.mark.skipif(not kernels_enabled(), reason="ALLIANCE_SIM_KERNELS=0")

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


def _stages(scn, draws):
    from alliance_sim.sweep.pipeline import evaluate, evaluate_stances, evaluate_talks

    out = evaluate(scn, draws)
    out.update(evaluate_stances(scn, draws)[0])
    out.update(evaluate_talks(scn, draws))
    return out


def test_every_stage_agrees_with_the_numpy_reference(preset):
    """Sampling to a few ulps; then, on the same draws, every stage to 1e-9 (floats) and
    identically (integers, booleans). On resampled draws a stance game's exact tie can
    break differently (a count of equilibria changes), so the stages share the draws."""
    scn, kernel = preset
    assert kernels_enabled()
    draws = scn.parameters.sample(3_000, seed=11)
    with numpy_reference():
        reference_draws = scn.parameters.sample(3_000, seed=11)
        reference = _stages(scn, draws)
    for name in draws:
        got, ref = np.asarray(draws[name]), np.asarray(reference_draws[name])
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0.0, err_msg=name)
    outputs = _stages(scn, draws)
    assert "spe_payment" in outputs and "stance_outcome" in outputs
    assert_close_arrays(outputs, reference)
    # The comparison is not vacuous: the talks end in different ways across the draws.
    for name in ("p_one_year", "p_lapse", "expected_delay"):
        assert np.nanstd(outputs[name]) > 0, name
    # simulate() computes the same stages: its outputs are these.
    assert_same_arrays({k: kernel.outputs[k] for k in outputs}, outputs)


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


def _gains(scn, draws, challenger, payer=None):
    from alliance_sim.games.talks import Gains

    cal = scn.talks
    s = scn.election.resolve_as(draws, challenger)
    who = scn.payer if payer is None else payer
    g = Gains(
        who, s, who.disagreement(s, s.n), cal.terms, cal.horizon, np.asarray(s[cal.renegotiation])
    )
    return g, s


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**16), challenger=st.booleans(), side=st.sampled_from(["J", "U"]))
def test_the_talks_payoff_kernels_are_bit_identical_to_the_gains(seed, challenger, side):
    """Fixed parts at many signing times (around the budget draft, the expiry, the review)
    and the concession choice: the same bits as the numpy Gains."""
    from alliance_sim.games.talks import _concessions_kernel, _fixed_parts

    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(300, seed=seed)
    payer = scn.payer if side == "J" else scn.payee
    g, s = _gains(scn, draws, challenger, payer)
    h, _ = _gains(scn, draws, challenger, scn.payee if side == "J" else scn.payer)
    assert g.timed_spec() is not None
    rng = np.random.default_rng(seed)
    pts = rng.choice([0.0, 0.25, 0.3, 0.5, 0.75, 1.0, 1.5], size=(s.n, 5)) + rng.normal(
        0, 0.05, size=(s.n, 5)
    )
    kernel = _fixed_parts(g, pts)
    with numpy_reference():
        reference = _fixed_parts(g, pts)
    assert np.array_equal(kernel, reference)
    x = np.asarray(s[scn.talks.payee_demand], dtype=np.float64)
    can = rng.random(s.n) < 0.8
    best, won, chosen = _concessions_kernel(g, h, x, kernel, _fixed_parts(h, pts), can)
    ref_best, ref_c = g.best_of(x, list(reference))
    assert np.array_equal(chosen, ref_c)
    assert np.array_equal(best, np.where(can[:, None], ref_best, -1.0))
    for c in range(len(g.terms)):
        other = h.combine(x, c, _fixed_parts(h, pts)[c])
        assert np.array_equal(won[ref_c == c], other[ref_c == c])
    assert len(np.unique(chosen)) == 2  # both terms are chosen somewhere: not vacuous


def test_a_time_term_of_ones_own_runs_in_numpy_with_the_same_talks():
    """A player with a time-dependent term the kernel does not know: numpy path, same result."""
    from alliance_sim.players import FunctionTerm

    scn = asim.scenarios.japan_us_2020()
    late = FunctionTerm(
        "late_fee",
        value=lambda d, x, T, t: -0.5 * np.maximum(0.0, np.asarray(t) - 0.4) / T,
        depends_on_x=False,
        depends_on_t=True,
        time_knots=lambda d, T: [np.full(np.shape(d["t_expiry"]), 0.4)],
    )
    own = scn.with_players(payer=scn.payer.with_term(late))
    g, _ = _gains(own, own.parameters.sample(50, seed=1), False)
    assert g.timed_spec() is None
    kernel = asim.simulate(own, 400, seed=2, scheduler="sync", stances=False)
    with numpy_reference():
        reference = asim.simulate(own, 400, seed=2, scheduler="sync", stances=False)
    assert_close_arrays(kernel.outputs, reference.outputs)


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 2**16), curve=st.sampled_from([0.0, 1e-12, 10.0]))
def test_the_linear_fits_are_bit_identical_and_refuse_the_same_segment(seed, curve):
    """``linear_fits`` against ``_linear`` + ``_check_linear``: level, slope, and the first
    segment (row-major) whose midpoint misses the line names the same draw and segment."""
    from alliance_sim.games.talks import _fit, _segment_points

    rng = np.random.default_rng(seed)
    n, m = 40, 5
    starts = np.sort(rng.uniform(0.0, 2.0, size=(n, m + 1)), axis=1)
    starts[:, -1] = np.inf  # an endless last segment, as the talks' knots have
    tie = rng.random(n) < 0.2
    starts[tie, 2] = starts[tie, 1]  # zero-width segments: slope 0
    knots = np.sort(starts, axis=1)
    points = _segment_points(knots)
    a, b = rng.normal(size=(2, n, m))
    v1, v2, vm = (a + b * p + curve * p * p for p in points)

    def fit():
        try:
            return _fit("concede_a", v1, v2, vm, points, knots)
        except ValueError as err:
            return str(err)

    kernel = fit()
    with numpy_reference():
        reference = fit()
    if isinstance(reference, str):
        assert kernel == reference
    else:
        assert curve != 10.0
        assert np.array_equal(kernel.level, reference.level)
        assert np.array_equal(kernel.slope, reference.slope)
