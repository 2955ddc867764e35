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


@pytest.mark.slow
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
    w = StoreWriter(tmp_path / "i.zarr", scn, res.seed, "random", n_planned=1_000)
    params = {k: np.asarray(v) for k, v in res.parameters.items()}
    w.append(res.outputs, params)
    # The identity is there from the first chunk: ours, and incomplete.
    with pytest.raises(ValueError, match="incomplete: 500 of 1,000 draws written"):
        asim.load_result(tmp_path / "i.zarr")
    w.append(res.outputs, params)
    with pytest.raises(ValueError, match="incomplete: 1,000 of 1,000 draws written"):
        asim.load_result(tmp_path / "i.zarr")
    w.close()
    assert asim.load_result(tmp_path / "i.zarr").n == 1_000


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


# --- Data safety (issue 12) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small(scn):
    return asim.simulate(scn, 2_000, seed=3, talks=False)


def test_save_never_deletes_what_it_did_not_write(small, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "thesis.tex").write_text("three years of work")
    with pytest.raises(FileExistsError, match=r"not an alliance_sim result store.*thesis.tex"):
        small.save(folder)
    with pytest.raises(FileExistsError, match="not an alliance_sim result store"):
        small.save(folder, overwrite=True)
    assert (folder / "thesis.tex").read_text() == "three years of work"
    (tmp_path / "f").write_text("a file")
    with pytest.raises(FileExistsError, match="is a file"):
        small.save(tmp_path / "f")
    with pytest.raises(FileExistsError, match="not an alliance_sim result store"):
        asim.simulate(asim.scenarios.japan_us_2020(), 100, seed=1, store=folder, keep=False)
    assert (folder / "thesis.tex").exists()


def test_a_store_is_replaced_only_when_asked_and_only_if_it_is_all_ours(small, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert asim.load_result(small.save(empty)).n == small.n  # an empty folder is fine
    path = small.save(tmp_path / "s.zarr")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        small.save(path)
    assert asim.load_result(small.save(path, overwrite=True)).n == small.n
    (path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"did not write.*notes.txt"):
        small.save(path, overwrite=True)
    assert (path / "notes.txt").exists()


def test_cli_store_refuses_and_overwrites(tmp_path):
    from alliance_sim.cli import main

    store = tmp_path / "r.zarr"
    args = ["run", "japan_us_2020", "--draws", "300", "--no-talks", "--no-stances"]
    assert main([*args, "--store", str(store)]) == 0
    assert main([*args, "--store", str(store)]) == 1  # refused: exists
    assert main([*args, "--store", str(store), "--overwrite"]) == 0
    assert asim.load_result(store).n == 300


@pytest.fixture()
def saved(tmp_path, scn):
    # Two chunks per per-draw variable, so chunks can be swapped.
    res = asim.simulate(scn, BLOCK + 300, seed=5, talks=False)
    return res, res.save(tmp_path / "v.zarr")


def _chunks(path, name):
    return sorted((path / name / "c").iterdir())


def test_a_deleted_chunk_is_an_error_not_a_fill_value(saved):
    _, path = saved
    _chunks(path, "feasible")[0].unlink()
    with pytest.raises(ValueError, match=r"missing, e.g. 'feasible/c/0'"):
        asim.load_result(path)


def test_flipped_bytes_and_swapped_chunks_are_detected(saved):
    _, path = saved
    a, b = _chunks(path, "nash_payment")[:2]
    data = bytearray(a.read_bytes())
    data[20] ^= 0xFF
    a.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum mismatch"):
        asim.load_result(path)
    # Swapping two intact chunks: both fail their checksums.
    data[20] ^= 0xFF
    a.write_bytes(bytes(data))
    asim.load_result(path)  # restored
    ta, tb = a.read_bytes(), b.read_bytes()
    a.write_bytes(tb)
    b.write_bytes(ta)
    with pytest.raises(ValueError, match="2 file"):
        asim.load_result(path)


def test_a_deleted_group_or_an_edited_attribute_is_detected(saved):
    import json
    import shutil

    _, path = saved
    meta = path / "zarr.json"
    original = meta.read_text()
    doc = json.loads(original)
    doc["attributes"]["seed_entropy"] = "6"
    meta.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"'zarr.json'.*checksum mismatch"):
        asim.load_result(path)
    assert asim.load_result(path, verify=False).seed.entropy == 6  # unchecked, as asked
    meta.write_text(original)
    shutil.rmtree(path / "stance_equilibria")
    with pytest.raises(ValueError, match="stance_equilibria"):
        asim.load_result(path)


def test_a_store_without_manifest_says_how_to_read_it(saved):
    import shutil

    from alliance_sim.results.store import MANIFEST

    _, path = saved
    shutil.rmtree(path / MANIFEST)
    with pytest.raises(ValueError, match=r"no checksum manifest.*verify=False"):
        asim.load_result(path)
    assert asim.load_result(path, verify=False).n == BLOCK + 300


def test_a_killed_stream_reports_the_draws_every_variable_holds(scn, tmp_path):
    """SIGKILL between two variables' appends leaves arrays of different lengths."""
    import json

    from alliance_sim.results.store import StoreWriter

    res = asim.simulate(scn, 400, seed=8, stances=False, talks=False)
    params = {k: np.asarray(v) for k, v in res.parameters.items()}
    w = StoreWriter(tmp_path / "k.zarr", scn, res.seed, "random", n_planned=1_200)
    w.append(res.outputs, params)
    w.append(res.outputs, params)
    meta = tmp_path / "k.zarr" / "nash_payment" / "zarr.json"
    doc = json.loads(meta.read_text())
    doc["shape"] = [400]  # this variable's second append never landed
    meta.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="incomplete: 400 of 1,200 draws written"):
        asim.load_result(tmp_path / "k.zarr")
