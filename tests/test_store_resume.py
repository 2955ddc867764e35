"""Resuming an interrupted store (issue 12, item 3): same seed, same blocks, same bytes."""

import dataclasses
import importlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import alliance_sim as asim
from alliance_sim.parameters import BLOCK
from alliance_sim.results.store import EQUILIBRIA_GROUP, MANIFEST
from alliance_sim.sweep import ChunkError

chunks = importlib.import_module("alliance_sim.sweep.chunks")
store_module = importlib.import_module("alliance_sim.results.store")
execution = importlib.import_module("alliance_sim.sweep.execution")

N = 2 * BLOCK + 500  # three tasks of one block each, the last one short
KW = dict(seed=11, chunk_size=BLOCK, talks=False)  # with the stance game: equilibria too


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


@pytest.fixture(scope="module")
def reference(scn, tmp_path_factory):
    """An uninterrupted streamed run and its store."""
    path = tmp_path_factory.mktemp("ref") / "ref.zarr"
    res = asim.simulate(scn, N, keep=False, store=path, scheduler="sync", **KW)
    return res, path


def manifest(path):
    return json.loads((path / MANIFEST / "zarr.json").read_text())["attributes"]["files"]


def assert_same_store(a, b):
    """Bit-identical: every file (metadata and chunks) has the same SHA-256, and the
    variables and attributes read back identical."""
    assert manifest(a) == manifest(b)
    groups = [None] + [EQUILIBRIA_GROUP] * (a / EQUILIBRIA_GROUP).exists()
    for group in groups:
        xr.testing.assert_identical(
            xr.open_dataset(a, engine="zarr", consolidated=False, group=group, chunks=None),
            xr.open_dataset(b, engine="zarr", consolidated=False, group=group, chunks=None),
        )
    assert not (b / MANIFEST / "journal.jsonl").exists()


@pytest.fixture()
def fail_from(monkeypatch):
    """Make every chunk evaluation of draws ``>= first`` raise (a task failing mid-run)."""

    def arm(first):
        evaluate = chunks.evaluate_draws

        def failing(scenario, task, start, stop):
            if start >= first:
                raise RuntimeError("simulated crash")
            return evaluate(scenario, task, start, stop)

        monkeypatch.setattr(chunks, "evaluate_draws", failing)
        return lambda: monkeypatch.setattr(chunks, "evaluate_draws", evaluate)

    return arm


def interrupted(scn, path, fail_from, after_tasks, **kw):
    """Run until the task after ``after_tasks`` tasks fails; check the store is partial."""
    undo = fail_from(after_tasks * BLOCK)
    with pytest.raises(ChunkError, match="simulated crash") as info:
        asim.simulate(scn, N, store=path, **{"keep": False, "scheduler": "sync", **KW, **kw})
    undo()
    assert any("resume=True" in note for note in info.value.__notes__)
    with pytest.raises(ValueError, match=rf"incomplete: {after_tasks * BLOCK:,} of {N:,} draws.*"):
        asim.load_result(path)


@pytest.mark.parametrize("after_tasks", [1, 2])
def test_a_resumed_store_is_identical_to_an_uninterrupted_one(
    scn, reference, fail_from, tmp_path, after_tasks
):
    ref, ref_path = reference
    path = tmp_path / "r.zarr"
    interrupted(scn, path, fail_from, after_tasks)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean interruption: nothing to re-verify away
        res = asim.simulate(scn, N, keep=False, store=path, resume=True, scheduler="sync", **KW)
    assert_same_store(ref_path, path)
    pd.testing.assert_frame_equal(res.summary(), ref.summary(), check_exact=True)


@pytest.mark.slow
def test_resume_on_another_backend_keeping_the_draws(scn, reference, fail_from, tmp_path):
    _, ref_path = reference
    path = tmp_path / "k.zarr"
    interrupted(scn, path, fail_from, 1)
    res = asim.simulate(
        scn, N, store=path, resume=True, scheduler="threads", workers=2, **KW
    )  # keep=True: the result holds every draw, read back or computed
    assert_same_store(ref_path, path)
    kept = asim.load_result(ref_path)
    assert res.kept and res.n == N and res.store == path
    for k in kept:
        assert res[k].dtype == kept[k].dtype, k
        assert np.array_equal(res[k], kept[k], equal_nan=True), k
    for k in kept.parameters:
        assert np.array_equal(res.parameters[k], kept.parameters[k]), k
    assert np.array_equal(res.stance_equilibria.row, kept.stance_equilibria.row)
    pd.testing.assert_frame_equal(res.summary(), kept.summary(), check_exact=True)


@pytest.mark.slow
def test_a_crash_inside_an_append_is_cut_back_and_resumed(scn, reference, monkeypatch, tmp_path):
    """Killed between writing the main arrays and the equilibria of the third task:
    the arrays have different lengths; resuming cuts them back to the journal."""
    _, ref_path = reference
    path = tmp_path / "a.zarr"
    append_two_dims = store_module._append_two_dims
    calls = []

    def crash_in_second_half(eq, where):
        calls.append(1)
        if len(calls) == 2:  # the third task (the first creates the group)
            part = eq[[k for k, v in eq.data_vars.items() if v.dims[0] == "draw"]]
            part.to_zarr(where, group=EQUILIBRIA_GROUP, append_dim="draw", consolidated=False)
            raise OSError("no space left on device")
        return append_two_dims(eq, where)

    monkeypatch.setattr(store_module, "_append_two_dims", crash_in_second_half)
    with pytest.raises(OSError, match="no space"):
        asim.simulate(scn, N, keep=False, store=path, scheduler="sync", **KW)
    monkeypatch.setattr(store_module, "_append_two_dims", append_two_dims)
    shape = json.loads((path / "nash_payment" / "zarr.json").read_text())["shape"]
    assert shape == [N]  # the main arrays are all there, the equilibria not
    asim.simulate(scn, N, keep=False, store=path, resume=True, scheduler="sync", **KW)
    assert_same_store(ref_path, path)


@pytest.mark.slow
def test_a_damaged_chunk_is_computed_again(scn, reference, fail_from, tmp_path):
    _, ref_path = reference
    path = tmp_path / "d.zarr"
    interrupted(scn, path, fail_from, 2)
    chunk = path / "nash_payment" / "c" / "1"  # the second task's
    data = bytearray(chunk.read_bytes())
    data[30] ^= 0xFF
    chunk.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match=r"draws after 65,536 \(of 131,072 written\) failed"):
        asim.simulate(scn, N, keep=False, store=path, resume=True, scheduler="sync", **KW)
    assert_same_store(ref_path, path)


@pytest.mark.slow
def test_a_crash_while_finishing_is_completed_by_resume(scn, reference, monkeypatch, tmp_path):
    """Killed after marking the store complete but before its manifest was written."""
    import zarr

    _, ref_path = reference
    path = tmp_path / "f.zarr"
    finish = store_module._finish

    def killed_while_finishing(where, attrs):
        zarr.open_group(where, mode="r+").attrs.update({**attrs, "complete": 1})
        raise OSError("killed")

    monkeypatch.setattr(store_module, "_finish", killed_while_finishing)
    with pytest.raises(OSError, match="killed"):
        asim.simulate(scn, N, keep=False, store=path, scheduler="sync", **KW)
    monkeypatch.setattr(store_module, "_finish", finish)
    with pytest.raises(ValueError, match="no checksum manifest"):
        asim.load_result(path)
    monkeypatch.setattr(execution, "run_task", lambda *a: pytest.fail("a task ran"))
    asim.simulate(scn, N, keep=False, store=path, resume=True, scheduler="sync", **KW)
    assert_same_store(ref_path, path)


def test_resuming_a_complete_store_reads_it_back_and_writes_nothing(scn, reference, monkeypatch):
    ref, ref_path = reference
    files = {p: p.stat().st_mtime_ns for p in ref_path.rglob("*") if p.is_file()}

    def no_tasks(*args, **kwargs):
        raise AssertionError("a task ran")

    monkeypatch.setattr(execution, "run_task", no_tasks)
    again = asim.simulate(scn, N, keep=False, store=ref_path, resume=True, **KW)
    pd.testing.assert_frame_equal(again.summary(), ref.summary(), check_exact=True)
    assert {p: p.stat().st_mtime_ns for p in ref_path.rglob("*") if p.is_file()} == files
    kept = asim.simulate(scn, N, store=ref_path, resume=True, **KW)
    assert kept.n == N and np.array_equal(
        kept["nash_payment"], asim.load_result(ref_path)["nash_payment"], equal_nan=True
    )


def test_resuming_with_other_arguments_names_every_mismatch(scn, fail_from, tmp_path):
    path = tmp_path / "m.zarr"
    interrupted(scn, path, fail_from, 1)
    before = sorted(p.relative_to(path) for p in path.rglob("*"))
    seed_mismatch = r"cannot resume .*seed: the store's is 11, this call's 12"
    with pytest.raises(ValueError, match=seed_mismatch):
        asim.simulate(scn, N, keep=False, store=path, resume=True, **{**KW, "seed": 12})
    with pytest.raises(ValueError, match=r"n: the store's is 131572, this call's 131573") as info:
        asim.simulate(scn, N + 1, keep=False, store=path, resume=True, **{**KW, "chunk_size": 1000})
    assert "chunk_size: the store's is 65536, this call's 1000" in str(info.value)
    with pytest.raises(ValueError, match="sampler: the store's is 'random', this call's 'sobol'"):
        asim.simulate(scn, N, keep=False, store=path, resume=True, sampler="sobol", **KW)
    with pytest.raises(ValueError, match="stances: the store's is True, this call's False"):
        asim.simulate(scn, N, keep=False, store=path, resume=True, **{**KW, "stances": False})
    other = dataclasses.replace(scn, title=f"{scn.title} (variant)")
    with pytest.raises(ValueError, match=r"scenario: its TOML differs .* at line \d+: 'title"):
        asim.simulate(other, N, keep=False, store=path, resume=True, **KW)
    assert sorted(p.relative_to(path) for p in path.rglob("*")) == before  # untouched


def test_resume_needs_a_store_and_excludes_overwrite(scn, tmp_path):
    with pytest.raises(ValueError, match="resume=True needs store=path"):
        asim.simulate(scn, 100, seed=1, resume=True)
    with pytest.raises(ValueError, match="pass only one"):
        asim.simulate(scn, 100, seed=1, store=tmp_path / "x.zarr", resume=True, overwrite=True)
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("text")
    with pytest.raises(FileExistsError, match="not an alliance_sim result store"):
        asim.simulate(scn, 100, seed=1, store=folder, resume=True)
    # Nothing there yet: resume=True simply writes a new store.
    res = asim.simulate(scn, 300, seed=1, keep=False, store=tmp_path / "new.zarr", resume=True)
    assert asim.load_result(res.store).n == 300


def test_a_store_without_run_settings_cannot_be_resumed(scn, tmp_path):
    res = asim.simulate(scn, 300, seed=1, stances=False, talks=False)
    path = res.save(tmp_path / "saved.zarr")
    with pytest.raises(ValueError, match="records no run settings"):
        asim.simulate(scn, 300, seed=1, store=path, resume=True, stances=False, talks=False)


@pytest.mark.slow
def test_cli_resume(scn, fail_from, tmp_path):
    from alliance_sim.cli import main

    args = ["run", "japan_us_2020", "--draws", str(N), "--no-talks", "--no-stances", "--stream"]
    args += ["--workers", "1"]  # in-process: the first task is written before the crash
    whole, part = tmp_path / "whole.zarr", tmp_path / "part.zarr"
    assert main([*args, "--store", str(whole)]) == 0
    undo = fail_from(BLOCK)
    with pytest.raises(ChunkError):
        main([*args, "--store", str(part)])
    undo()
    with pytest.raises(ValueError, match=f"incomplete: {BLOCK:,} of {N:,}"):
        asim.load_result(part)
    assert main([*args, "--store", str(part)]) == 1  # exists: refused without --resume
    assert main([*args, "--seed", "8", "--store", str(part), "--resume"]) == 1  # another run
    assert main([*args, "--store", str(part), "--resume"]) == 0
    assert_same_store(whole, part)
    assert main([*args, "--store", str(part), "--resume", "--overwrite"]) == 1
