r"""Rolling backtest of the Japan–US 2020 preset on the past agreements, without peeking.

For each past agreement :math:`i` of :func:`alliance_sim.data.agreements` whose new
annual amount is stated, the model predicts that amount from rows dated before the
agreement only, and the prediction is compared with what was agreed.

The "no peeking" rule
---------------------
1. **History.** The inputs for agreement :math:`i` are built by :func:`build_inputs`
   from the target row's *identity* (country, currency, first fiscal year
   :math:`y_i`, signing date) and ``history``, the rows with
   ``start_fy < y_i`` (it raises ``ValueError`` if given a later row). Of those it
   uses the rows of the same country and currency. The target row's amounts, notes,
   term and demand are never read.
2. **Stated amounts.** A row states amounts :math:`a(y)` for fiscal years :math:`y`
   (:func:`stated_amounts`): its yearly series ``annual_amounts=`` (Korea, Ministry
   of National Defense), else Japan's budget statements ``FY<y> HNS budget``, else
   for its first year the ``first_year_amount=`` of its notes, else its
   ``annual_avg_local_ccy``. Yearly figures beat averages.
3. **Status quo.** :math:`x_0 = a(y^*)` with :math:`y^* = \max\{y < y_i\}` over the
   amounts the history states, i.e. the amount in force in the year before the new
   agreement, carried forward from the latest year stated when the year before is
   not stated (an agreement's amount stays in force over its term). Without such an
   amount in the new agreement's currency the agreement is skipped.
4. **Scenario.** The preset :func:`~alliance_sim.scenarios.japan_us_2020`, with
   every money parameter (unit ``¥ billion …`` or ``$ billion …``:
   :func:`money_parameters`) multiplied by

   .. math:: s = x_0 / x_0^{2020}, \qquad x_0^{2020} = 199.3,

   (scipy distributions through their ``loc`` and ``scale``), ``status_quo`` set to
   :math:`x_0`, and all unit-free parameters (shares, :math:`\lambda`, :math:`\kappa`,
   :math:`\beta`, :math:`w`, :math:`\pi`), the calendar and the term (5 years; the
   term is itself negotiated, so the agreed one would peek) unchanged.
5. **Demand.** ``demand_usd = 0``: no demand is used. The outputs scored here
   (``nash_payment``, ``lo``, ``hi``) do not read the demand (it enters only
   ``demand_in_range`` and the stance game), so any demand would give the same
   prediction; tests check this.
6. **Washington's type.** The election machinery is switched off: ``p_challenger``
   is 0 or 1, so one type holds office in every draw. With ``us_type=
   "by_administration"`` (the default) the preset's *incumbent* type — calibrated on
   the Trump administration (transactional, drawdown threats) — is used for
   agreements signed during it (2017-01-20 to 2021-01-20), and the *challenger*
   type — an administration valuing the alliance and its payments at face value —
   for all others; the signing date is the row's ``signed`` (first day of the month
   or year when only those are given) or 1 January of :math:`y_i`. ``"incumbent"`` or
   ``"challenger"`` force one type.

Prediction and scores
---------------------
:func:`predict` runs :func:`alliance_sim.simulate` (``stances=False, talks=False``)
with ``n`` draws and the seed fixed (the same for every agreement: common random
numbers). The predictive distribution is that of ``nash_payment`` over the feasible
draws; its median :math:`\hat x` is the point prediction, :math:`[q_{25}, q_{75}]`
and :math:`[q_{05}, q_{95}]` the 50% and 90% intervals; ``lo`` and ``hi`` give the
predicted settlement range. With the actual amount :math:`x` the scores are the
error :math:`\hat x - x`, the absolute percentage error :math:`|\hat x - x| / x`,
interval hits, and the probability integral transform (mid-PIT)

.. math:: \mathrm{PIT} = \tfrac12\big(P(X < x) + P(X \le x)\big),

uniform on [0, 1] for a calibrated forecast (Gneiting, Balabdaoui & Raftery 2007).
Naive baselines with the same information: *no change* :math:`x_0`, and *last change
repeated* :math:`x_0 (1 + c)` with :math:`c` the previous agreement's change,
:math:`a(y_p)/a(y^*_p) - 1` from the history's amounts (:math:`y_p` its first year,
:math:`y^*_p` the latest earlier year stated), else its stated
``change_vs_previous_pct``, else 0.

**Homogeneity.** Every utility term is homogeneous of degree one in the payment
and the money parameters jointly (e.g. :math:`\kappa_J \max(0, sx - sx_0)^2/(sx_0) =
s\,\kappa_J \max(0, x - x_0)^2/x_0`), so reservation payments, the settlement range
and the Nash payment all scale by :math:`s`: the prediction is :math:`x_0 R` with
:math:`R` the preset's distribution of ``nash_payment / status_quo`` for the type in
office. The backtest therefore checks the calibration of the preset's predicted
*change*; the agreements differ only by :math:`x_0` and Washington's type.

References
----------
T. Gneiting, F. Balabdaoui, A. E. Raftery (2007), "Probabilistic forecasts,
calibration and sharpness", *J. Royal Statistical Society B* 69(2), 243–268.
R. J. Hyndman, A. B. Koehler (2006), "Another look at measures of forecast
accuracy", *International Journal of Forecasting* 22(4), 679–688 (MAE, MAPE, naive
benchmarks).

Examples
--------
>>> res = backtest(n=2_000)
>>> sorted(res.summary)[:3]
['coverage_50', 'coverage_90', 'draws']
>>> float(res.table.loc["10th SMA", "x0"])
960.2
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats.distributions import rv_frozen

from .data import agreements, annual_amounts, first_year_amount, hns_budgets
from .parameters import Parameter
from .scenarios import Scenario, japan_us_2020
from .sweep.simulate import simulate

__all__ = [
    "SEED",
    "BacktestInputs",
    "BacktestResult",
    "NotEvaluable",
    "Prediction",
    "actual_amount",
    "backtest",
    "backtest_table",
    "build_inputs",
    "money_parameters",
    "predict",
    "scale_distribution",
    "scenario_for",
    "stated_amounts",
    "summary_table",
]

USType = Literal["by_administration", "incumbent", "challenger"]

#: Default seed of every agreement's simulation.
SEED = 20201015
#: Display unit and its size in full currency units, per currency.
UNITS: dict[str, tuple[str, float]] = {
    "JPY": ("¥bn", 1e9),
    "KRW": ("₩bn", 1e9),
    "USD": ("$M", 1e6),
}
#: Units of the preset's money parameters start with one of these.
MONEY_UNITS = ("¥ billion", "$ billion", "₩ billion")
#: The administration the preset's incumbent type describes (in office, inclusive–exclusive).
INCUMBENT_TERM = (dt.date(2017, 1, 20), dt.date(2021, 1, 20))
_US_TYPES = ("by_administration", "incumbent", "challenger")
_QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}


class NotEvaluable(ValueError):
    """An agreement the backtest cannot score (no amount, or no earlier amount)."""


@dataclass(frozen=True)
class BacktestInputs:
    """What the model is told about one agreement (all dated before it).

    Attributes
    ----------
    agreement, country, currency : str
        The target's identity.
    start_fy : int
        First fiscal year of the target agreement.
    unit : str
        Display unit of amounts (``¥bn``, ``₩bn``, ``$M``).
    base_year : int
        Fiscal year whose amount is the status quo (the latest stated before ``start_fy``).
    status_quo : float
        :math:`x_0` in ``unit``.
    previous_change : float
        The previous agreement's change :math:`c` (a fraction).
    previous_change_basis : str
        ``"computed"`` from amounts, ``"stated"`` (the previous row's percentage) or
        ``"none"`` (:math:`c = 0`).
    us_type : str
        ``"incumbent"`` or ``"challenger"``: Washington's type in office.
    """

    agreement: str
    country: str
    currency: str
    start_fy: int
    unit: str
    base_year: int
    status_quo: float
    previous_change: float
    previous_change_basis: str
    us_type: str


@dataclass(frozen=True)
class Prediction:
    """The model's predictive distribution for one agreement (amounts in display units).

    Attributes
    ----------
    payments : ndarray
        ``nash_payment`` of the feasible draws.
    lo, hi : ndarray
        Settlement range ends of all draws.
    p_feasible : float
        Share of draws with a non-empty settlement range.
    """

    payments: NDArray[np.float64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    p_feasible: float

    def statistics(self) -> dict[str, float]:
        """Quantiles ``pred_q05 … pred_q95`` of the payment, ``lo_q*``/``hi_q*`` of the range."""
        out = {"p_feasible": self.p_feasible}
        for label, values in (("pred", self.payments), ("lo", self.lo), ("hi", self.hi)):
            qs = _quantiles(values)
            out.update({f"{label}_{k}": v for k, v in qs.items()})
        return out

    def pit(self, actual: float) -> float:
        r"""Mid-PIT :math:`\tfrac12(P(X < x) + P(X \le x))` of ``actual`` (NaN if no draw)."""
        if self.payments.size == 0:
            return float("nan")
        below = np.mean(self.payments < actual)
        at_most = np.mean(self.payments <= actual)
        return float(0.5 * (below + at_most))


class BacktestResult(NamedTuple):
    """Per-agreement table and overall summary of :func:`backtest`."""

    table: pd.DataFrame
    summary: dict[str, Any]


# --- Amounts ------------------------------------------------------------------------------


def stated_amounts(row: pd.Series) -> dict[int, float]:
    """Fiscal year → amount a row states, in full units of its currency.

    Priority for a year (rule 2 of the module docstring): the ``annual_amounts=``
    series, Japan's ``FY<y> HNS budget`` statements
    (:func:`~alliance_sim.data.hns_budgets`); for the first year, if neither gives
    it, ``first_year_amount=`` and then ``annual_avg_local_ccy``.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`alliance_sim.data.agreements`.

    Returns
    -------
    dict of int to float
        Sorted by year; empty when the row states no amount.

    Examples
    --------
    >>> df = agreements().set_index("agreement", drop=False)
    >>> stated_amounts(df.loc["2016 SMA (8th)"])
    {2016: 192000000000.0}
    """
    amounts = {**hns_budgets(row), **annual_amounts(row)}
    start = int(row["start_fy"])
    if start not in amounts:
        first = first_year_amount(row)
        if first is None and not pd.isna(row["annual_avg_local_ccy"]):
            first = float(row["annual_avg_local_ccy"])
        if first is not None:
            amounts[start] = first
    return dict(sorted(amounts.items()))


def actual_amount(row: pd.Series) -> float:
    """The agreed amount for the agreement's first year, in display units (:data:`UNITS`).

    Raises
    ------
    NotEvaluable
        If the row states no amount for its first fiscal year.

    Examples
    --------
    >>> df = agreements().set_index("agreement", drop=False)
    >>> actual_amount(df.loc["10th SMA"])
    1038.9
    """
    amounts = stated_amounts(row)
    start = int(row["start_fy"])
    if start not in amounts:
        raise NotEvaluable(f"no amount stated for its first year {start}")
    return amounts[start] / UNITS[row["currency"]][1]


def _merged_amounts(rows: pd.DataFrame) -> dict[int, float]:
    """Stated amounts of ``rows`` (in ``start_fy`` order; a later row's figure wins)."""
    out: dict[int, float] = {}
    for _, row in rows.iterrows():  # a loop over agreements, not draws
        out.update(stated_amounts(row))
    return out


# --- Inputs (no peeking) ----------------------------------------------------------------


def build_inputs(
    row: pd.Series, history: pd.DataFrame, *, us_type: USType = "by_administration"
) -> BacktestInputs:
    """The model's inputs for agreement ``row`` from ``history`` (rules 1–3, 6).

    Reads from ``row`` only its identity: ``agreement``, ``country``, ``currency``,
    ``start_fy`` and ``signed``; every amount comes from ``history``.

    Parameters
    ----------
    row : pandas.Series
        The target agreement (a row of :func:`alliance_sim.data.agreements`).
    history : pandas.DataFrame
        Rows dated before it: ``history.start_fy < row.start_fy`` must hold.
    us_type : {"by_administration", "incumbent", "challenger"}
        Washington's type in office (module docstring, rule 6).

    Returns
    -------
    BacktestInputs

    Raises
    ------
    ValueError
        If ``history`` holds a row not dated before the target (peeking) or
        ``us_type`` is unknown.
    NotEvaluable
        If the history states no amount in the target's currency.

    Examples
    --------
    >>> df = agreements()
    >>> row = df[df.agreement == "9th SMA"].iloc[0]
    >>> inp = build_inputs(row, df[df.start_fy < row.start_fy])
    >>> inp.base_year, inp.status_quo, inp.us_type
    (2013, 869.5, 'challenger')
    """
    _check_us_type(us_type)
    start = int(row["start_fy"])
    late = history["start_fy"] >= start
    if late.any():
        names = list(history.loc[late, "agreement"])
        raise ValueError(
            f"history for {row['agreement']!r} (start FY{start}) holds later rows {names}"
        )
    same = history[
        (history["country"] == row["country"]) & (history["currency"] == row["currency"])
    ].sort_values("start_fy", kind="stable")
    amounts = _merged_amounts(same)
    if not amounts:
        raise NotEvaluable(f"no earlier amount in {row['currency']}")
    base_year = max(amounts)
    change, basis = _previous_change(same.iloc[-1], amounts)
    unit, size = UNITS[row["currency"]]
    return BacktestInputs(
        agreement=str(row["agreement"]),
        country=str(row["country"]),
        currency=str(row["currency"]),
        start_fy=start,
        unit=unit,
        base_year=base_year,
        status_quo=amounts[base_year] / size,
        previous_change=change,
        previous_change_basis=basis,
        us_type=_us_type(row, us_type),
    )


def _previous_change(previous: pd.Series, amounts: dict[int, float]) -> tuple[float, str]:
    """Change of the previous agreement: computed from amounts, else stated, else 0."""
    start = int(previous["start_fy"])
    earlier = [y for y in amounts if y < start]
    if start in amounts and earlier:
        return amounts[start] / amounts[max(earlier)] - 1.0, "computed"
    if not pd.isna(previous["change_vs_previous_pct"]):
        return float(previous["change_vs_previous_pct"]) / 100.0, "stated"
    return 0.0, "none"


def _signing_day(row: pd.Series) -> dt.date:
    """The signing date, its month's or year's first day, or 1 January of the first FY."""
    text = row["signed"]
    if not isinstance(text, str):
        return dt.date(int(row["start_fy"]), 1, 1)
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _check_us_type(rule: str) -> None:
    if rule not in _US_TYPES:
        raise ValueError(f"us_type must be one of {_US_TYPES}; got {rule!r}")


def _us_type(row: pd.Series, rule: str) -> str:
    """Washington's type in office for ``row`` under ``rule`` (module docstring, rule 6)."""
    if rule != "by_administration":
        return rule
    first, end = INCUMBENT_TERM
    return "incumbent" if first <= _signing_day(row) < end else "challenger"


# --- Scenario and prediction ---------------------------------------------------------------


def money_parameters(scenario: Scenario) -> tuple[str, ...]:
    """Names of the fixed or random parameters whose unit is money (:data:`MONEY_UNITS`).

    Examples
    --------
    >>> money_parameters(japan_us_2020())[:3]
    ('status_quo', 'demand_usd', 'C_U_usd')
    """
    return tuple(
        e.name
        for e in scenario.parameters.entries
        if isinstance(e, Parameter) and e.unit.startswith(MONEY_UNITS)
    )


def scale_distribution(value: float | rv_frozen, s: float) -> float | rv_frozen:
    r"""Multiply a fixed value or a frozen scipy distribution by ``s > 0``.

    For a location–scale family :math:`X = \text{loc} + \text{scale}\,Z`, so
    :math:`sX` has location :math:`s\,\text{loc}` and scale :math:`s\,\text{scale}`
    with the same shapes.

    Examples
    --------
    >>> from scipy import stats
    >>> d = scale_distribution(stats.uniform(250.0, 250.0), 0.5)
    >>> float(d.ppf(0.0)), float(d.ppf(1.0))
    (125.0, 250.0)
    """
    if not isinstance(value, rv_frozen):
        return float(value) * s
    k = value.dist.numargs
    kwds = dict(zip(("loc", "scale"), value.args[k:], strict=False)) | dict(value.kwds)
    loc, scale = kwds.pop("loc", 0.0), kwds.pop("scale", 1.0)
    return value.dist(*value.args[:k], loc=loc * s, scale=scale * s, **kwds)


def scenario_for(inputs: BacktestInputs, base: Scenario | None = None) -> Scenario:
    """The preset rescaled to the agreement (module docstring, rules 4–6).

    Parameters
    ----------
    inputs : BacktestInputs
        From :func:`build_inputs`.
    base : Scenario, optional
        The scenario to rescale; default :func:`~alliance_sim.scenarios.japan_us_2020`.
        It must define the preset's ``demand_usd`` and ``p_challenger``.

    Returns
    -------
    Scenario
        Money in ``inputs.unit``; ``status_quo`` = :math:`x_0`.
    """
    base = japan_us_2020() if base is None else base
    s = inputs.status_quo / float(base.parameters.parameter(base.status_quo).value)
    changes: dict[str, Any] = {
        name: scale_distribution(base.parameters.parameter(name).value, s)
        for name in money_parameters(base)
    }
    changes[base.status_quo] = inputs.status_quo
    changes["demand_usd"] = 0.0
    changes["p_challenger"] = 1.0 if inputs.us_type == "challenger" else 0.0
    return base.with_parameters(**changes)


def predict(
    inputs: BacktestInputs, *, n: int = 20_000, seed: int = SEED, base: Scenario | None = None
) -> Prediction:
    """Simulate the rescaled scenario (static engine) and keep the predictive distribution.

    Parameters
    ----------
    inputs : BacktestInputs
        From :func:`build_inputs`.
    n : int
        Draws.
    seed : int
        Seed of :func:`alliance_sim.simulate`.
    base : Scenario, optional
        As in :func:`scenario_for`.

    Returns
    -------
    Prediction
    """
    res = simulate(scenario_for(inputs, base), n, seed=seed, stances=False, talks=False)
    feasible = res["feasible"]
    return Prediction(
        payments=res["nash_payment"][feasible],
        lo=res["lo"],
        hi=res["hi"],
        p_feasible=float(feasible.mean()),
    )


def _quantiles(values: NDArray[np.float64]) -> dict[str, float]:
    if values.size == 0:
        return {k: float("nan") for k in _QUANTILES}
    qs = np.quantile(values, list(_QUANTILES.values()))
    return dict(zip(_QUANTILES, (float(q) for q in qs), strict=True))


# --- The backtest ---------------------------------------------------------------------------


def backtest(
    df: pd.DataFrame | None = None,
    *,
    n: int = 20_000,
    seed: int = SEED,
    us_type: USType = "by_administration",
    base: Scenario | None = None,
) -> BacktestResult:
    r"""Rolling backtest over the agreements (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Agreements as :func:`alliance_sim.data.agreements` returns them (the default).
    n : int
        Draws per agreement.
    seed : int
        Seed of every agreement's simulation.
    us_type : {"by_administration", "incumbent", "challenger"}
        Washington's type in office (module docstring, rule 6).
    base : Scenario, optional
        Scenario to rescale; default the Japan–US 2020 preset.

    Returns
    -------
    BacktestResult
        ``table``: one row per scored agreement (index ``agreement``) with the inputs
        (``unit``, ``base_year``, ``x0``, ``previous_change``…), the prediction
        (``pred_q05 … pred_q95``, ``lo_q*``, ``hi_q*``, ``p_feasible``), the actual
        amount and the scores (``in_50``, ``in_90``, ``pit``, ``error``,
        ``pct_error``, and the baselines' ``no_change*``, ``last_change*``; errors
        are prediction − actual). ``summary``: ``n_agreements``; ``coverage_50``,
        ``coverage_90`` (share of actuals inside the intervals); ``mape``
        :math:`= \frac1k\sum|\hat x - x|/x`, ``mean_pct_error`` (signed: the bias) and
        ``mae`` :math:`= \frac1k\sum|\hat x - x|` per display unit (amounts in different
        currencies are not added up), each for the predictors ``model``, ``no_change``
        and ``last_change``; ``draws``, ``seed``, ``us_type``; ``skipped``
        (agreement → reason).

    Raises
    ------
    ValueError
        If ``us_type`` is unknown or no agreement can be scored.
    """
    _check_us_type(us_type)
    df = agreements() if df is None else df
    base = japan_us_2020() if base is None else base
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for _, row in df.iterrows():  # a loop over agreements; each simulation is vectorized
        try:
            actual = actual_amount(row)
            inputs = build_inputs(row, df[df["start_fy"] < row["start_fy"]], us_type=us_type)
        except NotEvaluable as reason:
            skipped[str(row["agreement"])] = str(reason)
            continue
        rows.append(_score(inputs, predict(inputs, n=n, seed=seed, base=base), actual))
    if not rows:
        raise ValueError(f"no agreement can be scored: {skipped}")
    table = pd.DataFrame(rows).set_index("agreement")
    summary = _summarize(table) | {"draws": n, "seed": seed, "us_type": us_type}
    summary["skipped"] = skipped
    return BacktestResult(table, summary)


def _score(inputs: BacktestInputs, pred: Prediction, actual: float) -> dict[str, Any]:
    """One table row: inputs, predictive statistics, actual and errors."""
    stats = pred.statistics()
    x0, median = inputs.status_quo, stats["pred_q50"]
    last = x0 * (1.0 + inputs.previous_change)
    return {
        "agreement": inputs.agreement,
        "country": inputs.country,
        "unit": inputs.unit,
        "start_fy": inputs.start_fy,
        "base_year": inputs.base_year,
        "x0": x0,
        "us_type": inputs.us_type,
        "previous_change": inputs.previous_change,
        "previous_change_basis": inputs.previous_change_basis,
        **stats,
        "actual": actual,
        "actual_change": actual / x0 - 1.0,
        "in_50": bool(stats["pred_q25"] <= actual <= stats["pred_q75"]),
        "in_90": bool(stats["pred_q05"] <= actual <= stats["pred_q95"]),
        "pit": pred.pit(actual),
        "error": median - actual,
        "pct_error": (median - actual) / actual,
        "no_change_error": x0 - actual,
        "no_change_pct_error": (x0 - actual) / actual,
        "last_change": last,
        "last_change_error": last - actual,
        "last_change_pct_error": (last - actual) / actual,
    }


_PREDICTORS = {"model": "", "no_change": "no_change_", "last_change": "last_change_"}


def _summarize(table: pd.DataFrame) -> dict[str, Any]:
    """Coverage, MAPE, bias and MAE per unit (the ``summary`` of :func:`backtest`)."""
    out: dict[str, Any] = {
        "n_agreements": len(table),
        "coverage_50": float(table["in_50"].mean()),
        "coverage_90": float(table["in_90"].mean()),
        "mape": {},
        "mean_pct_error": {},
        "mae": {},
    }
    for name, prefix in _PREDICTORS.items():
        pct, err = table[f"{prefix}pct_error"], table[f"{prefix}error"]
        out["mape"][name] = float(pct.abs().mean())
        out["mean_pct_error"][name] = float(pct.mean())
        by_unit = err.abs().groupby(table["unit"], sort=False).mean()
        for unit, value in by_unit.items():
            out["mae"].setdefault(unit, {})[name] = float(value)
    return out


# --- Markdown ---------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:+.1f}%"


def backtest_table(table: pd.DataFrame) -> str:
    """Markdown table of :func:`backtest`'s per-agreement results.

    Columns: agreement; unit; :math:`x_0` (its year); the actual amount (its change
    on :math:`x_0`); Washington's type; the model's median; its 50% and 90%
    intervals; hits (50% / 90%); PIT; the median settlement range ``lo``–``hi``;
    the percentage errors of the model, of *no change* and of *last change
    repeated* (with its prediction).

    Examples
    --------
    >>> backtest_table(backtest(n=2_000).table).splitlines()[0].split(" | ")[:3]
    ['| agreement', 'unit', 'x0 (year)']
    """
    head = [
        "agreement",
        "unit",
        "x0 (year)",
        "actual (change)",
        "US type",
        "model median",
        "50% interval",
        "90% interval",
        "in 50% / 90%",
        "PIT",
        "range lo–hi (medians)",
        "model error",
        "no change error",
        "last change (error)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in table.iterrows():
        cells = [
            str(name),
            r["unit"],
            f"{r['x0']:.1f} ({r['base_year']})",
            f"{r['actual']:.1f} ({_pct(r['actual_change'])})",
            r["us_type"],
            f"{r['pred_q50']:.1f}",
            f"[{r['pred_q25']:.1f}, {r['pred_q75']:.1f}]",
            f"[{r['pred_q05']:.1f}, {r['pred_q95']:.1f}]",
            f"{'yes' if r['in_50'] else 'no'} / {'yes' if r['in_90'] else 'no'}",
            f"{r['pit']:.2f}",
            f"{r['lo_q50']:.1f}–{r['hi_q50']:.1f}",
            _pct(r["pct_error"]),
            _pct(r["no_change_pct_error"]),
            f"{r['last_change']:.1f} ({_pct(r['last_change_pct_error'])})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(summary: dict[str, Any]) -> str:
    """Markdown table of :func:`backtest`'s summary: coverage, MAPE, bias, MAE per unit.

    Examples
    --------
    >>> print(summary_table(backtest(n=2_000).summary).splitlines()[0])
    | score | model | no change | last change repeated |
    """
    names = list(_PREDICTORS)
    lines = [
        "| score | model | no change | last change repeated |",
        "|---|---|---|---|",
        "| MAPE | " + " | ".join(f"{100 * summary['mape'][k]:.1f}%" for k in names) + " |",
        "| mean % error (bias) | "
        + " | ".join(_pct(summary["mean_pct_error"][k]) for k in names)
        + " |",
    ]
    for unit, mae in summary["mae"].items():
        lines.append(f"| MAE ({unit}) | " + " | ".join(f"{mae[k]:.1f}" for k in names) + " |")
    lines.append(
        f"| coverage of 50% / 90% intervals | {100 * summary['coverage_50']:.0f}% / "
        f"{100 * summary['coverage_90']:.0f}% | — | — |"
    )
    return "\n".join(lines)
