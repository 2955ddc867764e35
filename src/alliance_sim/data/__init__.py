r"""Historical Japan–US and Korea–US host-nation support agreements (CSV, with sources).

:func:`agreements` loads ``hns_agreements_to_2020.csv`` (shipped with the package,
read with :mod:`importlib.resources`): one row per Special Measures Agreement (SMA)
concluded before October 2020 — Japan–US since 1987, Korea–US since 1991. A cell
holds only a figure a cited source states; anything derived by arithmetic is written
in ``notes`` and marked ``derived``; an empty cell means the sources do not give it.

Columns of the returned DataFrame
---------------------------------
country : category
    ``"Japan"`` or ``"South Korea"``, the host that pays.
agreement : str
    The agreement's name, e.g. ``"2016 SMA (8th)"``, ``"10th SMA"``.
signed : str
    Date signed, as the source gives it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    missing where no source gives it.
signed_date : datetime64
    ``signed`` as a timestamp **only where a day is given** (``YYYY-MM-DD``); NaT
    where only a year or a month is known, or nothing. A month or year is not
    rounded to a day, so no date is invented.
start_fy, end_fy : Int64
    First and last fiscal year covered. Japan's fiscal year ``Y`` runs from April
    of ``Y`` to March of ``Y + 1``; Korea's is the calendar year.
term_years : Int64
    Length of the agreement in years (<NA> where not stated).
total_local_ccy : float
    Total over the term, in full currency units (946500000000.0 = ¥946.5 billion).
currency : category
    ``"JPY"``, ``"KRW"`` or ``"USD"`` (Korea's 1st–5th SMAs were denominated in dollars).
annual_avg_local_ccy : float
    Reported annual amount — or the first-year amount where ``notes`` says so —
    in full currency units.
change_vs_previous_pct : float
    Reported change against the previous agreement or year, in percent.
us_demand : str
    The US opening demand or position, as reported (free text).
notes : str
    Categories covered, escalation rules, lapses, yearly series and derived figures.
    Structured bits read by this module: ``annual_amounts=`` /
    ``annual_amounts_USD=`` (:func:`annual_amounts`), ``first_year_amount=``
    (:func:`first_year_amount`) and Japan's budget statements
    ``FY<year> [total ]HNS budget <amount>bn`` (:func:`hns_budgets`).
source : str
    The URLs of the sources, separated by ``" ; "``.
sources : object (list of str)
    ``source`` split on ``" ; "``.

Amounts returned by the parsers are in **full units of the row's currency**
(``"920.0bn"`` → 920e9; ``"150M"`` → 150e6), like ``total_local_ccy``.

Known uncertainties (``data/README.md``): Japan's 1987–2008 agreement totals are
not stated by the sources (yearly budgets or executed amounts are in ``notes``,
not always on the same basis: the Board of Audit's *executed* totals of FY1996–2002
versus the *budget* figures of FY2006 onwards); Korea's 4th and 5th SMA figures
differ between sources (the Ministry of National Defense's chart versus press
reports; both are in ``notes``).

References
----------
Sources per row in ``source``; the Korean yearly series are the Ministry of National
Defense's *Defense White Paper 2018* (p. 181), Japan's FY2006–2020 budget figures the
US Embassy, MOFA and press releases cited in each row.

Examples
--------
>>> df = agreements()
>>> df.loc[df.agreement == "2011 SMA (7th)", "total_local_ccy"].item() / 1e9
933.2
>>> annual_amounts(df.set_index("agreement", drop=False).loc["9th SMA"])[2014] / 1e9
920.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from pandas.api.typing import NaTType

__all__ = [
    "CSV",
    "agreements",
    "annual_amounts",
    "first_year_amount",
    "hns_budgets",
    "parse_amount",
]

#: File name of the shipped dataset inside this package.
CSV = "hns_agreements_to_2020.csv"

_TEXT = ("agreement", "signed", "us_demand", "notes", "source")
_INTEGER = ("start_fy", "end_fy", "term_years")
_FLOAT = ("total_local_ccy", "annual_avg_local_ccy", "change_vs_previous_pct")
_CATEGORY = ("country", "currency")
_SOURCE_SEPARATOR = " ; "

_MULTIPLIER = {None: Decimal(1), "M": Decimal(10) ** 6, "bn": Decimal(10) ** 9}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(bn|M)?")
_CURRENCY_WORD = {"USD": "USD", "won": "KRW", "yen": "JPY"}
_SERIES_KEY = re.compile(r"annual_amounts(_USD)?(?:\([^)]*\))?=([^\s;]*)")
_FIRST_YEAR_KEY = re.compile(r"first_year_amount=([^;(]*)")
_HNS_BUDGET = re.compile(r"FY(\d{4}) (?:total )?HNS budget (\d+(?:\.\d+)?)bn")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_COARSE_DATE = re.compile(r"\d{4}(?:-\d{2})?")

Row = pd.Series | Mapping[str, Any]


def agreements() -> pd.DataFrame:
    """The shipped agreements, one row per agreement, with typed columns.

    Returns
    -------
    pandas.DataFrame
        The CSV's columns in its order with the dtypes of the module docstring,
        plus ``signed_date`` (after ``signed``) and ``sources`` (after ``source``).

    Raises
    ------
    ValueError
        If a ``signed`` cell is neither ``YYYY``, ``YYYY-MM`` nor a valid ``YYYY-MM-DD``.

    Examples
    --------
    >>> df = agreements()
    >>> df.loc[df.agreement == "10th SMA", "signed_date"].item()
    Timestamp('2019-03-08 00:00:00')
    >>> df.loc[df.agreement == "1st SMA", "signed_date"].isna().item()
    True
    """
    with resources.files(__package__).joinpath(CSV).open("r", encoding="utf-8") as f:
        raw = pd.read_csv(f, dtype={name: str for name in _TEXT})
    df = raw.astype(
        {
            **{name: "category" for name in _CATEGORY},
            **{name: "Int64" for name in _INTEGER},
            **{name: "float64" for name in _FLOAT},
        }
    )
    df.insert(_after(df, "signed"), "signed_date", _signed_dates(df))
    df.insert(_after(df, "source"), "sources", df["source"].map(_split_sources))
    return df


def _after(df: pd.DataFrame, column: str) -> int:
    """The position just after ``column`` (the file's column names are unique)."""
    loc = df.columns.get_loc(column)
    assert isinstance(loc, int)  # a slice or mask only for a duplicated name
    return loc + 1


def _signed_dates(df: pd.DataFrame) -> pd.Series:
    """``signed`` as a timestamp where a day is given, NaT otherwise (see `agreements`)."""
    dates = [
        _signed_date(text, name) for text, name in zip(df["signed"], df["agreement"], strict=True)
    ]
    # pandas-stubs' to_datetime does not list NaT among its inputs; pandas accepts it
    stamps = pd.to_datetime(dates)  # type: ignore[arg-type]
    return pd.Series(stamps, index=df.index, dtype="datetime64[ns]")


def _signed_date(text: object, agreement: str) -> pd.Timestamp | NaTType:
    if not isinstance(text, str):
        return pd.NaT
    if _DAY.fullmatch(text):
        try:
            return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
        except ValueError as err:
            raise ValueError(f"{agreement!r}: signed {text!r} is not a calendar day") from err
    if _COARSE_DATE.fullmatch(text):
        return pd.NaT
    raise ValueError(f"{agreement!r}: signed {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def _split_sources(text: object) -> list[str]:
    return [] if not isinstance(text, str) else [u.strip() for u in text.split(_SOURCE_SEPARATOR)]


def _notes(row: Row) -> str:
    notes = row["notes"]
    return notes if isinstance(notes, str) else ""


def parse_amount(text: str, agreement: str) -> float:
    r"""Parse one amount: a number with an optional suffix ``bn`` (10⁹) or ``M`` (10⁶).

    .. math:: \text{"}a\,\text{bn"} \mapsto a \cdot 10^9, \quad
              \text{"}a\,\text{M"} \mapsto a \cdot 10^6, \quad
              \text{"}a\text{"} \mapsto a

    Parameters
    ----------
    text : str
        E.g. ``"920.0bn"``, ``"150M"``, ``"150000000"``.
    agreement : str
        Name of the agreement the text belongs to, for the error message.

    Returns
    -------
    float
        The amount in full currency units.

    Raises
    ------
    ValueError
        If ``text`` is not such an amount; the message names ``agreement``.

    Examples
    --------
    >>> parse_amount("920.0bn", "9th SMA")
    920000000000.0
    >>> parse_amount("150M", "1st SMA")
    150000000.0
    """
    m = _AMOUNT.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{agreement!r}: cannot read an amount from {text!r}")
    return float(Decimal(m.group(1)) * _MULTIPLIER[m.group(2)])


def annual_amounts(row: Row) -> dict[int, float]:
    """The yearly series ``annual_amounts=Y:A|Y:A|…`` of a row's ``notes``.

    The key is ``annual_amounts=`` (amounts in the row's currency) or
    ``annual_amounts_USD=`` / ``annual_amounts_USD(<source>)=`` (amounts in dollars,
    allowed only in a row whose currency is USD). Each item is ``year:amount`` with
    the amount as in :func:`parse_amount`; the series ends at the first blank or
    ``;``. E.g. ``annual_amounts=2014:920.0bn|2015:932.0bn`` gives
    ``{2014: 920.0e9, 2015: 932.0e9}``.

    Parameters
    ----------
    row : pandas.Series or mapping
        A row of :func:`agreements` (reads ``agreement``, ``currency``, ``notes``).

    Returns
    -------
    dict of int to float
        Year → amount in full units of the row's currency; empty if the notes hold
        no series.

    Raises
    ------
    ValueError
        If the notes hold more than one series, an item is not ``year:amount``, a
        year repeats, or a dollar series sits in a non-dollar row; the message names
        the agreement.

    Examples
    --------
    >>> row = {"agreement": "x", "currency": "USD",
    ...        "notes": "annual_amounts_USD=1991:150M|1992:180M (MND); other"}
    >>> annual_amounts(row)
    {1991: 150000000.0, 1992: 180000000.0}
    """
    name = row["agreement"]
    found = _SERIES_KEY.findall(_notes(row))
    if not found:
        return {}
    if len(found) > 1:
        raise ValueError(f"{name!r}: notes hold {len(found)} annual_amounts series; expected one")
    usd, series = found[0]
    if usd and row["currency"] != "USD":
        raise ValueError(f"{name!r}: dollar series in a row whose currency is {row['currency']}")
    out: dict[int, float] = {}
    for item in series.split("|"):
        year, sep, amount = item.partition(":")
        if not (sep and year.isdigit() and len(year) == 4):
            raise ValueError(f"{name!r}: annual_amounts item {item!r} is not 'year:amount'")
        if int(year) in out:
            raise ValueError(f"{name!r}: annual_amounts repeats the year {year}")
        out[int(year)] = parse_amount(amount, name)
    return out


def first_year_amount(row: Row) -> float | None:
    """The ``first_year_amount=`` of a row's ``notes``, in full units of the row's currency.

    The value is read up to the first ``(`` or ``;`` and must be one amount
    (:func:`parse_amount`) optionally followed by a currency word ``USD``, ``won``
    or ``yen`` that matches the row's currency: ``first_year_amount=760bn won
    (~USD 571-585M)`` gives 760e9 in a KRW row.

    Parameters
    ----------
    row : pandas.Series or mapping
        A row of :func:`agreements` (reads ``agreement``, ``currency``, ``notes``).

    Returns
    -------
    float or None
        None if the notes hold no ``first_year_amount=``.

    Raises
    ------
    ValueError
        If the value is not a single amount in the row's currency — e.g. the 5th
        SMA's ``USD 58.8M + 536.8bn won`` (a dollar and a won part), or a currency
        word that differs from the row's; the message names the agreement.

    Examples
    --------
    >>> first_year_amount({"agreement": "x", "currency": "USD",
    ...                    "notes": "first_year_amount=150000000 USD (=107.3bn won)"})
    150000000.0
    """
    name = row["agreement"]
    m = _FIRST_YEAR_KEY.search(_notes(row))
    if m is None:
        return None
    text = m.group(1).strip()
    parts = text.split()
    if len(parts) == 1:
        amount, currency = parts[0], row["currency"]
    elif len(parts) == 2 and parts[1] in _CURRENCY_WORD:
        amount, currency = parts[0], _CURRENCY_WORD[parts[1]]
    else:
        raise ValueError(f"{name!r}: first_year_amount {text!r} is not one amount in a currency")
    if currency != row["currency"]:
        raise ValueError(
            f"{name!r}: first_year_amount {text!r} is in {currency}, the row in {row['currency']}"
        )
    return parse_amount(amount, name)


def hns_budgets(row: Row) -> dict[int, float]:
    """Japan's host-nation-support budget statements ``FY<year> [total ]HNS budget <a>bn``.

    These are the *budget* figures of total host-nation support (SMA items, the
    Facilities Improvement Program and welfare costs) for a fiscal year, e.g.
    ``FY2006 total HNS budget 232.6bn`` → ``{2006: 232.6e9}``. Other budget wording
    (``HNS budget peak FY1999=…``) and the Board of Audit's *executed* totals
    (``FY1996=273.739bn``, a different basis) are not read.

    Parameters
    ----------
    row : pandas.Series or mapping
        A row of :func:`agreements` (reads ``agreement``, ``currency``, ``notes``).

    Returns
    -------
    dict of int to float
        Fiscal year → amount in full yen; empty when the row states none.

    Raises
    ------
    ValueError
        If a statement appears in a row whose currency is not JPY, or two statements
        give different amounts for one year; the message names the agreement.

    Examples
    --------
    >>> hns_budgets({"agreement": "x", "currency": "JPY",
    ...              "notes": "FY2016 HNS budget 192.0bn (SMA 145.0bn)"})
    {2016: 192000000000.0}
    """
    name = row["agreement"]
    out: dict[int, float] = {}
    for year, amount in _HNS_BUDGET.findall(_notes(row)):
        if row["currency"] != "JPY":
            raise ValueError(f"{name!r}: yen budget statement in a {row['currency']} row")
        value = parse_amount(f"{amount}bn", name)
        if out.get(int(year), value) != value:
            raise ValueError(f"{name!r}: two different HNS budgets for FY{year}")
        out[int(year)] = value
    return out
