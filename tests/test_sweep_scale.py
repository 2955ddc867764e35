"""Sweeps at scale: bit-identical results across chunk sizes and backends, streaming,
conditional summaries, progress, and clear errors."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import alliance_sim as asim
from alliance_sim.parameters import BLOCK, Derived, Parameter, formulas
from alliance_sim.results.sketch import ALPHA, MIN_MAGNITUDE
from alliance_sim.results.summary import Grouping
from alliance_sim.sweep import ChunkError

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

# Two full blocks and a partial third: block and task boundaries are exercised.
N = 2 * BLOCK + 8_000
CORE = {"stances": False, "talks": False}


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


def assert_same_arrays(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        assert np.array_equal(a[k], b[k], equal_nan=True), k


@pytest.fixture(scope="module", params=["random", "sobol"])
def baseline(request, scn):
    sampler = request.param
    kept = asim.simulate(scn, N, seed=2024, sampler=sampler, scheduler="sync", **CORE)
    streamed = asim.simulate(
        scn, N, seed=2024, sampler=sampler, scheduler="sync", keep=False, **CORE
    )
    return sampler, kept, streamed


def _matrix():
    """Every (chunk size, backend) pair; the default suite keeps two, `-m slow` runs all."""
    fast = {(7_919, "sync"), (65_536, "threads")}
    for chunk_size in (1_000, 7_919, 65_536):
        for backend in ("sync", "threads", "cluster"):
            marks = () if (chunk_size, backend) in fast else (pytest.mark.slow,)
            yield pytest.param(chunk_size, backend, marks=marks, id=f"{chunk_size}-{backend}")


@pytest.mark.filterwarnings("ignore:a Sobol")
@pytest.mark.parametrize(("chunk_size", "backend"), list(_matrix()))
def test_determinism_matrix(scn, baseline, request, chunk_size, backend):
    sampler, kept, streamed = baseline
    kw = dict(seed=2024, sampler=sampler, chunk_size=chunk_size, **CORE)
    if backend == "cluster":
        kw["client"] = request.getfixturevalue("client")
    else:
        kw.update(scheduler=backend, workers=2)
    again = asim.simulate(scn, N, **kw)
    assert_same_arrays(again, kept)
    pd.testing.assert_frame_equal(again.summary(), kept.summary(), check_exact=True)
    again_streamed = asim.simulate(scn, N, keep=False, **kw)
    pd.testing.assert_frame_equal(again_streamed.summary(), streamed.summary(), check_exact=True)


@pytest.mark.slow
def test_cluster_runs_all_stages_bit_identically(scn, client):
    n = BLOCK + 3_000
    local = asim.simulate(scn, n, seed=5, chunk_size=7_919, scheduler="sync")
    remote = asim.simulate(scn, n, seed=5, chunk_size=BLOCK, client=client)
    assert "spe_payment" in local and "stance_outcome" in local
    assert_same_arrays(local, remote)
    for f in dataclasses.fields(local.stance_equilibria):
        a = getattr(local.stance_equilibria, f.name)
        b = getattr(remote.stance_equilibria, f.name)
        assert np.array_equal(a, b, equal_nan=True), f.name
    pd.testing.assert_frame_equal(local.summary(), remote.summary(), check_exact=True)


def is_quantile_row(label):
    return label[1].startswith("q") and label[1][1:].isdigit()


def test_streamed_summary_equals_the_exact_one(baseline):
    _, kept, streamed = baseline
    exact, approx = kept.summary(), streamed.summary()
    assert list(exact.index) == list(approx.index)
    assert list(exact.columns) == list(approx.columns)
    moments = [i for i in exact.index if not is_quantile_row(i)]
    # Counts, probabilities, means and sds: the same block reduction, bit for bit.
    pd.testing.assert_frame_equal(exact.loc[moments], approx.loc[moments], check_exact=True)
    # ... and they agree with numpy over all draws.
    m = kept["feasible"]
    np.testing.assert_allclose(
        exact.loc[("nash_payment", "mean"), "all"], kept["nash_payment"][m].mean(), rtol=1e-13
    )
    np.testing.assert_allclose(
        exact.loc[("nash_payment", "sd"), "all"], kept["nash_payment"][m].std(ddof=1), rtol=1e-11
    )
    # Quantiles: within the documented bound of the sketch.
    masks = dict(Grouping("challenger_wins").masks(kept.outputs))
    labels = {Grouping("challenger_wins").label(c): c for c in masks}
    quantities = {"lo": ("lo", None), "hi": ("hi", None)}
    quantities.update({p: (p, "feasible") for p in asim.results.PAYMENT_OUTPUTS})
    for (quantity, stat), row in approx.iterrows():
        if not is_quantile_row((quantity, stat)):
            continue
        q = int(stat[1:]) / 100
        var, where = quantities[quantity]
        for col, est in row.items():
            sel = masks[labels[col]] & (kept[where] if where else True)
            x = np.sort(kept[var][sel])
            k = int(np.floor((x.size - 1) * q))
            bound = ALPHA * max(abs(x[k]), abs(x[min(k + 1, x.size - 1)])) + MIN_MAGNITUDE
            assert abs(est - exact.loc[(quantity, stat), col]) <= bound * (1 + 1e-12)


def test_streamed_talks_summary_has_exact_integer_quantiles(scn):
    n = 6_000
    kept = asim.simulate(scn, n, seed=9)
    streamed = asim.simulate(scn, n, seed=9, keep=False)
    rows = [("agreement week", f"q{p:02d}") for p in (5, 25, 50, 75, 95)]
    pd.testing.assert_frame_equal(
        kept.summary().loc[rows], streamed.summary().loc[rows], check_exact=True
    )


def test_conditional_and_summary_by_any_output(scn):
    res = asim.simulate(scn, 8_000, seed=3)
    parts = res.conditional("spe_agreement")
    assert list(parts) == ["spe_agreement: no", "spe_agreement: yes"]
    assert sum(p.n for p in parts.values()) == res.n
    assert parts["spe_agreement: yes"]["spe_agreement"].all()
    table = res.summary(by="spe_agreement")
    assert list(table.columns) == ["all", "spe_agreement: no", "spe_agreement: yes"]
    assert table.loc[("draws", "count"), "spe_agreement: yes"] == parts["spe_agreement: yes"].n
    # The column of a category equals the summary of that subset.
    sub = parts["spe_agreement: yes"].summary(by=None)["all"]
    pd.testing.assert_series_equal(
        table["spe_agreement: yes"].drop(("draws", "share")),
        sub.drop(("draws", "share")),
        check_names=False,
    )
    # Integer outputs give one column per value seen; streamed runs group at run time.
    by_cell = res.summary(by="stance_outcome")
    values = sorted(np.unique(res["stance_outcome"]))
    assert list(by_cell.columns) == ["all", *(f"stance_outcome={v}" for v in values)]
    streamed = asim.simulate(scn, 8_000, seed=3, keep=False, by="stance_outcome")
    moments = [i for i in by_cell.index if not is_quantile_row(i)]
    pd.testing.assert_frame_equal(
        streamed.summary().loc[moments], by_cell.loc[moments], check_exact=True
    )
    with pytest.raises(ValueError, match="streamed its summary grouped by 'stance_outcome'"):
        streamed.summary(by="challenger_wins")
    with pytest.raises(ValueError, match="boolean or integer output"):
        res.summary(by="nash_payment")
    with pytest.raises(ValueError, match="boolean or integer output"):
        asim.simulate(scn, 100, seed=1, keep=False, by="nash_payment", **CORE)


def test_streamed_result_holds_no_draws(scn):
    res = asim.simulate(scn, 5_000, seed=1, keep=False, **CORE)
    assert not res.kept and res.n == 5_000 and res.outputs == {}
    with pytest.raises(KeyError, match="keep=False"):
        res["nash_payment"]
    for method in (res.to_frame, res.to_xarray, lambda: res.where("feasible")):
        with pytest.raises(ValueError, match="did not keep"):
            method()
    assert "keep=False" in repr(res)


def test_sobol_warns_once_when_not_a_power_of_two(scn):
    with pytest.warns(UserWarning, match="n=1000 points is not balanced") as record:
        asim.simulate(scn, 1_000, seed=1, sampler="sobol", chunk_size=300, **CORE)
    assert len([w for w in record if "not balanced" in str(w.message)]) == 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asim.simulate(scn, 1_024, seed=1, sampler="sobol", chunk_size=300, **CORE)


def test_lhs_is_chunked_bit_identically(scn):
    a = asim.simulate(scn, 3_000, seed=4, sampler="lhs", chunk_size=3_000, **CORE)
    b = asim.simulate(scn, 3_000, seed=4, sampler="lhs", chunk_size=700, **CORE)
    assert_same_arrays(a, b)
    u = np.sort(scn.parameters["lapse_J"].value.cdf(a["lapse_J"]))  # one stratum per draw
    assert np.array_equal(np.floor(u * 3_000), np.arange(3_000))


def test_progress_bar_only_when_asked(scn, capsys):
    asim.simulate(scn, 2_000, seed=1, progress=True, **CORE)
    assert "draw" in capsys.readouterr().err
    asim.simulate(scn, 2_000, seed=1, progress=False, **CORE)
    asim.simulate(scn, 2_000, seed=1, **CORE)  # not a terminal: silent
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive int"),
        ({"n": 1e6}, ValueError, "n must be a positive int"),
        ({"n": -5}, ValueError, "n must be a positive int"),
        ({"n": 10, "sampler": "halton"}, ValueError, "sampler must be one of"),
        ({"n": 10, "scheduler": "processes"}, ValueError, "scheduler must be one of"),
        ({"n": 10, "workers": 0}, ValueError, "workers must be a positive int"),
        ({"n": 10, "client": "tcp://localhost:8786"}, TypeError, "dask.distributed.Client"),
        ({"n": 10, "chunk_size": 10**9}, ValueError, "use a smaller chunk_size"),
        ({"n": 10**10}, ValueError, "use keep=False"),
    ],
)
def test_bad_input_is_rejected_before_any_task(scn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        asim.simulate(scn, seed=1, **kwargs)


def failing_scenario(scn):
    """A scenario and seed whose sampling breaks (NaN) only in the second block of draws."""
    u = scn.parameters.add(Parameter("u_fail", stats.uniform(), "1", "test"))
    for seed in range(70, 100):  # the first seed whose block 1 holds the largest u_fail
        probe = u.sample(2 * BLOCK, seed=seed)["u_fail"]
        first, second = probe[:BLOCK].max(), probe[BLOCK:].max()
        if second > first:
            break
    threshold = (first + second) / 2
    space = u.add(
        Derived("headroom", (threshold, "u_fail"), formulas.difference, "t - u", "1", "test"),
        Derived("root_headroom", ("headroom",), np.sqrt, "sqrt(headroom)", "1", "test"),
    )
    return dataclasses.replace(scn, parameters=space), seed


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")
@pytest.mark.parametrize(
    "backend", ["sync", "threads", pytest.param("cluster", marks=pytest.mark.slow)]
)
def test_a_failing_task_names_its_draws_and_seed(scn, request, backend):
    bad, seed = failing_scenario(scn)
    if backend == "cluster":
        kw = {"client": request.getfixturevalue("client")}
    else:
        kw = {"scheduler": backend, "workers": 2}
    with pytest.raises(ChunkError, match=r"task 1 \(draws 65536–131071\)") as info:
        asim.simulate(bad, 2 * BLOCK, seed=seed, keep=False, **CORE, **kw)
    err = info.value
    assert (err.index, err.start, err.stop, err.entropy) == (1, BLOCK, 2 * BLOCK, seed)
    assert f"SeedSequence({seed}" in str(err)
    # The message's recipe reproduces the failure; the first block is fine.
    bad.parameters.sample(BLOCK, seed=np.random.SeedSequence(seed), start=0)
    with pytest.raises((ValueError, RuntimeWarning)):
        bad.parameters.sample(BLOCK, seed=np.random.SeedSequence(seed), start=BLOCK)
