"""`Scenario`: everything one simulation needs — parameters, players, election timing, outcome."""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..parameters import Derived, Draws, Parameter, ParameterSpace
from ..players import ElectionTiming, Player
from ..players.terms import Domain
from .calendar import TalksCalendar

__all__ = ["SINCE_OPENED", "Scenario", "years_between"]

#: The unit of a time in the model: years of 365.25 days since the talks opened.
SINCE_OPENED = "years since talks opened"


def years_between(start: _dt.date, end: _dt.date) -> float:
    """Time from ``start`` to ``end`` in years of 365.25 days.

    Examples
    --------
    >>> round(years_between(_dt.date(2020, 10, 15), _dt.date(2021, 3, 31)), 4)
    0.4572
    """
    return (end - start).days / 365.25


@dataclass(frozen=True)
class Scenario:
    """A bargaining scenario: who bargains, over what, with which uncertain parameters.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"japan_us_2020"``.
    title : str
        One-line description.
    parameters : ParameterSpace
        Every number the model reads, with units and provenance.
    payer, payee : Player
        The host that pays and the patron that is paid.
    election : ElectionTiming or None
        Resolves the patron's typed parameters for the type in office at signing.
    power : str
        Draw name of the payee's bargaining power β.
    term_years, signing_time : str
        Draw names of the agreement's term ``T`` (years) and signing time ``t``
        (years since talks opened).
    status_quo : str
        Draw name of the current payment (the brackets' scale).
    demand : str or None
        Draw name of the payee's reported demand in payment units, if any.
    drawdown : str or None
        Draw name (after election typing) of the probability that the payee really
        draws down without a deal; with ``demand`` and ``election`` it enables the
        stance game (:mod:`alliance_sim.games.stance`).
    talks : TalksCalendar or None
        Calendar and parameter names of the time-aware talks
        (:mod:`alliance_sim.games.talks`, :mod:`alliance_sim.games.offers`); None
        disables them.
    solvers : tuple of str
        Which stages :func:`~alliance_sim.simulate` runs by default: ``"axiomatic"``
        (always: the settlement range and the Nash, KS and split solutions), and
        ``"stances"``, ``"talks"`` (the reputational war of attrition), ``"offers"``
        (complete-information alternating offers) when the scenario defines what
        they need.
    payment_floor : float
        Lowest admissible payment (≥ 0).
    payment_unit : str
        Unit of payments, for display.
    notes : str
        Free text shown when the scenario is printed.
    opened : datetime.date or None
        The day the talks opened: times in the model (``t_election``, ``t_expiry``, ...)
        are years of 365.25 days since it (:func:`years_between`), and a scenario
        file may write them as dates. None: the scenario keeps no calendar date.

    Raises
    ------
    ValueError
        If a name the players, the election or the scenario reads is missing,
        or a parameter's support leaves the domain a term requires.
    """

    name: str
    title: str
    parameters: ParameterSpace
    payer: Player
    payee: Player
    election: ElectionTiming | None = None
    power: str = "beta_US"
    term_years: str = "term_years"
    signing_time: str = "t_signing"
    status_quo: str = "status_quo"
    demand: str | None = "demand"
    drawdown: str | None = "pi_drawdown"
    talks: TalksCalendar | None = None
    solvers: tuple[str, ...] = ("axiomatic", "stances", "talks")
    payment_floor: float = 0.0
    payment_unit: str = "¥ billion per year"
    notes: str = ""
    opened: _dt.date | None = None
    domains: dict[str, Domain] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.parameters, ParameterSpace):
            raise TypeError("parameters must be a ParameterSpace")
        for label, p in (("payer", self.payer), ("payee", self.payee)):
            if not isinstance(p, Player):
                raise TypeError(f"{label} must be a Player; got {type(p).__name__}")
        unknown = sorted(set(self.solvers) - {"axiomatic", "stances", "talks", "offers"})
        if unknown or "axiomatic" not in self.solvers:
            raise ValueError(
                f"solvers must include 'axiomatic' and may add 'stances', 'talks', 'offers'; "
                f"got {self.solvers}"
            )
        object.__setattr__(self, "solvers", tuple(self.solvers))
        if self.opened is not None and (
            not isinstance(self.opened, _dt.date) or isinstance(self.opened, _dt.datetime)
        ):
            raise TypeError(
                f"opened must be a datetime.date (the day the talks opened); got {self.opened!r}"
            )
        if not (math.isfinite(self.payment_floor) and self.payment_floor >= 0):
            raise ValueError(
                f"payment_floor must be a finite number >= 0 (payments are non-negative); "
                f"got {self.payment_floor}"
            )
        readers: dict[str, str] = {}
        domains = self._required_domains(readers)
        object.__setattr__(self, "domains", domains)
        resolved = set(self.election.typed) if self.election else set()
        known = set(self.parameters) | resolved | {"challenger_in_office"}
        missing = sorted(k for k in domains if k not in known)
        if missing:
            who = "; ".join(f"{k!r} by {readers[k]}" for k in missing)
            raise ValueError(
                f"scenario {self.name!r}: the model reads {missing}, which the parameter "
                f"space does not define (read: {who})"
            )
        self._check_supports(domains, resolved)

    def _required_domains(self, readers: dict[str, str] | None = None) -> dict[str, Domain]:
        """Every name the model reads, with its domain.

        ``readers`` (if given) receives, for each name, the first piece that reads
        it (``"payer.terms[2] (FiscalCost 'fiscal_cost')"``, ``"talks.collapse"``,
        ``"scenario.power"``, ...), for error messages.
        """
        out: dict[str, Domain] = {}
        who = {} if readers is None else readers

        def need(name: str, dom: Domain, reader: str, *, replace: bool = False) -> None:
            if replace:
                out[name] = dom
            else:
                out.setdefault(name, dom)
            who.setdefault(name, reader)

        for side in ("payer", "payee"):
            player = getattr(self, side)
            labels: dict[str, str] = {}
            for i, (term, _) in enumerate(player.terms):
                for k in term.parameters():
                    labels.setdefault(k, f"{side}.terms[{i}] ({type(term).__name__} {term.name!r})")
            for k, dom in player.parameters().items():
                need(k, dom, labels.get(k, side))
        need(self.power, Domain(0.0, 1.0), "scenario.power")
        need(self.term_years, Domain(0.0, low_open=True), "scenario.term_years")
        need(self.signing_time, Domain(), "scenario.signing_time")
        need(self.status_quo, Domain(0.0, low_open=True), "scenario.status_quo")
        if self.demand is not None:
            need(self.demand, Domain(0.0), "scenario.demand")
        if self.talks is not None:
            cal = self.talks
            for f in ("election", "inauguration", "budget", "expiry", "final"):
                need(getattr(cal, f), Domain(), f"talks.{f}")
            for f in ("rate_payer", "rate_payee", "ratify_min", "renegotiation"):
                need(getattr(cal, f), Domain(0.0), f"talks.{f}")
            need(cal.ratify_max, Domain(0.0), "talks.ratify_max")
            need(cal.breakdown, Domain(0.0, 1.0, high_open=True), "talks.breakdown")
            if "talks" in self.solvers:
                for f in ("payer_demand", "payee_demand", "collapse"):
                    need(getattr(cal, f), Domain(0.0), f"talks.{f}")
                for f in ("payer_commitment", "payee_commitment"):
                    need(getattr(cal, f), Domain(0.0, 1.0), f"talks.{f}")
                for j, name in enumerate(cal.path_draws):
                    need(name, Domain(0.0, 1.0), f"talks.path_draws[{j}]")
                if cal.rounds is not None:
                    need(cal.rounds, Domain(0.0), "talks.rounds")
        if self.election is not None:
            e = self.election
            need(e.challenger_wins, Domain(), "election.challenger_wins")
            need(e.inauguration, Domain(), "election.inauguration")
            need(e.probability, Domain(), "election.probability")
            for res, (inc, chal) in e.typed.items():
                need(inc, Domain(), f"election.typed[{res!r}]")
                need(chal, Domain(), f"election.typed[{res!r}]")
            need(e.challenger_wins, Domain(0.0, 1.0), "election.challenger_wins", replace=True)
            need(e.probability, Domain(0.0, 1.0), "election.probability", replace=True)
            # A typed parameter must satisfy the domain of the name it resolves to.
            for res, (inc, chal) in e.typed.items():
                dom = out.get(res, Domain())
                need(inc, dom, f"election.typed[{res!r}]", replace=True)
                need(chal, dom, f"election.typed[{res!r}]", replace=True)
        return out

    def _check_supports(self, domains: dict[str, Domain], resolved: set[str]) -> None:
        for name, dom in domains.items():
            if name in resolved or name == "challenger_in_office":
                continue
            entry = self.parameters[name]
            if isinstance(entry, Parameter):
                a, b = entry.support()
                if not dom.contains(a, b):
                    raise ValueError(
                        f"scenario {self.name!r}: parameter {name!r} must lie in {dom} for the "
                        f"model; its {'value' if entry.is_fixed else 'support'} is "
                        f"[{a:g}, {b:g}]"
                    )

    # Validation of sampled values (derived quantities cannot be checked statically) ----
    def check_draws(self, draws: Draws) -> None:
        """Raise ``ValueError`` naming the parameter if a draw leaves its domain."""
        for name, dom in self.domains.items():
            if name in draws and isinstance(self.parameters.get(name), Derived):
                dom.check(draws[name], name)

    # Editing ------------------------------------------------------------------------
    def with_parameters(self, **changes: Any) -> Scenario:
        """New scenario with parameters replaced: ``name=value_or_distribution``.

        Examples
        --------
        >>> from alliance_sim.scenarios import japan_us_2020
        >>> japan_us_2020().with_parameters(beta_US=0.5).parameters["beta_US"].value
        0.5
        """
        space = self.parameters
        for name, value in changes.items():
            space = space.replace(name, value=value)
        return replace(self, parameters=space)

    def with_players(self, payer: Player | None = None, payee: Player | None = None) -> Scenario:
        """New scenario with one or both players replaced."""
        return replace(self, payer=payer or self.payer, payee=payee or self.payee)

    def __str__(self) -> str:
        head = f"{self.title} ({self.name})"
        lines = [head, "=" * len(head)]
        if self.notes:
            lines.append(self.notes)
        if self.opened is not None:
            lines.append(f"talks opened {self.opened.isoformat()}; times are years since then")
        lines.append(f"payments in {self.payment_unit}; payer {self.payer!r}; payee {self.payee!r}")
        if self.election is not None:
            typed = ", ".join(f"{k}←({i}|{c})" for k, (i, c) in self.election.typed.items())
            lines.append(f"election timing: typed parameters {typed}")
        lines.append(f"parameters ({len(self.parameters)}):")
        lines.append(self.parameters.table())
        return "\n".join(lines)

    def summary_frame(self) -> Any:
        """The parameters as a pandas DataFrame (name, value, unit, provenance)."""
        import pandas as pd

        rows = []
        for e in self.parameters.entries:
            rows.append(
                {"name": e.name, "value": e.summary(), "unit": e.unit, "provenance": e.provenance}
            )
        return pd.DataFrame(rows).set_index("name")
