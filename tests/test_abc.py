"""Tests of the generic ABC-SMC engine (alliance_sim.calibration.abc)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from alliance_sim._rng import child_generator, seed_sequence
from alliance_sim.calibration import ABCResult, Generation, Prior, abc_smc, rank_statistic
from alliance_sim.calibration.abc import NAN_RESIDUAL

# ----------------------------------------------------------------------------- models
N_OBS = 5  # conjugate model: 5 i.i.d. N(theta, 1) observations summarized by their mean
PRIOR_SD = 2.0


def mean_of_five(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    x = rng.normal(theta, 1.0, size=(theta.shape[0], N_OBS))
    return x.mean(axis=1, keepdims=True)


def normal_sample_stats(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(mean, sd) of 10 draws of N(mu, sigma); theta = (mu, sigma)."""
    x = rng.normal(theta[:, :1], theta[:, 1:], size=(theta.shape[0], 10))
    return np.column_stack([x.mean(axis=1), x.std(axis=1, ddof=1)])


def with_extra_middle_column(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """normal_sample_stats plus a third statistic in the middle (drawn afterwards)."""
    base = normal_sample_stats(theta, rng)
    extra = theta[:, 0] + rng.normal(size=theta.shape[0])
    return np.column_stack([base[:, 0], extra, base[:, 1]])


def abs_distance(sim: np.ndarray, obs: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum((sim - obs) ** 2, axis=1))


NORMAL_PRIOR = Prior(["mu"], [stats.norm(0.0, PRIOR_SD)])
TWO_PRIOR = Prior(["mu", "sigma"], [stats.norm(0.0, 1.0), stats.uniform(0.5, 1.5)])


@pytest.fixture(scope="module")
def two_param_result() -> ABCResult:
    return abc_smc(
        normal_sample_stats,
        TWO_PRIOR,
        np.array([0.3, 1.1]),
        n_particles=300,
        generations=6,
        seed=11,
    )


# ------------------------------------------------------------------- 1. conjugate model
def abc_posterior_moments(y_obs: float, eps: float) -> tuple[float, float]:
    """Exact moments of the ABC posterior with a uniform kernel of half-width eps.

    pi_eps(theta) ∝ N(theta; 0, 2²) P(|ybar - y_obs| <= eps | theta), ybar ~ N(theta, 1/5).
    """
    s = 1.0 / math.sqrt(N_OBS)

    def dens(t: float) -> float:
        acc = stats.norm.cdf((y_obs + eps - t) / s) - stats.norm.cdf((y_obs - eps - t) / s)
        return float(stats.norm.pdf(t, 0.0, PRIOR_SD) * acc)

    lo, hi = y_obs - 8.0, y_obs + 8.0
    z = integrate.quad(dens, lo, hi, points=[y_obs], limit=200)[0]
    m = integrate.quad(lambda t: t * dens(t), lo, hi, points=[y_obs], limit=200)[0] / z
    v = integrate.quad(lambda t: (t - m) ** 2 * dens(t), lo, hi, points=[y_obs], limit=200)[0]
    return m, math.sqrt(v / z)


@pytest.mark.parametrize("distance", [None, abs_distance])
def test_conjugate_normal_matches_exact_posterior(distance):
    y_obs = 1.3
    prec = 1.0 / PRIOR_SD**2 + N_OBS
    exact_mean, exact_sd = N_OBS * y_obs / prec, math.sqrt(1.0 / prec)  # 1.238, 0.436
    res = abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([y_obs]),
        n_particles=2000,
        generations=8,
        distance=distance,
        seed=5,
    )
    assert res.stop_reason in ("generations", "min_acceptance")
    last = res.history[-1]
    # final tolerance in the units of ybar: small against its sd 1/sqrt(5) = 0.447, so the
    # uniform-kernel inflation eps²/3 of the likelihood variance 0.2 is below 0.1 %
    eps_raw = last.epsilon * (1.0 if distance is not None else last.scales[0])
    assert eps_raw < 0.05
    abc_mean, abc_sd = abc_posterior_moments(y_obs, eps_raw)
    assert abc_mean == pytest.approx(exact_mean, abs=2e-3)
    assert abc_sd == pytest.approx(exact_sd, rel=2e-3)
    # Monte Carlo error: SE(mean) ≈ sd / sqrt(ESS) ≈ 0.010 and SE(sd)/sd ≈ 1/sqrt(2 ESS) ≈ 1.6 %
    # for ESS ≈ 1900; over 10 seeds the errors scaled by these SEs had sd ≈ 1.6 (SMC
    # particles are correlated through resampling), so 4 x 1.6 SE: 0.065 and 10 %.
    assert res.ess > 1500
    se_mean = abc_sd / math.sqrt(res.ess)
    assert res.mean()[0] == pytest.approx(abc_mean, abs=4 * 1.6 * se_mean)
    assert res.std()[0] == pytest.approx(abc_sd, rel=4 * 1.6 / math.sqrt(2 * res.ess))
    # the median and a central interval agree with the normal posterior as well
    q = res.quantile([0.1, 0.5, 0.9])[:, 0]
    ref = stats.norm(exact_mean, exact_sd).ppf([0.1, 0.5, 0.9])
    np.testing.assert_allclose(q, ref, atol=0.1)


def test_adaptive_and_plain_distance_agree_for_one_statistic():
    # with one statistic, scaling by the MAD rescales the distances and the tolerance
    # alike: the accepted sets, hence the whole run, are the same
    kw = {"n_particles": 300, "generations": 5, "seed": 3}
    a = abc_smc(mean_of_five, NORMAL_PRIOR, np.array([0.4]), **kw)
    b = abc_smc(mean_of_five, NORMAL_PRIOR, np.array([0.4]), distance=abs_distance, **kw)
    np.testing.assert_array_equal(a.particles, b.particles)
    np.testing.assert_array_equal(a.weights, b.weights)


# ------------------------------------------------------------- 2. NaN-masked observed
@pytest.mark.parametrize("distance", [None, "fixed", abs_distance])
def test_nan_observed_entry_is_ignored(distance):
    kw = {"n_particles": 200, "generations": 4, "seed": 17, "distance": distance}
    full = abc_smc(with_extra_middle_column, TWO_PRIOR, np.array([0.3, np.nan, 1.1]), **kw)
    reduced = abc_smc(normal_sample_stats, TWO_PRIOR, np.array([0.3, 1.1]), **kw)
    np.testing.assert_array_equal(full.particles, reduced.particles)
    np.testing.assert_array_equal(full.weights, reduced.weights)
    np.testing.assert_array_equal(full.distances, reduced.distances)
    assert full.n_simulations == reduced.n_simulations
    assert [g.epsilon for g in full.history] == [g.epsilon for g in reduced.history]
    if not callable(distance):
        for gf, gr in zip(full.history, reduced.history, strict=True):
            assert np.isnan(gf.scales[1])
            np.testing.assert_array_equal(gf.scales[[0, 2]], gr.scales)


def test_nan_simulated_statistic_is_a_mismatch():
    # the model produces the target only for theta > 0; the observed target exists
    prior = Prior(["theta"], [stats.uniform(-1.0, 2.0)])

    def sim(theta, rng):
        out = theta + 0.1 * rng.standard_normal(theta.shape)
        out[theta <= 0.0] = np.nan
        return out

    res = abc_smc(sim, prior, np.array([0.5]), n_particles=300, generations=5, seed=2)
    g0 = res.history[0]
    assert (g0.particles <= 0).mean() > 0.3  # generation 0 accepts everything
    assert g0.distances[g0.particles[:, 0] <= 0].min() == pytest.approx(NAN_RESIDUAL)
    assert (res.particles > 0).all()


def test_nan_user_distance_counts_as_infinite():
    def dist(sim, obs):
        out = np.abs(sim[:, 0] - obs[0])
        out[sim[:, 0] < -1.0] = np.nan
        return out

    res = abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([0.0]),
        n_particles=200,
        generations=4,
        distance=dist,
        seed=6,
    )
    assert np.isinf(res.history[0].distances).any()  # generation 0 accepts everything
    assert np.isfinite(res.distances).all()
    assert all(math.isfinite(g.epsilon) for g in res.history[1:])


def test_zero_mad_statistic_falls_back_to_a_positive_scale():
    prior = Prior(["p"], [stats.uniform(0.0, 1.0)])

    def sim(theta, rng):  # an indicator (MAD 0 when p is small) and a continuous stat
        u = rng.random(theta.shape)
        return np.column_stack([(u < 0.1 * theta[:, 0:1]).astype(float), theta + 0.1 * u])

    res = abc_smc(sim, prior, np.array([0.0, 0.3]), n_particles=200, generations=4, seed=4)
    for g in res.history:
        assert np.isfinite(g.scales).all() and (g.scales > 0).all()


@pytest.mark.slow
# -------------------------------------------------------- 3. simulation-based calibration
def test_simulation_based_calibration_ranks_are_uniform():
    """Talts et al. (2018): ranks of prior draws in their ABC posteriors are U(0, 1).

    100 replications of the (mu, sigma) model, 200 particles, 6 generations. ABC with
    eps > 0 is slightly under-confident (ranks pile up in the middle), hence the
    conservative level. Over the root seeds 2024-2029 the smallest KS p-value of the
    two parameters was 0.001 (2024), the others > 0.2; pooled mean rank 0.50.
    """
    root = seed_sequence(2026)
    ranks = np.empty((100, 2))
    for r in range(ranks.shape[0]):
        rng = child_generator(root, r)
        theta_star = TWO_PRIOR.sample(1, rng)
        y = normal_sample_stats(theta_star, rng)[0]
        res = abc_smc(
            normal_sample_stats, TWO_PRIOR, y, n_particles=200, generations=6, seed=50_000 + r
        )
        ranks[r] = rank_statistic(res, theta_star[0])
    for j in range(2):
        assert stats.kstest(ranks[:, j], "uniform").pvalue > 0.001
        counts = np.histogram(ranks[:, j], bins=10, range=(0.0, 1.0))[0]
        assert stats.chisquare(counts).pvalue > 0.001
        assert 0.4 <= ranks[:, j].mean() <= 0.6


# ---------------------------------------------------------------- 4. reproducibility
def _same(a: ABCResult, b: ABCResult) -> None:
    np.testing.assert_array_equal(a.particles, b.particles)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.distances, b.distances)
    assert a.n_simulations == b.n_simulations
    assert len(a.history) == len(b.history)
    for ga, gb in zip(a.history, b.history, strict=True):
        assert (ga.epsilon, ga.acceptance_rate, ga.n_simulated, ga.ess) == (
            gb.epsilon,
            gb.acceptance_rate,
            gb.n_simulated,
            gb.ess,
        )
        np.testing.assert_array_equal(ga.particles, gb.particles)
        np.testing.assert_array_equal(ga.weights, gb.weights)


def test_same_seed_is_bit_identical(two_param_result):
    again = abc_smc(
        normal_sample_stats,
        TWO_PRIOR,
        np.array([0.3, 1.1]),
        n_particles=300,
        generations=6,
        seed=np.random.SeedSequence(11),
    )
    _same(two_param_result, again)


def test_different_seeds_differ(two_param_result):
    other = abc_smc(
        normal_sample_stats,
        TWO_PRIOR,
        np.array([0.3, 1.1]),
        n_particles=300,
        generations=6,
        seed=12,
    )
    assert not np.array_equal(two_param_result.particles, other.particles)


# ------------------------------------------------------------------- 5. bad input
def test_observed_all_nan_is_empty():
    with pytest.raises(ValueError, match=r"observed.*empty"):
        abc_smc(mean_of_five, NORMAL_PRIOR, np.array([np.nan]), n_particles=10, seed=0)


def test_observed_length_must_match_simulate():
    with pytest.raises(ValueError, match="observed"):
        abc_smc(mean_of_five, NORMAL_PRIOR, np.array([0.0, 1.0]), n_particles=10, seed=0)


@pytest.mark.parametrize(
    "bad",
    [
        lambda theta, rng: np.zeros(theta.shape[0]),  # 1-D
        lambda theta, rng: np.zeros((theta.shape[0] + 1, 1)),  # wrong rows
        lambda theta, rng: np.array([["a"]] * theta.shape[0]),  # not numbers
    ],
)
def test_simulate_wrong_shape(bad):
    with pytest.raises(ValueError, match="simulate"):
        abc_smc(bad, NORMAL_PRIOR, np.array([0.0]), n_particles=10, seed=0)


@pytest.mark.parametrize(
    "dist",
    [stats.uniform(0.0, 0.0), stats.norm(0.0, -1.0), stats.expon(scale=0.0)],
    ids=["uniform(0,0)", "negative scale (ppf NaN)", "expon scale 0"],
)
def test_prior_impossible_support(dist):
    with pytest.raises(ValueError, match=r"dists\[1\].*impossible support"):
        Prior(["a", "b"], [stats.norm(), dist])


@pytest.mark.parametrize(
    ("names", "dists", "match"),
    [
        (["a", "a"], [stats.norm(), stats.norm()], "unique"),
        (["a", ""], [stats.norm(), stats.norm()], r"names\[1\]"),
        (["a", 3], [stats.norm(), stats.norm()], r"names\[1\]"),
        ([], [], "at least one"),
        ("ab", [stats.norm(), stats.norm()], "single string"),
        (["a", "b"], [stats.norm()], "one distribution per name"),
        (["a"], [stats.norm], r"dists\[0\].*frozen continuous"),
        (["a"], [stats.poisson(3.0)], r"dists\[0\].*frozen continuous"),
        (["a"], [0.5], r"dists\[0\]"),
    ],
)
def test_prior_bad_names_or_dists(names, dists, match):
    with pytest.raises(ValueError, match=match):
        Prior(names, dists)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_particles": 1}, "n_particles"),
        ({"n_particles": 2.5}, "n_particles"),
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.0}, "alpha"),
        ({"alpha": float("nan")}, "alpha"),
        ({"generations": 0}, "generations"),
        ({"min_acceptance": 1.0}, "min_acceptance"),
        ({"min_acceptance": -0.1}, "min_acceptance"),
        ({"epsilon_min": -1.0}, "epsilon_min"),
        ({"epsilon_min": float("inf")}, "epsilon_min"),
        ({"max_simulations": 5}, "max_simulations"),
        ({"distance": "manhattan"}, "distance"),
    ],
)
def test_bad_settings_name_the_argument(kwargs, name):
    kw = {"n_particles": 10, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=name):
        abc_smc(mean_of_five, NORMAL_PRIOR, np.array([0.0]), **kw)


def test_bad_types():
    with pytest.raises(TypeError, match="prior"):
        abc_smc(mean_of_five, [stats.norm()], np.array([0.0]))
    with pytest.raises(TypeError, match="simulate"):
        abc_smc("not callable", NORMAL_PRIOR, np.array([0.0]))
    with pytest.raises(ValueError, match="observed"):
        abc_smc(mean_of_five, NORMAL_PRIOR, np.array([np.inf]))
    with pytest.raises(ValueError, match="observed"):
        abc_smc(mean_of_five, NORMAL_PRIOR, np.zeros((1, 1)))
    with pytest.raises(ValueError, match="distance"):
        abc_smc(
            mean_of_five,
            NORMAL_PRIOR,
            np.array([0.0]),
            n_particles=10,
            distance=lambda s, o: np.zeros(3),
            seed=0,
        )


# ------------------------------------------------------- 6. invariants and properties
def test_population_invariants(two_param_result):
    res = two_param_result
    lo, hi = TWO_PRIOR.support()
    assert res.names == ("mu", "sigma")
    assert res.n_simulations == sum(g.n_simulated for g in res.history)
    for t, g in enumerate(res.history):
        assert isinstance(g, Generation) and g.index == t
        assert g.weights.sum() == pytest.approx(1.0, abs=1e-12)
        assert (g.weights >= 0).all()
        assert 1.0 <= g.ess <= g.weights.size * (1 + 1e-12)
        assert ((g.particles >= lo) & (g.particles <= hi)).all()
        assert np.isfinite(TWO_PRIOR.logpdf(g.particles)).all()
        assert (g.distances <= g.epsilon).all()
        assert 0.0 < g.acceptance_rate <= 1.0
        assert g.n_proposed >= g.n_simulated >= g.weights.size
    assert math.isinf(res.history[0].epsilon)
    assert res.ess == pytest.approx(res.history[-1].ess)
    # sigma's uniform prior is bounded: some kernel proposals fell outside and were dropped
    assert sum(g.n_proposed - g.n_simulated for g in res.history) > 0
    with pytest.raises((AttributeError, TypeError)):
        res.particles = None  # frozen
    with pytest.raises(ValueError):
        res.particles[0, 0] = 1.0  # read-only


@pytest.mark.parametrize("distance", ["fixed", abs_distance])
def test_epsilons_non_increasing_for_a_fixed_distance(distance):
    res = abc_smc(
        normal_sample_stats,
        TWO_PRIOR,
        np.array([-0.2, 0.8]),
        n_particles=200,
        generations=6,
        distance=distance,
        seed=8,
    )
    eps = np.array([g.epsilon for g in res.history])
    assert len(eps) == 6
    assert (np.diff(eps) <= 0).all()
    assert eps[-1] < eps[1]


def test_epsilon_min_stops_the_run():
    res = abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([0.0]),
        n_particles=200,
        generations=30,
        epsilon_min=0.2,
        distance=abs_distance,
        seed=1,
    )
    assert res.stop_reason == "epsilon_min"
    assert res.epsilon == 0.2
    assert all(g.epsilon > 0.2 for g in res.history[:-1])


def test_budget_keeps_the_last_complete_generation():
    res = abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([0.0]),
        n_particles=200,
        generations=30,
        max_simulations=3000,
        min_acceptance=0.0,
        seed=1,
    )
    assert res.stop_reason == "max_simulations"
    assert res.n_simulations == 3000  # the abandoned generation used the rest
    assert res.n_simulations > sum(g.n_simulated for g in res.history)
    assert len(res.history) >= 2


def test_min_acceptance_stops_the_run():
    res = abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([0.0]),
        n_particles=200,
        generations=30,
        min_acceptance=0.2,
        seed=1,
    )
    assert res.stop_reason == "min_acceptance"
    assert len(res.history) < 30
    # an abandoned generation costs at most ceil(N / min_acceptance) = 1000 simulations
    assert res.n_simulations - sum(g.n_simulated for g in res.history) <= 1000


def test_generation_zero_only_is_rejection_from_the_prior():
    res = abc_smc(mean_of_five, NORMAL_PRIOR, np.array([0.0]), n_particles=50, generations=1)
    assert len(res.history) == 1 and res.n_simulations == 50
    np.testing.assert_array_equal(res.weights, np.full(50, 1 / 50))


def test_progress_bar_goes_to_stderr(capsys):
    abc_smc(
        mean_of_five,
        NORMAL_PRIOR,
        np.array([0.0]),
        n_particles=20,
        generations=2,
        seed=0,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "generation 0" in err and "generation 1" in err


def test_result_summaries(two_param_result):
    res = two_param_result
    q = res.quantile([0.0, 0.25, 0.5, 0.75, 1.0])
    assert q.shape == (5, 2)
    assert (np.diff(q, axis=0) >= 0).all()
    np.testing.assert_array_equal(q[0], res.particles.min(axis=0))
    np.testing.assert_array_equal(res.quantile(0.5), q[2])
    assert res.quantile(0.5).shape == (2,)
    assert ((q[1] <= res.mean()) & (res.mean() <= q[3])).all()
    frame = res.to_frame()
    assert list(frame.columns) == ["mu", "sigma", "weight"]
    np.testing.assert_array_equal(frame[["mu", "sigma"]].to_numpy(), res.particles)
    draws = res.sample(5000, 0)
    assert draws.shape == (5000, 2)
    np.testing.assert_array_equal(draws, res.sample(5000, np.random.SeedSequence(0)))
    assert np.abs(draws.mean(axis=0) - res.mean()).max() < 4 * res.std().max() / 50
    with pytest.raises(ValueError, match="q"):
        res.quantile(1.5)
    with pytest.raises(ValueError, match="theta_true"):
        rank_statistic(res, [0.0])


def test_prior_sample_and_logpdf():
    prior = Prior(["a", "b"], [stats.beta(2.0, 3.0), stats.lognorm(0.5)])
    theta = prior.sample(1000, np.random.default_rng(0))
    assert theta.shape == (1000, 2)
    np.testing.assert_array_equal(theta, prior.sample(1000, np.random.default_rng(0)))
    lp = prior.logpdf(theta)
    ref = stats.beta(2.0, 3.0).logpdf(theta[:, 0]) + stats.lognorm(0.5).logpdf(theta[:, 1])
    np.testing.assert_allclose(lp, ref)
    outside = prior.logpdf(np.array([[-0.1, 1.0], [0.5, -1.0], [np.nan, 1.0]]))
    assert np.isneginf(outside).all()
    lo, hi = prior.support()
    np.testing.assert_array_equal(lo, [0.0, 0.0])
    np.testing.assert_array_equal(hi, [1.0, np.inf])
    assert "beta" in repr(prior)


@st.composite
def populations(draw):
    n = draw(st.integers(2, 30))
    k = draw(st.integers(1, 3))
    values = st.floats(-10, 10, allow_nan=False, width=32)
    particles = np.array(draw(st.lists(values, min_size=n * k, max_size=n * k))).reshape(n, k)
    raw = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))) + 1e-3
    names = tuple(f"p{j}" for j in range(k))
    return ABCResult(list(names), particles.tolist(), raw / raw.sum(), np.zeros(n), [], n)


@given(populations(), st.data())
def test_rank_statistic_in_unit_interval_and_monotone(res, data):
    k = len(res.names)
    values = st.floats(-12, 12, allow_nan=False)
    x = np.array(data.draw(st.lists(values, min_size=k, max_size=k)))
    y = x + np.array(data.draw(st.lists(st.floats(0, 5), min_size=k, max_size=k)))
    rx, ry = rank_statistic(res, x), rank_statistic(res, y)
    assert rx.shape == (k,)
    assert ((rx >= 0) & (rx <= 1)).all()
    assert (ry >= rx - 1e-12).all()
    np.testing.assert_allclose(rank_statistic(res, res.particles.min(axis=0) - 1), 0.0)
    np.testing.assert_allclose(rank_statistic(res, res.particles.max(axis=0) + 1), 1.0, atol=1e-12)


@given(populations(), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_quantile_is_monotone_and_a_particle(res, qs):
    q = np.sort(np.array(qs))
    out = res.quantile(q)
    assert out.shape == (q.size, len(res.names))
    assert (np.diff(out, axis=0) >= 0).all()
    for j in range(len(res.names)):
        assert np.isin(out[:, j], res.particles[:, j]).all()
    # mass strictly below the q-quantile < q <= mass at or below it
    for i, qi in enumerate(q):
        below = res.weights @ (res.particles < out[i])
        upto = res.weights @ (res.particles <= out[i])
        assert (below <= qi + 1e-9).all() and (upto >= qi - 1e-9).all()
