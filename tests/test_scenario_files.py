"""Scenario files: round trips, bit-identical results, and every validation error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import alliance_sim as asim
from alliance_sim.players import FunctionTerm
from alliance_sim.scenarios import (
    PRESETS,
    ScenarioFileError,
    dump_scenario,
    load_scenario,
    preset_file,
    save_scenario,
    years_between,
)
from alliance_sim.scenarios.files import scenario_from_dict, scenario_from_toml


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_preset_is_its_shipped_file(name):
    """One source: the preset is what its file says, and the file is in the writer's layout."""
    text = preset_file(name).read_text(encoding="utf-8")
    as_written = PRESETS[name](calibrated=False)
    body = text[text.index("[scenario]") :]  # (the file's leading comments are its own)
    assert dump_scenario(as_written) == f"# Scenario {name!r}, written by alliance_sim.\n\n" + body
    assert as_written.opened is not None
    # Calibration replaces the calibrated parameters' laws and nothing else.
    calibrated = PRESETS[name]()
    changed = {
        e.name
        for e, f in zip(as_written.parameters.entries, calibrated.parameters.entries, strict=True)
        if dump_scenario_entry(e) != dump_scenario_entry(f)
    }
    from alliance_sim.calibration import THETA
    from alliance_sim.calibration.model import parameter_name

    assert changed == {parameter_name(as_written, g) for g in THETA}


def dump_scenario_entry(e):
    from alliance_sim.scenarios.files import _parameter_dict

    return _parameter_dict(e)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_preset_survives_a_round_trip_bit_for_bit(name, tmp_path):
    preset = PRESETS[name]()
    from_file = load_scenario(save_scenario(preset, tmp_path / f"{name}.toml"))
    assert dump_scenario(from_file) == dump_scenario(preset)
    a = asim.simulate(preset, 2000, seed=9)
    b = asim.simulate(from_file, 2000, seed=9)
    for key in a.outputs:
        assert np.array_equal(a[key], b[key], equal_nan=True), key


def test_dates_are_years_since_the_talks_opened():
    scn = PRESETS["japan_us_2020"](calibrated=False)
    assert scn.parameters["t_expiry"].value == years_between(scn.opened, dt.date(2021, 3, 31))
    raw = document()
    raw["scenario"].pop("opened")
    msg = errors_of(raw)
    assert "parameters.t_election: the date 2020-11-03" in msg and "[scenario] opened" in msg
    raw = document()
    raw["parameters"]["t_election"]["unit"] = "years"
    assert "its unit must be 'years since talks opened'; got 'years'" in errors_of(raw)
    raw = document()
    raw["scenario"]["opened"] = "2020-10-15"  # a string is not a date
    assert "scenario.opened" in errors_of(raw)
    # A time that is not a whole day is written as a number, and reads back exactly.
    odd = scn.with_parameters(t_election=0.1)
    assert "value = 0.1\n" in dump_scenario(odd)
    assert scenario_from_toml(dump_scenario(odd)).parameters["t_election"].value == 0.1


def test_long_prose_is_wrapped_and_reads_back_exactly():
    scn = PRESETS["japan_us_2020"](calibrated=False)
    text = dump_scenario(scn)
    assert '"""\\\n' in text  # long provenance is written over several lines
    for odd in ("x " * 60 + '"', " leading space " * 9, "a  b\\ c\t" * 20, "é–" * 70, "y" * 200):
        changed = dataclasses.replace(scn, notes=odd)
        assert scenario_from_toml(dump_scenario(changed)).notes == odd


def test_round_trip_through_a_file(tmp_path):
    scn = asim.scenarios.japan_us_2020().with_parameters(beta_US=0.5)
    path = save_scenario(scn, tmp_path / "mine.toml")
    again = load_scenario(path)
    assert again.parameters["beta_US"].value == 0.5
    assert dump_scenario(again) == dump_scenario(scn)


def document():
    return tomllib.loads(preset_file("japan_us_2020").read_text(encoding="utf-8"))


def errors_of(raw):
    with pytest.raises(ScenarioFileError) as info:
        scenario_from_dict(raw, source="test.toml")
    return str(info.value)


def test_unknown_keys_are_errors_and_all_errors_are_reported_at_once():
    raw = document()
    raw["scenario"]["colour"] = "blue"
    raw["parameters"]["S_J"]["distribution"]["law"] = "cauchy"
    raw["parameters"]["rho_J"]["value"] = 0.3  # and it has a distribution too
    raw["players"]["payer"]["terms"][0]["type"] = "Telepathy"
    msg = errors_of(raw)
    assert msg.startswith("test.toml: 4 error(s)")
    assert "scenario.colour: unknown key" in msg
    assert "parameters.S_J.distribution.law: must be one of" in msg and "lognorm" in msg
    assert "parameters.rho_J" in msg and "exactly one of value, distribution or formula" in msg
    assert "players.payer.terms.0.type: must be one of" in msg and "'FiscalCost'" in msg


def test_bad_values_name_the_parameter_and_range():
    raw = document()
    raw["parameters"]["rho_J"] = {
        "distribution": {"law": "uniform", "low": 0.5, "high": 1.5},
        "unit": "share",
        "provenance": "assumption: test",
        "bounds": [0.0, 1.0],
    }
    msg = errors_of(raw)
    assert "parameters.rho_J" in msg and "exceeds the allowed range [0, 1]" in msg
    raw = document()
    del raw["parameters"]["c_J"]
    assert "reads ['c_J']" in errors_of(raw)
    raw = document()
    raw["parameters"]["demand"]["formula"] = "eval"
    assert "parameters.demand.formula: must be one of" in errors_of(raw)
    raw = document()
    raw["parameters"]["fx"]["provenance"] = ""
    assert "parameters.fx.provenance" in errors_of(raw)


def test_a_file_never_holds_code():
    scn = asim.scenarios.japan_us_2020()
    custom = scn.with_players(
        payee=scn.payee.with_term(FunctionTerm("weariness", lambda d, x, T, t: -x))
    )
    with pytest.raises(TypeError, match="a scenario file never holds code"):
        dump_scenario(custom)


def test_not_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\nname = 1", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"bad\.toml: not valid TOML"):
        load_scenario(bad)
    with pytest.raises(FileNotFoundError):
        load_scenario(tmp_path / "none.toml")


def test_the_solvers_to_run_come_from_the_file():
    raw = document()
    raw["solvers"] = {"run": ["axiomatic"]}
    scn = scenario_from_dict(raw)
    res = asim.simulate(scn, 500, seed=1)
    assert "nash_payment" in res.outputs
    assert "spe_payment" not in res.outputs and "n_equilibria" not in res.outputs
    raw["solvers"] = {"run": ["axiomatic", "gossip"]}
    assert "solvers.run.1: must be one of" in errors_of(raw)


SOURCES = Path(__file__).resolve().parents[1] / "docs" / "reference" / "sources.md"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_fact_cites_a_public_document_listed_in_the_sources_page(name):
    """Provenance a user can follow: no file that does not ship, every address on the page."""
    listed = SOURCES.read_text(encoding="utf-8")
    for e in PRESETS[name](calibrated=False).parameters.entries:
        text = e.provenance
        assert "DESIGN.md" not in text and "shared/data" not in text, e.name
        if text.startswith(("fact", "estimate")):
            assert re.search(r"https?://|dataset: |U\.S\.C\.|Mainichi", text), e.name
        for url in re.findall(r"https?://[^\s;,)]+", text):
            assert url in listed, f"{e.name}: {url} is not on docs/reference/sources.md"
