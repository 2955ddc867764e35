"""Scoring rules: exact against brute-force definitions, closed forms and hand values."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import ndtr

from alliance_sim.scoring import (
    brier_score,
    crps_normal,
    crps_point,
    crps_sample,
    interval_hit,
    log_score_sample,
    pit,
    silverman_bandwidth,
    weighted_quantile,
)

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
sample_lists = st.lists(values, min_size=1, max_size=40)


@st.composite
def weighted_samples(draw, min_weight=0.01, max_weight=100.0):
    """Samples (with deliberate ties) and positive weights of the same length."""
    xs = draw(sample_lists)
    xs = xs + draw(st.lists(st.sampled_from(xs), max_size=5))
    ws = draw(st.lists(st.floats(min_weight, max_weight), min_size=len(xs), max_size=len(xs)))
    return np.array(xs), np.array(ws)


@st.composite
def integer_weighted_samples(draw):
    """Samples and integer replication counts (some zero, not all)."""
    xs = draw(st.lists(values, min_size=1, max_size=15))
    ks = draw(st.lists(st.integers(0, 4), min_size=len(xs), max_size=len(xs)))
    if sum(ks) == 0:
        ks[0] = 1
    return np.array(xs), np.array(ks)


def crps_brute(x, y, w=None):
    """The O(m^2) kernel form E|X - y| - E|X - X'| / 2 and its first term."""
    x = np.asarray(x, dtype=float)
    w = np.full(x.size, 1.0 / x.size) if w is None else np.asarray(w, float) / np.sum(w)
    abs_err = np.sum(w * np.abs(x - y))
    spread = np.sum(np.outer(w, w) * np.abs(x[:, None] - x[None, :]))
    return abs_err - 0.5 * spread, abs_err


# --- CRPS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-3.25, 0.0, 7.0, 1e6 + 0.1])
@pytest.mark.parametrize("y", [-3.25, 0.5, 1e6])
@pytest.mark.parametrize("m", [1, 2, 17])
def test_crps_point_mass_is_absolute_error(x, y, m):
    assert crps_sample(np.full(m, x), y) == abs(x - y)
    assert crps_sample(np.full(m, x), y, weights=np.arange(1, m + 1)) == abs(x - y)
    assert crps_sample(x, y) == abs(x - y)
    assert crps_point(x, y) == abs(x - y)


def test_crps_point_broadcasts():
    out = crps_point([[1.0], [2.0]], [0.0, 1.5, 3.0])
    np.testing.assert_array_equal(out, [[1.0, 0.5, 2.0], [2.0, 0.5, 1.0]])
    assert isinstance(crps_point(1.0, 2.0), float)
    with pytest.raises(ValueError, match="prediction"):
        crps_point([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="observation"):
        crps_point(1.0, np.nan)


@given(xs=sample_lists, y=values)
def test_crps_sample_equals_quadratic_definition(xs, y):
    expected, abs_err = crps_brute(xs, y)
    assert math.isclose(crps_sample(xs, y), expected, rel_tol=1e-9, abs_tol=1e-13 * abs_err)


@given(data=weighted_samples(), y=values)
def test_weighted_crps_sample_equals_quadratic_definition(data, y):
    x, w = data
    expected, abs_err = crps_brute(x, y, w)
    got = crps_sample(x, y, weights=w)
    assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-13 * abs_err)
    # The order of the draws does not matter.
    perm = np.random.default_rng(0).permutation(x.size)
    assert math.isclose(crps_sample(x[perm], y, weights=w[perm]), got, rel_tol=1e-12)


@given(data=weighted_samples())
def test_documented_sorted_spread_formula(data):
    # E|X - X'| = 2 sum_i w_i x_(i) (2 W_i - w_i - 1), as stated in the crps_sample notes.
    x, w = data
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order] / w.sum()
    cum = np.cumsum(ws)
    formula = 2.0 * np.sum(ws * xs * (2.0 * cum - ws - 1.0))
    brute = np.sum(np.outer(ws, ws) * np.abs(x[order][:, None] - xs[None, :]))
    assert math.isclose(formula, brute, rel_tol=1e-9, abs_tol=1e-9 * np.max(np.abs(x)))


def test_crps_sample_hand_values():
    assert crps_sample([1.0, 2.0, 3.0], 2.0) == pytest.approx(2.0 / 9.0, rel=1e-15)
    # F = 3/4 on [0, 1), y = 0: (1 - 3/4)^2 * 1.
    assert crps_sample([0.0, 1.0], 0.0, weights=[3, 1]) == 0.0625
    # Zero weights act as absent draws.
    assert crps_sample([0.0, 5.0, 1.0], 0.3, weights=[1, 0, 1]) == crps_sample([0.0, 1.0], 0.3)


def test_crps_sample_large_offset_keeps_digits():
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    base = crps_sample(x, 0.2)
    assert crps_sample(x + 1e8, 0.2 + 1e8) == pytest.approx(base, rel=1e-7)


def test_crps_sample_matches_normal_closed_form():
    rng = np.random.default_rng(20240601)
    x = rng.normal(1.5, 2.0, size=200_000)
    for y in (-1.0, 1.5, 4.0, 9.0):
        assert crps_sample(x, y) == pytest.approx(crps_normal(1.5, 2.0, y), rel=0.01)


@pytest.mark.parametrize(
    ("mu", "sigma", "y"),
    [(0.0, 1.0, 0.0), (0.0, 1.0, 0.3), (1.5, 2.0, -1.0), (-2.0, 0.5, 1.0), (3.0, 0.1, 3.05)],
)
def test_crps_normal_matches_numerical_integral(mu, sigma, y):
    z = lambda x: (x - mu) / sigma  # noqa: E731
    opts = {"epsabs": 1e-13, "epsrel": 1e-12, "limit": 200}
    left, _ = integrate.quad(lambda x: ndtr(z(x)) ** 2, -np.inf, y, **opts)
    right, _ = integrate.quad(lambda x: ndtr(-z(x)) ** 2, y, np.inf, **opts)
    assert crps_normal(mu, sigma, y) == pytest.approx(left + right, abs=1e-8, rel=1e-8)


def test_crps_normal_broadcasting_and_limits():
    out = crps_normal([0.0, 1.0], [[1.0], [2.0]], 0.5)
    assert out.shape == (2, 2)
    assert out[1, 0] == crps_normal(0.0, 2.0, 0.5)
    assert crps_normal(1.0, 0.0, 3.5) == 2.5
    # Far tail: tends to |y - mu| - sigma / sqrt(pi).
    assert crps_normal(0.0, 1.0, 40.0) == pytest.approx(40.0 - 1 / math.sqrt(math.pi), rel=1e-15)
    with pytest.raises(ValueError, match="sigma"):
        crps_normal(0.0, -1.0, 0.0)


def test_crps_is_minimised_by_the_true_distribution():
    rng = np.random.default_rng(11)
    ys = rng.normal(size=400)
    base = rng.normal(size=2_000)
    forecasts = {"true": base, "shifted": base + 0.5, "wide": 2.0 * base}
    mean = {k: np.mean([crps_sample(x, y) for y in ys]) for k, x in forecasts.items()}
    assert mean["true"] < mean["shifted"]
    assert mean["true"] < mean["wide"]


# --- Integer weights = replication ----------------------------------------------------------


@given(data=integer_weighted_samples(), y=values)
def test_integer_weights_equal_replication(data, y):
    x, k = data
    rep = np.repeat(x, k)
    assert math.isclose(
        crps_sample(x, y, weights=k), crps_sample(rep, y), rel_tol=1e-9, abs_tol=1e-12
    )
    assert pit(x, y, weights=k) == pit(rep, y)
    assert math.isclose(
        log_score_sample(x, y, weights=k, bandwidth=7.5),
        log_score_sample(rep, y, bandwidth=7.5),
        rel_tol=1e-12,
        abs_tol=1e-12,
    )


# --- Log score ----------------------------------------------------------------------------


def test_log_score_of_large_normal_sample_is_close_to_normal_ignorance():
    rng = np.random.default_rng(5)
    x = rng.normal(size=100_000)
    for y in (-1.5, 0.0, 0.7):
        exact = 0.5 * y * y + LOG_SQRT_2PI
        assert log_score_sample(x, y) == pytest.approx(exact, abs=0.02)


def test_log_score_two_samples_fixed_bandwidth_hand_value():
    # f(1) = (phi(1) + phi(1)) / 2 = phi(1).
    assert log_score_sample([0.0, 2.0], 1.0, bandwidth=1.0) == pytest.approx(
        0.5 + LOG_SQRT_2PI, rel=1e-15
    )
    # f(0) = (phi(0) / 0.5 + phi(4) / 0.5) / 2 with h = 0.5.
    dens = (math.exp(0.0) + math.exp(-8.0)) / math.sqrt(2 * math.pi)
    assert log_score_sample([0.0, 2.0], 0.0, bandwidth=0.5) == pytest.approx(
        -math.log(dens), rel=1e-14
    )
    # Weights 3:1 with h = 1 at y = 0: (3 phi(0) + phi(2)) / 4.
    dens = (3.0 + math.exp(-2.0)) / 4.0 / math.sqrt(2 * math.pi)
    got = log_score_sample([0.0, 2.0], 0.0, weights=[3, 1], bandwidth=1.0)
    assert got == pytest.approx(-math.log(dens), rel=1e-14)


def test_log_score_point_mass_is_finite():
    h = 1e-6 * (1.0 + 2.0)
    assert silverman_bandwidth([2.0, 2.0, 2.0]) == pytest.approx(h, rel=1e-15)
    assert silverman_bandwidth(2.0) == pytest.approx(h, rel=1e-15)
    hit = log_score_sample([2.0, 2.0, 2.0], 2.0)
    assert hit == pytest.approx(math.log(h) + LOG_SQRT_2PI, rel=1e-14)
    miss = log_score_sample([2.0, 2.0, 2.0], 3.0)
    assert math.isfinite(miss)
    assert miss == pytest.approx(0.5 / h**2 + math.log(h) + LOG_SQRT_2PI, rel=1e-12)
    # Far beyond where every kernel underflows: still finite (log-sum-exp).
    assert math.isfinite(log_score_sample([0.0, 1.0], 1e3, bandwidth=0.01))


def test_silverman_bandwidth_values():
    x = np.arange(5.0)
    # sd = sqrt(2.5), IQR / 1.34 = 2 / 1.34 is smaller.
    assert silverman_bandwidth(x) == pytest.approx(0.9 * (2 / 1.34) * 5**-0.2, rel=1e-14)
    # Equal weights give the unweighted sd; the weighted IQR uses the midpoint positions.
    x = np.array([0.0, 0.0, 0.0, 0.0, 10.0])  # IQR = 0: fall back on sd
    assert silverman_bandwidth(x) == pytest.approx(0.9 * np.std(x, ddof=1) * 5**-0.2)
    xw = np.array([0.0, 10.0])
    # n_eff = 25 / 17; var = 0.8 * 0.2 * 100 * n_eff / (n_eff - 1) = 16 * 25 / 8 = 50.
    # Weighted quartiles (p = 0.4, 0.9): q25 = 0, q75 = 10 * (0.75 - 0.4) / 0.5 = 7.
    n_eff = 25.0 / 17.0
    expected = 0.9 * min(math.sqrt(50.0), 7.0 / 1.34) * n_eff**-0.2
    assert silverman_bandwidth(xw, weights=[4, 1]) == pytest.approx(expected, rel=1e-13)


# --- Brier score --------------------------------------------------------------------------


def test_brier_score_values():
    assert brier_score(0.7, 1) == pytest.approx(0.09, rel=1e-14)
    assert brier_score(0.7, 0) == pytest.approx(0.49, rel=1e-14)
    assert brier_score(0.25, True) == 0.5625
    assert isinstance(brier_score(0.5, 1), float)
    out = brier_score([[0.1], [0.9]], [0, 1, False])
    np.testing.assert_allclose(out, [[0.01, 0.81, 0.01], [0.81, 0.01, 0.81]], rtol=1e-14)


@pytest.mark.parametrize("outcome", [2, 0.5, -1, [0, 1, 2]])
def test_brier_score_rejects_non_binary_outcome(outcome):
    with pytest.raises(ValueError, match="outcome"):
        brier_score(0.5, outcome)


@pytest.mark.parametrize("p", [1.2, -0.1, [0.5, 1.0001], np.nan])
def test_brier_score_rejects_bad_probability(p):
    with pytest.raises(ValueError, match="probability"):
        brier_score(p, 1)


# --- Quantiles, intervals, PIT ------------------------------------------------------------


@given(xs=sample_lists, q=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_unweighted_quantile_is_numpy_quantile(xs, q):
    np.testing.assert_array_equal(weighted_quantile(xs, q), np.quantile(xs, q))
    assert weighted_quantile(xs, q[0]) == np.quantile(xs, q[0])


@given(xs=sample_lists, q=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_equal_weights_quantile_is_hazen(xs, q):
    got = weighted_quantile(xs, q, weights=np.full(len(xs), 2.5))
    expected = np.quantile(xs, q, method="hazen")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * max(map(abs, xs)))


def test_weighted_quantile_hand_values():
    # Replicating x = [0, 1] by weights [2, 1] gives the draws [0, 0, 1]; the weighted
    # definition instead places 0 at p = (2 - 1) / 3 = 1/3 and 1 at p = (3 - 1/2) / 3 = 5/6.
    x, w = [0.0, 1.0], [2, 1]
    got = weighted_quantile(x, [0.0, 0.2, 1 / 3, 0.5, 0.75, 5 / 6, 1.0], weights=w)
    np.testing.assert_allclose(got, [0.0, 0.0, 0.0, 1 / 3, 5 / 6, 1.0, 1.0], atol=1e-15)
    # Hazen on the replicated draws (positions 1/6, 1/2, 5/6) differs at q = 0.5.
    assert np.quantile(np.repeat(x, w), 0.5, method="hazen") == 0.0
    # Unsorted input with ties; zero weights drop the draw.
    x = [3.0, 1.0, 2.0, 2.0, 100.0]
    w = [1.0, 1.0, 1.0, 1.0, 0.0]  # positions 1/8, 3/8, 5/8, 7/8 of 1, 2, 2, 3
    got = weighted_quantile(x, [0.125, 0.25, 0.5, 0.8, 0.95], weights=w)
    np.testing.assert_allclose(got, [1.0, 1.5, 2.0, 2.7, 3.0], rtol=1e-14)


def test_interval_hit_hand_values():
    x = [5.0, 1.0, 3.0, 2.0, 4.0]  # 50% interval [2, 4] (numpy linear)
    assert interval_hit(x, 2.0, 0.5)
    assert interval_hit(x, 4.0, 0.5)
    assert not interval_hit(x, 1.99, 0.5)
    assert not interval_hit(x, 4.01, 0.5)
    assert interval_hit(x, 1.2, 0.9)  # 90% interval [1.2, 4.8]
    assert not interval_hit(x, 1.19, 0.9)
    # Equal weights: Hazen positions 1/8 .. 7/8 on [0, 1, 2, 3]; 50% interval [0.5, 2.5].
    xw = [0.0, 1.0, 2.0, 3.0]
    assert interval_hit(xw, 0.5, 0.5, weights=[1, 1, 1, 1])
    assert not interval_hit(xw, 0.49, 0.5, weights=[1, 1, 1, 1])
    # Unweighted (numpy linear): [0.75, 2.25], so the two definitions differ here.
    assert not interval_hit(xw, 0.5, 0.5)
    assert interval_hit(xw, 0.75, 0.5)
    assert isinstance(interval_hit(xw, 0.5, 0.5), bool)


def test_pit_hand_values_and_ties():
    x = [2.0, 1.0, 2.0, 3.0, 2.0]
    assert pit(x, 2.0) == 0.5  # (1 + 4) / 10
    assert pit(x, 0.0) == 0.0
    assert pit(x, 5.0) == 1.0
    assert pit(x, 2.5) == 0.8
    assert pit(x, 1.0) == 0.1  # (0 + 1) / 10
    assert pit([1.0, 2.0, 3.0], 2.0, weights=[1, 2, 1]) == 0.5
    assert pit([1.0, 2.0, 3.0], 1.0, weights=[1, 2, 1]) == 0.125
    assert pit(7.0, 7.0) == 0.5


# --- Bad input ----------------------------------------------------------------------------

SAMPLE_FUNCTIONS = [
    lambda s, **kw: crps_sample(s, 0.0, **kw),
    lambda s, **kw: log_score_sample(s, 0.0, **kw),
    lambda s, **kw: weighted_quantile(s, 0.5, **kw),
    lambda s, **kw: interval_hit(s, 0.0, 0.9, **kw),
    lambda s, **kw: pit(s, 0.0, **kw),
    lambda s, **kw: silverman_bandwidth(s, **kw),
]


@pytest.mark.parametrize("func", SAMPLE_FUNCTIONS)
def test_bad_samples_and_weights_are_named(func):
    with pytest.raises(ValueError, match="samples"):
        func([])
    with pytest.raises(ValueError, match="samples"):
        func([1.0, np.nan])
    with pytest.raises(ValueError, match="samples"):
        func([1.0, np.inf])
    with pytest.raises(ValueError, match="samples"):
        func([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="weights"):
        func([1.0, 2.0], weights=[1.0, -0.5])
    with pytest.raises(ValueError, match="weights"):
        func([1.0, 2.0], weights=[0.0, 0.0])
    with pytest.raises(ValueError, match="weights"):
        func([1.0, 2.0], weights=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="weights"):
        func([1.0, 2.0], weights=[1.0, np.nan])


@pytest.mark.parametrize(
    "call",
    [
        lambda: crps_sample([1.0], np.nan),
        lambda: crps_sample([1.0], [1.0, 2.0]),
        lambda: log_score_sample([1.0], np.inf),
        lambda: interval_hit([1.0], np.nan, 0.5),
        lambda: pit([1.0], [0.0]),
    ],
)
def test_bad_observation_is_named(call):
    with pytest.raises(ValueError, match="observation"):
        call()


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 1.5, np.nan])
def test_interval_level_outside_open_unit_interval(level):
    with pytest.raises(ValueError, match="level"):
        interval_hit([1.0, 2.0], 1.5, level)


@pytest.mark.parametrize("q", [-0.1, 1.1, [0.5, 2.0], np.nan])
def test_quantile_q_outside_unit_interval(q):
    with pytest.raises(ValueError, match="q must"):
        weighted_quantile([1.0, 2.0], q)


@pytest.mark.parametrize("bandwidth", [0.0, -1.0, np.inf, [1.0, 2.0]])
def test_bad_bandwidth_is_named(bandwidth):
    with pytest.raises(ValueError, match="bandwidth"):
        log_score_sample([1.0, 2.0], 1.5, bandwidth=bandwidth)


def test_huge_weights_do_not_overflow():
    w = [1e308, 1e308, 1e308]
    x = [0.0, 1.0, 2.0]
    assert crps_sample(x, 1.0, weights=w) == pytest.approx(crps_sample(x, 1.0), rel=1e-14)
    assert pit(x, 1.0, weights=w) == pytest.approx(0.5, rel=1e-15)
    assert math.isfinite(log_score_sample(x, 1.0, weights=w))
