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
SHIPPED = sorted((ROOT / "src" / "alliance_sim" / "scenarios" / "preset_files").glob("*.toml"))
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
        if not lines:  # truncated and deleted down to nothing: an empty file
            break
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


# --- Stores --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_store(tmp_path_factory):
    """A small stored run with the stance equilibria (a child group) and a scenario."""
    res = asim.simulate(asim.scenarios.japan_us_2020(), 300, seed=5, talks=False, progress=False)
    return res.save(tmp_path_factory.mktemp("store") / "run.zarr")


@st.composite
def store_mutation(draw: st.DrawFn, files: list[str]) -> tuple[str, str, int]:
    kind = draw(st.sampled_from(["delete", "flip", "truncate", "swap", "extra", "json"]))
    return kind, draw(st.sampled_from(files)), draw(st.integers(0, 10**6))


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_any_change_to_a_store_is_an_error_on_load(saved_store, tmp_path_factory, data):
    import json
    import shutil

    path = tmp_path_factory.mktemp("mut") / "run.zarr"
    shutil.copytree(saved_store, path)
    files = _files(path)
    kind, name, k = data.draw(store_mutation(files))
    target = path / name
    raw = target.read_bytes()
    if kind == "delete":
        target.unlink()
    elif kind == "flip":
        if not raw:
            return
        i = k % len(raw)
        target.write_bytes(raw[:i] + bytes([raw[i] ^ (1 + k % 255)]) + raw[i + 1 :])
    elif kind == "truncate":
        target.write_bytes(raw[: k % max(len(raw), 1)])
    elif kind == "swap":
        other = path / files[k % len(files)]
        if other == target or other.read_bytes() == raw:
            return
        b = other.read_bytes()
        other.write_bytes(raw)
        target.write_bytes(b)
    elif kind == "extra":
        if target.parent.name != "c":  # a file zarr never reads: loading is unaffected
            (target.parent / "notes.txt").write_text("x", encoding="utf-8")
            back = asim.load_result(path)
            assert np.array_equal(
                back["nash_payment"], asim.load_result(saved_store)["nash_payment"], equal_nan=True
            )
            return
        (target.parent / str(1000 + k)).write_bytes(b"\0" * (k % 64))  # a chunk beyond the end
    elif kind == "json":
        if not name.endswith(".json"):
            return
        meta = json.loads(raw)
        attrs = meta.setdefault("attributes", {})
        key = sorted(attrs)[k % len(attrs)] if attrs else "added"
        attrs[key] = data.draw(st.one_of(st.integers(), st.text(max_size=5), st.none()))
        if json.dumps(meta) == json.dumps(json.loads(raw)):
            return
        target.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        asim.load_result(path)
    assert_documented(info.value, (ValueError, FileNotFoundError))


# --- bimatrix_equilibria -------------------------------------------------------------------------

payoff_scales = st.sampled_from([1.0, 1e-300, 1e-8, 1e6, 1e300, 1.7e308])


@st.composite
def payoff_batches(draw: st.DrawFn) -> tuple[object, object]:
    n = draw(st.integers(0, 4))
    m, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    scale = draw(payoff_scales)
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.int8, bool]))
    ties = draw(st.booleans())  # integer payoffs in {-1, 0, 1}: degenerate games
    values = st.integers(-1, 1) if ties else st.floats(-1, 1)
    shape = (n, m, k)
    a = np.array(draw(st.lists(values, min_size=n * m * k, max_size=n * m * k)), float)
    b = np.array(draw(st.lists(values, min_size=n * m * k, max_size=n * m * k)), float)
    a, b = a.reshape(shape), b.reshape(shape)
    if dtype in (np.float64, np.float32):
        if dtype is np.float32:
            scale = min(scale, 1e30)  # within float32's range
        a, b = (a * scale).astype(dtype), (b * scale).astype(dtype)
    else:
        a, b = a.astype(dtype), b.astype(dtype)
    if draw(st.booleans()):  # sometimes a mismatched or wrong-rank shape
        b = draw(st.sampled_from([b[..., :1], b[0] if n else b, b.tolist(), "x"]))
    return a, b


@FUZZ
@given(payoff_batches())
@example((np.zeros((1, 1, 70)), np.zeros((1, 1, 70))))
@example((np.full((1, 2, 2), 1.7e308), np.full((1, 2, 2), -1.7e308)))
def test_bimatrix_equilibria_solves_or_names_the_problem(games):
    from alliance_sim.solvers import bimatrix_equilibria

    a, b = games
    try:
        eq = bimatrix_equilibria(a, b)
    except (ValueError, TypeError) as exc:
        assert_documented(exc, (ValueError, TypeError))
        return
    n = np.shape(a)[0]
    assert eq.count.shape == (n,) and np.all(eq.count >= 1)  # every game has one
    assert np.all(np.isfinite(eq.row)) and np.all(np.isfinite(eq.col))
