"""Every summary row explains itself; empty group columns are left out."""

from __future__ import annotations

import pytest

import alliance_sim as asim
from alliance_sim.results.glossary import READING, _described, format_summary, reading
from alliance_sim.sweep import OUTPUTS


@pytest.fixture(scope="module")
def res():
    return asim.simulate(asim.scenarios.japan_us_2020(), 600, seed=2, offers=True)


def test_every_row_of_the_summary_is_explained(res):
    table = res.summary()
    for quantity, statistic in table.index:
        text = res.explain(quantity, statistic)
        assert text.startswith(f"{quantity}:") and statistic in text
        assert "(no description)" not in text, (quantity, statistic)


def test_every_reading_note_names_a_row_that_exists(res):
    rows = {q for q, _ in res.summary().index} | {f"{q} / {s}" for q, s in res.summary().index}
    for key in READING:
        assert key in rows or key == "<player>: <stance>", key


def test_an_explanation_says_what_the_row_computes(res):
    text = res.explain("agreement week", "q50")
    assert "agreement_week" in text and "spe_agreement" in text and "median" in text
    assert "talks wait" in text  # how to read it
    text = res.explain("nash_payment", "P(above status quo)")
    assert "above status_quo" in text and "feasible" in text
    assert res.explain("Talks", "p(lapse)") == res.explain("talks", "P(lapse)")


def test_unknown_rows_name_the_closest(res):
    with pytest.raises(KeyError, match="did you mean 'agreement week'"):
        res.explain("agreement weak")
    with pytest.raises(KeyError, match=r"has no statistic 'q99'"):
        res.explain("agreement week", "q99")


def test_every_output_of_a_full_run_has_a_description(res):
    missing = [n for n in res.outputs if _described(n, OUTPUTS) == "(no description)"]
    assert missing == []


def test_where_drops_the_empty_columns(res):
    sub = res.where("challenger_in_office")
    table = sub.summary()
    assert list(table.columns) == ["all", "challenger wins"]
    assert list(res.summary().columns) == ["all", "incumbent wins", "challenger wins"]


def test_format_summary_prints_counts_as_integers_and_nan_as_a_dash(res):
    text = format_summary(res.where("challenger_in_office").summary(by="spe_agreement"))
    count_line = next(line for line in text.splitlines() if "count" in line)
    assert ".000" not in count_line and f"{int(res['challenger_in_office'].sum()):,}" in count_line
    assert "nan" not in text


def test_the_reading_restates_the_table(res):
    table = res.summary()
    text = reading(table, "¥ billion per year", 199.3)
    agree = table.loc[("talks", "P(agreement)"), "all"]
    assert f"{agree:.0%} of draws reach an agreement" in text
    median = table.loc[("nash_payment", "q50"), "all"]
    assert f"median {median:,.1f}" in text


def test_a_streamed_run_gets_a_reading_too():
    scn = asim.scenarios.japan_us_2020()
    kept, streamed = (asim.simulate(scn, 600, seed=2, keep=k) for k in (True, False))
    a, b = (reading(r.summary(), "u", 199.3).split("\n") for r in (kept, streamed))
    assert len(a) == len(b) == 3
    # probabilities are exact in both; quantiles are sketch estimates when streamed
    assert a[0].split(";")[0] == b[0].split(";")[0] and a[1] == b[1]
