"""The vectorized bracketing root finder against scipy.optimize.brentq."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import optimize

from alliance_sim.solvers import bracket_monotone, find_root, split_at_points
from alliance_sim.solvers.rootfind import RTOL, XTOL


def cubic_family(rng: np.random.Generator, n: int):
    """Strictly increasing smooth functions f_i(x) = a_i x^3 + b_i x + c_i + d_i tanh(x)."""
    a = rng.uniform(0.0, 2.0, n)
    b = rng.uniform(0.1, 5.0, n)
    c = rng.uniform(-50.0, 50.0, n)
    d = rng.uniform(0.0, 3.0, n)

    def f(x):
        return a * x**3 + b * x + c + d * np.tanh(x)

    def fi(i):
        return lambda x: a[i] * x**3 + b[i] * x + c[i] + d[i] * np.tanh(x)

    return f, fi


def test_matches_brentq_on_random_smooth_functions():
    rng = np.random.default_rng(0)
    n = 2000
    f, fi = cubic_family(rng, n)
    res = find_root(f, -60.0, 60.0)
    assert res.converged.all()
    ref = np.array([optimize.brentq(fi(i), -60.0, 60.0, xtol=1e-14) for i in range(n)])
    tol = XTOL + RTOL * np.abs(ref) + 1e-14
    assert np.all(np.abs(res.x - ref) <= tol)
    assert res.iterations < 40  # interpolation, not bisection (which needs ~37)


def test_tolerance_is_met_for_requested_xtol():
    rng = np.random.default_rng(1)
    f, fi = cubic_family(rng, 300)
    for xtol in (1e-3, 1e-6, 1e-12):
        res = find_root(f, -60.0, 60.0, xtol=xtol, rtol=0.0)
        ref = np.array([optimize.brentq(fi(i), -60.0, 60.0, xtol=1e-15) for i in range(300)])
        assert np.max(np.abs(res.x - ref)) <= xtol + 1e-14


def test_jump_discontinuity_converges_to_the_jump():
    # Monotone with a jump through zero at x = k: the "root" is the jump.
    k = np.array([0.3, 1.7, -2.0])

    def f(x):
        return np.where(x < k, -1.0 - x**2, 2.0 + x**2)

    res = find_root(f, -10.0, 10.0)
    assert np.all(np.abs(res.x - k) <= XTOL + RTOL * np.abs(k))


def test_exact_zero_at_an_end_and_degenerate_bracket():
    res = find_root(lambda x: x - 1.0, np.array([1.0, 0.0]), np.array([3.0, 1.0]))
    np.testing.assert_array_equal(res.x, [1.0, 1.0])
    assert res.iterations == 0
    res = find_root(lambda x: x, np.array([2.0]), np.array([2.0]), fa=0.0, fb=0.0)
    assert res.x.tolist() == [2.0]


def test_lanes_are_independent_bit_for_bit():
    rng = np.random.default_rng(2)
    f, _ = cubic_family(rng, 1000)
    full = find_root(f, -60.0, 60.0).x
    idx = np.arange(1000)[::7]
    a = np.full(1000, -60.0)
    b = np.full(1000, 60.0)
    # Solve a subset: other lanes start already converged (zero-width brackets at 0).
    mask = np.zeros(1000, bool)
    mask[idx] = True
    a_sub, b_sub = np.where(mask, a, 0.0), np.where(mask, b, 0.0)
    fa = np.where(mask, f(a), 0.0)
    fb = np.where(mask, f(b), 0.0)
    sub = find_root(f, a_sub, b_sub, fa=fa, fb=fb).x
    np.testing.assert_array_equal(sub[idx], full[idx])


def test_errors():
    with pytest.raises(ValueError, match="same sign at both ends of 1 bracket"):
        find_root(lambda x: x**2 + 1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="returned NaN"):
        find_root(lambda x: np.where(x > 0.1, np.nan, x), -1.0, 1.0)
    with pytest.raises(ValueError, match="xtol must be a finite positive number"):
        find_root(lambda x: x, -1.0, 1.0, xtol=0.0)
    with pytest.raises(ValueError, match="rtol"):
        find_root(lambda x: x, -1.0, 1.0, rtol=-1.0)


def test_maxiter_reports_non_convergence():
    res = find_root(lambda x: x - 0.123456789, 0.0, 1.0, maxiter=2)
    assert not res.converged.all()


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=10),
    st.booleans(),
)
@example([0.0], True)
@example([-1e6, 1e6], False)
def test_bracket_monotone_finds_linear_roots(roots, increasing):
    r = np.array(roots)
    sign = 1.0 if increasing else -1.0

    def f(x):
        return sign * (x - r)

    a, b, fa, fb, ok = bracket_monotone(f, np.zeros_like(r), np.ones_like(r), increasing=increasing)
    assert ok.all()
    assert np.all((a <= r) & (r <= b))
    res = find_root(f, a, b, fa=fa, fb=fb)
    assert np.all(np.abs(res.x - r) <= XTOL + RTOL * np.abs(r))


def test_bracket_monotone_rejects_wrong_direction_and_reports_failure():
    with pytest.raises(ValueError, match="not increasing"):
        bracket_monotone(lambda x: 5.0 - 10 * x, np.array([1.0]), np.array([2.0]), increasing=True)
    *_, ok = bracket_monotone(
        lambda x: np.ones_like(x), np.array([0.0]), np.array([1.0]), increasing=True, maxiter=5
    )
    assert not ok.any()
    with pytest.raises(ValueError, match="a < b"):
        bracket_monotone(lambda x: x, np.array([1.0]), np.array([1.0]), increasing=True)


def test_split_at_points_returns_a_kink_that_is_the_root():
    k = np.array([1.0, 1.0, 1.0])
    # lane 0: sign change across the kink; lane 1: root right of it; lane 2: left of it.
    shift = np.array([0.0, 0.5, -0.5])

    def f(x):
        return np.where(x < k, 1.0, -1.0) * (shift == 0) + (shift != 0) * (shift + 1.0 - x)

    a, b = np.zeros(3), np.full(3, 3.0)
    a2, b2, fa2, fb2 = split_at_points(f, a, b, f(a), f(b), [k])
    assert a2[0] == b2[0] == 1.0 and fa2[0] == fb2[0] == 0.0
    assert a2[1] > 1.0 and b2[1] == 3.0
    assert a2[2] == 0.0 and b2[2] < 1.0
    res = find_root(f, a2, b2, fa=fa2, fb=fb2)
    np.testing.assert_allclose(res.x, [1.0, 1.5, 0.5], atol=1e-9)
