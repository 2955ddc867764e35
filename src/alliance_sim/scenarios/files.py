"""Scenario files: a scenario described in TOML, validated before anything runs.

A file is read with the standard library's :mod:`tomllib` and validated with
pydantic v2 models that forbid unknown keys and report **every** error at once,
each with its path in the file (``parameters.S_J.distribution``) and the allowed
values. A file never executes code: distributions are named from a fixed list of
``scipy.stats`` laws, derived quantities use the named formulas of
:mod:`alliance_sim.parameters.formulas`, and utility terms are the built-in ones.

Layout (see ``examples/scenarios/japan_us_2020.toml``)::

    [scenario]            name, title, payment_unit, notes, payment_floor, and the
                          names of the outcome parameters (power, term_years, ...)
    [parameters.<name>]   value = 199.3                 # fixed, or
                          distribution = "lognorm", args = [0.5], kwds = {scale = 4200.0}
                          # or: formula = "product", inputs = ["demand_usd", "fx"]
                          unit, provenance, bounds = [low, high], description
    [players.payer] / [players.payee]
                          name = "Tokyo"
                          [[players.payer.terms]]  type = "FiscalCost", args = {mcpf = "mcpf_J"},
                                                   weight = 1.0
    [election]            typed = {w_US = ["w_incumbent", "w_challenger"], ...}, ...
    [talks]               period_days, terms, horizon, payee_first, parameter names
                          (dates, rates, postures and commitment priors, collapse, ...)
    [solvers]             run = ["axiomatic", "stances", "talks"]   # what simulate runs;
                          # "offers" adds complete-information alternating offers

Bounds may use ``inf``/``-inf`` (TOML floats). :func:`dump_scenario` writes any
scenario made of built-in pieces in this layout; :func:`load_scenario` reads it back
to an equal scenario (same draws and results, bit for bit).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from ..parameters import Derived, Parameter, ParameterSpace
from ..parameters.formulas import FORMULAS
from ..players import ElectionTiming, Player
from ..players import terms as term_module
from .calendar import TalksCalendar
from .scenario import Scenario

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ParameterModel(_Strict):
    value: float | None = None
    distribution: Literal[DISTRIBUTIONS] | None = None  # type: ignore[valid-type]
    args: list[float] = Field(default_factory=list)
    kwds: dict[str, float] = Field(default_factory=dict)
    formula: Literal[tuple(FORMULAS)] | None = None  # type: ignore[valid-type]
    inputs: list[str | float] = Field(default_factory=list)
    unit: str
    provenance: Annotated[str, Field(min_length=1)]
    bounds: tuple[float, float] = (-math.inf, math.inf)
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
    type: Literal[tuple(TERMS)]  # type: ignore[valid-type]
    args: dict[str, str | float | int] = Field(default_factory=dict)
    weight: float = 1.0


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
    period_days: int = 7
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
    terms: list[float] = Field(default_factory=lambda: [1.0, 5.0])
    horizon: float = 5.0
    payee_first: bool | str = True
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
    payment_floor: float = 0.0
    power: str = "beta_US"
    term_years: str = "term_years"
    signing_time: str = "t_signing"
    status_quo: str = "status_quo"
    demand: str | None = "demand"
    drawdown: str | None = "pi_drawdown"


class _SolversModel(_Strict):
    run: list[Literal["axiomatic", "stances", "talks", "offers"]] = Field(
        default_factory=lambda: ["axiomatic", "stances", "talks"]
    )


class _FileModel(_Strict):
    scenario: _HeaderModel
    parameters: dict[str, _ParameterModel]
    players: _PlayersModel
    election: _ElectionModel | None = None
    talks: _TalksModel | None = None
    solvers: _SolversModel = Field(default_factory=_SolversModel)


# --- Reading --------------------------------------------------------------------------------


def _errors(path: str, exc: ValidationError) -> ScenarioFileError:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not allowed)"
        elif err["type"] == "literal_error" and "expected" in err.get("ctx", {}):
            msg = f"must be one of {err['ctx']['expected']}"
        lines.append(f"  {loc}: {msg}")
    return ScenarioFileError(
        f"{path}: {len(lines)} error(s) in the scenario file:\n" + "\n".join(lines)
    )


def _parameter(name: str, m: _ParameterModel) -> Parameter | Derived:
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
    value: Any = m.value
    if m.distribution is not None:
        value = getattr(stats, m.distribution)(*m.args, **m.kwds)
    return Parameter(name, value, m.unit, m.provenance, bounds=m.bounds, description=m.description)


def _player(m: _PlayerModel) -> Player:
    built = []
    for t in m.terms:
        built.append((TERMS[t.type](**t.args), t.weight))
    return Player(m.name, built)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioFileError
        With every error (file, key path, allowed values): unknown keys, wrong
        types, unknown distributions, terms or formulas, a parameter with both a
        value and a distribution, invalid distribution parameters, a model that
        reads an undefined parameter, ...
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{path}: not valid TOML: {exc}") from None
    return scenario_from_dict(raw, source=str(path))


def scenario_from_dict(raw: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a parsed scenario document and build the scenario (see :func:`load_scenario`)."""
    try:
        model = _FileModel.model_validate(raw)
    except ValidationError as exc:
        raise _errors(source, exc) from None
    problems: list[str] = []
    entries: list[Parameter | Derived] = []
    for name, m in model.parameters.items():
        try:
            entries.append(_parameter(name, m))
        except (TypeError, ValueError) as exc:
            problems.append(f"  parameters.{name}: {exc}")
    players: dict[str, Player] = {}
    for side in ("payer", "payee"):
        try:
            players[side] = _player(getattr(model.players, side))
        except (TypeError, ValueError) as exc:
            problems.append(f"  players.{side}: {exc}")
    if problems:
        raise ScenarioFileError(
            f"{source}: {len(problems)} error(s) in the scenario file:\n" + "\n".join(problems)
        )
    h = model.scenario
    try:
        return Scenario(
            name=h.name,
            title=h.title,
            parameters=ParameterSpace(entries),
            payer=players["payer"],
            payee=players["payee"],
            election=None
            if model.election is None
            else ElectionTiming(
                typed={k: tuple(v) for k, v in model.election.typed.items()},
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
        )
    except (TypeError, ValueError) as exc:
        raise ScenarioFileError(f"{source}: {exc}") from None


# --- Writing --------------------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        escaped = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _table(lines: list[str], header: str, items: dict[str, Any]) -> None:
    lines.append(f"[{header}]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in items.items() if v is not None]
    lines.append("")


def _parameter_dict(e: Parameter | Derived) -> dict[str, Any]:
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
    if e.is_fixed:
        out["value"] = float(e.value)  # type: ignore[arg-type]
    else:
        dist: Any = e.value
        if dist.dist.name not in DISTRIBUTIONS:
            raise TypeError(f"parameter {e.name!r}: {dist.dist.name} is not a file distribution")
        out["distribution"] = dist.dist.name
        out["args"] = [float(a) for a in dist.args]
        if dist.kwds:
            out["kwds"] = {k: float(v) for k, v in dist.kwds.items()}
    out.update(
        unit=e.unit,
        provenance=e.provenance,
        bounds=list(e.bounds),
        description=e.description or None,
    )
    return out


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as a TOML document (:func:`load_scenario` reads it back).

    Raises
    ------
    TypeError
        If the scenario holds code: a ``FunctionTerm`` or a derived quantity whose
        function is not a named formula.
    """
    lines: list[str] = [f"# Scenario {scenario.name!r}, written by alliance_sim.", ""]
    header = {
        "name": scenario.name,
        "title": scenario.title,
        "payment_unit": scenario.payment_unit,
        "notes": scenario.notes,
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
        _table(lines, f"parameters.{e.name}", _parameter_dict(e))
    for side, player in (("payer", scenario.payer), ("payee", scenario.payee)):
        _table(lines, f"players.{side}", {"name": player.name})
        for term, weight in player.terms:
            lines.append(f"[[players.{side}.terms]]")
            lines.append(f"type = {_toml_value(type(term).__name__)}")
            lines.append(f"args = {_toml_value(term.spec())}")
            lines.append(f"weight = {_toml_value(float(weight))}")
            lines.append("")
    if scenario.election is not None:
        e = scenario.election
        _table(
            lines,
            "election",
            {
                "typed": {k: list(v) for k, v in e.typed.items()},
                "challenger_wins": e.challenger_wins,
                "inauguration": e.inauguration,
                "probability": e.probability,
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
