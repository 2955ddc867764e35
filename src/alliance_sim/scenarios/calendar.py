"""`TalksCalendar`: how the talks engines read a scenario's calendar and parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["TalksCalendar"]


@dataclass(frozen=True)
class TalksCalendar:
    """Settings of the time-aware talks (dates, rates, postures, terms).

    Read by the reputational war of attrition (:mod:`alliance_sim.games.talks`) and
    by complete-information alternating offers (:mod:`alliance_sim.games.offers`).

    Dates are the scenario's fixed parameters, in years since the talks opened;
    the alternating-offers engine turns them into period indices with
    ``period_days``. Every name refers to a parameter of the scenario's space
    (``payee_demand`` and ``payee_commitment`` usually to one resolved by the
    election's typed parameters, so each administration has its own).

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
    payer_demand, payee_demand : str
        The payments the sides' committed (obstinate) types insist on.
    payer_commitment, payee_commitment : str
        Prior probabilities that each side is committed to its demand.
    collapse : str
        Hazard per year, from the expiry on, that the talks collapse with no deal
        for the term (an uncertain final deadline).
    path_draws : tuple of str
        Two latent uniform parameters that draw each draw's realized path (so the
        path depends only on the draw, however the run is chunked).
    rounds : str or None
        A parameter holding the years of technical rounds the talks need before
        either side can settle (a war of attrition starts no earlier); None: 0.
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
    payer_demand: str = "posture_J"
    payee_demand: str = "posture_US"
    payer_commitment: str = "z_J"
    payee_commitment: str = "z_US"
    collapse: str = "collapse_rate"
    path_draws: tuple[str, str] = ("path_u", "path_v")
    rounds: str | None = None

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
        paths = tuple(self.path_draws)
        if len(paths) != 2 or not all(isinstance(p, str) and p for p in paths):
            raise ValueError(f"path_draws must be two parameter names; got {self.path_draws!r}")
        object.__setattr__(self, "path_draws", paths)
        if self.rounds is not None and (not isinstance(self.rounds, str) or not self.rounds):
            raise ValueError(f"rounds must be a parameter name or None; got {self.rounds!r}")

    @property
    def period_years(self) -> float:
        """Period length in years (of 365.25 days)."""
        return self.period_days / 365.25

    def period_of(self, t: float) -> int:
        """First period that starts at or after time ``t`` (years)."""
        return max(0, math.ceil(t / self.period_years - 1e-9))
