r"""What each past agreement says about the talks: the calibration targets and the calendar.

For every row of :func:`alliance_sim.data.agreements` this module reads, from the row
and the rows dated before it only, the four targets of the calibration and the
facts that place the talks on a calendar.

Targets (NaN where the dataset does not give them)
--------------------------------------------------
``change``
    The first-year payment change :math:`x/x_0 - 1`: :math:`x` the amount the row
    states for its first fiscal year and :math:`x_0` the amount in force before it,
    read from the earlier rows only (:func:`alliance_sim.backtest.build_inputs`,
    rules 1–3 there).
``one_year``
    1 if the agreement's term is one year, 0 if longer (``term_years``).
``lapse``
    1 if the new agreement was not in force when the old one expired, 0 if it was.
    The old agreement expires when the new one's first fiscal year begins
    (:func:`expiry_date`: 1 April in Japan, 1 January in Korea). Evidence, in this
    order: the notes say so (``LAPSE`` or ``lapse``); the signing date (as precise
    as the row gives it) is after the expiry, so the agreement cannot have been in
    force; the signing month is before the expiry's month (0). Otherwise unknown
    (NaN), and for a country's first agreement, which replaced none.
``delay``
    Years from the opening of the talks to the agreement, where the notes date
    both (:data:`OPENINGS`; the agreement is the date it was agreed or initialed
    if the notes give one, else the signing day).

Calendar
--------
``expiry``
    :func:`expiry_date`.
``opening``
    The stated opening of the talks (:data:`OPENINGS`), else NaT (the model then
    assumes the base preset's lead, :mod:`alliance_sim.calibration.past`).
``us_type``
    Washington's type in office when the talks open: the preset's *incumbent* type
    (calibrated on the administration of 2017–2021) or its *challenger* type.
``demand_ratio``
    Washington's stated demand as a multiple of :math:`x_0` (:data:`DEMANDS`),
    needed only where the incumbent type is in office.

Every hand-read value (:data:`OPENINGS`, :data:`AGREED`, :data:`DEMANDS`) carries the
words of the row it was read from; the tests check those words are in the row, so
the tables cannot drift from the data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Generic, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from ..backtest import INCUMBENT_TERM, NotEvaluable, actual_amount, build_inputs

__all__ = [
    "AGREED",
    "DEMANDS",
    "FISCAL_YEAR_START",
    "OPENINGS",
    "TARGETS",
    "Stated",
    "agreement_targets",
    "expiry_date",
]

#: The four calibration targets, in the order of the statistics vector.
TARGETS = ("change", "one_year", "lapse", "delay")

#: Month and day the host's fiscal year begins (Japan: April; Korea: calendar year).
FISCAL_YEAR_START = {"Japan": (4, 1), "South Korea": (1, 1)}


_V = TypeVar("_V")


class Stated(NamedTuple, Generic[_V]):
    """A value read by hand from a row, with the row's own words."""

    value: _V
    column: str
    words: str


#: When the talks opened, where the notes say (first day of the month if no day).
OPENINGS: dict[str, Stated[dt.date]] = {
    "2000 SMA (4th)": Stated(dt.date(2000, 1, 21), "us_demand", "talks began 2000-01-21"),
    "7th SMA": Stated(dt.date(2006, 5, 1), "notes", "6 formal rounds (May-Nov 2006)"),
    "8th SMA": Stated(dt.date(2008, 7, 1), "notes", "5 rounds since Jul 2008"),
    "10th SMA": Stated(dt.date(2018, 3, 1), "notes", "talks began Mar 2018"),
}

#: When the sides agreed, where the notes date it before the signing.
AGREED: dict[str, Stated[dt.date]] = {
    "7th SMA": Stated(dt.date(2006, 12, 6), "notes", "agreed 2006-12-06"),
    "8th SMA": Stated(dt.date(2008, 12, 23), "notes", "agreed 2008-12-23"),
    "10th SMA": Stated(dt.date(2019, 2, 10), "notes", "initialed 2019-02-10"),
}

#: Washington's stated demand as a multiple of the payment in force (incumbent-type rows).
DEMANDS: dict[str, Stated[float]] = {
    "10th SMA": Stated(1.5, "us_demand", "150% of current"),
}

_LAPSE = re.compile(r"\blapse\b", re.IGNORECASE)
_YEAR = 365.25


def expiry_date(country: str, start_fy: int) -> dt.date:
    """First day of the agreement's first fiscal year, when the old agreement has expired.

    Examples
    --------
    >>> expiry_date("Japan", 2021), expiry_date("South Korea", 2019)
    (datetime.date(2021, 4, 1), datetime.date(2019, 1, 1))
    """
    if country not in FISCAL_YEAR_START:
        raise ValueError(f"unknown country {country!r}; known: {sorted(FISCAL_YEAR_START)}")
    month, day = FISCAL_YEAR_START[country]
    return dt.date(int(start_fy), month, day)


def _signed_bounds(text: object) -> tuple[dt.date, dt.date] | None:
    """Earliest and latest day a ``signed`` cell (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) allows."""
    if not isinstance(text, str):
        return None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def _lapse(row: pd.Series, first_of_country: bool) -> float:
    """The ``lapse`` target (module docstring)."""
    if first_of_country:
        return np.nan
    notes = row["notes"] if isinstance(row["notes"], str) else ""
    if _LAPSE.search(notes):
        return 1.0
    bounds = _signed_bounds(row["signed"])
    if bounds is None:
        return np.nan
    expiry = expiry_date(str(row["country"]), int(row["start_fy"]))
    if bounds[0] >= expiry:
        return 1.0
    if bounds[1] < expiry:
        return 0.0
    return np.nan


def _delay(row: pd.Series) -> float:
    name = str(row["agreement"])
    if name not in OPENINGS:
        return np.nan
    if name in AGREED:
        agreed = AGREED[name].value
    elif isinstance(row["signed"], str) and len(row["signed"]) == 10:
        agreed = dt.date.fromisoformat(row["signed"])
    else:
        return np.nan
    return (agreed - OPENINGS[name].value).days / _YEAR


def _lead(lead_years: Mapping[str, float], country: str) -> float:
    if country not in lead_years:
        raise ValueError(f"lead_years has no entry for {country!r}")
    return float(lead_years[country])


def _us_type(row: pd.Series, opening: dt.date) -> str:
    first, end = INCUMBENT_TERM
    return "incumbent" if first <= opening < end else "challenger"


def agreement_targets(df: pd.DataFrame, *, lead_years: Mapping[str, float]) -> pd.DataFrame:
    """Targets and calendar facts of every row of ``df`` (module docstring).

    Each row's values come from that row and the rows of ``df`` with an earlier
    ``start_fy`` only, so a row's entry does not change when later rows change.

    Parameters
    ----------
    df : pandas.DataFrame
        Agreements as :func:`alliance_sim.data.agreements` returns them.
    lead_years : mapping of str to float
        Per country, years from the opening of the talks to the expiry where the
        notes do not date the opening (an assumption: the base preset's lead).

    Returns
    -------
    pandas.DataFrame
        Index ``agreement``; columns ``country``, ``currency``, ``start_fy``,
        ``x0`` (display units, NaN if no earlier amount), ``unit``, :data:`TARGETS`,
        ``expiry``, ``opening`` (stated, else NaT), ``opening_assumed`` (bool),
        ``us_type``, ``demand_ratio`` (NaN unless stated).

    Examples
    --------
    >>> from alliance_sim.data import agreements
    >>> t = agreement_targets(agreements(), lead_years={"Japan": 0.5, "South Korea": 0.5})
    >>> t.loc["10th SMA", ["change", "one_year", "lapse"]].round(3).tolist()
    [0.082, 1.0, 1.0]
    """
    for country, lead in lead_years.items():
        if not np.isfinite(lead) or lead <= 0:
            raise ValueError(f"lead_years[{country!r}] must be positive years; got {lead!r}")
    rows = []
    seen: set[str] = set()
    for _, row in df.sort_values("start_fy", kind="stable").iterrows():  # agreements, not draws
        country = str(row["country"])
        history = df[df["start_fy"] < row["start_fy"]]
        change, x0, unit = np.nan, np.nan, ""
        try:
            inputs = build_inputs(row, history)
            x0, unit = inputs.status_quo, inputs.unit
            change = actual_amount(row) / x0 - 1.0
        except NotEvaluable:
            pass
        expiry = expiry_date(country, int(row["start_fy"]))
        name = str(row["agreement"])
        stated = OPENINGS.get(name)
        opening = (
            stated.value
            if stated is not None
            else expiry - dt.timedelta(days=round(_lead(lead_years, country) * _YEAR))
        )
        term = row["term_years"]
        rows.append(
            {
                "agreement": name,
                "country": country,
                "currency": str(row["currency"]),
                "start_fy": int(row["start_fy"]),
                "x0": x0,
                "unit": unit,
                "change": change,
                "one_year": np.nan if pd.isna(term) else float(int(term) == 1),
                "lapse": _lapse(row, country not in seen),
                "delay": _delay(row),
                "expiry": pd.Timestamp(expiry),
                "opening": pd.Timestamp(opening),
                "opening_assumed": stated is None,
                "us_type": _us_type(row, opening),
                "demand_ratio": float(DEMANDS[name].value) if name in DEMANDS else np.nan,
            }
        )
        seen.add(country)
    columns = ["agreement", "country", "currency", "start_fy", "x0", "unit", *TARGETS]
    columns += ["expiry", "opening", "opening_assumed", "us_type", "demand_ratio"]
    return pd.DataFrame(rows, columns=columns).set_index("agreement")
