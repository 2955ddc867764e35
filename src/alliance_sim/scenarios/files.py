"""Scenario files: a scenario described in TOML, validated before anything runs.

A file is read with the standard library's :mod:`tomllib` and validated with
pydantic v2 models that forbid unknown keys and report **every** error at once,
each with its path in the file (``parameters.S_J.distribution``) and the allowed
values. A file never executes code: distributions are named from a fixed list of
``scipy.stats`` laws, derived quantities use the named formulas of
:mod:`alliance_sim.parameters.formulas`, and utility terms are the built-in ones.

Layout (the presets' own files, e.g. ``alliance_sim/scenarios/preset_files/japan_us_2020.toml``;
``alliance-sim export japan_us_2020`` writes a copy to edit)::

    [scenario]            name, title, payment_unit, notes, payment_floor, opened (the
                          day the talks opened, a TOML date), and the names of the
                          outcome parameters (power, term_years, ...)
    [parameters.<name>]   value = 199.3                 # fixed, or
                          value = 2020-11-03            # a date: years since `opened`
                          distribution = {law = "uniform", low = 250.0, high = 500.0}
                          # or: formula = "product", inputs = ["demand_usd", "fx"]
                          unit, provenance, bounds = [low, high] (default: the real
                          line), description
    [players.payer] / [players.payee]
                          name = "Tokyo"
                          [[players.payer.terms]]  type = "FiscalCost", args = {mcpf = "mcpf_J"},
                                                   weight = 1.0 (the default)
    [election]            typed = {w_US = ["w_incumbent", "w_challenger"], ...}, ...
    [talks]               period_days, terms, horizon, payee_first, parameter names
                          (dates, rates, postures and commitment priors, collapse, ...)
    [solvers]             run = ["axiomatic", "stances", "talks"]   # what simulate runs;
                          # "offers" adds complete-information alternating offers

A law is written with the parameters papers use (:mod:`alliance_sim.parameters.laws`):
``uniform`` with ``low``, ``high``; ``norm`` with ``mean``, ``sd``; ``truncnorm`` with
``mean``, ``sd``, ``low``, ``high``; ``beta`` with ``a``, ``b`` on ``[low, high]`` (default
``[0, 1]``); ``lognorm`` with ``median``, ``sigma``; ``gamma`` with ``shape``, ``rate``;
``triang`` with ``low``, ``mode``, ``high``; ``expon`` with ``rate``; ``bernoulli`` with
``p``. scipy's own arguments remain available, but only named and marked as scipy's:
``distribution = {scipy = "uniform", loc = 250.0, scale = 250.0}``. The old form,
``distribution = "uniform"`` with positional ``args = [250.0, 250.0]``, is refused with its
rewrite: scipy's uniform ``(loc, scale)`` is 250 to 500 there, and a reader who takes the
two numbers for the ends gets the wrong law without any warning.

A date value (a TOML local date, ``2020-11-03``) is a time in the model: it is read as
years of 365.25 days since the header's ``opened`` (:func:`~.scenario.years_between`), and
its unit must be ``"years since talks opened"``; :func:`dump_scenario` writes such a time
back as a date whenever the date reads back to exactly the same number.

Bounds may use ``inf``/``-inf`` (TOML floats). Numbers must be TOML numbers: a
quoted ``"4"`` is a string and is refused where a number goes. A law's
parameters are checked against its papers' or scipy's parameters, formulas against their
number of inputs, and term arguments against the term's constructor, all at load.
:func:`dump_scenario` writes any scenario made of built-in pieces in this layout
(strings escaped per TOML 1.0, odd keys quoted); :func:`load_scenario` reads it back
to an equal scenario (same draws and results, bit for bit).
"""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
import math
import numbers
import re
import tomllib
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, TypeGuard

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from scipy import stats
from scipy.stats.distributions import rv_frozen

from ..parameters import Derived, Parameter, ParameterSpace, laws
from ..parameters.formulas import FORMULAS, formula_inputs
from ..players import ElectionTiming, Player
from ..players import terms as term_module
from ._toml_lines import key_lines
from .calendar import TalksCalendar
from .scenario import SINCE_OPENED, Scenario, years_between

__all__ = [
    "DISTRIBUTIONS",
    "TERMS",
    "ScenarioFileError",
    "dump_scenario",
    "load_scenario",
    "save_scenario",
]

#: The ``scipy.stats`` laws a file may name.
DISTRIBUTIONS: tuple[str, ...] = (
    "uniform",
    "beta",
    "lognorm",
    "norm",
    "truncnorm",
    "gamma",
    "triang",
    "expon",
    "bernoulli",
)
#: The utility terms a file may name.
TERMS: dict[str, type[term_module.UtilityTerm]] = {
    cls.__name__: cls
    for cls in (
        term_module.SecurityValue,
        term_module.FiscalCost,
        term_module.PaymentValue,
        term_module.ReferencePoint,
        term_module.NoDealCost,
        term_module.DrawdownOption,
        term_module.DeadlinePressure,
        term_module.LapseCost,
        term_module.Constant,
    )
}
_FORMULA_NAMES = {fn: name for name, fn in FORMULAS.items()}


class ScenarioFileError(ValueError):
    """A scenario file is invalid; the message lists every error with its path."""


def _is_number(v: object) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _kind(v: object) -> str:
    if isinstance(v, str):
        return f"the string {v!r}"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, list | tuple):
        return "an array"
    if isinstance(v, dict):
        return "a table"
    return repr(v)


def _name_or_number(v: object) -> str | float:
    if isinstance(v, str):
        return v
    if _is_number(v):
        return float(v)
    raise PydanticCustomError(
        "name_or_number",
        "must be a parameter name (a string) or a number; got {got}",
        {"got": _kind(v)},
    )


def _is_date(v: object) -> TypeGuard[dt.date]:
    """A calendar day (a TOML local date), not a date-time."""
    return isinstance(v, dt.date) and not isinstance(v, dt.datetime)


def _number_or_date(v: object) -> float | dt.date:
    if _is_number(v):
        return float(v)
    if _is_date(v):
        return v
    raise PydanticCustomError(
        "number_or_date",
        "must be a number, or a date such as 2020-11-03; got {got}",
        {"got": _kind(v)},
    )


def _bool_or_name(v: object) -> bool | str:
    if isinstance(v, bool | str):
        return v
    raise PydanticCustomError(
        "bool_or_name",
        "must be true, false or a parameter name (a string); got {got}",
        {"got": _kind(v)},
    )


def _scalar(v: object) -> str | float | int:
    if isinstance(v, str) or _is_number(v):
        return v
    raise PydanticCustomError(
        "scalar", "must be a string or a number; got {got}", {"got": _kind(v)}
    )


# Numbers are strict: a quoted number ("4") is a string, not a number (TOML has both).
_Float = Annotated[float, Strict()]
_Int = Annotated[int, Strict()]
# A TOML local date (2020-11-03); a date-time is refused (strict: not a subclass match).
_Date = Annotated[dt.date, Strict()]
_NumberOrDate = Annotated[float | dt.date, PlainValidator(_number_or_date)]
_NameOrNumber = Annotated[str | float, PlainValidator(_name_or_number)]
_BoolOrName = Annotated[bool | str, PlainValidator(_bool_or_name)]
_Scalar = Annotated[str | float | int, PlainValidator(_scalar)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The Literal[...] fields below list names known only at import time: pydantic checks
# them, mypy cannot (hence the valid-type ignores).
class _ParameterModel(_Strict):
    value: _NumberOrDate | None = Field(
        None,
        description="A fixed value: a number, or a date (2020-11-03) read as years since "
        "[scenario] opened (its unit must then be 'years since talks opened').",
    )
    distribution: str | dict[str, Any] | None = Field(
        None,
        description='A law in papers\' parameters, {law = "uniform", low = 250.0, high = '
        '500.0} (the laws table below), or scipy\'s, named: {scipy = "uniform", loc = 250.0, '
        "scale = 250.0}.",
    )
    # The old form, distribution = "<law>" with scipy's args/kwds: read only to say how to
    # rewrite it (see _legacy_distribution).
    args: list[_Float] | None = Field(
        None,
        description="Refused: scipy's positional arguments of the old form; the error shows "
        "the rewrite in papers' parameters.",
    )
    kwds: dict[str, _Float] | None = Field(
        None, description="Refused, with args: name the arguments in the distribution table."
    )
    formula: Literal[tuple(FORMULAS)] | None = None  # type: ignore[valid-type]
    inputs: list[_NameOrNumber] = Field(default_factory=list)
    unit: str
    provenance: Annotated[str, Field(min_length=1)]
    bounds: tuple[_Float, _Float] = (-math.inf, math.inf)
    description: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> _ParameterModel:
        kinds = [
            k
            for k, v in (
                ("value", self.value),
                ("distribution", self.distribution),
                ("formula", self.formula),
            )
            if v is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                f"give exactly one of value, distribution or formula; got {kinds or 'none'}"
            )
        if self.formula is not None and not self.inputs:
            raise ValueError("a formula needs inputs")
        if self.formula is None and self.inputs:
            raise ValueError("inputs only go with a formula")
        return self


class _TermModel(_Strict):
    type: Literal[tuple(TERMS)] = Field(  # type: ignore[valid-type]
        description="A built-in utility term (the terms table below)."
    )
    args: dict[str, _Scalar] = Field(
        default_factory=dict,
        description="The term's constructor arguments: parameter names (strings) or numbers.",
    )
    weight: _Float = Field(1.0, description="The term's weight in the player's utility.")


class _PlayerModel(_Strict):
    name: str
    terms: list[_TermModel]


class _PlayersModel(_Strict):
    payer: _PlayerModel
    payee: _PlayerModel


class _ElectionModel(_Strict):
    typed: dict[str, tuple[str, str]] = Field(default_factory=dict)
    challenger_wins: str = "challenger_wins"
    inauguration: str = "t_inauguration"
    probability: str = "p_challenger"


class _TalksModel(_Strict):
    period_days: _Int = 7
    election: str = "t_election"
    inauguration: str = "t_inauguration"
    budget: str = "t_budget"
    expiry: str = "t_expiry"
    final: str = "t_final"
    rate_payer: str = "r_J"
    rate_payee: str = "r_U"
    breakdown: str = "q_breakdown"
    ratify_max: str = "diet_max"
    ratify_min: str = "congress_min"
    renegotiation: str = "c_renegotiate"
    terms: list[_Float] = Field(default_factory=lambda: [1.0, 5.0])
    horizon: _Float = 5.0
    payee_first: _BoolOrName = True
    payer_demand: str = "posture_J"
    payee_demand: str = "posture_US"
    payer_commitment: str = "z_J"
    payee_commitment: str = "z_US"
    collapse: str = "collapse_rate"
    path_draws: tuple[str, str] = ("path_u", "path_v")
    rounds: str | None = None


class _HeaderModel(_Strict):
    name: str
    title: str
    payment_unit: str = "¥ billion per year"
    notes: str = ""
    opened: _Date | None = None
    payment_floor: _Float = 0.0
    power: str = "beta_US"
    term_years: str = "term_years"
    signing_time: str = "t_signing"
    status_quo: str = "status_quo"
    demand: str | None = "demand"
    drawdown: str | None = "pi_drawdown"


_Solver = Literal["axiomatic", "stances", "talks", "offers"]


def _default_solvers() -> list[_Solver]:
    return ["axiomatic", "stances", "talks"]


class _SolversModel(_Strict):
    run: list[_Solver] = Field(
        default_factory=_default_solvers,
        description="The stages simulate runs by default: 'axiomatic' (always), 'stances', "
        "'talks', 'offers' (complete-information alternating offers).",
    )


class _FileModel(_Strict):
    scenario: _HeaderModel
    parameters: dict[str, _ParameterModel]
    players: _PlayersModel
    election: _ElectionModel | None = None
    talks: _TalksModel | None = None
    solvers: _SolversModel = Field(default_factory=_SolversModel)


# --- Reading --------------------------------------------------------------------------------

_MESSAGES = {
    "float_type": "must be a number",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
}


def _path(*parts: object) -> str:
    """A key path as written in the file: ``parameters.S_J.args.0`` (odd keys quoted)."""
    return ".".join(_toml_key(p) if isinstance(p, str) else str(p) for p in parts)


def _errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = _path(*err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not allowed)"
        elif err["type"] == "literal_error" and "expected" in err.get("ctx", {}):
            msg = f"must be one of {err['ctx']['expected']}"
        elif err["type"] in _MESSAGES:
            got = err.get("input")
            msg = f"{_MESSAGES[err['type']]}; got {_kind(got)}"
            if isinstance(got, str):
                msg += " (a quoted value is a string in TOML)"
        elif err["type"] == "number_or_date" and isinstance(err.get("input"), str):
            msg += " (a quoted value is a string in TOML)"
        lines.append(f"  {loc}: {msg}")
    return lines


def _problems(
    source: str, lines: list[str], where: dict[tuple[str | int, ...], int] | None = None
) -> ScenarioFileError:
    """The error listing ``lines`` (``"  path: message"``), each with its line if known.

    ``where``: the document's key lines (:func:`._toml_lines.key_lines`); a path gets
    the line of its longest prefix found there.
    """
    if where:  # with line numbers, in the file's order
        by_text = {_path(*k): n for k, n in where.items()}
        numbered = [_with_line(line, by_text) for line in lines]
        order = sorted(range(len(lines)), key=lambda i: numbered[i][1])
        lines = [numbered[i][0] for i in order]
    return ScenarioFileError(
        f"{source}: {len(lines)} error(s) in the scenario file:\n" + "\n".join(lines)
    )


def _with_line(line: str, by_text: dict[str, int]) -> tuple[str, float]:
    """``line`` with the line number of its path (or its longest prefix), and that number."""
    path, sep, message = line.strip().partition(": ")
    probe = path if sep else ""
    while probe:
        if probe in by_text:
            return f"  {path} (line {by_text[probe]}): {message}", by_text[probe]
        probe = probe.rpartition(".")[0]
    return line, math.inf


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _distribution_arguments(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shape parameters a ``scipy.stats`` law requires, and its optional loc (, scale)."""
    law = getattr(stats, name)
    shapes = tuple(s.strip() for s in law.shapes.split(",")) if law.shapes else ()
    optional = ("loc",) if isinstance(law, stats.rv_discrete) else ("loc", "scale")
    return shapes, optional


def _inline(name: str, key: str, params: dict[str, float]) -> str:
    return _toml_value({key: name, **params})


def _legacy_distribution(name: str, m: _ParameterModel) -> list[str]:
    """The old ``distribution = "<law>"`` with scipy's args/kwds: refused, with its rewrite."""
    where = _path("parameters", name, "distribution")
    law = m.distribution
    if law not in DISTRIBUTIONS:
        return [
            f'  {where}: must be a table such as {{law = "uniform", low = 0.0, high = 1.0}}; '
            f"the laws are {', '.join(DISTRIBUTIONS)}{_did_you_mean(str(law), DISTRIBUTIONS)}"
        ]
    head = (
        f"  {where}: write a law as a table of the parameters papers use, "
        f"{laws.LAWS[str(law)].usage}"
    )
    try:
        dist = getattr(stats, str(law))(*(m.args or []), **(m.kwds or {}))
        form = laws.papers_form(dist)
        _, named = laws.scipy_form(dist)
    except (TypeError, ValueError):
        return [f'{head}; e.g. distribution = {{law = "{law}", ...}}']
    if law == "uniform" and m.args is not None and len(m.args) == 2 and form:
        lo, width = named["loc"], named["scale"]
        meant = {"low": float(m.args[0]), "high": float(m.args[1])}
        return [
            f"  {where}: args = {[float(a) for a in m.args]} are scipy's (loc, scale): "
            f"the uniform law on [{lo:g}, {lo + width:g}], not [{m.args[0]:g}, "
            f"{m.args[1]:g}]. Write the ends as low and high: for {m.args[0]:g} to "
            f"{m.args[1]:g}, distribution = {_inline('uniform', 'law', meant)}; for what "
            f"scipy reads, distribution = {_inline('uniform', 'law', laws.without_defaults(*form))}"
        ]
    rewrite = (
        f"distribution = {_inline(form[0], 'law', laws.without_defaults(*form))}" if form else ""
    )
    scipy_named = f"distribution = {_inline(str(law), 'scipy', named)}"
    if rewrite:
        return [f"{head}: {rewrite} (or scipy's arguments, named: {scipy_named})"]
    return [f"{head}; with these arguments it has no such form: {scipy_named}"]


def _table_distribution(name: str, table: dict[str, Any]) -> tuple[Any, list[str]]:
    """The frozen law of a ``distribution = {law = ...}`` or ``{scipy = ...}`` table."""
    where = _path("parameters", name, "distribution")
    keys = [k for k in ("law", "scipy") if k in table]
    if len(keys) != 1:
        return None, [
            f"  {where}: name the law once, in papers' parameters "
            f'{{law = "uniform", low = 0.0, high = 1.0}} or scipy\'s named arguments '
            f'{{scipy = "uniform", loc = 0.0, scale = 1.0}}; got keys {sorted(table)}'
        ]
    key = keys[0]
    law = table[key]
    if law not in DISTRIBUTIONS:
        return None, [
            f"  {where}.{key}: must be one of {', '.join(DISTRIBUTIONS)}; got {_kind(law)}"
            f"{_did_you_mean(str(law), DISTRIBUTIONS)}"
        ]
    params = {k: v for k, v in table.items() if k != key}
    problems = [
        f"  {where}.{_toml_key(k)}: must be a number; got {_kind(v)}"
        + (" (a quoted value is a string in TOML)" if isinstance(v, str) else "")
        for k, v in params.items()
        if not _is_number(v)
    ]
    if problems:
        return None, problems
    if key == "law":
        values, found = laws.check_papers(law, params)
        if found:
            return None, [f"  {where}: {p}" for p in found]
        return laws.law(law, **values), []
    shapes, optional = _distribution_arguments(law)
    usage = f"scipy's {law} takes {', '.join(shapes + optional)}"
    for k in params:
        if k not in shapes + optional:
            problems.append(
                f"  {where}.{_toml_key(k)}: {usage}; {k!r} is not one of them"
                f"{_did_you_mean(k, shapes + optional)}"
            )
    missing = [k for k in shapes if k not in params]
    if missing:
        problems.append(f"  {where}: {usage}; missing: {', '.join(missing)}")
    if problems:
        return None, problems
    return getattr(stats, law)(**{k: float(v) for k, v in params.items()}), []


def _check_formula(name: str, m: _ParameterModel, defined: list[str], declared: Any) -> list[str]:
    """Problems with a formula's inputs: its arity, and names not defined above it."""
    assert m.formula is not None
    out = []
    wanted = formula_inputs(m.formula)
    if len(m.inputs) != len(wanted):
        out.append(
            f"  {_path('parameters', name, 'inputs')}: formula {m.formula} takes "
            f"{len(wanted)} inputs ({', '.join(wanted)}); got {len(m.inputs)}: {list(m.inputs)}"
        )
    for j, i in enumerate(m.inputs):
        if not isinstance(i, str) or i in defined:
            continue
        if i == name:
            why = f"{name} cannot read itself"
        elif i in declared:
            why = (
                f"{i!r} is defined after {name}; a formula may only read parameters "
                f"defined above it in the file"
            )
        else:
            why = f"{i!r} is not a parameter{_did_you_mean(i, declared)}"
        out.append(f"  {_path('parameters', name, 'inputs', j)}: {why}")
    return out


def _parameter(
    name: str, m: _ParameterModel, dist: Any, opened: dt.date | None
) -> Parameter | Derived:
    if m.formula is not None:
        return Derived(
            name,
            tuple(m.inputs),
            FORMULAS[m.formula],
            f"{m.formula}{tuple(m.inputs)}",
            m.unit,
            m.provenance,
            m.description,
        )
    value: Any = m.value if dist is None else dist
    if isinstance(value, dt.date):
        if opened is None:
            raise ValueError(
                f"the date {value.isoformat()} is read as years since the talks opened: "
                f"give the day they opened in the header, [scenario] opened = YYYY-MM-DD"
            )
        if m.unit != SINCE_OPENED:
            raise ValueError(
                f"the date {value.isoformat()} is read as years since the talks opened: "
                f"its unit must be {SINCE_OPENED!r}; got {m.unit!r}"
            )
        value = years_between(opened, value)
    return Parameter(name, value, m.unit, m.provenance, bounds=m.bounds, description=m.description)


def _expects(hint: Any) -> str | None:
    """``"string"`` or ``"number"`` for a constructor annotation, or None (unchecked)."""
    kinds = set(typing.get_args(hint)) or {hint}
    kinds.discard(type(None))
    if kinds and kinds <= {str}:
        return "string"
    if kinds and kinds <= {int, float}:
        return "number"
    return None


def _term(where: str, t: _TermModel, problems: list[str]) -> term_module.UtilityTerm | None:
    """Build one term, or add its problems (unknown, missing or mistyped arguments)."""
    cls = TERMS[t.type]
    params = {k: q for k, q in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # pragma: no cover - annotations that do not evaluate: leave unchecked
        hints = {}
    before = len(problems)
    for k, v in t.args.items():
        if k not in params:
            problems.append(
                f"  {where}.args.{_toml_key(k)}: {t.type} has no argument {k!r}"
                f"{_did_you_mean(k, params)}; it takes {', '.join(params)}"
            )
            continue
        expected = _expects(hints.get(k))
        if expected == "string" and not isinstance(v, str):
            problems.append(f"  {where}.args.{k}: must be a string; got {_kind(v)}")
        elif expected == "number" and not _is_number(v):
            note = " (a quoted value is a string in TOML)" if isinstance(v, str) else ""
            problems.append(f"  {where}.args.{k}: must be a number; got {_kind(v)}{note}")
    missing = [k for k, q in params.items() if q.default is q.empty and k not in t.args]
    if missing:
        problems.append(f"  {where}.args: {t.type} needs {', '.join(missing)}")
    if len(problems) > before:
        return None
    try:
        return cls(**t.args)
    except (TypeError, ValueError) as exc:
        problems.append(f"  {where}: {t.type}: {exc}")
        return None


def _check_reads(
    where: str, t: _TermModel, term: term_module.UtilityTerm, known: set[str], typed: bool
) -> list[str]:
    """Problems with the names a term reads: each must be a parameter (or typed name)."""
    out = []
    spec = term.spec()
    for name in term.parameters():
        if name in known:
            continue
        keys = [k for k, v in spec.items() if v == name]
        given = [k for k in keys if k in t.args]
        at = f"{where}.args.{_toml_key(given[0])}" if given else where
        default = "" if given else f" (the default of its argument {keys[0]})" if keys else ""
        out.append(
            f"  {at}: {t.type} {term.name!r} reads {[name]}{default}, which is not "
            f"defined under [parameters]{' nor typed under [election]' if typed else ''}"
            f"{_did_you_mean(name, known)}"
        )
    return out


def _decode(data: bytes, source: str) -> str:
    """UTF-8 text of a file (with universal newlines, as ``Path.read_text``)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioFileError(
            f"{source}: not UTF-8 text (TOML files must be UTF-8): byte 0x{data[exc.start]:02x} "
            f"at byte offset {exc.start} (line {line}, byte {column} of the line): {exc.reason}"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def scenario_from_toml(text: str, source: str = "<string>") -> Scenario:
    """Parse a TOML document and build the scenario (see :func:`load_scenario`).

    Parameters
    ----------
    text : str
        The document, e.g. what :func:`dump_scenario` wrote.
    source : str
        Where it comes from, named in error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioFileError
        If the text is not TOML, nests too deeply to parse, or is not a valid
        scenario.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioFileError(
            f"{source}: not a scenario file: arrays or tables nest too deeply to read "
            f"(a scenario file nests only a few levels)"
        ) from None
    return _from_dict(raw, source, key_lines(text))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML file (UTF-8).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioFileError
        With every error (file, key path, allowed values): a file that is not
        UTF-8 (with the byte offset) or not TOML, or nests too deeply; unknown
        keys, wrong types (a quoted number is a string, not a number), unknown
        distributions, terms or formulas, a parameter with both a value and a
        distribution, distribution arguments that do not match the scipy law's
        shapes, a formula with the wrong number of inputs or reading a name not
        defined above it, unknown or mistyped term arguments, a term or model
        that reads an undefined parameter, invalid distribution parameters, ...
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    return scenario_from_toml(_decode(path.read_bytes(), str(path)), source=str(path))


def scenario_from_dict(raw: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a parsed scenario document and build the scenario (see :func:`load_scenario`)."""
    return _from_dict(raw, source, None)


def _check_parameters(
    models: dict[str, _ParameterModel | None], opened: dt.date | None
) -> tuple[list[Parameter | Derived], list[str]]:
    """Build the parameters, or list their problems (a None model: refused by pydantic).

    ``opened`` is the header's day the talks opened, which date values are counted from.
    """
    problems: list[str] = []
    entries: list[Parameter | Derived] = []
    declared = models.keys()
    defined: list[str] = []
    for name, m in models.items():
        defined.append(name)
        if m is None:
            continue
        found: list[str] = []
        dist: Any = None
        if (m.args is not None or m.kwds is not None) and not isinstance(m.distribution, str):
            found = [
                f"  {_path('parameters', name, k)}: args and kwds went with the old "
                f'distribution = "<law>"; name the arguments in the distribution table'
                for k in ("args", "kwds")
                if getattr(m, k) is not None
            ]
        elif isinstance(m.distribution, str):
            found = _legacy_distribution(name, m)
        elif m.distribution is not None:
            dist, found = _table_distribution(name, m.distribution)
        elif m.formula is not None:
            found = _check_formula(name, m, defined[:-1], declared)
        if found:
            problems += found
            continue
        try:
            entries.append(_parameter(name, m, dist, opened))
        except (TypeError, ValueError) as exc:
            problems.append(f"  {_path('parameters', name)}: {exc}")
    return entries, problems


def _build_terms(
    side: str,
    terms: list[_TermModel | None],
    known: set[str],
    typed: bool,
    problems: list[str],
) -> list[tuple[term_module.UtilityTerm, float]]:
    """Build a side's terms, adding their problems (a None term: refused by pydantic)."""
    built: list[tuple[term_module.UtilityTerm, float]] = []
    for i, t in enumerate(terms):
        if t is None:
            continue
        at = _path("players", side, "terms", i)
        term = _term(at, t, problems)
        if term is not None:
            problems += _check_reads(at, t, term, known, typed)
            built.append((term, t.weight))
    return built


def _check_players(
    models: dict[str, _PlayerModel], known: set[str], typed: bool
) -> tuple[dict[str, Player], list[str]]:
    """Build the players, or list the problems of their terms."""
    problems: list[str] = []
    players: dict[str, Player] = {}
    for side, pm in models.items():
        built = _build_terms(side, list(pm.terms), known, typed, problems)
        if len(built) == len(pm.terms):
            try:
                players[side] = Player(pm.name, built)
            except (TypeError, ValueError) as exc:
                problems.append(f"  {_path('players', side)}: {exc}")
    return players, problems


def _alone(model: type[BaseModel], raw: object) -> Any:
    """``raw`` validated by ``model`` on its own, or None."""
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _later_problems(raw: Any) -> list[str]:
    """The later checks' problems, for a document pydantic refused.

    The checks that follow pydantic (laws, formulas, terms) run on every parameter and
    player that pydantic accepts on its own, so one pass reports every error of the file.
    """
    if not isinstance(raw, dict):
        return []
    params = raw.get("parameters")
    params = params if isinstance(params, dict) else {}
    models = {str(k): _alone(_ParameterModel, v) for k, v in params.items()}
    # The day the talks opened, for the date values: a wrong one is pydantic's error (any
    # day serves the checks then), a missing one is the dates' error.
    head = raw.get("scenario")
    given = head.get("opened") if isinstance(head, dict) else None
    opened = None if given is None else given if _is_date(given) else dt.date.min
    problems = _check_parameters(models, opened)[1]
    election: Any = raw.get("election")
    typed = isinstance(election, dict)
    known = set(models) | {"challenger_in_office"}
    if typed and isinstance(election.get("typed"), dict):
        known |= {str(k) for k in election["typed"]}
    players = raw.get("players")
    if not isinstance(players, dict):
        return problems
    for side in ("payer", "payee"):
        pm = _alone(_PlayerModel, players.get(side))
        if pm is not None:
            problems += _check_players({side: pm}, known, typed)[1]
            continue
        entry = players.get(side)
        terms = entry.get("terms") if isinstance(entry, dict) else None
        alone = [_alone(_TermModel, t) for t in (terms if isinstance(terms, list) else [])]
        _build_terms(side, alone, known, typed, problems)
    return problems


def _from_dict(
    raw: dict[str, Any], source: str, where: dict[tuple[str | int, ...], int] | None
) -> Scenario:
    """:func:`scenario_from_dict`; ``where`` (key → line) puts line numbers in errors."""
    try:
        model = _FileModel.model_validate(raw)
    except ValidationError as exc:
        raise _problems(source, _errors(exc) + _later_problems(raw), where) from None
    except RecursionError:
        raise ScenarioFileError(f"{source}: the document nests too deeply to validate") from None
    entries, problems = _check_parameters(dict(model.parameters), model.scenario.opened)
    known = set(model.parameters) | {"challenger_in_office"}
    if model.election is not None:
        known |= set(model.election.typed)
    sides = {"payer": model.players.payer, "payee": model.players.payee}
    players, found = _check_players(sides, known, model.election is not None)
    problems += found
    if problems:
        raise _problems(source, problems, where)
    try:
        space = ParameterSpace(entries)
    except (TypeError, ValueError) as exc:
        raise ScenarioFileError(f"{source}: parameters: {exc}") from None
    h = model.scenario
    try:
        return Scenario(
            name=h.name,
            title=h.title,
            parameters=space,
            payer=players["payer"],
            payee=players["payee"],
            election=None
            if model.election is None
            else ElectionTiming(
                typed=dict(model.election.typed),
                challenger_wins=model.election.challenger_wins,
                inauguration=model.election.inauguration,
                probability=model.election.probability,
            ),
            talks=None
            if model.talks is None
            else TalksCalendar(
                **{
                    **model.talks.model_dump(),
                    "terms": tuple(model.talks.terms),
                    "path_draws": tuple(model.talks.path_draws),
                }
            ),
            solvers=tuple(model.solvers.run),
            power=h.power,
            term_years=h.term_years,
            signing_time=h.signing_time,
            status_quo=h.status_quo,
            demand=h.demand,
            drawdown=h.drawdown,
            payment_floor=h.payment_floor,
            payment_unit=h.payment_unit,
            notes=h.notes,
            opened=h.opened,
        )
    except (TypeError, ValueError) as exc:
        raise ScenarioFileError(f"{source}: {exc}") from None


# --- Writing --------------------------------------------------------------------------------


#: TOML 1.0 basic strings: escape the backslash, the quote and every control character
#: (U+0000–U+001F, U+007F), with the short forms where TOML has them.
_STRING_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F)} | {
    ord("\b"): "\\b",
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\f"): "\\f",
    ord("\r"): "\\r",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(v: str) -> str:
    """``v`` as a TOML basic string (``tomllib.loads`` reads back exactly ``v``)."""
    bad = _SURROGATE.search(v)
    if bad:
        raise TypeError(
            f"cannot write {v!r} to TOML: it holds the lone surrogate U+{ord(bad[0]):04X} "
            f"(at index {bad.start()}), which is not a character UTF-8 can encode"
        )
    return '"' + v.translate(_STRING_ESCAPES) + '"'


#: Text longer than this is written over several lines (a multi-line basic string whose
#: lines end in a backslash, which TOML joins back without the line breaks).
_WRAP = 88


def _toml_text(key: str, v: str) -> str:
    """``key = v`` for prose (provenance, notes): wrapped when long, read back exactly."""
    one = f"{_toml_key(key)} = {_toml_string(v)}"
    if len(one) <= _WRAP:
        return one
    # Break only after a single space: the line break, and the next line's leading
    # whitespace, are dropped by the backslash that ends the line.
    chunks: list[str] = []
    for word in re.split(r"(?<= )(?=[^ ])", _toml_string(v)[1:-1]):
        if chunks and len(chunks[-1]) + len(word) <= _WRAP - 6:
            chunks[-1] += word
        else:
            chunks.append(word)
    body = "".join(f"    {c}\\\n" for c in chunks[:-1]) + f"    {chunks[-1]}"
    wrapped = f'{_toml_key(key)} = """\\\n{body}"""'
    try:  # a guard: any text the rule above cannot wrap exactly stays on one line
        same = tomllib.loads(wrapped)[key] == v
    except tomllib.TOMLDecodeError:
        same = False
    return wrapped if same else one


def _toml_key(k: str) -> str:
    """``k`` as a TOML key: bare when it is ``A-Za-z0-9_-`` only, else a quoted string."""
    return k if _BARE_KEY.fullmatch(k) else _toml_string(k)


def _toml_value(v: Any) -> str:
    if _is_date(v):
        return v.isoformat()  # a TOML local date
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        v = float(v)
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


_PROSE = frozenset({"title", "notes", "provenance", "description"})


def _table(lines: list[str], header: str, items: dict[str, Any]) -> None:
    lines.append(f"[{header}]")
    lines += [
        _toml_text(k, v) if k in _PROSE and isinstance(v, str) else f"{k} = {_toml_value(v)}"
        for k, v in items.items()
        if v is not None
    ]
    lines.append("")


def _as_date(e: Parameter, opened: dt.date | None) -> dt.date | None:
    """The day ``e``'s value falls on, if a date reads back to exactly that time.

    So a file writes ``value = 2020-11-03`` rather than ``0.0520...``.
    """
    if opened is None or e.unit != SINCE_OPENED or isinstance(e.value, rv_frozen):
        return None
    v = float(e.value)
    if not math.isfinite(v) or abs(v) > 1000:
        return None
    day = opened + dt.timedelta(days=round(v * 365.25))
    return day if years_between(opened, day) == v else None


def _parameter_dict(e: Parameter | Derived, opened: dt.date | None = None) -> dict[str, Any]:
    if isinstance(e, Derived):
        if e.function not in _FORMULA_NAMES:
            raise TypeError(
                f"derived {e.name!r} uses a function that is not a named formula "
                f"({', '.join(FORMULAS)}); a scenario file never holds code"
            )
        return {
            "formula": _FORMULA_NAMES[e.function],
            "inputs": list(e.inputs),
            "unit": e.unit,
            "provenance": e.provenance,
            "description": e.description or None,
        }
    out: dict[str, Any] = {}
    if not isinstance(e.value, rv_frozen):  # fixed
        day = _as_date(e, opened)
        out["value"] = float(e.value) if day is None else day
    else:
        dist: Any = e.value
        if dist.dist.name not in DISTRIBUTIONS:
            raise TypeError(f"parameter {e.name!r}: {dist.dist.name} is not a file distribution")
        form = laws.papers_form(dist)
        if form is not None:
            out["distribution"] = {"law": form[0], **laws.without_defaults(*form)}
        else:  # no papers' form reproduces these arguments exactly: scipy's, named
            name, named = laws.scipy_form(dist)
            out["distribution"] = {"scipy": name, **named}
    out.update(
        unit=e.unit,
        provenance=e.provenance,
        # The default bounds (the real line) are left out, as the loader supplies them.
        bounds=None if e.bounds == (-math.inf, math.inf) else list(e.bounds),
        description=e.description or None,
    )
    return out


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as a TOML document (:func:`load_scenario` reads it back).

    Strings are written as TOML basic strings with every control character
    escaped, and keys that are not bare TOML keys (``A-Za-z0-9_-``) are quoted,
    so any text (notes, names, units, ...) reads back exactly.

    Raises
    ------
    TypeError
        If the scenario holds code: a ``FunctionTerm`` or a derived quantity whose
        function is not a named formula; or a string holds a lone surrogate (not a
        character: neither TOML nor UTF-8 can hold it).
    """
    lines: list[str] = [f"# Scenario {scenario.name!r}, written by alliance_sim.", ""]
    header = {
        "name": scenario.name,
        "title": scenario.title,
        "payment_unit": scenario.payment_unit,
        "notes": scenario.notes,
        "opened": scenario.opened,
        "payment_floor": float(scenario.payment_floor),
        "power": scenario.power,
        "term_years": scenario.term_years,
        "signing_time": scenario.signing_time,
        "status_quo": scenario.status_quo,
        "demand": scenario.demand,
        "drawdown": scenario.drawdown,
    }
    _table(lines, "scenario", header)
    for e in scenario.parameters.entries:
        _table(lines, f"parameters.{_toml_key(e.name)}", _parameter_dict(e, scenario.opened))
    for side, player in (("payer", scenario.payer), ("payee", scenario.payee)):
        _table(lines, f"players.{side}", {"name": player.name})
        for term, weight in player.terms:
            lines.append(f"[[players.{side}.terms]]")
            lines.append(f"type = {_toml_value(type(term).__name__)}")
            # None means "not used" (the default); TOML has no null, so it is left out.
            spec = {k: v for k, v in term.spec().items() if v is not None}
            lines.append(f"args = {_toml_value(spec)}")
            if weight != 1.0:  # (the loader's default)
                lines.append(f"weight = {_toml_value(float(weight))}")
            lines.append("")
    if scenario.election is not None:
        el = scenario.election
        _table(
            lines,
            "election",
            {
                "typed": {k: list(v) for k, v in el.typed.items()},
                "challenger_wins": el.challenger_wins,
                "inauguration": el.inauguration,
                "probability": el.probability,
            },
        )
    _table(lines, "solvers", {"run": list(scenario.solvers)})
    if scenario.talks is not None:
        t = scenario.talks
        _table(
            lines,
            "talks",
            {
                "period_days": t.period_days,
                "election": t.election,
                "inauguration": t.inauguration,
                "budget": t.budget,
                "expiry": t.expiry,
                "final": t.final,
                "rate_payer": t.rate_payer,
                "rate_payee": t.rate_payee,
                "breakdown": t.breakdown,
                "ratify_max": t.ratify_max,
                "ratify_min": t.ratify_min,
                "renegotiation": t.renegotiation,
                "terms": list(t.terms),
                "horizon": t.horizon,
                "payee_first": t.payee_first,
                "payer_demand": t.payer_demand,
                "payee_demand": t.payee_demand,
                "payer_commitment": t.payer_commitment,
                "payee_commitment": t.payee_commitment,
                "collapse": t.collapse,
                "path_draws": list(t.path_draws),
                **({} if t.rounds is None else {"rounds": t.rounds}),
            },
        )
    return "\n".join(lines)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write :func:`dump_scenario`'s TOML to ``path``; return the path."""
    path = Path(path)
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    return path
