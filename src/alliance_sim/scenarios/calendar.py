"""`TalksCalendar`: how the alternating-offers engine reads a scenario's calendar and parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["TalksCalendar"]


@dataclass(frozen=True)
class TalksCalendar:
    """Settings of the time-aware bargaining engine (:mod:`alliance_sim.games.talks`).

    Dates are the scenario's fixed parameters, in years since the talks opened;
    the engine turns them into period indices with ``period_days``. Every name
    refers to a parameter of the scenario's space.

    Parameters
    ----------
    period_days : int
        Length of a bargaining period (7: a week).
    election, inauguration, budget, expiry, final : str
        Parameters holding the dates (years since talks opened); ``final`` is the
        last moment an agreement can be signed (after it: no deal for the term).
    rate_payer, rate_payee : str
        Discount rates per year, ``δ = exp(−r·period)``.
    breakdown : str
        Per-period probability that the talks break down after a rejection.
    ratify_max, ratify_min : str
        Ratification bounds: the most the payer's legislature approves, the
        least the payee's accepts (Putnam's win-sets).
    renegotiation : str
        Cost (payment units per year) of renegotiating after a short deal.
    terms : tuple of float
        The terms (years) the proposer may offer; a term shorter than
        ``horizon`` is followed by a renegotiation with the winner known.
    horizon : float
        Years over which terms are compared (the usual term).
    payee_first : bool or str
        The payee proposes in period 0 (then the sides alternate); or the name of
        a 0/1 parameter choosing the order per draw. With little discounting the
        side that makes the last offer before the final deadline gets most of the
        surplus (Ståhl 1972), so an uncertain order is usually the honest choice.
    """

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
    terms: tuple[float, ...] = (1.0, 5.0)
    horizon: float = 5.0
    payee_first: bool | str = True

    def __post_init__(self) -> None:
        if (
            isinstance(self.period_days, bool)
            or not isinstance(self.period_days, int)
            or (self.period_days < 1)
        ):
            raise ValueError(f"period_days must be a positive int; got {self.period_days!r}")
        terms = tuple(float(t) for t in self.terms)
        if not terms or any(not (math.isfinite(t) and 0 < t <= self.horizon) for t in terms):
            raise ValueError(f"terms must be in (0, horizon={self.horizon}]; got {self.terms}")
        if self.horizon not in terms:
            raise ValueError(f"terms must include the horizon {self.horizon} (the usual term)")
        object.__setattr__(self, "terms", terms)

    @property
    def period_years(self) -> float:
        """Period length in years (of 365.25 days)."""
        return self.period_days / 365.25

    def period_of(self, t: float) -> int:
        """First period that starts at or after time ``t`` (years)."""
        return max(0, math.ceil(t / self.period_years - 1e-9))
