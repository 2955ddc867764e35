"""Calibration to the past agreements: targets, past scenarios, the simulator, the fit,
a small simulation-based calibration and the rolling backtest with the fit inside.

The generic ABC-SMC engine has its own tests (``tests/test_abc.py``); here it is only
driven through the real model. The talks solver costs ~70 µs per draw and agreement,
so every fit is tiny (tens of particles, two or three generations) and the expensive
objects are module-scoped fixtures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from alliance_sim.backtest import money_parameters
from alliance_sim.calibration import (
    SUMMARIES,
    SUMMARY_KEYS,
    TARGETS,
    THETA,
    Calibration,
    PastTalks,
    Predictive,
    abc_smc,
    agreement_targets,
    calibrate,
    history_targets,
    past_scenario,
    rank_statistic,
    rolling_backtest,
)
from alliance_sim.calibration.model import prior as model_prior
from alliance_sim.calibration.past import BASES, lead_years
from alliance_sim.calibration.targets import AGREED, DEMANDS, OPENINGS, expiry_date
from alliance_sim.data import agreements
from alliance_sim.parameters import Parameter

YEAR = 365.25
LEADS = {"Japan": 0.457, "South Korea": 0.268}
YEARS = sorted({int(y) for y in agreements()["start_fy"]})
#: Every column of the change block of the backtest's summary (module docstring there).
CHANGE_BLOCK = (
    "crps_model",
    "crps_no_change",
    "crps_last_change",
    "crps_country_median",
    "crps_climatology",
    "log_score_model",
    "log_score_climatology",
    "mae_model",
    "mae_no_change",
    "mae_last_change",
    "mae_country_median",
    "in_50",
    "in_90",
)


def _q(value: object, p: float = 0.3) -> float:
    """A fixed value, or the ``p``-quantile of a distribution."""
    return float(value.ppf(p)) if hasattr(value, "ppf") else float(value)  # type: ignore[attr-defined]


def _row(df: pd.DataFrame, name: str) -> pd.Series:
    rows = df[df["agreement"] == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return agreements()


@pytest.fixture(scope="module")
def targets(df) -> pd.DataFrame:
    return agreement_targets(df, lead_years=LEADS)


@pytest.fixture(scope="module")
def bases():
    return {c: f() for c, f in BASES.items()}


@pytest.fixture(scope="module")
def facts(df, bases) -> pd.DataFrame:
    """The targets and calendar with the base presets' leads (what calibrate uses)."""
    return history_targets(df, bases=bases)


@pytest.fixture(scope="module")
def calibration_facts(facts) -> pd.DataFrame:
    return facts[facts[list(TARGETS)].notna().any(axis=1)]


@pytest.fixture(scope="module")
def all_talks(calibration_facts, bases) -> PastTalks:
    return PastTalks(calibration_facts, bases)


@pytest.fixture(scope="module")
def cal(df) -> Calibration:
    return calibrate(df, before=2009, n_particles=60, generations=2, seed=3)


# ============================================================================ 1. targets
def test_targets_hand_checked_10th_sma(targets):
    t = targets.loc["10th SMA"]
    assert t["country"] == "South Korea"
    assert t["x0"] == pytest.approx(960.2, rel=1e-12)
    assert t["change"] == pytest.approx(1038.9 / 960.2 - 1.0, rel=1e-12)
    assert t["one_year"] == 1.0
    assert t["lapse"] == 1.0
    delay = (dt.date(2019, 2, 10) - dt.date(2018, 3, 1)).days / YEAR
    assert t["delay"] == pytest.approx(delay, rel=1e-12)
    assert t["us_type"] == "incumbent"
    assert t["demand_ratio"] == 1.5
    assert t["expiry"] == pd.Timestamp("2019-01-01")
    assert t["opening"] == pd.Timestamp("2018-03-01")
    assert not t["opening_assumed"]


def test_targets_hand_checked_japan_rows(targets):
    t16 = targets.loc["2016 SMA (8th)"]  # signed 2016-01-22, before the 2016-04-01 expiry
    assert t16["lapse"] == 0.0
    assert t16["one_year"] == 0.0
    assert t16["change"] == pytest.approx(192.0 / 188.1 - 1.0, rel=1e-12)
    assert np.isnan(t16["delay"])  # no stated opening
    assert t16["us_type"] == "challenger"
    assert np.isnan(t16["demand_ratio"])
    # opening assumed: the lead before the 2016-04-01 expiry, in whole days
    assert t16["opening_assumed"]
    lead_days = round(0.457 * YEAR)
    assert t16["opening"] == pd.Timestamp(dt.date(2016, 4, 1) - dt.timedelta(days=lead_days))

    t08 = targets.loc["2008 SMA (6th)"]  # signed before the expiry, but the notes say LAPSE
    assert t08["lapse"] == 1.0
    assert t08["change"] == pytest.approx(208.3 / 232.6 - 1.0, rel=1e-12)

    t87 = targets.loc["1987 SMA (1st)"]
    assert np.isnan(t87["one_year"])  # no term stated
    assert np.isnan(t87["change"]) and np.isnan(t87["x0"])


def test_first_agreement_of_each_country_has_no_lapse(targets):
    assert np.isnan(targets.loc["1987 SMA (1st)", "lapse"])
    # signed 1991-01, on or after the 1991-01-01 expiry; but it replaced no agreement
    assert np.isnan(targets.loc["1st SMA", "lapse"])
    for country, group in targets.groupby("country"):
        first = group.sort_values("start_fy", kind="stable").index[0]
        assert np.isnan(targets.loc[first, "lapse"]), country


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        ("2016-01-22", 0.0),  # day before the expiry
        ("2016-03", 0.0),  # month before the expiry's month
        ("2016-04", 1.0),  # first possible day is the expiry: not in force then
        ("2016-04-01", 1.0),
        ("2016", np.nan),  # could be either side of the expiry
    ],
)
def test_lapse_from_the_signing_date(df, signed, expected):
    bad = df.copy()
    bad.loc[bad["agreement"] == "2016 SMA (8th)", "signed"] = signed
    lapse = agreement_targets(bad, lead_years=LEADS).loc["2016 SMA (8th)", "lapse"]
    if np.isnan(expected):
        assert np.isnan(lapse)
    else:
        assert lapse == expected


@pytest.mark.parametrize(
    "table", [OPENINGS, AGREED, DEMANDS], ids=["OPENINGS", "AGREED", "DEMANDS"]
)
def test_hand_tables_carry_the_words_of_their_rows(df, table):
    for name, stated in table.items():
        row = _row(df, name)
        cell = row[stated.column]
        assert isinstance(cell, str), (name, stated.column)
        assert stated.words in cell, (name, stated.column, stated.words)


def test_targets_frame_shape(targets, df):
    assert set(targets.index) == set(df["agreement"])
    for col in (*TARGETS, "x0", "expiry", "opening", "us_type", "demand_ratio"):
        assert col in targets.columns
    assert set(targets["us_type"]) <= {"incumbent", "challenger"}
    assert (targets.loc[targets["one_year"].notna(), "one_year"].isin([0.0, 1.0])).all()
    assert (targets.loc[targets["lapse"].notna(), "lapse"].isin([0.0, 1.0])).all()
    assert (targets["opening"] < targets["expiry"]).all()


@given(year=st.integers(1900, 2200))
def test_expiry_date(year):
    assert expiry_date("Japan", year) == dt.date(year, 4, 1)
    assert expiry_date("South Korea", year) == dt.date(year, 1, 1)


def test_expiry_date_documented_values_and_unknown_country():
    assert expiry_date("Japan", 2021) == dt.date(2021, 4, 1)
    assert expiry_date("South Korea", 2019) == dt.date(2019, 1, 1)
    with pytest.raises(ValueError, match="Germany"):
        expiry_date("Germany", 2020)


@pytest.mark.parametrize(
    ("country", "lead"), [("Japan", 0.0), ("South Korea", -0.5), ("Japan", float("nan"))]
)
def test_non_positive_lead_is_refused(df, country, lead):
    leads = dict(LEADS)
    leads[country] = lead
    with pytest.raises(ValueError, match=country):
        agreement_targets(df, lead_years=leads)


def test_missing_lead_is_refused(df):
    with pytest.raises(ValueError, match="Japan"):
        agreement_targets(df, lead_years={"South Korea": 0.3})


@settings(max_examples=15, deadline=None)
@given(jp=st.floats(0.01, 3.0), kr=st.floats(0.01, 3.0))
def test_lead_places_only_unstated_openings(df, targets, jp, kr):
    t = agreement_targets(df, lead_years={"Japan": jp, "South Korea": kr})
    stated = ~t["opening_assumed"]
    assert set(t.index[stated]) == set(OPENINGS)
    pd.testing.assert_series_equal(t.loc[stated, "opening"], targets.loc[stated, "opening"])
    for name, row in t[~stated].iterrows():
        lead = jp if row["country"] == "Japan" else kr
        assert row["opening"] == row["expiry"] - pd.Timedelta(days=round(lead * YEAR)), name
    # the targets themselves do not read the lead
    pd.testing.assert_frame_equal(t[list(TARGETS)], targets[list(TARGETS)], check_exact=True)


@settings(max_examples=10, deadline=None)
@given(
    cut=st.sampled_from(YEARS[1:]),
    amount=st.floats(1.0, 1e15),
    term=st.integers(2, 9),
    words=st.sampled_from(["LAPSE corrupted", "no lapse here", ""]),
)
def test_targets_do_not_peek(df, targets, cut, amount, term, words):
    bad = df.copy()
    later = bad["start_fy"] >= cut
    bad.loc[later, "annual_avg_local_ccy"] = amount
    bad.loc[later, "total_local_ccy"] = amount * term
    bad.loc[later, "notes"] = words
    bad.loc[later, "term_years"] = term
    bad.loc[later, "signed"] = "2030-01-01"
    new = agreement_targets(bad, lead_years=LEADS)
    earlier = targets.index[targets["start_fy"] < cut]
    assert len(earlier) > 0
    pd.testing.assert_frame_equal(new.loc[earlier], targets.loc[earlier], check_exact=True)
    # the corruption did reach the later rows (the comparison above is not vacuous)
    late_names = targets.index[targets["start_fy"] >= cut]
    assert not new.loc[late_names, list(TARGETS)].equals(targets.loc[late_names, list(TARGETS)])


# ======================================================================= 2. past_scenario
@pytest.mark.parametrize(
    ("name", "country", "x0"),
    [("9th SMA", "South Korea", 869.5), ("2011 SMA (7th)", "Japan", 208.3)],
)
def test_past_scenario_calendar_and_administration(facts, bases, name, country, x0):
    f = facts.loc[name]
    base = bases[country]
    scn = past_scenario(f, base)
    p = scn.parameters
    cal = base.talks
    assert p[scn.status_quo].value == pytest.approx(x0, rel=1e-12)
    t_x = (f["expiry"] - f["opening"]).days / YEAR
    assert p[cal.expiry].value == pytest.approx(t_x, rel=1e-12)
    base_x = base.parameters[cal.expiry].value
    to_expiry = base_x - base.parameters[cal.budget].value
    assert p[cal.budget].value == pytest.approx(max(t_x - to_expiry, 0.0), rel=1e-12, abs=1e-15)
    assert p[cal.final].value == pytest.approx(
        t_x + base.parameters[cal.final].value - base_x, rel=1e-12
    )
    assert p[cal.election].value == 0.0
    assert p[cal.inauguration].value == 0.0
    assert p[base.election.probability].value == 0.0
    assert p["review_challenger"].value == 0.0
    # an ordinary administration: both typed slots are the challenger's
    assert scn.election.typed["z_US"] == ("z_challenger", "z_challenger")
    for k, (_, challenger) in base.election.typed.items():
        assert scn.election.typed[k] == (challenger, challenger)
    # the challenger type does not read the demand: set to x0
    assert p["demand_usd"].value * p["fx"].value == pytest.approx(x0, rel=1e-12)


def test_past_scenario_incumbent_row(facts, bases):
    f = facts.loc["10th SMA"]
    scn = past_scenario(f, bases["South Korea"])
    p = scn.parameters
    assert f["us_type"] == "incumbent"
    assert p["demand_usd"].value * p["fx"].value == pytest.approx(1.5 * 960.2, rel=1e-12)
    assert scn.election.typed["z_US"] == ("z_incumbent", "z_incumbent")
    for k, (incumbent, _) in bases["South Korea"].election.typed.items():
        assert scn.election.typed[k] == (incumbent, incumbent)
    assert p["p_challenger"].value == 0.0


def test_past_scenario_money_scaling_japan(facts, bases):
    base = bases["Japan"]
    scn = past_scenario(facts.loc["2011 SMA (7th)"], base)
    assert base.parameters[base.status_quo].value == 199.3
    s = 208.3 / 199.3
    assert "c_J" in money_parameters(base)
    assert _q(scn.parameters["c_J"].value) == pytest.approx(
        s * _q(base.parameters["c_J"].value), rel=1e-12
    )
    assert _q(scn.parameters["c_J"].value, 0.9) == pytest.approx(
        s * _q(base.parameters["c_J"].value, 0.9), rel=1e-12
    )
    # unit-free parameters are untouched
    for name in ("kappa_J", "rho_J", "z_J", "rounds", "posture_challenger_ratio"):
        assert _q(scn.parameters[name].value) == _q(base.parameters[name].value), name


@settings(max_examples=15, deadline=None)
@given(x0=st.floats(1.0, 1e5))
def test_past_scenario_scales_every_money_parameter_japan(facts, bases, x0):
    base = bases["Japan"]
    f = facts.loc["2011 SMA (7th)"].copy()
    f["x0"] = x0
    scn = past_scenario(f, base)
    s = x0 / base.parameters[base.status_quo].value
    for name in money_parameters(base):
        if name in (base.status_quo, "demand_usd"):
            continue  # set, not scaled
        for q in (0.1, 0.3, 0.9):
            got = _q(scn.parameters[name].value, q)
            assert got == pytest.approx(s * _q(base.parameters[name].value, q), rel=1e-10), name
    assert scn.parameters[base.status_quo].value == x0


def test_past_scenario_scales_the_money_parameters_the_library_lists_korea(facts, bases):
    base = bases["South Korea"]
    scn = past_scenario(facts.loc["9th SMA"], base)
    assert base.parameters[base.status_quo].value == 1038.9
    s = 869.5 / 1038.9
    for name in money_parameters(base):
        if name in (base.status_quo, "demand_usd"):
            continue
        assert _q(scn.parameters[name].value) == pytest.approx(
            s * _q(base.parameters[name].value), rel=1e-12
        ), name


def test_past_scenario_scales_every_won_parameter_korea(facts, bases):
    base = bases["South Korea"]
    scn = past_scenario(facts.loc["9th SMA"], base)
    s = 869.5 / 1038.9
    won = [
        e.name
        for e in base.parameters.entries
        if isinstance(e, Parameter) and e.unit.startswith("₩ billion")
        if e.name != base.status_quo
    ]
    assert "c_K" in won
    for name in won:
        assert _q(scn.parameters[name].value) == pytest.approx(
            s * _q(base.parameters[name].value), rel=1e-12
        ), name


def test_past_scenario_budget_before_the_opening_is_zero(facts, bases):
    f = facts.loc["2016 SMA (8th)"].copy()
    f["opening"] = f["expiry"] - pd.Timedelta(days=10)  # the base budget is ~100 days before
    scn = past_scenario(f, bases["Japan"])
    assert scn.parameters["t_expiry"].value == pytest.approx(10 / YEAR, rel=1e-12)
    assert scn.parameters["t_budget"].value == 0.0


@pytest.mark.parametrize("days_after", [0, 10])
def test_past_scenario_refuses_an_opening_after_the_expiry(facts, bases, days_after):
    f = facts.loc["9th SMA"].copy()
    f["opening"] = f["expiry"] + pd.Timedelta(days=days_after)
    with pytest.raises(ValueError, match="after the expiry"):
        past_scenario(f, bases["South Korea"])


def test_past_scenario_refuses_an_incumbent_without_a_demand(facts, bases):
    f = facts.loc["10th SMA"].copy()
    f["demand_ratio"] = np.nan
    with pytest.raises(ValueError, match="demand"):
        past_scenario(f, bases["South Korea"])


def test_past_scenario_without_earlier_amount_keeps_the_base_level(facts, bases):
    f = facts.loc["6th SMA"]  # first won agreement: no earlier amount in KRW
    assert np.isnan(f["x0"])
    base = bases["South Korea"]
    scn = past_scenario(f, base)
    assert scn.parameters[base.status_quo].value == base.parameters[base.status_quo].value


def test_lead_years_of_the_bases(bases):
    assert lead_years(bases["Japan"]) == pytest.approx(0.457, abs=1e-3)
    assert lead_years(bases["South Korea"]) == pytest.approx(0.268, abs=1e-3)


# =============================================================================== 3. model
def test_prior_from_the_presets(bases):
    p = model_prior([bases["Japan"], bases["South Korea"]])
    assert p.names == THETA
    by_name = dict(zip(p.names, p.dists, strict=True))
    assert by_name["z_host"].dist.name == "beta"
    assert tuple(by_name["z_host"].args) == (2, 8)
    assert by_name["z_host"].mean() == pytest.approx(0.2, rel=1e-12)
    assert by_name["rounds"].dist.name == "uniform"
    assert by_name["rounds"].support() == (0.0, 1.0)


def test_prior_refuses_disagreeing_bases(bases):
    kr = bases["South Korea"].with_parameters(z_K=stats.beta(3, 8))
    with pytest.raises(ValueError, match="z_host"):
        model_prior([bases["Japan"], kr])


def test_prior_refuses_a_fixed_parameter_and_no_base(bases):
    with pytest.raises(ValueError, match="not random"):
        model_prior([bases["Japan"].with_parameters(rounds=0.5)])
    with pytest.raises(ValueError):
        model_prior([])


def test_past_talks_prior_matches_model_prior(all_talks, bases):
    p = all_talks.prior()
    ref = model_prior([bases["Japan"], bases["South Korea"]])
    assert p.names == ref.names == THETA
    for d, e in zip(p.dists, ref.dists, strict=True):
        assert (d.dist.name, tuple(d.args), d.kwds) == (e.dist.name, tuple(e.args), e.kwds)


def test_simulate_shape_and_reproducibility(facts, bases):
    talks = PastTalks(facts.loc[["2008 SMA (6th)", "8th SMA"]], bases)
    theta = talks.prior().sample(25, np.random.default_rng(0))
    a = talks.simulate(theta, np.random.default_rng(5))
    b = talks.simulate(theta, np.random.default_rng(5))
    assert a.shape == (25, len(SUMMARIES))
    np.testing.assert_array_equal(a, b)
    c = talks.simulate(theta, np.random.default_rng(6))
    assert not np.array_equal(a, c, equal_nan=True)
    # the no-deal share is a share
    nd = a[:, SUMMARIES.index(("no_deal", "all"))]
    assert ((nd >= 0) & (nd <= 1)).all()


def test_outputs_of_an_agreement_do_not_depend_on_the_others(facts, bases):
    both = PastTalks(facts.loc[["2008 SMA (6th)", "8th SMA"]], bases)
    alone = PastTalks(facts.loc[["8th SMA"]], bases)
    theta = both.prior().sample(30, np.random.default_rng(1))
    ob = both.outputs(theta, 11)["8th SMA"]
    oa = alone.outputs(theta, 11)["8th SMA"]
    assert ob.keys() == oa.keys()
    for key in ob:
        np.testing.assert_array_equal(ob[key], oa[key], err_msg=key)


def test_outputs_refuses_a_badly_shaped_theta(facts, bases):
    talks = PastTalks(facts.loc[["8th SMA"]], bases)
    with pytest.raises(ValueError, match="shape"):
        talks.outputs(np.zeros((3, len(THETA) + 1)), 1)
    with pytest.raises(ValueError, match="empty"):
        PastTalks(facts.iloc[:0], bases)


def test_observed_summaries(all_talks):
    obs = all_talks.observed
    assert obs.shape == (len(SUMMARIES),)
    assert obs[SUMMARIES.index(("no_deal", "all"))] == 0.0
    korea = [
        260 / 220 - 1,  # 2nd SMA
        330 / 300 - 1,  # 3rd
        330 / 390 - 1,  # 4th
        470 / 440 - 1,  # 5th
        725.5 / 680.4 - 1,  # 7th
        760.0 / 741.5 - 1,  # 8th
        920.0 / 869.5 - 1,  # 9th
        1038.9 / 960.2 - 1,  # 10th
    ]
    japan = [208.3 / 232.6 - 1, 188.1 / 208.3 - 1, 192.0 / 188.1 - 1]
    assert obs[SUMMARIES.index(("change", "South Korea"))] == pytest.approx(
        np.mean(korea), rel=1e-12
    )
    assert obs[SUMMARIES.index(("change", "Japan"))] == pytest.approx(np.mean(japan), rel=1e-12)
    assert obs[SUMMARIES.index(("abs_change", "all"))] == pytest.approx(
        np.mean(np.abs(korea + japan)), rel=1e-12
    )
    # one one-year term (10th SMA) among the rows stating a term
    f = all_talks.facts
    assert obs[SUMMARIES.index(("one_year", "all"))] == pytest.approx(
        1 / f["one_year"].notna().sum(), rel=1e-12
    )


@pytest.fixture(scope="module")
def three_talks(facts, bases) -> PastTalks:
    # observed: 2008 SMA (Japan) change/one_year/lapse; 8th SMA (Korea) all four;
    # 6th SMA (Korea) one_year/lapse only
    return PastTalks(facts.loc[["2008 SMA (6th)", "8th SMA", "6th SMA"]], bases)


def test_summaries_of_a_hand_made_statistics_matrix(three_talks):
    nan = np.nan
    # per agreement: change, one_year, lapse, delay (2008 SMA, 8th SMA, 6th SMA)
    stats_ = np.array(
        [
            [0.1, 0, 1, 0.5, -0.2, 1, 0, 0.7, 0.3, 0, 1, 0.2],
            [nan, nan, 1, nan, 0.4, 0, 1, 0.3, nan, nan, 1, nan],
            [nan, nan, 1, nan, nan, nan, 1, nan, nan, nan, 1, nan],
            [0.2, 1, 0, 0.1, 0.0, 1, 1, 0.9, 5.0, 1, nan, 9.9],
        ]
    )
    expected = {
        ("change", "Japan"): [0.1, nan, nan, 0.2],
        ("change", "South Korea"): [-0.2, 0.4, nan, 0.0],  # 6th SMA's change not observed
        ("abs_change", "all"): [0.15, 0.4, nan, 0.1],
        ("one_year", "all"): [1 / 3, 0.0, nan, 1.0],
        ("lapse", "Japan"): [1.0, 1.0, 1.0, 0.0],
        ("lapse", "South Korea"): [0.5, 1.0, 1.0, 1.0],  # NaN draw left out
        ("delay", "all"): [0.7, 0.3, nan, 0.9],  # only the 8th SMA states a delay
        ("no_deal", "all"): [0.0, 2 / 3, 1.0, 0.0],
    }
    out = three_talks.summaries(stats_)
    assert out.shape == (4, len(SUMMARIES))
    for j, key in enumerate(SUMMARIES):
        np.testing.assert_allclose(out[:, j], expected[key], rtol=1e-12, err_msg=str(key))


def test_statistics_columns(three_talks):
    theta = three_talks.prior().sample(20, np.random.default_rng(2))
    s = three_talks.statistics(three_talks.outputs(theta, 4))
    assert s.shape == (20, 3 * len(TARGETS))
    per = s.reshape(20, 3, len(TARGETS))
    no_deal = np.isnan(per[:, :, 1])
    # no agreement: no change, no delay, and the old agreement lapsed
    assert np.isnan(per[:, :, 0][no_deal]).all()
    assert np.isnan(per[:, :, 3][no_deal]).all()
    assert (per[:, :, 2][no_deal] == 1.0).all()
    deal = ~no_deal
    assert np.isin(per[:, :, 1][deal], [0.0, 1.0]).all()
    assert (per[:, :, 3][deal] >= 0).all()


@pytest.mark.parametrize(
    "name",
    [
        "2011 SMA (7th)",
        "9th SMA",
    ],
)
def test_simulated_statistics_do_not_depend_on_the_level(facts, bases, name):
    """Every utility term is homogeneous of degree one in money (past.py, rule 1)."""
    f = facts.loc[[name]]
    ref = PastTalks(f, bases)
    theta = ref.prior().sample(300, np.random.default_rng(0))
    s_ref = ref.statistics(ref.outputs(theta, 5))
    for mult in (0.25, 3.0):
        g = f.copy()
        g["x0"] = g["x0"] * mult
        talks = PastTalks(g, bases)
        s = talks.statistics(talks.outputs(theta, 5))
        np.testing.assert_allclose(s, s_ref, rtol=1e-9, atol=1e-12, equal_nan=True)


# ================================================================================= 4. fit
def test_calibrate_refuses_an_empty_history():
    with pytest.raises(ValueError, match="empty history"):
        calibrate(before=1991, n_particles=10, generations=1)


def test_calibrate_refuses_a_cut_before_every_row():
    with pytest.raises(ValueError, match="empty history"):
        calibrate(before=1980, n_particles=10, generations=1)


def test_calibration_reads_only_rows_before_the_cut(cal):
    assert (cal.facts["start_fy"] < 2009).all()
    assert cal.before == 2009
    assert cal.names == THETA
    assert cal.result.particles.shape == (60, len(THETA))
    assert cal.result.weights.sum() == pytest.approx(1.0, rel=1e-12)


def test_calibrate_does_not_peek(df, cal):
    bad = df.copy()
    later = bad["start_fy"] >= 2009
    bad.loc[later, "annual_avg_local_ccy"] = 1e15
    bad.loc[later, "total_local_ccy"] = 5e15
    bad.loc[later, "notes"] = "LAPSE annual_amounts=2009:1.0bn"
    bad.loc[later, "term_years"] = 1
    bad.loc[later, "signed"] = "2030-01-01"
    other = calibrate(bad, before=2009, n_particles=60, generations=2, seed=3)
    np.testing.assert_array_equal(other.result.particles, cal.result.particles)
    np.testing.assert_array_equal(other.result.weights, cal.result.weights)
    pd.testing.assert_frame_equal(other.facts, cal.facts, check_exact=True)


def test_calibrate_reads_earlier_rows(df, cal):
    # an earlier row's term: the observed one-year share and so every distance moves
    # (with two generations of 60 the accepted set may stay the same: the change
    # summaries dominate the distance)
    bad = df.copy()
    bad.loc[bad["agreement"] == "2006 SMA (5th)", "term_years"] = 1  # was 2
    other = calibrate(bad, before=2009, n_particles=60, generations=2, seed=3)
    assert other.facts.loc["2006 SMA (5th)", "one_year"] == 1.0
    j = SUMMARIES.index(("one_year", "all"))
    obs_a = PastTalks(cal.facts, cal.bases).observed
    obs_b = PastTalks(other.facts, other.bases).observed
    assert obs_b[j] == pytest.approx(obs_a[j] + 1 / cal.facts["one_year"].notna().sum())
    assert not np.array_equal(other.result.distances, cal.result.distances)
    # an earlier row's amount: the posterior itself moves
    bad = df.copy()
    seventh = bad["agreement"] == "7th SMA"
    bad.loc[seventh, "notes"] = bad.loc[seventh, "notes"].str.replace("725.5bn", "900.0bn")
    other = calibrate(bad, before=2009, n_particles=60, generations=2, seed=3)
    assert other.facts.loc["7th SMA", "change"] == pytest.approx(900.0 / 680.4 - 1, rel=1e-12)
    assert not np.array_equal(other.result.particles, cal.result.particles)


def test_calibrate_is_reproducible():
    kw = {"before": 1997, "n_particles": 30, "generations": 2}
    a = calibrate(seed=8, **kw)
    b = calibrate(seed=8, **kw)
    c = calibrate(seed=9, **kw)
    np.testing.assert_array_equal(a.result.particles, b.result.particles)
    np.testing.assert_array_equal(a.result.weights, b.result.weights)
    assert not np.array_equal(a.result.particles, c.result.particles)


def test_calibration_summary(cal):
    s = cal.summary()
    assert list(s.index) == list(THETA)
    for col in ("prior mean", "prior 5%", "prior 95%", "mean", "sd", "5%", "50%", "95%"):
        assert col in s.columns
    assert s.loc["z_host", "prior mean"] == pytest.approx(0.2, rel=1e-12)
    assert s.loc["rounds", "prior 5%"] == pytest.approx(0.05, rel=1e-12)
    assert (s["5%"] <= s["50%"]).all() and (s["50%"] <= s["95%"]).all()
    np.testing.assert_allclose(s["mean"], cal.result.mean(), rtol=1e-12)


def test_predict(cal, facts):
    row = facts.loc["8th SMA"]
    pred = cal.predict(row, n=200, seed=4)
    assert isinstance(pred, Predictive)
    assert pred.agreement == "8th SMA"
    assert pred.change.size > 0
    assert np.isfinite(pred.change).all()
    assert np.isin(pred.term, [1.0, 5.0]).all()
    assert pred.change.size == pred.term.size == pred.lapse.size == pred.time.size
    assert 0.0 <= pred.prob_one_year <= 1.0
    assert 0.0 <= pred.prob_lapse <= 1.0
    for p in (pred.p_agreement, pred.p_one_year, pred.p_lapse):
        assert p.shape == (200,)
        assert ((p >= -1e-12) & (p <= 1 + 1e-12)).all()
    again = cal.predict(facts.loc[["8th SMA"]], n=200, seed=4)  # one-row frame, same seed
    for field in dataclasses.fields(Predictive):
        a, b = getattr(pred, field.name), getattr(again, field.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        else:
            assert a == b
    other = cal.predict(row, n=200, seed=5)
    assert not np.array_equal(other.p_agreement, pred.p_agreement)


def test_predict_needs_one_agreement(cal, facts):
    with pytest.raises(ValueError, match="one agreement"):
        cal.predict(facts.loc[["8th SMA", "9th SMA"]], n=10, seed=1)


# ================================================================== 5. small SBC, real model
SBC_AGREEMENTS = ["2000 SMA (4th)", "7th SMA", "8th SMA", "10th SMA"]  # those that date a delay
SBC_REPLICATIONS = 8


@pytest.fixture(scope="module")
def sbc(facts, bases):
    """Rank statistics and posterior sds of ``rounds`` over a few SBC replications.

    Simulation-based calibration (Talts et al. 2018) with the real talks model: θ* ~
    prior, synthetic summaries simulated at θ*, ABC-SMC on them, the posterior rank of
    θ*. Only ``rounds`` is calibrated (every other parameter keeps its preset
    distribution), on the four agreements that date their delay, with 60 particles
    and three generations, ``SBC_REPLICATIONS`` times. That is far too few to test
    uniformity of the ranks (the full SBC, with many more replications, lives in
    the benchmarks/docs); at ~70 µs per draw a larger run would cost minutes on the
    2-core CI machine. Here it only guards against gross failures: a posterior no
    narrower than the prior, or ranks piled in one tail.
    """
    talks = PastTalks(facts.loc[SBC_AGREEMENTS], bases, names=("rounds",))
    prior = talks.prior()
    ranks, sds = [], []
    for r in range(SBC_REPLICATIONS):
        rng = np.random.default_rng([7, r])
        theta_star = prior.sample(1, rng)
        synthetic = talks.simulate(theta_star, rng)[0]
        res = abc_smc(talks.simulate, prior, synthetic, n_particles=60, generations=3, seed=100 + r)
        ranks.append(float(rank_statistic(res, theta_star[0])[0]))
        sds.append(float(res.std()[0]))
    return np.array(ranks), np.array(sds), float(prior.dists[0].std())


@pytest.mark.slow
def test_sbc_posterior_is_narrower_than_the_prior(sbc):
    _, sds, prior_sd = sbc
    assert prior_sd == pytest.approx(1 / np.sqrt(12), rel=1e-12)
    assert (sds < prior_sd).mean() >= 0.75
    assert sds.mean() < prior_sd


def test_sbc_ranks_are_not_in_one_tail(sbc):
    ranks, _, _ = sbc
    assert ((ranks >= 0) & (ranks <= 1)).all()
    assert not (ranks < 0.1).all()
    assert not (ranks > 0.9).all()
    assert 0.2 <= ranks.mean() <= 0.8


# ============================================================================ 6. backtest
@pytest.fixture(scope="module")
def korea_df(df) -> pd.DataFrame:
    return df[df["country"] == "South Korea"]


@pytest.fixture(scope="module")
def bt(korea_df):
    return rolling_backtest(korea_df, n=300, n_particles=40, generations=2, seed=1)


@pytest.mark.slow
def test_backtest_summary_keys(bt):
    for key in (
        "crps_model",
        "crps_no_change",
        "coverage_50",
        "coverage_90",
        "brier_term_model",
        "brier_term_climatology",
    ):
        assert key in bt.summary
    assert set(SUMMARY_KEYS) <= set(bt.summary)
    for key in ("n_change", "n_term", "n_lapse", "n_delay", "skipped"):
        assert key in bt.summary
    assert bt.summary["draws"] == 300 and bt.summary["seed"] == 1


def test_backtest_rows_and_skipped(bt, korea_df):
    assert list(bt.table.index) == [
        "2nd SMA",
        "3rd SMA",
        "4th SMA",
        "5th SMA",
        "6th SMA",
        "7th SMA",
        "8th SMA",
        "9th SMA",
        "10th SMA",
    ]
    skipped = bt.summary["skipped"]
    assert set(skipped) == {"1st SMA"}
    assert "empty history" in skipped["1st SMA"]
    assert all(isinstance(v, str) and v for v in skipped.values())
    assert set(skipped) | set(bt.table.index) == set(korea_df["agreement"])


@pytest.mark.slow
def test_backtest_no_change_baseline(bt):
    scored = bt.table[bt.table["change"].notna()]
    assert len(scored) == 8  # the 6th SMA has no earlier won amount
    np.testing.assert_allclose(scored["crps_no_change"], scored["change"].abs(), rtol=1e-12)
    np.testing.assert_allclose(
        bt.table.loc["10th SMA", "crps_no_change"], 1038.9 / 960.2 - 1, rtol=1e-12
    )


@pytest.mark.slow
def test_backtest_climatology_by_hand(bt):
    # Korea lapses before FY2009: 3rd SMA 0, 5th 1, 6th 1 (1st: first agreement;
    # 2nd, 4th, 7th: no signing date) -> 2/3; the 8th SMA lapsed.
    t = bt.table.loc["8th SMA"]
    assert t["lapse"] == 1.0
    assert t["p_lapse_climatology"] == pytest.approx(2 / 3, rel=1e-12)
    assert t["brier_lapse_climatology"] == pytest.approx((2 / 3 - 1.0) ** 2, rel=1e-12)
    assert t["brier_lapse_model"] == pytest.approx((t["p_lapse"] - 1.0) ** 2, rel=1e-12)
    # every earlier Korea term was longer than a year; the 10th SMA's was one year
    t10 = bt.table.loc["10th SMA"]
    assert t10["p_term_climatology"] == 0.0
    assert t10["brier_term_climatology"] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.slow
def test_backtest_block_counts(bt):
    complete = bt.table[list(CHANGE_BLOCK)].notna().all(axis=1)
    assert bt.summary["n_change"] == int(complete.sum())
    assert bt.summary["crps_no_change"] == pytest.approx(
        bt.table.loc[complete, "crps_no_change"].mean(), rel=1e-12
    )
    term = bt.table[["brier_term_model", "brier_term_climatology"]].notna().all(axis=1)
    assert bt.summary["n_term"] == int(term.sum())
    for key in ("coverage_50", "coverage_90"):
        assert 0.0 <= bt.summary[key] <= 1.0


@pytest.mark.slow
def test_backtest_is_reproducible(korea_df):
    small = korea_df[korea_df["start_fy"] <= 1999]
    a = rolling_backtest(small, n=200, n_particles=30, generations=2, seed=2)
    b = rolling_backtest(small, n=200, n_particles=30, generations=2, seed=2)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    assert a.summary.keys() == b.summary.keys()
    assert list(a.table.index) == ["2nd SMA", "3rd SMA", "4th SMA"]


def test_backtest_with_nothing_to_score(df):
    only_first = df[(df["country"] == "Japan") & (df["start_fy"] <= 1991)]
    with pytest.raises(ValueError, match="no agreement can be scored"):
        rolling_backtest(only_first, n=10, n_particles=10, generations=1)


def test_backtest_of_an_empty_dataset(df):
    with pytest.raises(ValueError):
        rolling_backtest(df.iloc[:0], n=10, n_particles=10, generations=1)


@pytest.mark.slow
def test_backtest_markdown_tables(bt):
    from alliance_sim.calibration import rolling_summary_table
    from alliance_sim.calibration.backtest import rolling_table

    lines = rolling_table(bt.table).splitlines()
    assert lines[0].startswith("| agreement | FY | change | median [5%, 95%]")
    assert len(lines) == 2 + len(bt.table)
    summary = rolling_summary_table(bt.summary)
    assert f"| CRPS of the change (n = {bt.summary['n_change']}) |" in summary
    assert "MAPE of the first-year amount" in summary
    # MAPE of the amount is the change error over the actual's relative size.
    t = bt.table.dropna(subset=["mape_model"])
    expected = (t["change_q50"] - t["change"]).abs() / (1 + t["change"])
    np.testing.assert_allclose(t["mape_model"], expected, rtol=1e-12)
