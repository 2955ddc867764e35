"""The Japan–US 2020 preset, scenario validation, simulate and its results."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import alliance_sim as asim
from alliance_sim.parameters import Derived, Parameter
from alliance_sim.scenarios import japan_us_2020
from alliance_sim.sweep import OUTPUTS


@pytest.fixture(scope="module")
def scn():
    return japan_us_2020()


@pytest.fixture(scope="module")
def res(scn):
    return asim.simulate(scn, n=20_000, seed=7)


# --- The preset ----------------------------------------------------------------------------


def test_every_number_has_provenance(scn):
    kinds = ("fact", "estimate", "assumption", "definition", "calibrated")
    for e in scn.parameters.entries:
        assert e.unit, e.name
        text = e.provenance.lower()
        assert any(text.startswith(k) for k in kinds), f"{e.name}: {e.provenance}"
        if isinstance(e, Parameter) and not e.is_fixed and not text.startswith("definition"):
            # A distribution is a judgement: it must say so and give a reason.
            assert "assumption" in text, e.name
            assert len(text) > 40, e.name


def test_preset_facts(scn):
    p = scn.parameters
    assert p["status_quo"].value == 199.3
    assert p["fx"].value == 105.0
    d = p.sample(4, seed=0)
    np.testing.assert_allclose(d["demand"], 840.0)  # $8bn at ¥105
    np.testing.assert_allclose(d["C_U"], 5.47 * 105)  # DoD: $5.47bn for FY2016
    assert p["t_inauguration"].value == pytest.approx(97 / 365.25)
    assert p["t_expiry"].value > p["t_signing"].value > p["t_inauguration"].value


def test_print_shows_distribution_unit_and_provenance(scn):
    text = str(scn)
    assert "japan_us_2020" in text
    for name in scn.parameters:
        assert re.search(rf"^\s+{name}\s", text, flags=re.M), name
    assert "lognorm(median=4200, sigma=0.5)" in text and "Operation and Maintenance" in text
    frame = scn.summary_frame()
    assert list(frame.columns) == ["value", "unit", "provenance"]


def test_scenario_validation_names_the_parameter(scn):
    with pytest.raises(ValueError, match=r"'rho_J'.*support \[0.5, 1.5\].*allowed range \[0, 1\]"):
        scn.with_parameters(rho_J=stats.uniform(0.5, 1.0))
    unbounded = scn.parameters.replace("mcpf_J", value=-2.0, bounds=(-np.inf, np.inf))
    with pytest.raises(ValueError, match=r"'mcpf_J' must lie in \(-1, inf\).*value is \[-2, -2\]"):
        asim.Scenario(**{**_fields(scn), "parameters": unbounded})
    with pytest.raises(ValueError, match=r"'w_incumbent' must lie in \(0, inf\)"):
        scn.with_parameters(w_incumbent=0.0)
    with pytest.raises(ValueError, match=r"'beta_US'.*\[0, 1\]"):
        scn.with_parameters(beta_US=1.2)
    with pytest.raises(ValueError, match="payment_floor must be a finite number >= 0"):
        asim.Scenario(**{**_fields(scn), "payment_floor": -1.0})
    with pytest.raises(ValueError, match=r"reads \['c_J'\]"):
        space = asim.ParameterSpace(e for e in scn.parameters.entries if e.name != "c_J")
        asim.Scenario(**{**_fields(scn), "parameters": space})


def _fields(scn):
    return {f.name: getattr(scn, f.name) for f in dataclasses.fields(scn) if f.init}


def test_derived_values_are_checked_when_drawn(scn):
    bad = scn.parameters.add()  # same space
    entries = [
        Derived("C_U", ("C_U_usd", "fx"), lambda a, b: -a * b, "-C_U_usd·fx", "¥", "test")
        if e.name == "C_U"
        else e
        for e in bad.entries
    ]
    broken = asim.Scenario(**{**_fields(scn), "parameters": asim.ParameterSpace(entries)})
    with pytest.raises(ValueError, match=r"C_U must lie in \[0, inf\)"):
        asim.simulate(broken, 10, seed=1)


# --- simulate ---------------------------------------------------------------------------


def test_outputs_shapes_and_marks(res):
    for name in (
        "lo",
        "hi",
        "feasible",
        "nash_payment",
        "ks_payment",
        "split_payment",
        "challenger_wins",
    ):
        assert res[name].shape == (20_000,)
    pattern = re.compile(r"^(tokyo|washington)_[a-z]+_(prob|in_every_eq|in_some_eq)$")
    assert all(k in OUTPUTS or pattern.match(k) for k in res.outputs)
    for name in ("nash_payment", "ks_payment", "split_payment"):
        assert np.array_equal(np.isnan(res[name]), ~res["feasible"])
    for name in ("lo", "hi", "payer_reservation", "payee_reservation"):
        assert np.isfinite(res[name]).all()
    assert res["feasible"].dtype == bool and res["challenger_wins"].dtype == bool
    assert res["S_J"].shape == (20_000,)  # parameters too
    with pytest.raises(KeyError, match="no output or parameter 'nope'"):
        res["nope"]


def test_same_seed_identical_different_seed_different(scn, res):
    again = asim.simulate(scn, n=20_000, seed=7)
    other = asim.simulate(scn, n=20_000, seed=8)
    for k in res.outputs:
        np.testing.assert_array_equal(res[k], again[k])
    assert not np.array_equal(res["nash_payment"], other["nash_payment"])


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_results_do_not_depend_on_chunk_size(scn, sampler):
    runs = [
        asim.simulate(scn, n=5_000, seed=3, sampler=sampler, chunk_size=c)
        for c in (5_000, 1_000, 777)
    ]
    for other in runs[1:]:
        for k in runs[0].outputs:
            assert np.array_equal(runs[0][k], other[k], equal_nan=True), k
    pd.testing.assert_frame_equal(runs[0].summary(), runs[1].summary())


def test_lhs_runs_in_one_piece(scn):
    r = asim.simulate(scn, n=1_000, seed=3, sampler="lhs", chunk_size=100)
    assert r.n == 1_000


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive int"),
        ({"n": 10, "chunk_size": 0}, ValueError, "chunk_size must be a positive int"),
        ({"n": 10, "sampler": "mc"}, ValueError, "sampler must be one of"),
        ({"n": 10, "seed": "abc"}, TypeError, "seed must be"),
    ],
)
def test_simulate_bad_input(scn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        asim.simulate(scn, **kwargs)
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        asim.simulate("japan_us_2020", 10)  # type: ignore[arg-type]


# --- Results and summaries -------------------------------------------------------------


def test_summary_matches_direct_computation(res):
    table = res.summary()
    assert list(table.columns) == ["all", "incumbent wins", "challenger wins"]
    chal = res["challenger_wins"]
    for col, mask in (
        ("all", np.ones(res.n, bool)),
        ("incumbent wins", ~chal),
        ("challenger wins", chal),
    ):
        f = res["feasible"][mask]
        assert table.loc[("draws", "count"), col] == mask.sum()
        assert table.loc[("settlement range", "P(non-empty)"), col] == pytest.approx(f.mean())
        assert table.loc[("demand", "P(inside range)"), col] == pytest.approx(
            res["demand_in_range"][mask].mean()
        )
        for name in ("lo", "hi"):
            assert table.loc[(name, "q50"), col] == pytest.approx(np.median(res[name][mask]))
        x = res["nash_payment"][mask][f]
        assert table.loc[("nash_payment", "q05"), col] == pytest.approx(np.quantile(x, 0.05))
        assert table.loc[("nash_payment", "mean"), col] == pytest.approx(x.mean())
    assert not table.drop(columns=[]).isna().any().any()


def test_summary_of_a_group_without_feasible_draws_is_marked_not_poisoned(scn):
    # Tokyo loses nothing without a deal and pays a budget cost with one: it accepts no payment.
    hopeless = scn.with_parameters(c_J=0.0, S_J=0.0, c_budget=stats.uniform(1.0, 10.0))
    r = asim.simulate(hopeless, n=2_000, seed=1)
    assert not r["feasible"].any()
    table = r.summary()
    assert (table.loc[("settlement range", "P(non-empty)")] == 0).all()
    assert table.loc[("nash_payment", "q50")].isna().all()  # statistic over an empty set
    assert np.isfinite(table.loc[("lo", "q50")]).all()


def test_where_and_to_frame(res):
    chal = res.where("challenger_wins")
    assert chal.n == res["challenger_wins"].sum() and chal["challenger_wins"].all()
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        res.where(res["lo"])
    frame = res.to_frame()
    assert len(frame) == res.n and "nash_payment" in frame
    assert "S_J" in res.to_frame(parameters=True)
    with pytest.raises(ValueError, match="quantiles must be"):
        res.summary(quantiles=[0.5, 1.5])


def test_results_by_winner_differ_as_the_model_says(res):
    """The incumbent's credible drawdown threat raises Tokyo's reservation payment."""
    chal = res["challenger_wins"]
    assert np.median(res["hi"][~chal]) > np.median(res["hi"][chal])
    assert np.median(res["nash_payment"][~chal]) > np.median(res["nash_payment"][chal])


def test_custom_term_flows_through_the_engine(scn):
    """A researcher's own term (a war-weariness discount above ¥300bn) still vectorizes."""
    weary = asim.players.FunctionTerm(
        "weariness",
        lambda d, x, T, t: -0.5 * np.maximum(0.0, x - 300.0),
        kinks=lambda d: [np.full(np.shape(d["status_quo"]), 300.0)],
    )
    custom = scn.with_players(payee=scn.payee.with_term(weary))
    base, new = asim.simulate(scn, 4_000, seed=5), asim.simulate(custom, 4_000, seed=5)
    assert np.all(new["payee_reservation"] >= base["payee_reservation"] - 1e-9)
    assert np.nanmedian(new["nash_payment"]) <= np.nanmedian(base["nash_payment"]) + 1e-9
