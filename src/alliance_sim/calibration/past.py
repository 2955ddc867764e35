r"""A preset moved to a past agreement's talks: its money, its calendar, the type in office.

The calibration and the backtest run the talks stage
(:mod:`alliance_sim.games.talks`) on the past agreements. For agreement :math:`i`
with the facts of :func:`~alliance_sim.calibration.targets.agreement_targets`, the
*base* preset of its country (Japan: :func:`~alliance_sim.scenarios.japan_us_2020`;
Korea: :func:`~alliance_sim.scenarios.korea_us_2019`) is changed as follows, and in
no other way.

1. **Money.** Every money parameter is multiplied by :math:`s = x_0 / x_0^{base}`
   and ``status_quo`` set to :math:`x_0` (:func:`alliance_sim.backtest.scenario_for`;
   every utility term is homogeneous of degree one in money, so only the change
   :math:`x/x_0 - 1` is predicted). Without an earlier amount :math:`s = 1`: the
   change is then not a target, and the term, the lapse and the delay do not
   depend on the level.
2. **Calendar.** Time 0 is the opening of the talks (stated, or the base preset's
   lead before the expiry: an assumption). The expiry is the first day of the new
   agreement's first fiscal year; the budget date and the last date of the talks
   keep their distance to the expiry from the base preset (both are annual events
   of the fiscal calendar; a budget date before the opening is set to 0).
3. **Administration.** No U.S. election inside the talks: the type in office when
   the talks open (``us_type``) holds throughout. Both of the election's typed slots
   resolve to that type, ``p_challenger`` = 0 and ``t_election`` = ``t_inauguration``
   = 0, so the war starts when the technical rounds end (``rounds``) and the host
   may concede at the opening; the administration needs no policy review
   (``review_challenger`` = 0). This simplifies three talks that an election
   crossed (Japan 2000, Korea's 6th and 8th SMAs); the 2020 talks keep their
   election.
4. **Demand.** Where the incumbent type is in office its posture moves toward the
   stated demand (``demand_ratio`` × :math:`x_0`); elsewhere the demand is set to
   :math:`x_0` (the challenger type's posture does not read it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..backtest import money_parameters, scale_distribution
from ..parameters import Parameter
from ..scenarios import Scenario, japan_us_2020, korea_us_2019

__all__ = ["BASES", "base_for", "lead_years", "past_scenario"]

#: The base preset of each host country.
BASES = {
    "Japan": lambda: japan_us_2020(calibrated=False),
    "South Korea": lambda: korea_us_2019(calibrated=False),
}

_YEAR = 365.25


def base_for(country: str, bases: dict[str, Scenario] | None = None) -> Scenario:
    """The base preset of ``country`` (from ``bases`` if given)."""
    if bases is not None and country in bases:
        return bases[country]
    if country not in BASES:
        raise ValueError(f"no base preset for {country!r}; known: {sorted(BASES)}")
    return BASES[country]()


def _fixed(scn: Scenario, name: str) -> float:
    entry = scn.parameters[name]
    value = entry.value if isinstance(entry, Parameter) else None
    if not isinstance(value, int | float):
        raise ValueError(f"{scn.name}: calendar parameter {name!r} must be a fixed number")
    return float(value)


def lead_years(scn: Scenario) -> float:
    """Years from the opening of the talks to the expiry in the base preset."""
    if scn.talks is None:
        raise ValueError(f"{scn.name}: a base preset needs a talks calendar")
    return _fixed(scn, scn.talks.expiry)


def past_scenario(facts: pd.Series, base: Scenario) -> Scenario:
    """``base`` moved to the past agreement described by ``facts`` (module docstring).

    Parameters
    ----------
    facts : pandas.Series
        A row of :func:`~alliance_sim.calibration.targets.agreement_targets`.
    base : Scenario
        The base preset of the agreement's country.

    Returns
    -------
    Scenario
    """
    cal = base.talks
    if cal is None or base.election is None:
        raise ValueError(f"{base.name}: a base preset needs a talks calendar and an election")
    x0_base = float(base.parameters.parameter(base.status_quo).value)
    x0 = float(facts["x0"]) if np.isfinite(facts["x0"]) else x0_base
    s = x0 / x0_base
    changes: dict[str, Any] = {
        name: scale_distribution(base.parameters.parameter(name).value, s)
        for name in money_parameters(base)
    }
    changes[base.status_quo] = x0
    t_x = (facts["expiry"] - facts["opening"]).days / _YEAR
    if t_x <= 0:
        raise ValueError(f"{facts.name!r}: the talks open after the expiry ({t_x:.3f} years)")
    base_x = _fixed(base, cal.expiry)
    changes[cal.expiry] = t_x
    changes[cal.budget] = max(t_x - (base_x - _fixed(base, cal.budget)), 0.0)
    changes[cal.final] = t_x + (_fixed(base, cal.final) - base_x)
    changes[cal.election] = 0.0
    changes[cal.inauguration] = 0.0
    changes[base.election.probability] = 0.0
    changes["review_challenger"] = 0.0
    fx = float(base.parameters.parameter("fx").value)
    ratio = facts["demand_ratio"] if facts["us_type"] == "incumbent" else 1.0
    if not np.isfinite(ratio):
        raise ValueError(
            f"{facts.name!r}: the incumbent type is in office but the data state no demand"
        )
    changes["demand_usd"] = float(ratio) * x0 / fx
    slot = 0 if facts["us_type"] == "incumbent" else 1
    typed = {k: (v[slot], v[slot]) for k, v in base.election.typed.items()}
    election = dataclasses.replace(base.election, typed=typed)
    return dataclasses.replace(base.with_parameters(**changes), election=election)
