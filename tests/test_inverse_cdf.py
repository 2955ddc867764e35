"""Quantile functions: scipy's formulas bit for bit, and the Beta quantile against mpmath."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from alliance_sim.parameters import ParameterSpace
from alliance_sim.parameters.inverse_cdf import (
    TABLE_INTERVALS,
    BetaQuantile,
    beta_quantile,
    inverse_cdf,
)

mpmath = pytest.importorskip("mpmath")
EPS = np.finfo(float).eps
#: The documented bounds: 64 (the numpy reference) and 128 (the kernel: the table node's
#: error carries over) times the first-order error that rounding u implies (+ 2 ulps).
FACTOR = {"reference": 64.0, "kernel": 128.0}

shapes = st.floats(math.log(0.1), math.log(200.0)).map(math.exp)
#: Probabilities across the body and both tails (down to the unit designs' 2**-53).
probabilities = st.one_of(
    st.floats(2.0**-53, 1.0 - 2.0**-53),
    st.floats(-53.0, -1.0).map(lambda e: 2.0**e),
    st.floats(-52.0, -1.0).map(lambda e: 1.0 - 2.0**e),
)


def exact_quantile(a, b, u, start):
    """The exact Beta(a, b) quantile (mpmath, 40 digits) and the first-order rounding error.

    Bisection in logit coordinates (robust in both tails), bracketed around ``start``.
    """
    with mpmath.workdps(40):
        a, b, u = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(u)

        def cdf_at(g):  # the CDF at x = expit(g)
            return mpmath.betainc(a, b, 0, 1 / (1 + mpmath.exp(-g)), regularized=True)

        glo, ghi = mpmath.mpf(-800), mpmath.mpf(800)
        g0 = mpmath.log(start) - mpmath.log1p(-start) if 0 < start < 1 else mpmath.mpf(0)
        for width in (1e-6, 1e-3, 1.0, 1e3):
            if cdf_at(g0 - width) < u < cdf_at(g0 + width):
                glo, ghi = g0 - width, g0 + width
                break
        for _ in range(130):
            mid = (glo + ghi) / 2
            glo, ghi = (mid, ghi) if cdf_at(mid) < u else (glo, mid)
        x = 1 / (1 + mpmath.exp(-(glo + ghi) / 2))
        log_pdf = (
            (a - 1) * mpmath.log(x) + (b - 1) * mpmath.log1p(-x) - mpmath.log(mpmath.beta(a, b))
        )
        pdf = mpmath.exp(log_pdf)
        return x, EPS * min(u / pdf + x, (1 - u) / pdf + (1 - x))


@settings(max_examples=60, deadline=None)
@given(a=shapes, b=shapes, u=probabilities)
@example(a=0.108051353, b=5.77093991, u=2.85372690e-14)  # small a, far lower tail
@example(a=0.108051353, b=5.77093991, u=0.610569001)  # small a: x tiny although u > 1/2
@example(a=26.0021208, b=26.5352002, u=1.0 - 1e-12)  # upper tail, needs 1 − u exactly
@example(a=0.189818049, b=63.9915866, u=1.0 - 2.0**-50)  # x < 1/2 deep in the upper tail
@example(a=55.796824, b=2.10100911, u=1.71704362e-11)  # x > 1/2 deep in the lower tail
@example(a=2.0, b=6.0, u=2.0**-53)
@example(a=0.1456698607544878, b=185.5141331160334, u=1.63671397572646e-10)  # kernel: 68x
def test_beta_quantile_is_within_the_documented_bound(a, b, u):
    q = BetaQuantile(a, b)
    for path, x in (("kernel", q(np.array([u]))[0]), ("reference", q.reference(np.array([u]))[0])):
        x = float(x)
        assert 0.0 <= x <= 1.0
        exact, bound = exact_quantile(a, b, u, x)
        # ... plus two ulps for representing x itself (x = expit(g) is rounded once).
        allowed = FACTOR[path] * bound + 2 * np.spacing(float(exact))
        assert abs(mpmath.mpf(x) - exact) <= allowed, path


@settings(max_examples=40, deadline=None)
@given(a=shapes, b=shapes)
def test_beta_quantile_agrees_with_scipy_and_is_monotone(a, b):
    u = np.sort(np.random.default_rng(0).random(4_000))
    x = BetaQuantile(a, b)(u)
    with warnings.catch_warnings():
        # scipy's Boost ppf may warn about its own root finding (seen once under
        # pytest-xdist); an error there is a SystemError inside scipy, not ours. Its
        # values are still checked against ours below.
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = stats.beta(a, b).ppf(u)
    np.testing.assert_allclose(x, ref, rtol=1e-11, atol=1e-300)
    # Non-decreasing up to rounding (each lane takes its own Newton step).
    assert np.all(np.diff(x) >= -4 * np.spacing(x[1:]))


def test_beta_table_is_increasing_and_valid_for_the_presets():
    for a, b in [(2.0, 6.0), (8.0, 2.0), (3.0, 3.0)]:
        q = beta_quantile(a, b)
        assert q.g.shape == (TABLE_INTERVALS + 1,)
        assert q.valid.all()
        assert np.all(np.diff(q.g) > 0)


def test_each_lane_is_independent_of_the_batch():
    u = np.random.default_rng(3).random(10_000)
    q = beta_quantile(2.0, 6.0)
    whole = q(u)
    pieces = np.concatenate([q(u[:1]), q(u[1:777]), q(u[777:])])
    assert np.array_equal(whole, pieces)
    assert all(q(u[i : i + 1])[0] == whole[i] for i in (0, 5, 4_321, 9_999))


@settings(max_examples=50, deadline=None)
@given(
    loc=st.floats(-1e3, 1e3),
    scale=st.floats(1e-3, 1e3),
    s=st.floats(0.01, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_closed_forms_are_bit_identical_to_scipy_ppf(loc, scale, s, seed):
    u = np.random.default_rng(seed).random(257)
    u[:4] = [2.0**-53, 1.0 - 2.0**-53, 0.5, 0.25]
    for dist in (
        stats.uniform(loc, scale),
        stats.norm(loc, scale),
        stats.lognorm(s, loc=loc, scale=scale),
        stats.expon(loc=loc, scale=scale),
        stats.gamma(s, loc=loc, scale=scale),  # no fast path: ppf itself
    ):
        assert np.array_equal(inverse_cdf(dist, u), dist.ppf(u)), dist.dist.name


@pytest.mark.parametrize(
    "dist", [stats.beta(1, 19), stats.beta(1, 0.3), stats.beta(1, 1, loc=2, scale=5)]
)
def test_beta_with_a_unit_first_shape_uses_its_closed_form(dist):
    u = np.random.default_rng(4).random(5_000)
    np.testing.assert_allclose(inverse_cdf(dist, u), dist.ppf(u), rtol=4 * EPS, atol=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "dist", [stats.beta(2, 6), stats.beta(2, 6, loc=1, scale=3), stats.uniform(1, 2), stats.norm()]
)
def test_probabilities_outside_the_open_unit_interval_get_scipys_values(dist):
    u = np.array([0.0, 1.0, -0.5, 1.5, np.nan, 0.3])
    out, ref = inverse_cdf(dist, u), dist.ppf(u)
    assert np.array_equal(np.isnan(out), np.isnan(ref))
    fin = ~np.isnan(ref)
    np.testing.assert_allclose(out[fin], ref[fin], rtol=1e-14)


def test_bad_beta_shapes_are_rejected():
    for a, b in [(0.0, 1.0), (-1.0, 2.0), (math.inf, 2.0), (2.0, math.nan)]:
        with pytest.raises(ValueError, match="Beta shapes must be finite and > 0"):
            BetaQuantile(a, b)


def test_sampling_maps_the_unit_design_through_inverse_cdf():
    from alliance_sim.parameters import Parameter

    space = ParameterSpace(
        [
            Parameter("rho", stats.beta(2, 6), "share", "test", bounds=(0, 1)),
            Parameter("S", stats.lognorm(0.5, scale=300.0), "¥bn", "test"),
        ]
    )
    u = [np.random.default_rng(1).random(1_000) for _ in range(2)]
    draws = space.transform(u, 1_000)
    assert np.array_equal(draws["rho"], inverse_cdf(stats.beta(2, 6), u[0]))
    assert np.array_equal(draws["S"], stats.lognorm(0.5, scale=300.0).ppf(u[1]))
