"""Issue 12, item 9: scenario files written and read safely, errors named where they are."""

from __future__ import annotations

import dataclasses
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import alliance_sim as asim
from alliance_sim.parameters import Derived, Parameter
from alliance_sim.parameters.formulas import FORMULAS, formula_inputs, product
from alliance_sim.players import FiscalCost, LapseCost
from alliance_sim.scenarios import ScenarioFileError, dump_scenario, load_scenario, save_scenario
from alliance_sim.scenarios._toml_lines import key_lines
from alliance_sim.scenarios.files import (
    _toml_key,
    _toml_value,
    scenario_from_dict,
    scenario_from_toml,
)

ROOT = Path(__file__).resolve().parents[1]
PRESET_FILES = ROOT / "src" / "alliance_sim" / "scenarios" / "preset_files"
SHIPPED = sorted((ROOT / "src" / "alliance_sim").rglob("*.toml"))
JAPAN = asim.scenarios.japan_us_2020()
AS_WRITTEN = asim.scenarios.japan_us_2020(calibrated=False)  # = document()


def document():
    return tomllib.loads((PRESET_FILES / "japan_us_2020.toml").read_text(encoding="utf-8"))


def errors_of(raw):
    with pytest.raises(ScenarioFileError) as info:
        scenario_from_dict(raw, source="test.toml")
    return str(info.value)


def file_errors_of(path):
    with pytest.raises(ScenarioFileError) as info:
        load_scenario(path)
    return str(info.value)


# 1. Strings and keys are written per TOML 1.0 -------------------------------------------


def test_control_characters_survive_save_and_load(tmp_path):
    scn = dataclasses.replace(JAPAN, notes="a\r\nb\tc\x00d\x7fe\x1bf", name="x\x01y")
    again = load_scenario(save_scenario(scn, tmp_path / "ctl.toml"))
    assert again.notes == scn.notes and again.name == scn.name
    assert dump_scenario(again) == dump_scenario(scn)
    text = (tmp_path / "ctl.toml").read_text(encoding="utf-8")
    assert r'notes = "a\r\nb\tc\u0000d\u007Fe\u001Bf"' in text


def test_a_stored_result_with_control_characters_loads(tmp_path):
    scn = dataclasses.replace(JAPAN, notes='say "hi"\r\n\\ \x01', name="n\x02")
    res = asim.simulate(scn, 64, seed=3, keep=False, store=tmp_path / "r.zarr", talks=False)
    back = asim.load_result(res.store)
    assert back.scenario.notes == scn.notes and back.scenario.name == scn.name


@given(
    text=st.text(),
    title=st.text(),
    unit=st.text(),
    player=st.text(min_size=1),
    provenance=st.text(min_size=1),
)
def test_any_text_survives_save_and_load(text, title, unit, player, provenance):
    space = JAPAN.parameters.replace("fx", unit=unit, provenance=provenance, description=text)
    scn = dataclasses.replace(
        JAPAN,
        name=text,
        title=title,
        notes=text + title,
        payment_unit=unit,
        parameters=space,
        payer=asim.Player(player, JAPAN.payer.terms),
    )
    with tempfile.TemporaryDirectory() as folder:
        again = load_scenario(save_scenario(scn, Path(folder) / "s.toml"))
    assert (again.name, again.title, again.notes, again.payment_unit, again.payer.name) == (
        scn.name,
        scn.title,
        scn.notes,
        scn.payment_unit,
        scn.payer.name,
    )
    fx = again.parameters["fx"]
    assert (fx.unit, fx.provenance, fx.description) == (unit, provenance, text)
    assert dump_scenario(again) == dump_scenario(scn)


@given(key=st.text(), value=st.text())
def test_any_key_and_string_is_written_as_valid_toml(key, value):
    assert tomllib.loads(f"{_toml_key(key)} = {_toml_value(value)}") == {key: value}
    assert tomllib.loads(f"t = {_toml_value({key: value})}") == {"t": {key: value}}
    assert tomllib.loads(f"[{_toml_key(key)}]\nv = 1") == {key: {"v": 1}}


def test_keys_are_bare_only_when_toml_allows_it():
    assert _toml_key("S_J") == "S_J" and _toml_key("a-1") == "a-1"
    assert _toml_key("β_US") == '"β_US"' and _toml_key("a.b") == '"a.b"' and _toml_key("") == '""'


def test_unicode_parameter_names_round_trip(tmp_path):
    """Python identifiers may be non-ASCII; TOML bare keys may not, so they are quoted."""
    scn = dataclasses.replace(
        JAPAN,
        parameters=JAPAN.parameters.add(
            Parameter("σ_extra", stats.uniform(0.0, 2.0), "share", "assumption: test"),
            Derived("δ", ("σ_extra", "fx"), product, "σ_extra·fx", "¥", "definition"),
        ),
    )
    text = dump_scenario(scn)
    assert '[parameters."σ_extra"]' in text and 'inputs = ["σ_extra", "fx"]' in text
    again = load_scenario(save_scenario(scn, tmp_path / "u.toml"))
    assert dump_scenario(again) == text
    a, b = scn.parameters.sample(16, seed=1), again.parameters.sample(16, seed=1)
    assert np.array_equal(a["δ"], b["δ"])


def test_numpy_numbers_are_written_as_toml_numbers():
    assert _toml_value(np.float64(0.1)) == "0.1" and _toml_value(np.int64(7)) == "7"
    assert _toml_value(np.bool_(True)) == "true" and _toml_value(np.float32(-np.inf)) == "-inf"


def test_unset_optional_term_arguments_are_left_out(tmp_path):
    """``LapseCost(lead=None)`` used to fail: TOML has no null."""
    payer = JAPAN.payer.without("lapse_cost").with_term(LapseCost("lapse_J", "t_expiry"))
    scn = JAPAN.with_players(payer=payer)
    again = load_scenario(save_scenario(scn, tmp_path / "l.toml"))
    assert again.payer["lapse_cost"].lead is None
    assert dump_scenario(again) == dump_scenario(scn)


def test_a_lone_surrogate_cannot_be_written():
    with pytest.raises(TypeError, match="lone surrogate U\\+D800"):
        dump_scenario(dataclasses.replace(JAPAN, notes="a\ud800"))


# 2. Deep nesting, 3. encoding ------------------------------------------------------------


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a = " * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_a_scenario_file_error(tmp_path, value):
    path = tmp_path / "deep.toml"
    path.write_text(f"x = {value}\n", encoding="utf-8")
    msg = file_errors_of(path)
    assert msg.startswith(f"{path}: ") and "nest too deeply" in msg
    with pytest.raises(ScenarioFileError, match=r"<mine>: .*nest too deeply"):
        scenario_from_toml(f"x = {value}\n", source="<mine>")


def test_a_file_that_is_not_utf8_names_the_file_and_the_byte(tmp_path):
    data = (PRESET_FILES / "japan_us_2020.toml").read_bytes()
    offset = data.index("–".encode(), data.index(b"title"))  # a non-ASCII character
    line = data[:offset].count(b"\n") + 1
    path = tmp_path / "latin1.toml"
    path.write_bytes(data[:offset] + b"\x96" + data[offset + 3 :])
    msg = file_errors_of(path)
    assert msg.startswith(f"{path}: not UTF-8")
    assert f"byte 0x96 at byte offset {offset} (line {line}," in msg


def test_newlines_are_read_as_before(tmp_path):
    """CRLF files load as they did with ``Path.read_text`` (universal newlines)."""
    text = (PRESET_FILES / "japan_us_2020.toml").read_text(encoding="utf-8")
    path = tmp_path / "crlf.toml"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert dump_scenario(load_scenario(path)) == dump_scenario(scenario_from_toml(text))


# 4. Laws: papers' parameters, scipy's only by name, the uniform trap ------------------------


def test_a_law_with_a_missing_parameter_names_the_laws_parameters():
    raw = document()
    raw["parameters"]["rho_J"]["distribution"] = {"law": "beta", "a": 2.0}
    msg = errors_of(raw)
    assert "  parameters.rho_J.distribution: beta takes beta(a, b, low=0, high=1)" in msg
    assert "missing: b" in msg and "_parse_args" not in msg


@pytest.mark.parametrize(
    ("law", "expected"),
    [
        ({"law": "beta", "a": 2.0, "b": 6.0, "c": 1.0}, "unknown: c"),
        ({"law": "uniform", "low": 2.0, "high": 1.0}, "uniform(low, high) needs low < high"),
        ({"law": "norm", "mean": 1.0, "sd": 0.0}, "needs sd > 0"),
        ({"law": "bernoulli", "p": 1.5}, "needs 0 <= p <= 1"),
        ({"law": "lognorm", "median": 4200.0}, "missing: sigma"),
        ({"law": "cauchy", "loc": 0.0}, "distribution.law: must be one of uniform, beta"),
        ({"scipy": "beta", "a": 2.0}, "scipy's beta takes a, b, loc, scale; missing: b"),
        ({"scipy": "beta", "a": 2.0, "bb": 6.0}, "distribution.bb: scipy's beta takes"),
        ({"scipy": "bernoulli", "p": 0.5, "scale": 1.0}, "'scale' is not one of them"),
        ({"law": "beta", "scipy": "beta", "a": 2.0, "b": 6.0}, "name the law once"),
        ({"a": 2.0, "b": 6.0}, "name the law once"),
    ],
)
def test_law_parameters_are_checked(law, expected):
    raw = document()
    raw["parameters"]["rho_J"]["distribution"] = law
    assert expected in errors_of(raw)


def test_scipy_arguments_by_name_are_the_explicit_alternative():
    raw = document()
    raw["parameters"]["rho_J"]["distribution"] = {"scipy": "beta", "b": 6.0, "a": 2.0}
    raw["parameters"]["c_J"]["distribution"] = {"scipy": "uniform", "loc": 250.0, "scale": 250.0}
    scn = scenario_from_dict(raw)
    assert scn.parameters["rho_J"].value.mean() == pytest.approx(0.25)
    assert [float(v) for v in scn.parameters["c_J"].value.support()] == [250.0, 500.0]
    assert dump_scenario(scn) == dump_scenario(AS_WRITTEN)  # written back in papers' form


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # the trap itself: the ends written as scipy's (loc, scale)
        (
            {"distribution": "uniform", "args": [250.0, 500.0]},
            "args = [250.0, 500.0] are scipy's (loc, scale): the uniform law on [250, 750], "
            "not [250, 500]. Write the ends as low and high: for 250 to 500, distribution = "
            '{law = "uniform", low = 250.0, high = 500.0}; for what scipy reads, '
            'distribution = {law = "uniform", low = 250.0, high = 750.0}',
        ),
        (
            {"distribution": "beta", "args": [2.0, 6.0]},
            'distribution = {law = "beta", a = 2.0, b = 6.0}',
        ),
        (
            {"distribution": "lognorm", "args": [0.5], "kwds": {"scale": 4200.0}},
            'distribution = {law = "lognorm", median = 4200.0, sigma = 0.5}',
        ),
        (
            {"distribution": "lognorm", "args": [0.5], "kwds": {"loc": 1.0}},
            'it has no such form: distribution = {scipy = "lognorm", s = 0.5, loc = 1.0, '
            "scale = 1.0}",
        ),
        ({"distribution": "cauchy"}, "must be a table such as"),
        ({"distribution": "beta", "args": [2.0]}, 'e.g. distribution = {law = "beta", ...}'),
    ],
)
def test_the_old_form_is_refused_with_its_rewrite(entry, expected):
    raw = document()
    raw["parameters"]["rho_J"].update(entry)
    assert expected in errors_of(raw)


def test_args_without_the_old_form_are_refused():
    raw = document()
    raw["parameters"]["rho_J"]["args"] = [2.0, 6.0]
    assert "parameters.rho_J.args: args and kwds went with the old" in errors_of(raw)


# 5. Quoted numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("parameters", "fx", "value"), "105", "parameters.fx.value"),
        (("parameters", "rho_J", "distribution", "a"), "2", "parameters.rho_J.distribution.a"),
        (
            ("parameters", "S_J", "distribution", "median"),
            "4200",
            "parameters.S_J.distribution.median",
        ),
        (("parameters", "fx", "bounds"), [0.0, "inf"], "parameters.fx.bounds.1"),
        (("scenario", "payment_floor"), "0", "scenario.payment_floor"),
        (("talks", "period_days"), "7", "talks.period_days"),
        (("talks", "horizon"), "5", "talks.horizon"),
        (("talks", "terms"), [1.0, "5"], "talks.terms.1"),
        (("players", "payer", "terms", 0, "weight"), "1", "players.payer.terms.0.weight"),
    ],
)
def test_a_quoted_number_is_refused_naming_the_field(where, value, path):
    raw = document()
    node = raw
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    msg = errors_of(raw)
    assert f"  {path}: must be" in msg and "got the string" in msg and "quoted" in msg


def test_numbers_where_names_go_and_names_where_numbers_go_are_refused():
    raw = document()
    raw["parameters"]["fx"]["value"] = True
    raw["parameters"]["demand"]["inputs"] = ["demand_usd", False]
    raw["talks"]["payee_first"] = 1
    raw["players"]["payer"]["terms"][0]["args"]["value"] = ["S_J"]
    msg = errors_of(raw)
    assert (
        "parameters.fx.value: must be a number, or a date such as 2020-11-03; got the boolean true"
        in msg
    )
    assert "parameters.demand.inputs.1: must be a parameter name (a string) or a number" in msg
    assert "talks.payee_first: must be true, false or a parameter name" in msg
    assert "players.payer.terms.0.args.value: must be a string or a number; got an array" in msg
    # Term arguments are checked against the term's constructor once the schema holds.
    raw = document()
    terms = raw["players"]["payer"]["terms"]
    terms[1]["args"]["mcpf"] = 0.3
    ref = next(t for t in terms if t["type"] == "ReferencePoint")
    ref["args"]["power"] = "2"
    msg = errors_of(raw)
    assert "players.payer.terms.1.args.mcpf: must be a string; got 0.3" in msg
    i = terms.index(ref)
    assert f"players.payer.terms.{i}.args.power: must be a number; got the string '2'" in msg


def test_integers_are_still_numbers():
    raw = document()
    raw["parameters"]["fx"]["value"] = 105
    raw["parameters"]["rho_J"]["distribution"] = {"law": "beta", "a": 2, "b": 6}
    raw["players"]["payer"]["terms"][0]["weight"] = 1
    scn = scenario_from_dict(raw)
    assert scn.parameters["fx"].value == 105.0
    assert dump_scenario(scn) == dump_scenario(AS_WRITTEN)


# 6. Misspelt names inside terms ----------------------------------------------------------


def test_a_misspelt_parameter_in_a_term_names_the_term_and_argument():
    raw = document()
    raw["players"]["payer"]["terms"][1]["args"]["mcpf"] = "mcpf_X"
    msg = errors_of(raw)
    assert msg.startswith("test.toml: 1 error(s)")
    assert "  players.payer.terms.1.args.mcpf: FiscalCost 'fiscal_cost' reads ['mcpf_X']" in msg
    assert "did you mean 'mcpf_J'?" in msg


def test_a_default_name_that_is_missing_names_the_argument():
    raw = document()
    del raw["players"]["payer"]["terms"][1]["args"]["mcpf"]
    raw["players"]["payer"]["terms"][1]["args"]["name"] = "fiscal_cost"
    raw["parameters"]["lambda_J"] = raw["parameters"].pop("mcpf_J")
    msg = errors_of(raw)
    assert "players.payer.terms.1: FiscalCost 'fiscal_cost' reads ['mcpf_J'] (the default" in msg


def test_unknown_missing_and_bad_term_arguments_are_reported_per_term():
    raw = document()
    terms = raw["players"]["payee"]["terms"]
    terms[0]["args"]["valeu"] = "S_J"
    terms.append({"type": "Constant", "args": {}})
    terms.append({"type": "Constant", "args": {"amount": 1.0, "name": "c2"}, "weight": 1.0})
    terms.append({"type": "LapseCost", "args": {"name": "lapse2", "full_term": -1.0}})
    n = len(terms)
    msg = errors_of(raw)
    assert "players.payee.terms.0.args.valeu: " in msg and "has no argument 'valeu'" in msg
    assert f"players.payee.terms.{n - 3}.args: Constant needs amount" in msg
    assert f"players.payee.terms.{n - 1}: LapseCost: full_term must be a positive" in msg


def test_a_missing_name_outside_the_terms_says_who_reads_it():
    raw = document()
    raw["talks"]["collapse"] = "colapse_rate"
    msg = errors_of(raw)
    assert "reads ['colapse_rate']" in msg and "'colapse_rate' by talks.collapse" in msg


def test_a_scenario_built_in_python_says_which_term_reads_a_missing_name():
    payer = JAPAN.payer.without("fiscal_cost").with_term(FiscalCost("lambda_X"))
    with pytest.raises(ValueError, match=r"'lambda_X' by payer\.terms\[\d+\] \(FiscalCost"):
        JAPAN.with_players(payer=payer)


# 7. Formulas: arity and names, at load ---------------------------------------------------


def test_a_formula_with_the_wrong_arity_fails_at_load_not_at_simulate():
    raw = document()
    raw["parameters"]["demand"]["inputs"] = ["demand_usd"]
    msg = errors_of(raw)
    assert "  parameters.demand.inputs: formula product takes 2 inputs (a, b); got 1" in msg
    raw["parameters"]["demand"].update(formula="toward", inputs=["demand_usd", "fx"])
    assert "formula toward takes 3 inputs (a, b, s); got 2" in errors_of(raw)


def test_a_formula_input_must_be_defined_above_it():
    raw = document()
    raw["parameters"]["demand"]["inputs"] = ["demand_usd", "fxx"]
    assert "parameters.demand.inputs.1: 'fxx' is not a parameter (did you mean 'fx'?)" in (
        errors_of(raw)
    )
    raw["parameters"]["demand"]["inputs"] = ["demand_usd", "S_J"]
    assert "parameters.demand.inputs.1: 'S_J' is defined after demand" in errors_of(raw)
    raw["parameters"]["demand"]["inputs"] = ["demand_usd", "demand"]
    assert "parameters.demand.inputs.1: demand cannot read itself" in errors_of(raw)


def test_derived_checks_its_arity_when_built():
    with pytest.raises(ValueError, match=r"product\(a, b\) cannot take the 1 input"):
        Derived("d", ("a",), product, "a·?", "u", "p")
    Derived("d", ("a", "b", "c"), lambda *xs: sum(xs), "a+b+c", "u", "p")  # variadic: fine
    assert {k: len(formula_inputs(k)) for k in FORMULAS} == {
        "product": 2,
        "quotient": 2,
        "sum": 2,
        "difference": 2,
        "less_than": 2,
        "toward": 3,
    }


# Valid files: no change ------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_load_save_and_reload_identically(path, tmp_path):
    assert SHIPPED, "no shipped scenario files found"
    first = load_scenario(path)
    text = dump_scenario(first)
    written = path.read_text(encoding="utf-8")
    # The writer's layout did not change (the file's leading comments are its own).
    assert text[text.index("[scenario]") :] == written[written.index("[scenario]") :]
    again = load_scenario(save_scenario(first, tmp_path / path.name))
    assert dump_scenario(again) == text
    a = first.parameters.sample(256, seed=5)
    b = again.parameters.sample(256, seed=5)
    assert list(a) == list(b)
    for key in a:
        assert np.array_equal(a[key], b[key]), key


# 8. Line numbers, and every error of every check at once ----------------------------------


def test_errors_carry_line_numbers_and_come_in_file_order():
    text = dump_scenario(JAPAN)
    text = text.replace("[scenario]", '[scenario]\ncolour = "blue"')
    text = text.replace(
        'distribution = {law = "uniform", low = 250.0, high = 500.0}',
        'distribution = "uniform"\nargs = [250.0, 500.0]',
    )
    text = text.replace('mcpf = "mcpf_J"', 'mcpf = "mcpf_X"')
    text = text.replace('type = "NoDealCost"', 'type = "NoDeaCost"', 1)
    text = text.replace("value = 105.0", 'value = "105"')
    lines = text.split("\n")

    def line_of(fragment: str) -> int:
        return next(i for i, t in enumerate(lines, start=1) if fragment in t)

    with pytest.raises(ScenarioFileError) as info:
        scenario_from_toml(text, source="my.toml")
    msg = str(info.value)
    assert msg.startswith("my.toml: 5 error(s)")  # pydantic's and the later checks' at once
    fx, c_j = line_of('value = "105"'), line_of('distribution = "uniform"')
    expected = [
        f"scenario.colour (line {line_of('colour')}): unknown key",
        f"parameters.fx.value (line {fx}): must be a number",
        f"parameters.c_J.distribution (line {c_j}): args",
        f"players.payer.terms.1.args.mcpf (line {line_of('mcpf_X')}): FiscalCost",
        f"players.payer.terms.3.type (line {line_of('NoDeaCost')}): must be one of",
    ]
    found = [msg.index(e) for e in expected]  # each is there ...
    assert found == sorted(found)  # ... in the file's order


def test_key_lines_reads_quoted_keys_arrays_and_multiline_strings():
    text = "\n".join(
        [
            "# a comment [not.a.table]",
            "[scenario]",
            'notes = """two',
            "x = 1 inside a string",
            '"""',
            "terms = [",
            "  1.0, # [",
            "  5.0,",
            "]",
            '[parameters."odd key"]',
            "value = 1.0",
            "[[players.payer.terms]]",
            "type = 'A'",
            "[[players.payer.terms]]",
            "a.b = 2",
        ]
    )
    found = key_lines(text)
    assert found[("scenario", "notes")] == 3
    assert ("scenario", "x") not in found
    assert found[("scenario", "terms")] == 6
    assert found[("parameters", "odd key", "value")] == 11
    assert found[("players", "payer", "terms", 0, "type")] == 13
    assert found[("players", "payer", "terms", 1, "a", "b")] == 15
