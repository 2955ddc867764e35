"""The shipped agreements dataset: loader types, known figures, and the notes parsers."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pandas as pd
import pytest

from alliance_sim import data
from alliance_sim.data import (
    agreements,
    annual_amounts,
    first_year_amount,
    hns_budgets,
    parse_amount,
)


@pytest.fixture(scope="module")
def df():
    return agreements()


@pytest.fixture(scope="module")
def rows(df):
    return df.set_index("agreement", drop=False)


def _csv_rows():
    text = resources.files("alliance_sim.data").joinpath(data.CSV).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --- Loader ---------------------------------------------------------------------------------


def test_row_count_and_columns_match_the_csv(df):
    raw = _csv_rows()
    assert len(df) == len(raw) == 18
    expected = list(raw[0])
    expected.insert(expected.index("signed") + 1, "signed_date")
    expected.insert(expected.index("source") + 1, "sources")
    assert list(df.columns) == expected
    assert list(df["agreement"]) == [r["agreement"] for r in raw]


def test_column_types(df):
    for name in ("country", "currency"):
        assert isinstance(df[name].dtype, pd.CategoricalDtype), name
    assert set(df["country"].cat.categories) == {"Japan", "South Korea"}
    assert set(df["currency"].cat.categories) == {"JPY", "KRW", "USD"}
    for name in ("agreement", "signed", "us_demand", "notes", "source"):
        assert pd.api.types.is_string_dtype(df[name].dtype), name
        values = df[name].dropna()
        assert all(isinstance(v, str) for v in values), name
    assert df["agreement"].notna().all() and df["source"].notna().all()
    for name in ("start_fy", "end_fy", "term_years"):
        assert df[name].dtype == "Int64", name
    for name in ("total_local_ccy", "annual_avg_local_ccy", "change_vs_previous_pct"):
        assert df[name].dtype == "float64", name
    assert df["signed_date"].dtype == "datetime64[ns]"
    assert all(isinstance(v, list) and all(isinstance(u, str) for u in v) for v in df["sources"])


def test_missing_cells_stay_missing(df, rows):
    assert pd.isna(rows.loc["1987 SMA (1st)", "term_years"])
    assert pd.isna(rows.loc["2nd SMA", "signed"])
    assert pd.isna(rows.loc["1987 SMA (1st)", "us_demand"])
    assert df["total_local_ccy"].notna().sum() == 3


def test_known_figures(rows):
    assert rows.loc["2011 SMA (7th)", "total_local_ccy"] == 933.2e9
    assert rows.loc["2011 SMA (7th)", "annual_avg_local_ccy"] == 188.1e9
    assert rows.loc["2016 SMA (8th)", "total_local_ccy"] == 946.5e9
    assert rows.loc["10th SMA", "total_local_ccy"] == 1038.9e9
    assert rows.loc["10th SMA", "annual_avg_local_ccy"] == 1038.9e9
    assert rows.loc["10th SMA", "change_vs_previous_pct"] == 8.2
    assert rows.loc["10th SMA", "currency"] == "KRW"
    assert (rows.loc["10th SMA", "start_fy"], rows.loc["10th SMA", "end_fy"]) == (2019, 2019)
    assert rows.loc["2016 SMA (8th)", "term_years"] == 5


def test_signed_date_only_where_a_day_is_given(df, rows):
    assert rows.loc["10th SMA", "signed_date"] == pd.Timestamp("2019-03-08")
    assert rows.loc["1995 SMA (3rd)", "signed_date"] == pd.Timestamp("1995-09-27")
    for name in ("1987 SMA (1st)", "1991 SMA (2nd)", "1st SMA", "2nd SMA"):
        assert pd.isna(rows.loc[name, "signed_date"]), name
    day = df["signed"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    assert (df["signed_date"].notna() == day).all()
    assert (df.loc[day, "signed_date"].dt.strftime("%Y-%m-%d") == df.loc[day, "signed"]).all()


def test_signed_date_rejects_other_text():
    assert data._signed_date("2019-03", "x") is pd.NaT
    with pytest.raises(ValueError, match=r"'x'.*March 2019"):
        data._signed_date("March 2019", "x")
    with pytest.raises(ValueError, match=r"'x'.*not a calendar day"):
        data._signed_date("2019-02-30", "x")


def test_sources_split_on_separator(df, rows):
    assert len(rows.loc["2008 SMA (6th)", "sources"]) == 6
    for source, urls in zip(df["source"], df["sources"], strict=True):
        assert " ; ".join(urls) == source
        assert all(u.startswith("http") and " " not in u for u in urls)


# --- Parsers on real rows ---------------------------------------------------------------------


def test_parse_amount():
    assert parse_amount("920.0bn", "a") == 920e9
    assert parse_amount("1038.9bn", "a") == 1038.9e9  # exact: decimal arithmetic
    assert parse_amount("150M", "a") == 150e6
    assert parse_amount(" 150000000 ", "a") == 150e6


def test_annual_amounts_korea_won_series(rows):
    assert annual_amounts(rows.loc["9th SMA"]) == {
        2014: 920.0e9,
        2015: 932.0e9,
        2016: 944.1e9,
        2017: 950.7e9,
        2018: 960.2e9,
    }


def test_annual_amounts_dollar_series(rows):
    assert annual_amounts(rows.loc["1st SMA"]) == {1991: 150e6, 1992: 180e6, 1993: 220e6}
    # key with a source in parentheses, series ended by ';'
    assert annual_amounts(rows.loc["4th SMA"]) == {1999: 330e6, 2000: 390e6, 2001: 440e6}


def test_annual_amounts_absent(rows):
    assert annual_amounts(rows.loc["2011 SMA (7th)"]) == {}
    assert annual_amounts(rows.loc["6th SMA"]) == {}


def test_series_sum_to_the_derived_totals(df):
    """Every row with a series and a ``derived_total`` agrees with itself."""
    checked = 0
    for _, row in df.iterrows():
        m = re.search(r"derived_total=([\d.]+(?:bn|M))", row["notes"] or "")
        series = annual_amounts(row)
        if m and series:
            assert sum(series.values()) == pytest.approx(parse_amount(m.group(1), "t"), rel=1e-12)
            checked += 1
    assert checked == 6


def test_first_year_amount(rows):
    assert first_year_amount(rows.loc["10th SMA"]) == 1038.9e9
    assert first_year_amount(rows.loc["8th SMA"]) == 760e9
    assert first_year_amount(rows.loc["1st SMA"]) == 150e6
    assert first_year_amount(rows.loc["4th SMA"]) == 333e6
    assert first_year_amount(rows.loc["2016 SMA (8th)"]) is None
    for name in ("10th SMA", "6th SMA"):  # the column holds the same figure
        assert first_year_amount(rows.loc[name]) == rows.loc[name, "annual_avg_local_ccy"]


def test_first_year_amount_in_two_currencies_is_refused(rows):
    with pytest.raises(ValueError, match=r"'5th SMA'.*not one amount"):
        first_year_amount(rows.loc["5th SMA"])


def test_hns_budgets(rows):
    assert hns_budgets(rows.loc["2006 SMA (5th)"]) == {2006: 232.6e9}
    assert hns_budgets(rows.loc["2008 SMA (6th)"]) == {2008: 208.3e9}
    assert hns_budgets(rows.loc["2016 SMA (8th)"]) == {2016: 192.0e9}
    # executed totals (another basis) and other wording are not read
    assert hns_budgets(rows.loc["1995 SMA (3rd)"]) == {}
    assert hns_budgets(rows.loc["9th SMA"]) == {}


# --- Bad input -------------------------------------------------------------------------------


def _row(notes, currency="KRW"):
    return {"agreement": "Test SMA", "currency": currency, "notes": notes}


@pytest.mark.parametrize("text", ["", "bn", "12 bn x", "1.2.3bn", "12tn", "-5bn", "1,000M"])
def test_parse_amount_rejects(text):
    with pytest.raises(ValueError, match="'Test SMA'"):
        parse_amount(text, "Test SMA")


@pytest.mark.parametrize(
    ("notes", "currency", "match"),
    [
        ("annual_amounts=2014:920bn|2015:abc", "KRW", "cannot read an amount"),
        ("annual_amounts=2014-920bn", "KRW", "not 'year:amount'"),
        ("annual_amounts=14:920bn", "KRW", "not 'year:amount'"),
        ("annual_amounts=2014:920bn|2014:930bn", "KRW", "repeats the year 2014"),
        ("annual_amounts=2014:1bn; annual_amounts=2015:2bn", "KRW", "2 annual_amounts"),
        ("annual_amounts_USD=1991:150M", "KRW", "dollar series"),
        ("annual_amounts=", "KRW", "not 'year:amount'"),
    ],
)
def test_annual_amounts_rejects(notes, currency, match):
    with pytest.raises(ValueError, match=f"'Test SMA'.*{match}"):
        annual_amounts(_row(notes, currency))


@pytest.mark.parametrize(
    ("notes", "currency", "match"),
    [
        ("first_year_amount=760bn won", "USD", "is in KRW, the row in USD"),
        ("first_year_amount=150000000 USD", "KRW", "is in USD, the row in KRW"),
        ("first_year_amount=760bn euros", "KRW", "not one amount"),
        ("first_year_amount=about 760bn won", "KRW", "not one amount"),
        ("first_year_amount=; rest", "KRW", "not one amount"),
        ("first_year_amount=7x60bn won", "KRW", "cannot read an amount"),
    ],
)
def test_first_year_amount_rejects(notes, currency, match):
    with pytest.raises(ValueError, match=f"'Test SMA'.*{match}"):
        first_year_amount(_row(notes, currency))


def test_hns_budgets_rejects():
    with pytest.raises(ValueError, match=r"'Test SMA'.*KRW row"):
        hns_budgets(_row("FY2006 total HNS budget 232.6bn", "KRW"))
    with pytest.raises(ValueError, match=r"'Test SMA'.*two different HNS budgets for FY2006"):
        hns_budgets(_row("FY2006 HNS budget 232.6bn; FY2006 total HNS budget 230.0bn", "JPY"))


def test_missing_notes_parse_to_nothing():
    row = _row(float("nan"))
    assert annual_amounts(row) == {}
    assert first_year_amount(row) is None
    assert hns_budgets(row) == {}
