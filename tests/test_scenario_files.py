"""Scenario files: round trips, bit-identical results, and every validation error."""

from __future__ import annotations

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
    save_scenario,
)
from alliance_sim.scenarios.files import scenario_from_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_shipped_files_are_the_presets(name):
    from_file = load_scenario(EXAMPLES / f"{name}.toml")
    preset = PRESETS[name]()
    assert dump_scenario(from_file) == dump_scenario(preset)  # the file is current
    a = asim.simulate(preset, 2000, seed=9)
    b = asim.simulate(from_file, 2000, seed=9)
    for key in a.outputs:
        assert np.array_equal(a[key], b[key], equal_nan=True), key


def test_round_trip_through_a_file(tmp_path):
    scn = asim.scenarios.japan_us_2020().with_parameters(beta_US=0.5)
    path = save_scenario(scn, tmp_path / "mine.toml")
    again = load_scenario(path)
    assert again.parameters["beta_US"].value == 0.5
    assert dump_scenario(again) == dump_scenario(scn)


def document():
    return tomllib.loads((EXAMPLES / "japan_us_2020.toml").read_text(encoding="utf-8"))


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
