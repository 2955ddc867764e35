"""Results as xarray Datasets and Zarr stores: zero-copy, round trips, streaming to disk."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import alliance_sim as asim
from alliance_sim.parameters import BLOCK
from alliance_sim.players.terms import FunctionTerm
from alliance_sim.scenarios import dump_scenario


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


@pytest.fixture(scope="module")
def res(scn):
    return asim.simulate(scn, 3_000, seed=12)


def assert_same_result(a, b):
    assert a.n == b.n and a.sampler == b.sampler
    assert a.seed.entropy == b.seed.entropy and a.seed.spawn_key == b.seed.spawn_key
    assert dump_scenario(a.scenario) == dump_scenario(b.scenario)
    assert list(a.outputs) == list(b.outputs)
    for k in a.outputs:
        assert a[k].dtype == b[k].dtype, k
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert set(a.parameters) == set(b.parameters)
    for k in a.parameters:
        assert np.array_equal(a.parameters[k], b.parameters[k]), k
    for f in dataclasses.fields(a.stance_equilibria):
        x, y = getattr(a.stance_equilibria, f.name), getattr(b.stance_equilibria, f.name)
        assert np.array_equal(x, y, equal_nan=True), f.name
    pd.testing.assert_frame_equal(a.summary(), b.summary(), check_exact=True)


def test_to_xarray_is_zero_copy_and_self_describing(res):
    ds = res.to_xarray()
    assert ds.sizes["draw"] == res.n
    assert np.shares_memory(ds["nash_payment"].values, res["nash_payment"])
    assert ds["nash_payment"].attrs["role"] == "output"
    assert ds["S_J"].attrs["role"] == "parameter"
    # Fixed parameters are 0-d; a parameter named like an output keeps both.
    fixed = [k for k, v in res.parameters.items() if v.strides == (0,)]
    stored = [f"{k}__parameter" if k in res.outputs else k for k in fixed]
    assert fixed and all(ds[k].ndim == 0 for k in stored)
    assert "challenger_wins__parameter" in ds and ds["challenger_wins"].dtype == bool
    assert ds.attrs["scenario_name"] == "japan_us_2020"
    assert ds.attrs["seed_entropy"] == "12" and ds.attrs["sampler"] == "random"
    assert ds.attrs["alliance_sim_version"] == asim.__version__
    # Summaries on the Dataset agree with the result's.
    feasible = ds["nash_payment"].where(ds["feasible"])
    np.testing.assert_allclose(
        float(feasible.mean()), res.summary().loc[("nash_payment", "mean"), "all"], rtol=1e-12
    )


def test_save_load_round_trip(res, tmp_path):
    path = res.save(tmp_path / "run.zarr")
    back = asim.SimulationResult.load(path)
    assert_same_result(res, back)
    assert back.store == path


def test_streaming_to_a_store_equals_a_kept_run(scn, tmp_path):
    n = BLOCK + 2_500
    kept = asim.simulate(scn, n, seed=31, chunk_size=20_000)
    streamed = asim.simulate(scn, n, seed=31, keep=False, store=tmp_path / "s.zarr")
    assert not streamed.kept and streamed.store == tmp_path / "s.zarr"
    assert_same_result(kept, asim.load_result(streamed.store))


def test_load_rejects_missing_foreign_and_incomplete_stores(scn, tmp_path):
    with pytest.raises(FileNotFoundError):
        asim.load_result(tmp_path / "nowhere.zarr")
    import xarray as xr

    xr.Dataset({"a": ("x", np.arange(3))}).to_zarr(tmp_path / "f.zarr", consolidated=False)
    with pytest.raises(ValueError, match="not an alliance_sim result"):
        asim.load_result(tmp_path / "f.zarr")
    from alliance_sim.results.store import StoreWriter

    res = asim.simulate(scn, 500, seed=1, stances=False, talks=False)
    w = StoreWriter(tmp_path / "i.zarr", scn, res.seed, "random")
    w.append(res.outputs, {k: np.asarray(v) for k, v in res.parameters.items()})
    with pytest.raises(ValueError, match="not an alliance_sim result"):
        asim.load_result(tmp_path / "i.zarr")  # no attributes until close()
    w.close()
    assert asim.load_result(tmp_path / "i.zarr").n == 500


def test_a_scenario_with_code_needs_to_be_passed_back(scn, tmp_path):
    term = FunctionTerm("weariness", lambda d, x, T, t: -0.01 * x)
    custom = dataclasses.replace(scn, payee=scn.payee.with_term(term))
    res = asim.simulate(custom, 400, seed=2, stances=False, talks=False)
    with pytest.warns(UserWarning, match="not embedded"):
        path = res.save(tmp_path / "c.zarr")
    with pytest.raises(ValueError, match="no embedded scenario"):
        asim.load_result(path)
    back = asim.load_result(path, scenario=custom)
    np.testing.assert_array_equal(back["nash_payment"], res["nash_payment"])
