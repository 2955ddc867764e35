"""The compiled Beta quantile kernel against its numpy reference (``BetaQuantile.reference``).

The kernel performs the reference's operations in the same order, with the same Boost
``betainc`` (scipy's ``cython_special`` entry point). Its elementary functions (``log``,
``log1p``, ``exp``) are the C library's, whereas numpy may use its own SIMD loops for
them (AVX-512 on x86-64), which round differently in a small fraction of lanes. So:

* with numpy's SIMD dispatch switched off (``NPY_DISABLE_CPU_FEATURES``) kernel and
  reference are **bit-identical** (checked in a subprocess, glibc x86-64);
* otherwise they agree to within :func:`allowed_units` rounding units per lane, where a
  unit is the first-order error that rounding ``u`` and ``logit x`` implies,
  ``ε·min(u/f + x, (1−u)/f + (1−x)) + x(1−x)·ulp(logit x) + ulp(x)`` (the scale of the
  documented accuracy bound, 64 such units, ``tests/test_inverse_cdf.py``): 4 units for
  shapes up to 20, where Boost's ``betainc`` is accurate to a few ε; 32 for larger
  shapes, where its relative error grows to about 100ε (140ε measured at a = 21,
  b = 141) and the two implementations, evaluating it at points an ulp apart, inherit
  different samples of that noise. Either is well inside twice the documented bound.
  A unit is a few ulps of ``x`` where the quantile is well conditioned; deep in a tail
  with a small shape it is more (``x ∝ u^{1/a}`` amplifies every rounding by ``1/a``;
  ``x = expit(g)`` is as coarse as ``ulp(g)``).

Measured on AVX-512 (numpy 2.4, scipy 1.17.1; 700 random shapes in [0.05, 200]): at
most 0.08% of lanes differ; by at most 2.5 units for shapes up to 20 (up to 10 ulps of
``x`` for Beta(3, 3) and the preset shape below, about 60 for Beta(0.05, 50) and
Beta(0.1, 200) in the lower tail) and 10.4 units beyond (34 ulps at Beta(21, 141),
``u = 0.56``, where the kernel is the closer of the two to mpmath).
"""

import itertools
import math
import os
import platform
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.parameters import inverse_cdf as icdf
from alliance_sim.parameters.inverse_cdf import TABLE_INTERVALS, Z_MAX, BetaQuantile

EPS = np.finfo(float).eps
#: At most this fraction of lanes may differ at all (numpy's SIMD rounding, not ours).
DIFFERING = 0.01

EXTREME_SHAPES = [
    (2.0, 6.0),
    (8.0, 2.0),
    (3.0, 3.0),
    (0.5, 0.5),
    (0.05, 50.0),
    (200.0, 0.3),
    (0.05, 0.05),
    (200.0, 200.0),
    (0.1, 200.0),
    (1.5249047946360688, 9.248391399741188),  # a calibrated preset shape
]

pytestmark = [
    pytest.mark.skipif(icdf._betainc is None, reason="no betainc entry point"),
    pytest.mark.skipif(not kernels_enabled(), reason="kernels switched off"),
    # scipy's beta.ppf (the out-of-table lanes, u < 3e-17) may warn about its own root
    # finding; the values are still compared.
    pytest.mark.filterwarnings("ignore:Error in function boost:RuntimeWarning"),
]


def probes(seed: int, n: int = 20_000) -> np.ndarray:
    """Random ``u`` in the body and both tails, the table knots and their neighbours."""
    rng = np.random.default_rng(seed)
    knots = special.expit(np.linspace(-Z_MAX, Z_MAX, TABLE_INTERVALS + 1))
    tails = np.exp(rng.uniform(-40.0, 0.0, n // 4))
    return np.concatenate(
        [
            rng.random(n),
            tails,
            1.0 - tails,  # the upper tail, on the grid of doubles below 1
            knots,
            np.nextafter(knots, 0.0),
            np.nextafter(knots, 1.0),
            2.0 ** -np.arange(1.0, 60.0),
            1.0 - 2.0 ** -np.arange(1.0, 54.0),
            [0.0, 1.0, 5e-324, 1e-17, 1.0 - 1e-17, 0.5],
        ]
    )


def rounding_units(a: float, b: float, u: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The per-lane tolerance unit of the module docstring (at the reference ``x``)."""
    with np.errstate(all="ignore"):
        log_f = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - special.betaln(a, b)
        lower = np.exp(np.log(u) - log_f) + x
        upper = np.exp(np.log1p(-u) - log_f) + (1.0 - x)
        g = np.log(x) - np.log1p(-x)
        unit = EPS * np.minimum(lower, upper) + x * (1 - x) * np.spacing(np.abs(g))
    return np.nan_to_num(unit, nan=0.0, posinf=np.inf) + np.spacing(x)


def allowed_units(a: float, b: float) -> float:
    """Kernel and reference agree to within this many rounding units (module docstring)."""
    return 4.0 if max(a, b) <= 20.0 else 32.0


def assert_close_to_reference(q: BetaQuantile, u: np.ndarray) -> None:
    got, ref = q(u), q.reference(u)
    assert got.shape == ref.shape
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))
    if same.all():
        return
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    units = np.abs(got - ref) / rounding_units(q.a, q.b, u, ref)
    worst = int(np.nanargmax(np.where(same, 0.0, units)))
    assert units[worst] <= allowed_units(q.a, q.b), (
        q.a,
        q.b,
        u[worst],
        got[worst],
        ref[worst],
        units[worst],
    )
    if u.size >= 1_000:
        assert np.mean(~same) <= DIFFERING, np.mean(~same)


def test_scipy_exports_betainc_for_doubles():
    entry = icdf._betainc_entry_point()
    assert entry is not None, "scipy.special.cython_special has no double betainc"
    key, address = entry
    assert key.endswith("betainc") and address != 0
    import ctypes

    function = ctypes.CFUNCTYPE(
        ctypes.c_double, ctypes.c_double, ctypes.c_double, ctypes.c_double, ctypes.c_int
    )(address)
    for a, b, x in [(2.0, 6.0, 0.3), (0.05, 50.0, 1e-200), (200.0, 0.3, 0.999)]:
        assert function(a, b, x, 0) == special.betainc(a, b, x)


def test_without_the_entry_point_the_numpy_path_runs(monkeypatch):
    from scipy.special import cython_special

    monkeypatch.setattr(cython_special, "__pyx_capi__", {})
    assert icdf._betainc_entry_point() is None
    assert icdf._declare_betainc() is None
    monkeypatch.setattr(icdf, "_betainc", None)

    def fail(*args):
        raise AssertionError("kernel called")

    monkeypatch.setattr(icdf, "_beta_quantile_kernel", fail)
    q = BetaQuantile(2.0, 6.0)
    u = probes(1, 1_000)
    assert np.array_equal(q(u), q.reference(u), equal_nan=True)


def test_dispatch_follows_kernels_enabled(monkeypatch):
    calls = []
    kernel = icdf._beta_quantile_kernel

    def spy(*args):
        calls.append(1)
        return kernel(*args)

    monkeypatch.setattr(icdf, "_beta_quantile_kernel", spy)
    q = BetaQuantile(2.0, 6.0)
    u = probes(2, 1_000)
    q(u)
    assert calls == [1]
    with numpy_reference():
        assert np.array_equal(q(u), q.reference(u))
    assert calls == [1]


@pytest.mark.parametrize(("a", "b"), EXTREME_SHAPES)
def test_kernel_agrees_with_the_reference(a, b):
    assert_close_to_reference(BetaQuantile(a, b), probes(3))


@pytest.mark.parametrize(
    ("a", "b", "u"),
    [  # the largest differences found (module docstring), all with the body of u
        (20.947739058579703, 140.8063927768668, 0.561542669618722),
        (10.019511304271814, 104.40431191476394, 0.8356424457806942),
        (23.581723241035103, 183.26056116498836, 0.808456906240935),
        (6.247339866982829, 34.0382015844968, 0.5765443572473018),
    ],
)
def test_kernel_agrees_with_the_reference_on_the_worst_lanes_found(a, b, u):
    assert_close_to_reference(BetaQuantile(a, b), np.array([u]))


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(math.log(0.05), math.log(200.0)).map(math.exp),
    b=st.floats(math.log(0.05), math.log(200.0)).map(math.exp),
    seed=st.integers(0, 2**32 - 1),
)
def test_kernel_agrees_with_the_reference_for_any_shape(a, b, seed):
    assert_close_to_reference(BetaQuantile(a, b), probes(seed, 2_000))


def test_out_of_table_lanes_get_scipys_values():
    q = BetaQuantile(0.05, 50.0)
    assert not q.valid.all()  # intervals whose x underflows go to beta.ppf
    u = np.array([0.0, 1.0, 1e-300, 1e-17, 1.0 - 2.0**-53, 0.3])
    assert np.array_equal(q(u), q.reference(u))
    assert np.isnan(q(np.array([np.nan]))[0])  # the reference cannot index a NaN lane


def test_result_does_not_depend_on_the_chunks_or_the_layout():
    q = BetaQuantile(1.5249047946360688, 9.248391399741188)
    u = probes(4)
    whole = q(u)
    cuts = [0, 1, 2, 777, 5_000, 5_001, 20_000, u.size]
    pieces = np.concatenate([q(u[i:j]) for i, j in itertools.pairwise(cuts)])
    assert np.array_equal(whole, pieces, equal_nan=True)
    assert all(q(u[i : i + 1])[0] == whole[i] for i in (0, 5, 4_321, u.size - 7))
    assert q(u[0]).shape == () and q(u[0]) == whole[0]  # 0-d in, 0-d out
    assert q(u[:0]).shape == (0,)
    # Strided and 2-d input: same values, input shape kept.
    assert np.array_equal(q(u[::3]), whole[::3], equal_nan=True)
    m = u[: 2 * (u.size // 2)].reshape(2, -1)
    assert np.array_equal(q(m.T), whole[: m.size].reshape(2, -1).T, equal_nan=True)
    # Threads (the kernel releases the GIL): the same values.
    with ThreadPoolExecutor(2) as pool:
        threaded = np.concatenate(list(pool.map(q, np.array_split(u, 8))))
    assert np.array_equal(threaded, whole, equal_nan=True)


BIT_IDENTICAL = textwrap.dedent(
    """
    import runpy
    import numpy as np
    from numpy._core import _multiarray_umath as umath

    assert not any(umath.__cpu_features__[f] for f in {features!r}), "dispatch still on"
    tests = runpy.run_path({path!r})  # this file: probes, EXTREME_SHAPES, BetaQuantile
    for a, b in tests["EXTREME_SHAPES"]:
        q = tests["BetaQuantile"](a, b)
        u = tests["probes"](5)
        got, ref = q(u), q.reference(u)
        assert np.array_equal(got, ref, equal_nan=True), (a, b, int(np.sum(got != ref)))
    print("identical")
    """
)


@pytest.mark.skipif(
    not (sys.platform == "linux" and platform.machine() == "x86_64"),
    reason="verified with glibc on x86-64",
)
def test_kernel_is_bit_identical_when_numpy_uses_the_c_library():
    from numpy._core import _multiarray_umath as umath

    # Every SIMD target numpy dispatches to on this machine: numpy then runs its
    # baseline loops, which call the C library's log, log1p and exp as the kernel does.
    features = [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]
    script = BIT_IDENTICAL.format(features=features, path=os.path.abspath(__file__))
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(features)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3_000:]
    assert done.stdout.strip() == "identical"
