"""The streaming quantile sketch: documented error bound, exact merges, integer mode."""

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from alliance_sim.results.sketch import (
    ALPHA,
    MIN_MAGNITUDE,
    QuantileSketch,
    linear_quantile_positions,
)

QS = np.array([0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0])

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
samples = hnp.arrays(np.float64, st.integers(1, 300), elements=finite)


def documented_bound(x: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """alpha * max(|x_(k)|, |x_(k+1)|) + x_min, the bound stated in the module docstring."""
    s = np.sort(x)
    lo, hi, _ = linear_quantile_positions(x.size, qs)
    return ALPHA * np.maximum(np.abs(s[lo]), np.abs(s[hi])) * (1 + 1e-12) + MIN_MAGNITUDE


@given(samples)
@example(np.array([0.0, -0.0, 1e-300, -1e-300]))  # below the zero threshold
@example(np.array([5.0] * 7))  # ties
@example(np.array([-3.0, 2.0]))  # straddles zero
def test_quantiles_within_documented_bound(x):
    sk = QuantileSketch()
    sk.add(x)
    est = sk.quantiles(QS)
    exact = np.quantile(x, QS)
    assert np.all(np.abs(est - exact) <= documented_bound(x, QS))
    # The extremes are tracked exactly.
    assert est[0] == x.min() and est[-1] == x.max()


@given(samples, st.lists(st.integers(0, 300), max_size=5))
def test_merge_of_any_split_equals_one_pass(x, cuts):
    whole = QuantileSketch()
    whole.add(x)
    edges = sorted({0, x.size, *(min(c, x.size) for c in cuts)})
    parts = []
    for a, b in itertools.pairwise(edges):
        p = QuantileSketch()
        p.add(x[a:b])
        parts.append(p)
    forward, backward = QuantileSketch(), QuantileSketch()
    for p in parts:
        forward.merge(p)
    for p in reversed(parts):
        backward.merge(p)
    assert forward == whole and backward == whole
    np.testing.assert_array_equal(forward.quantiles(QS), whole.quantiles(QS))


@given(hnp.arrays(np.int64, st.integers(1, 300), elements=st.integers(-50, 50)))
def test_integer_sketch_is_exact(x):
    sk = QuantileSketch(integer=True)
    sk.add(x)
    np.testing.assert_array_equal(sk.quantiles(QS), np.quantile(x, QS))


@settings(max_examples=50)
@given(samples)
def test_pickle_round_trip_keeps_counts(x):
    sk = QuantileSketch()
    sk.add(x)
    back = pickle.loads(pickle.dumps(sk))
    assert back == sk
    np.testing.assert_array_equal(back.quantiles(QS), sk.quantiles(QS))


def test_empty_sketch_gives_nan_and_bad_values_raise():
    sk = QuantileSketch()
    assert np.isnan(sk.quantiles([0.5])).all()
    with pytest.raises(ValueError, match="finite"):
        sk.add([1.0, np.nan])
    with pytest.raises(ValueError, match="integers"):
        QuantileSketch(integer=True).add([1.5])
    with pytest.raises(ValueError, match="cannot merge"):
        sk.merge(QuantileSketch(integer=True))


def test_bucket_representative_has_relative_error_alpha():
    x = np.geomspace(1e-6, 1e9, 100_001)
    sk = QuantileSketch()
    rep = sk.values(sk.codes(x))
    assert np.all(np.abs(rep - x) <= ALPHA * x * (1 + 1e-12))
    np.testing.assert_array_equal(sk.values(sk.codes(-x)), -rep)
