"""Rolling backtest: the no-peeking rule, the rescaled scenario, the scores and the tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import alliance_sim as asim
from alliance_sim.backtest import (
    SEED,
    BacktestInputs,
    NotEvaluable,
    actual_amount,
    backtest,
    backtest_table,
    build_inputs,
    money_parameters,
    predict,
    scale_distribution,
    scenario_for,
    stated_amounts,
    summary_table,
)
from alliance_sim.data import agreements
from alliance_sim.scenarios import japan_us_2020

N = 2_000

#: agreement → (unit, base year, x0, actual, US type), from the dataset by hand.
EXPECTED = {
    "2008 SMA (6th)": ("¥bn", 2006, 232.6, 208.3, "challenger"),
    "2011 SMA (7th)": ("¥bn", 2008, 208.3, 188.1, "challenger"),
    "2016 SMA (8th)": ("¥bn", 2011, 188.1, 192.0, "challenger"),
    "2nd SMA": ("$M", 1993, 220.0, 260.0, "challenger"),
    "3rd SMA": ("$M", 1995, 300.0, 330.0, "challenger"),
    "4th SMA": ("$M", 1998, 390.0, 330.0, "challenger"),
    "5th SMA": ("$M", 2001, 440.0, 470.0, "challenger"),
    "7th SMA": ("₩bn", 2005, 680.4, 725.5, "challenger"),
    "8th SMA": ("₩bn", 2008, 741.5, 760.0, "challenger"),
    "9th SMA": ("₩bn", 2013, 869.5, 920.0, "challenger"),
    "10th SMA": ("₩bn", 2018, 960.2, 1038.9, "incumbent"),
}
PREDICTION_COLUMNS = [
    "x0",
    "base_year",
    "us_type",
    "previous_change",
    "last_change",
    "p_feasible",
    *(f"{k}_q{q}" for k in ("pred", "lo", "hi") for q in ("05", "25", "50", "75", "95")),
]


@pytest.fixture(scope="module")
def df():
    return agreements()


@pytest.fixture(scope="module")
def result(df):
    return backtest(df, n=N, seed=SEED)


def _row(df, name):
    return df[df["agreement"] == name].iloc[0]


def _history(df, row):
    return df[df["start_fy"] < row["start_fy"]]


# --- Which agreements, with which inputs --------------------------------------------------------


def test_scored_agreements_and_inputs(result):
    table = result.table
    assert list(table.index) == list(EXPECTED)
    for name, (unit, year, x0, actual, us_type) in EXPECTED.items():
        r = table.loc[name]
        assert (r["unit"], r["base_year"], r["us_type"]) == (unit, year, us_type), name
        assert r["x0"] == pytest.approx(x0, rel=1e-12), name
        assert r["actual"] == pytest.approx(actual, rel=1e-12), name


def test_skipped_agreements_have_reasons(result, df):
    skipped = result.summary["skipped"]
    assert set(skipped) | set(result.table.index) == set(df["agreement"])
    assert skipped["6th SMA"] == "no earlier amount in KRW"  # the switch from dollars to won
    assert skipped["1st SMA"] == "no earlier amount in USD"
    assert skipped["2006 SMA (5th)"] == "no earlier amount in JPY"
    assert skipped["1995 SMA (3rd)"].startswith("no amount stated")


def test_previous_change(result):
    t = result.table
    assert t.loc["2011 SMA (7th)", "previous_change"] == pytest.approx(208.3 / 232.6 - 1)
    assert t.loc["2011 SMA (7th)", "previous_change_basis"] == "computed"
    assert t.loc["2008 SMA (6th)", "previous_change"] == pytest.approx(-0.022)
    assert t.loc["2008 SMA (6th)", "previous_change_basis"] == "stated"
    assert t.loc["7th SMA", "previous_change"] == pytest.approx(-0.089)  # the 6th's stated cut
    assert t.loc["2nd SMA", "previous_change_basis"] == "none"
    assert t.loc["2nd SMA", "previous_change"] == 0.0
    assert t.loc["10th SMA", "previous_change"] == pytest.approx(920.0 / 869.5 - 1)


def test_stated_amounts_priority(df):
    # Japan 2016: the FY2016 budget (a yearly figure) beats the 'around 190bn' average
    assert stated_amounts(_row(df, "2016 SMA (8th)")) == {2016: 192.0e9}
    # Korea 4th: the MND series (330M) beats the first-year amount (333M) of another source
    assert stated_amounts(_row(df, "4th SMA"))[1999] == 330e6
    # Korea 5th: its two-currency first-year amount is never read: the series covers 2002
    assert stated_amounts(_row(df, "5th SMA"))[2002] == 470e6
    assert stated_amounts(_row(df, "2011 SMA (7th)")) == {2011: 188.1e9}
    assert stated_amounts(_row(df, "1991 SMA (2nd)")) == {}
    with pytest.raises(NotEvaluable, match="first year 1991"):
        actual_amount(_row(df, "1991 SMA (2nd)"))


# --- No peeking -------------------------------------------------------------------------------


def test_history_with_later_rows_is_refused(df):
    row = _row(df, "8th SMA")
    with pytest.raises(ValueError, match=r"later rows \['8th SMA'"):
        build_inputs(row, df[df["start_fy"] <= row["start_fy"]])
    with pytest.raises(ValueError, match="later rows"):
        build_inputs(row, df)


def _corrupt_amounts(frame, mask, factor):
    """Multiply every amount of the masked rows (columns and notes) by ``factor``."""
    out = frame.copy()
    for col in ("total_local_ccy", "annual_avg_local_ccy"):
        out.loc[mask, col] = out.loc[mask, col] * factor
    out.loc[mask, "change_vs_previous_pct"] = 55.0
    out.loc[mask, "us_demand"] = "USD 99bn at once"
    out.loc[mask, "term_years"] = 1
    out.loc[mask, "signed"] = "2018-06-01"  # inside the incumbent's term

    def scale(match):
        return f"{float(match.group(1)) * factor:.4f}{match.group(2)}"

    notes = out.loc[mask, "notes"].str.replace(r"(\d+(?:\.\d+)?)(bn|M)", scale, regex=True)
    out.loc[mask, "notes"] = notes.str.replace(
        r"first_year_amount=(\d+) USD",
        lambda m: f"first_year_amount={int(m[1]) * factor} USD",
        regex=True,
    )
    return out


@pytest.mark.parametrize("name", ["2011 SMA (7th)", "3rd SMA", "8th SMA"])
def test_later_rows_do_not_change_the_prediction(df, result, name):
    """Corrupt every later row's amounts: the prediction for ``name`` stays bit-identical."""
    start = _row(df, name)["start_fy"]
    bad = _corrupt_amounts(df, df["start_fy"] > start, 10)
    again = backtest(bad, n=N, seed=SEED).table.loc[name]
    pd.testing.assert_series_equal(
        again[PREDICTION_COLUMNS], result.table.loc[name, PREDICTION_COLUMNS]
    )


@pytest.mark.parametrize("name", ["2016 SMA (8th)", "5th SMA", "10th SMA"])
def test_the_target_amount_does_not_change_the_prediction(df, result, name):
    """Corrupt the target's own amounts (and demand, term): only 'actual' changes."""
    target = df["agreement"] == name
    bad = _corrupt_amounts(df, target, 3)
    bad.loc[target, "signed"] = df.loc[target, "signed"]  # its identity: the signing date
    again = backtest(bad, n=N, seed=SEED).table.loc[name]
    pd.testing.assert_series_equal(
        again[PREDICTION_COLUMNS], result.table.loc[name, PREDICTION_COLUMNS]
    )
    assert again["actual"] == pytest.approx(3 * result.table.loc[name, "actual"])


def test_inputs_read_only_the_targets_identity(df):
    row = _row(df, "9th SMA")
    history = _history(df, row)
    stripped = row.copy()
    for col in ("total_local_ccy", "annual_avg_local_ccy", "change_vs_previous_pct", "term_years"):
        stripped[col] = pd.NA
    stripped["notes"] = stripped["us_demand"] = stripped["source"] = None
    assert build_inputs(stripped, history) == build_inputs(row, history)


def test_an_earlier_row_does_change_the_prediction(df, result):
    """The test above is not vacuous: the 2008 row feeds the 2011 prediction."""
    bad = _corrupt_amounts(df, df["agreement"] == "2008 SMA (6th)", 2)
    again = backtest(bad, n=N, seed=SEED).table.loc["2011 SMA (7th)"]
    assert again["x0"] == pytest.approx(2 * 208.3)
    assert again["pred_q50"] == pytest.approx(2 * result.table.loc["2011 SMA (7th)", "pred_q50"])


# --- The rescaled scenario -------------------------------------------------------------------


def test_money_parameters_of_the_preset():
    assert set(money_parameters(japan_us_2020())) == {
        "status_quo",
        "demand_usd",
        "C_U_usd",
        "S_J",
        "c_J",
        "c_budget",
        "S_U",
        "lapse_J",
        "lapse_U",
        "congress_min",
        "c_renegotiate",
        "a_incumbent",
        "a_challenger",
    }


def test_scale_distribution():
    d = scale_distribution(stats.lognorm(0.5, scale=4200.0), 0.5)
    assert d.median() == pytest.approx(2100.0) and d.args == (0.5,)
    u = scale_distribution(stats.uniform(250.0, 250.0), 2.0)
    assert u.support() == pytest.approx((500.0, 1000.0))
    b = scale_distribution(stats.beta(a=2, b=6, loc=1.0, scale=3.0), 2.0)
    assert b.support() == pytest.approx((2.0, 8.0)) and b.mean() == pytest.approx(2 + 6 * 0.25)
    assert scale_distribution(199.3, 2.0) == 398.6


def _inputs(x0=100.0, us_type="challenger"):
    return BacktestInputs("t", "Japan", "JPY", 2000, "¥bn", 1999, x0, 0.0, "none", us_type)


def test_scenario_for_rescales_money_only():
    base = japan_us_2020()
    scn = scenario_for(_inputs(x0=99.65), base)
    p, q = scn.parameters, base.parameters
    assert p["status_quo"].value == 99.65
    assert p["S_J"].value.median() == pytest.approx(2100.0)
    assert p["c_J"].value.support() == pytest.approx((125.0, 250.0))
    assert p["C_U_usd"].value == pytest.approx(5.47 / 2)
    assert p["demand_usd"].value == 0.0 and p["p_challenger"].value == 1.0
    for name in ("beta_US", "mcpf_J", "kappa_J", "kappa_U", "rho_J", "w_incumbent", "fx"):
        assert p[name] == q[name], name
    assert scenario_for(_inputs(us_type="incumbent"), base).parameters["p_challenger"].value == 0


def test_switched_off_election_puts_one_type_in_office():
    for us_type, challenger in (("challenger", True), ("incumbent", False)):
        res = asim.simulate(scenario_for(_inputs(us_type=us_type)), 500, seed=1, stances=False)
        assert (res["challenger_in_office"] == challenger).all()


def test_demand_does_not_enter_the_scored_outputs():
    scn = scenario_for(_inputs())
    a = asim.simulate(scn, 2_000, seed=3, stances=False, talks=False)
    b = asim.simulate(
        scn.with_parameters(demand_usd=8.0), 2_000, seed=3, stances=False, talks=False
    )
    for out in ("nash_payment", "lo", "hi", "feasible"):
        np.testing.assert_array_equal(a[out], b[out])


def test_prediction_is_x0_times_one_ratio_distribution():
    """Homogeneity: the predictive distribution scales with x0 (module docstring)."""
    small, large = predict(_inputs(x0=150.0), n=N), predict(_inputs(x0=1500.0), n=N)
    np.testing.assert_allclose(small.payments / 150.0, large.payments / 1500.0, rtol=1e-8)
    np.testing.assert_allclose(small.hi / 150.0, large.hi / 1500.0, rtol=1e-8)


def test_predict_statistics_are_ordered():
    s = predict(_inputs(), n=N).statistics()
    for k in ("pred", "lo", "hi"):
        qs = [s[f"{k}_q{q}"] for q in ("05", "25", "50", "75", "95")]
        assert qs == sorted(qs), k
    assert 0.0 <= s["p_feasible"] <= 1.0


def test_pit():
    pred = predict(_inputs(), n=N)
    assert pred.pit(-1.0) == 0.0 and pred.pit(1e9) == 1.0
    assert pred.pit(pred.statistics()["pred_q50"]) == pytest.approx(0.5, abs=0.01)


# --- Scores and summary ----------------------------------------------------------------------


def test_scores_follow_their_definitions(result):
    t = result.table
    in_50 = (t["pred_q25"] <= t["actual"]) & (t["actual"] <= t["pred_q75"])
    in_90 = (t["pred_q05"] <= t["actual"]) & (t["actual"] <= t["pred_q95"])
    assert (t["in_50"] == in_50).all() and (t["in_90"] == in_90).all()
    np.testing.assert_allclose(t["error"], t["pred_q50"] - t["actual"])
    np.testing.assert_allclose(t["no_change_error"], t["x0"] - t["actual"])
    np.testing.assert_allclose(t["last_change"], t["x0"] * (1 + t["previous_change"]))
    s = result.summary
    assert s["n_agreements"] == len(EXPECTED)
    assert s["coverage_50"] == in_50.mean() and s["coverage_90"] == in_90.mean()
    mape = (t["last_change"] - t["actual"]).abs() / t["actual"]
    assert s["mape"]["last_change"] == pytest.approx(mape.mean())
    assert s["mape"]["no_change"] == pytest.approx(
        ((t["x0"] - t["actual"]).abs() / t["actual"]).mean()
    )
    yen = t[t["unit"] == "¥bn"]
    assert s["mae"]["¥bn"]["model"] == pytest.approx((yen["pred_q50"] - yen["actual"]).abs().mean())
    assert set(s["mae"]) == {"¥bn", "$M", "₩bn"}
    assert (s["draws"], s["seed"], s["us_type"]) == (N, SEED, "by_administration")


def test_backtest_is_reproducible(df, result):
    pd.testing.assert_frame_equal(backtest(df, n=N, seed=SEED).table, result.table)


def test_us_type_option(df):
    res = backtest(df, n=500, us_type="incumbent")
    assert (res.table["us_type"] == "incumbent").all()
    with pytest.raises(ValueError, match="us_type must be one of"):
        backtest(df, n=500, us_type="hawk")
    with pytest.raises(ValueError, match="us_type must be one of"):
        build_inputs(_row(df, "9th SMA"), df.iloc[:0], us_type="hawk")


def test_nothing_to_score_is_an_error(df):
    with pytest.raises(ValueError, match="no agreement can be scored"):
        backtest(df[df["agreement"].isin(["1st SMA", "1987 SMA (1st)"])], n=500)


def test_markdown_tables(result):
    lines = backtest_table(result.table).splitlines()
    assert len(lines) == 2 + len(EXPECTED)
    assert lines[1] == "|" + "---|" * 14
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[2:])
    assert len({line.count(" | ") for line in lines if not line.startswith("|---")}) == 1
    assert lines[-1].startswith("| 10th SMA | ₩bn | 960.2 (2018) | 1038.9 (+8.2%) | incumbent")
    summary = summary_table(result.summary).splitlines()
    assert summary[0] == "| score | model | no change | last change repeated |"
    assert any(line.startswith("| MAE (₩bn) |") for line in summary)
    assert summary[-1].startswith("| coverage of 50% / 90% intervals |")


def test_dataclass_inputs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _inputs().status_quo = 1.0  # type: ignore[misc]
