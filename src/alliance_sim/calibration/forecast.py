r"""The calibrated model's ex-ante forecast of a preset's talks (the 2020 Japan–US talks).

:func:`forecast` draws the calibrated parameters jointly from the posterior particles
(weights; their correlations kept), every other parameter from the *uncalibrated*
preset, and runs the talks stage: the distribution of the agreed first-year payment,
the term, the date of agreement and the chance of a lapse, from what was knowable at
the preset's moment (the posterior must read only agreements before the preset's
agreement: checked).

:func:`forecast_2020` is that forecast for :func:`~alliance_sim.scenarios.japan_us_2020`
(FY2021; the talks opened on 2020-10-15).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .._rng import SeedLike, child_generator, seed_sequence
from ..scenarios import Scenario, japan_us_2020
from .model import talks_at
from .posterior import read_posterior

__all__ = ["Forecast", "forecast", "forecast_2020"]

_YEAR = 365.25
_Q = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Forecast:
    """Talks outputs of the forecast draws, with the posterior's header.

    Attributes
    ----------
    outputs : dict of str to ndarray
        :data:`~alliance_sim.games.talks.TALKS_OUTPUTS` per draw.
    status_quo : float
    unit : str
    opening : datetime.date
        When the talks opened (time 0).
    meta : dict of str to str
        The posterior file's header.
    """

    outputs: dict[str, NDArray]
    status_quo: float
    unit: str
    opening: dt.date
    meta: dict[str, str]

    def summary(self) -> dict[str, float]:
        """Probabilities and quantiles of the forecast (keys as in :meth:`table`)."""
        o = self.outputs
        deal = o["spe_agreement"]
        pay = o["spe_payment"][deal]
        t = o["agreement_time"][deal]
        out = {
            "p_agreement": float(deal.mean()),
            "p_one_year_given_deal": float(o["one_year_deal"][deal].mean()),
            "p_lapse": float(o["lapse"].mean()),
            "p_before_election": float(o["agreement_before_election"].mean()),
            "p_above_status_quo": float((pay > self.status_quo).mean()),
        }
        for q, v in zip(_Q, np.quantile(pay, _Q), strict=True):
            out[f"payment_q{int(100 * q):02d}"] = float(v)
        for q, v in zip(_Q, np.quantile(t, _Q), strict=True):
            out[f"time_q{int(100 * q):02d}"] = float(v)
        return out

    def date(self, years: float) -> dt.date:
        """The calendar date ``years`` after the opening."""
        return self.opening + dt.timedelta(days=round(years * _YEAR))

    def table(self) -> str:
        """A plain-text table of the forecast."""
        s = self.summary()
        n = len(self.outputs["spe_agreement"])
        pay = " / ".join(f"{s[f'payment_q{int(100 * q):02d}']:.1f}" for q in _Q)
        when = " / ".join(self.date(s[f"time_q{int(100 * q):02d}"]).isoformat() for q in _Q)
        lines = [
            f"forecast from the posterior in {self.meta.get('source')} "
            f"(agreements before FY{self.meta.get('before')}), {n:,} draws",
            f"P(agreement)                         {s['p_agreement']:.3f}",
            f"P(one-year term | agreement)         {s['p_one_year_given_deal']:.3f}",
            f"P(lapse)                             {s['p_lapse']:.3f}",
            f"P(agreement before the election)     {s['p_before_election']:.3f}",
            f"P(payment above the status quo)      {s['p_above_status_quo']:.3f}",
            f"first-year payment ({self.unit}), q05/q25/q50/q75/q95: {pay}",
            f"date of agreement, q05/q25/q50/q75/q95: {when}",
        ]
        return "\n".join(lines)


def forecast(
    scenario: Scenario,
    target_fy: int,
    opening: dt.date,
    *,
    n: int = 100_000,
    seed: SeedLike = 2020,
    path: str | Path | None = None,
) -> Forecast:
    """The forecast of ``scenario``'s talks (module docstring).

    Parameters
    ----------
    scenario : Scenario
        The uncalibrated preset.
    target_fy : int
        First fiscal year of its agreement (the posterior must read rows before it).
    opening : datetime.date
        When its talks opened.
    n : int
        Draws.
    seed : int, SeedSequence or None
    path : str or Path, optional
        A posterior file (default: the shipped one).
    """
    frame, meta = read_posterior(path)
    if not meta.get("before") or int(meta["before"]) > target_fy:
        raise ValueError(
            f"the posterior reads agreements before FY{meta.get('before') or '?'}, not before "
            f"FY{target_fy}: the forecast would peek"
        )
    names = [c for c in frame.columns if c != "weight"]
    root = seed_sequence(seed)
    idx = child_generator(root, 0).choice(len(frame), size=n, p=frame["weight"].to_numpy())
    theta = frame[names].to_numpy()[idx]
    seed_talks = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, 1))
    outputs = talks_at(scenario, theta, names, seed_talks)
    return Forecast(
        outputs=outputs,
        status_quo=float(scenario.parameters.parameter(scenario.status_quo).value),
        unit=scenario.payment_unit,
        opening=opening,
        meta=meta,
    )


def forecast_2020(
    *, n: int = 100_000, seed: SeedLike = 2020, path: str | Path | None = None
) -> Forecast:
    """:func:`forecast` of the 2020 Japan–US talks (FY2021; opened 2020-10-15)."""
    scenario = japan_us_2020(calibrated=False)
    assert scenario.opened is not None  # (the preset's file gives the day)
    return forecast(
        scenario,
        2021,
        scenario.opened,
        n=n,
        seed=seed,
        path=path,
    )
