"""Fuzzing the public entry points (issue 12, item 12).

Each input either works or raises one of the library's documented errors, raised by
the library itself with a message — never an exception from inside a dependency
(pydantic, scipy, numpy, tomllib, zarr, argparse internals) and never a silent NaN
(``RuntimeWarning`` is an error in this suite, see pyproject.toml).
"""

from __future__ import annotations

import math
import os
import re
import traceback
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import alliance_sim as asim
from alliance_sim import cli
from alliance_sim.scenarios import ScenarioFileError
from alliance_sim.scenarios.files import scenario_from_toml

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
SHIPPED_TEXT = {p.name: p.read_text(encoding="utf-8") for p in SHIPPED}

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def raised_by_the_library(exc: BaseException) -> bool:
    """True when the innermost frame that raised ``exc`` is alliance_sim's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and "alliance_sim" in Path(frames[-1].filename).parts


def assert_documented(exc: BaseException, allowed: tuple[type[BaseException], ...]) -> None:
    """The library raised one of ``allowed``, itself, with a message."""
    assert isinstance(exc, allowed), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip(), f"{type(exc).__name__} without a message"
    chain = exc
    # a library error may wrap a dependency's (raise ... from exc): the outer one counts
    assert raised_by_the_library(chain), (
        f"{type(exc).__name__} raised from inside a dependency:\n"
        + "".join(traceback.format_exception(exc))
    )


# --- Scenario files ------------------------------------------------------------------------------

_LINE = re.compile(r"^(\s*)([A-Za-z0-9_\-\"\.]+)(\s*=\s*)(.+)$")

def _toml_float(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


toml_values = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda v: (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    ),
    st.sampled_from(['"4"', '""', "true", "false", "[]", "[1]", '["a", 2]', "{}", "{a = 1}"]),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(['"beta"', '"uniform"', '"norm"', '"product"', '"S_J"', '"nope"']),
)


@st.composite
def mutated_scenario_text(draw: st.DrawFn) -> str:
    """A shipped scenario file with a few lines deleted, duplicated, re-valued or re-keyed."""
    lines = SHIPPED_TEXT[draw(st.sampled_from(sorted(SHIPPED_TEXT)))].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "value", "key", "truncate"]))
        m = _LINE.match(lines[i])
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "value" and m:
            lines[i] = m.group(1) + m.group(2) + m.group(3) + draw(toml_values)
        elif kind == "key" and m:
            key = m.group(2)
            j = draw(st.integers(0, max(len(key) - 1, 0)))
            lines[i] = m.group(1) + key[:j] + key[j + 1 :] + m.group(3) + m.group(4)
        elif kind == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
    return "\n".join(lines) + "\n"


def check_scenario_text(text: str) -> asim.Scenario | None:
    try:
        return scenario_from_toml(text, "fuzz.toml")
    except ScenarioFileError as exc:
        assert "fuzz.toml" in str(exc)
        assert_documented(exc, (ScenarioFileError,))
        return None


@FUZZ
@given(mutated_scenario_text())
def test_mutated_scenario_files_load_or_say_what_is_wrong(text):
    scn = check_scenario_text(text)
    if scn is None:
        return
    try:  # it loaded: it samples and runs, or the model names what it cannot do
        res = asim.simulate(scn, 64, seed=0, stances=False, talks=False, progress=False)
    except ValueError as exc:
        assert_documented(exc, (ValueError,))
        return
    assert res.n == 64


@FUZZ
@given(st.text(max_size=300))
@example("a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")
@example("[scenario]\ntitle = 3\n")
@example('[parameters.S_J]\nvalue = "4"\nunit = "x"\nprovenance = "y"\n')
def test_any_text_loads_or_is_a_scenario_file_error(text):
    check_scenario_text(text)


@FUZZ
@given(st.binary(max_size=200))
@example(b"\xff\xfe[scenario]\n")
def test_any_bytes_load_or_are_a_scenario_file_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_bytes(data)
    try:
        asim.load_scenario(path)
    except ScenarioFileError as exc:
        assert str(path) in str(exc)
        assert_documented(exc, (ScenarioFileError,))


# --- simulate's keywords -------------------------------------------------------------------------

odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([2**70, np.int64(2), np.int32(1), np.float64(2.0), 1.5, math.nan, -math.inf]),
    st.sampled_from(["", "yes", "no", "sobol", "lhs", "random", "threads", "sync", "year"]),
    st.sampled_from([[1, 2], (0,), {"a": 1}, np.array([1, 2]), b"x"]),
)

SIMULATE_KEYWORDS = [
    "seed",
    "sampler",
    "chunk_size",
    "keep",
    "by",
    "progress",
    "scheduler",
    "workers",
    "stances",
    "talks",
    "offers",
    "overwrite",
    "resume",
]


@pytest.fixture(scope="module")
def small_scenario():
    return asim.scenarios.japan_us_2020()


@FUZZ
@given(
    n=st.one_of(st.integers(-2, 40), st.sampled_from([0.5, "10", None, np.int64(8), True])),
    kwargs=st.dictionaries(st.sampled_from(SIMULATE_KEYWORDS), odd_values, max_size=3),
)
@example(n=8, kwargs={"keep": "no"})
@example(n=8, kwargs={"workers": np.int64(2)})
@example(n=8, kwargs={"chunk_size": 0})
@example(n=8, kwargs={"seed": -1})
@example(n=8, kwargs={"stances": "no"})
@example(n=8, kwargs={"progress": 3})
def test_simulate_keywords_work_or_are_named(small_scenario, n, kwargs):
    kwargs.setdefault("talks", False)
    kwargs.setdefault("stances", False)
    kwargs.setdefault("progress", False)
    try:
        res = asim.simulate(small_scenario, n, **kwargs)
    except (ValueError, TypeError) as exc:
        assert_documented(exc, (ValueError, TypeError))
        named = {"n", *kwargs} - {"progress"}
        assert any(k in str(exc) for k in named), f"{exc!r} names none of {sorted(named)}"
        return
    assert res.n == int(n)
    for k in ("keep", "progress", "stances", "talks", "offers", "overwrite", "resume"):
        v = kwargs.get(k)
        assert v is None or isinstance(v, bool | np.bool_), f"{k}={v!r} was taken as a flag"
    for name, values in res.outputs.items():
        if values.dtype.kind == "f" and name.startswith("nash"):
            ok = np.isfinite(values) | ~res.outputs["feasible"]
            assert ok.all(), f"silent NaN in {name}"


# --- The command line ----------------------------------------------------------------------------

cli_values = st.one_of(
    st.integers(-5, 60).map(str),
    st.sampled_from(["", "0", "1e3", "abc", "-1", "2.5", "japan_us_2020", "korea_us_2019"]),
)


@st.composite
def cli_argv(draw: st.DrawFn, tmp: Path) -> list[str]:
    command = draw(st.sampled_from(["presets", "run", "export", "plot", "bogus"]))
    argv = [command]
    if command in ("run", "export", "plot"):
        argv.append(
            draw(st.sampled_from(["japan_us_2020", "korea_us_2019", "nope", str(tmp / "x.toml")]))
        )
    options = {
        "run": ["--draws", "--seed", "--sampler", "--workers", "--out", "--store"],
        "plot": ["--draws", "--seed", "--dir"],
        "export": ["--out"],
    }.get(command, ["--draws"])
    flags = {"run": ["--stream", "--no-stances", "--no-talks", "--overwrite", "--resume"]}
    for opt in draw(st.lists(st.sampled_from(options), max_size=3, unique=True)):
        value = draw(cli_values)
        if opt == "--draws" and value.isdigit() and int(value) > 60:
            value = "60"
        if opt in ("--out", "--store", "--dir"):
            value = str(tmp / draw(st.sampled_from(["o.csv", "s.zarr", "d", "x.toml"])))
        argv += [opt, value]
    argv += draw(st.lists(st.sampled_from(flags.get(command, ["--bogus"])), max_size=2))
    if "--draws" not in argv and command in ("run", "plot"):
        argv += ["--draws", "40"]
    return argv


@pytest.mark.slow
@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_the_command_line_exits_with_a_status_not_a_traceback(tmp_path_factory, capsys, data):
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "x.toml").write_text('[scenario]\ntitle = "x"\n', encoding="utf-8")
    argv = data.draw(cli_argv(tmp))
    here = os.getcwd()
    os.chdir(tmp)  # `plot` writes ./figures by default
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse: a usage error (2) or --help/--version (0)
        assert exc.code in (0, 2), argv
        return
    finally:
        os.chdir(here)
    err = capsys.readouterr().err
    assert status in (0, 1), argv
    if status == 1:
        assert "error:" in err and "Traceback" not in err, (argv, err)
