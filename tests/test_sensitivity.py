"""Sobol' indices (SALib on the vectorized pipeline) and rank correlations."""

import numpy as np
import pandas as pd
import pytest

import alliance_sim as asim
from alliance_sim.sensitivity import rank_correlations, saltelli_indices, sobol_indices

pytest.importorskip("SALib")

A, B = 7.0, 0.1


def ishigami(U):
    x = -np.pi + 2 * np.pi * U
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    """Closed form (Ishigami & Homma 1990; Saltelli et al. 2000)."""
    v1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]}


def test_ishigami_indices_match_the_closed_form():
    t = saltelli_indices(ishigami, 3, 8192, seed=3, names=["x1", "x2", "x3"])
    truth = ishigami_indices()
    for col in ("S1", "ST"):
        est = t[col].to_numpy()
        np.testing.assert_allclose(est, truth[col], atol=0.02)
        # The bootstrap intervals are honest: the truth lies within 3 half-widths.
        assert np.all(np.abs(est - truth[col]) <= 3 * t[f"{col}_conf"].to_numpy() + 1e-3)


def test_indices_are_reproducible_from_the_seed():
    a = saltelli_indices(ishigami, 3, 256, seed=9)
    b = saltelli_indices(ishigami, 3, 256, seed=9)
    c = saltelli_indices(ishigami, 3, 256, seed=10)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(c)


def test_preset_indices_identify_the_drivers_of_the_ceiling():
    scn = asim.scenarios.japan_us_2020()
    t = sobol_indices(scn, ["hi", "lo"], 512, seed=1)
    assert list(t.index.get_level_values(0).unique()) == ["hi", "lo"]
    hi = t.loc["hi"]
    assert set(hi.index) == set(scn.parameters.random_names)
    # Washington-side parameters cannot move Tokyo's reservation price (the ceiling).
    for name in ("S_U", "rho_U", "s_U", "kappa_U"):
        assert hi.loc[name, "ST"] < 1e-9
    # Beliefs first, sorted by total index; the top ones explain most of the variance.
    latent = set(scn.parameters.latent_names)
    beliefs = hi[hi["role"] == ""]
    assert set(beliefs.index) == set(scn.parameters.random_names) - latent
    assert list(hi.index[: len(beliefs)]) == list(beliefs.index)  # then the latent variates
    assert (
        beliefs["ST"].is_monotonic_decreasing
        and hi.iloc[len(beliefs) :]["ST"].is_monotonic_decreasing
    )
    assert hi.loc["election_u", "role"].startswith("draws the election winner")
    assert beliefs["ST"].iloc[:5].sum() > 0.6
    assert (hi["ST"] >= hi["S1"] - 3 * hi["S1_conf"] - 0.02).all()


def test_bad_outputs_are_explained():
    scn = asim.scenarios.japan_us_2020()
    with pytest.raises(ValueError, match="no output 'spe_payment'"):
        sobol_indices(scn, "spe_payment", 64, seed=1)
    with pytest.raises(ValueError, match="is constant"):
        saltelli_indices(lambda u: np.zeros(u.shape[0]), 2, 64, seed=1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        saltelli_indices(lambda u: np.where(u[:, 0] > 0.5, np.nan, u[:, 1]), 2, 64, seed=1)
    with pytest.raises(ValueError, match="n must be a positive int"):
        saltelli_indices(ishigami, 3, 0)
    with pytest.warns(UserWarning, match="not balanced"):
        saltelli_indices(ishigami, 3, 100, seed=1)


def test_rank_correlations_match_scipy_spearman():
    from scipy.stats import spearmanr

    scn = asim.scenarios.japan_us_2020()
    res = asim.simulate(scn, 4_000, seed=8, stances=False, talks=False)
    rho = rank_correlations(res, "hi")
    assert rho.abs().is_monotonic_decreasing
    assert not set(rho.index) & set(scn.parameters.latent_names)  # beliefs only
    every = rank_correlations(res, "hi", latent=True)
    beliefs = every.index[: len(rho)]
    assert list(beliefs) == list(rho.index)  # the beliefs first, as ranked alone
    assert set(every.index[len(rho) :]) == set(scn.parameters.latent_names)
    assert every.attrs["roles"]["election_u"].startswith("draws the election winner")
    for name in ("c_J", "S_J", "election_u"):
        m = res["feasible"]
        expected = spearmanr(res.parameters[name][m], res["hi"][m]).statistic
        assert every[name] == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="constant"):
        rank_correlations(res, "status_quo")
