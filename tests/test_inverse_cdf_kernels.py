"""The compiled Beta quantile kernel against its numpy reference (``BetaQuantile.reference``).

Both start from the same table and Hermite interpolant and take one Newton step; the
reference computes the residual ``I_x(a, b) − u`` with Boost's ``betainc``, the kernel
from the nearest table node and a Gauss–Legendre integral of the density (module
docstring of :mod:`alliance_sim.parameters.inverse_cdf`). So they are not bit-identical:
each is within its documented bound of the exact quantile (64 and 128 rounding units,
``tests/test_inverse_cdf.py`` against mpmath), hence within 192 units of each other,
where a unit is the first-order error that rounding ``u`` and ``logit x`` implies,
``ε·min(u/f + x, (1−u)/f + (1−x)) + x(1−x)·ulp(logit x) + ulp(x)``. A unit is a few
ulps of ``x`` where the quantile is well conditioned; deep in a tail with a small shape
it is more (``x ∝ u^{1/a}`` amplifies every rounding by ``1/a``).
"""

import itertools
import math
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


#: Kernel and reference each meet their bound (64 and 128 units): together 192.
ALLOWED_UNITS = 192.0


def assert_close_to_reference(q: BetaQuantile, u: np.ndarray) -> float:
    """Every lane within ALLOWED_UNITS of the reference; returns the largest (in units)."""
    got, ref = q(u), q.reference(u)
    assert got.shape == ref.shape
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))
    if same.all():
        return 0.0
    units = np.abs(got - ref) / rounding_units(q.a, q.b, u, ref)
    worst = int(np.nanargmax(np.where(same, 0.0, units)))
    assert units[worst] <= ALLOWED_UNITS, (q.a, q.b, u[worst], got[worst], ref[worst])
    return float(units[worst])


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


def test_kernel_is_usually_within_a_few_units_of_the_reference():
    """Not only inside the combined bound: typically a few units apart (not vacuous)."""
    worst = [
        assert_close_to_reference(BetaQuantile(a, b), probes(6, 5_000))
        for a, b in [(2.0, 6.0), (1.5249047946360688, 9.248391399741188), (3.0, 3.0)]
    ]
    assert max(worst) <= 16.0, worst


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
    u = np.array([0.0, 1.0, 1e-300, 1e-17])
    assert np.array_equal(q(u), q.reference(u))  # beta.ppf's values, both paths
    assert_close_to_reference(q, np.array([0.3, 1.0 - 2.0**-53]))  # in the table
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
