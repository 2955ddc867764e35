r"""Rolling backtest with the calibration inside the loop: honest forecasts of each agreement.

For each past agreement :math:`i` with a target
(:func:`~alliance_sim.calibration.targets.agreement_targets`), in order of first
fiscal year:

1. **Calibrate on the past only.** :func:`~alliance_sim.calibration.fit.calibrate`
   with ``before`` = the agreement's first fiscal year: the posterior reads only rows
   with an earlier ``start_fy`` (the tests corrupt later rows and check the
   prediction is bit-identical). An agreement without an earlier target is skipped
   (empty history).
2. **Predict.** The posterior predictive of the agreement's talks
   (:meth:`~alliance_sim.calibration.fit.Calibration.predict`): the change
   :math:`x/x_0 - 1` of the agreed payment, P(one-year term | agreement),
   P(lapse), the years to agreement.
3. **Score** with proper scoring rules (:mod:`alliance_sim.scoring`), lower is
   better: the CRPS and the log score (negative log density of a Gaussian kernel
   estimate) of the change; the absolute error of the predictive median; whether the
   change lies in the central 50% and 90% intervals; the PIT; the Brier scores of
   the one-year term and of the lapse; the CRPS of the years to agreement.

Baselines, from the same history: for the change, *no change* (a point forecast of
0, whose CRPS is :math:`|c|`), *last change repeated* (the previous agreement's
change of the same country, :func:`alliance_sim.backtest.build_inputs`), the
*country median* of the earlier changes (no change where there is none) and
*climatology*, the empirical distribution of all earlier changes (CRPS and log
score; where at least two are known); for the term and the lapse, *climatology*:
the frequency among the earlier agreements that state them (none known: not
scored); for the years to agreement, the empirical distribution of the earlier ones.

Summary: mean scores, each block (change, term, lapse, delay) over the agreements
where the model and every baseline of the block are scored (so they compare on the
same agreements): ``crps_model``,
``crps_no_change``, ``crps_last_change``, ``crps_country_median``,
``crps_climatology``, ``log_score_model``, ``log_score_climatology``, ``mae_model``,
``mae_no_change``, ``mae_last_change``, ``mae_country_median`` (absolute error of
the change, points of :math:`x_0`), ``mape_model``, ``mape_no_change`` (absolute
percentage error of the first-year amount, :math:`|\hat c - c|/(1 + c)`),
``coverage_50``, ``coverage_90``,
``brier_term_model``, ``brier_term_climatology``, ``brier_lapse_model``,
``brier_lapse_climatology``, ``crps_delay_model``, ``crps_delay_climatology``, and
the counts ``n_change``, ``n_term``, ``n_lapse``, ``n_delay``.

References
----------
T. Gneiting, A. E. Raftery (2007), "Strictly proper scoring rules, prediction, and
estimation", *JASA* 102(477), 359–378.
G. W. Brier (1950), "Verification of forecasts expressed in terms of probability",
*Monthly Weather Review* 78(1), 1–3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..backtest import NotEvaluable, build_inputs
from ..data import agreements
from ..scenarios import Scenario
from ..scoring import (
    brier_score,
    crps_point,
    crps_sample,
    interval_hit,
    log_score_sample,
    pit,
    weighted_quantile,
)
from .fit import calibrate, history_targets
from .model import THETA
from .past import BASES

__all__ = [
    "SUMMARY_KEYS",
    "RollingBacktest",
    "rolling_backtest",
    "rolling_summary_table",
    "rolling_table",
]


class RollingBacktest(NamedTuple):
    """Per-agreement table and summary of :func:`rolling_backtest`."""

    table: pd.DataFrame
    summary: dict[str, Any]


def _last_change(df: pd.DataFrame, name: str) -> float:
    row = df[df["agreement"] == name].iloc[0]
    try:
        return build_inputs(row, df[df["start_fy"] < row["start_fy"]]).previous_change
    except NotEvaluable:
        return 0.0


def rolling_backtest(
    df: pd.DataFrame | None = None,
    *,
    n: int = 4000,
    n_particles: int = 400,
    generations: int = 6,
    seed: int = 2020,
    bases: dict[str, Scenario] | None = None,
    names: Sequence[str] = THETA,
    progress: bool = False,
) -> RollingBacktest:
    """Calibrate on the past, predict the next agreement, score; for every agreement.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Agreements (default :func:`alliance_sim.data.agreements`).
    n : int
        Predictive draws per agreement.
    n_particles, generations : int
        Size of each calibration (:func:`~alliance_sim.calibration.fit.calibrate`).
    seed : int
        Seed of every calibration and prediction (the same for all agreements).
    bases : dict of str to Scenario, optional
    names : sequence of str
        The calibrated parameters.
    progress : bool
        Print one line per agreement to stderr.

    Returns
    -------
    RollingBacktest
        ``table``: one row per scored agreement; ``summary``: :data:`SUMMARY_KEYS`,
        the counts, the settings and ``skipped`` (agreement → reason).

    Raises
    ------
    ValueError
        If no agreement can be scored.
    """
    import sys

    df = agreements() if df is None else df
    bases = {c: f() for c, f in BASES.items()} if bases is None else bases
    facts = history_targets(df, bases=bases)
    targets = ["change", "one_year", "lapse", "delay"]
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for name, f in facts.iterrows():  # a loop over agreements; each step is vectorized
        if f[targets].isna().all():
            skipped[str(name)] = "no target stated"
            continue
        past = facts[facts["start_fy"] < f["start_fy"]]
        if past[targets].isna().all(axis=None):
            skipped[str(name)] = "empty history: no earlier agreement states a target"
            continue
        if progress:
            print(f"backtest: {name} (FY{f['start_fy']})", file=sys.stderr)
        cal = calibrate(
            df,
            before=int(f["start_fy"]),
            bases=bases,
            names=names,
            n_particles=n_particles,
            generations=generations,
            seed=seed,
        )
        pred = cal.predict(f, n=n, seed=seed)
        rows.append(_score(str(name), f, past, pred, _last_change(df, str(name))))
    if not rows:
        raise ValueError(f"no agreement can be scored: {skipped}")
    table = pd.DataFrame(rows).set_index("agreement")
    summary = _summarize(table)
    summary.update(
        {
            "draws": n,
            "particles": n_particles,
            "generations": generations,
            "seed": seed,
            "skipped": skipped,
        }
    )
    return RollingBacktest(table, summary)


def _score(name: str, f: pd.Series, past: pd.DataFrame, pred: Any, last: float) -> dict:
    """One table row: the forecasts, the outcome and the scores (module docstring)."""
    out: dict[str, Any] = {"agreement": name, "country": f["country"], "start_fy": f["start_fy"]}
    out["p_no_deal"] = float(1.0 - pred.p_agreement.mean())
    change, ch = f["change"], pred.change
    earlier = past["change"].dropna().to_numpy()
    same = past.loc[past["country"] == f["country"], "change"].dropna().to_numpy()
    country_median = float(np.median(same)) if same.size else 0.0
    if ch.size:
        qs = weighted_quantile(ch, [0.05, 0.25, 0.5, 0.75, 0.95])
        out.update(
            {
                f"change_q{int(100 * q):02d}": float(v)
                for q, v in zip((0.05, 0.25, 0.5, 0.75, 0.95), qs, strict=True)
            }
        )
    if np.isfinite(change) and ch.size:
        med = out["change_q50"]
        out.update(
            {
                "change": change,
                "crps_model": crps_sample(ch, change),
                "log_score_model": log_score_sample(ch, change),
                "mae_model": abs(med - change),
                "mape_model": abs(med - change) / (1.0 + change),
                "mape_no_change": abs(change) / (1.0 + change),
                "in_50": interval_hit(ch, change, 0.5),
                "in_90": interval_hit(ch, change, 0.9),
                "pit": pit(ch, change),
                "crps_no_change": float(crps_point(0.0, change)),
                "mae_no_change": abs(change),
                "last_change": last,
                "crps_last_change": float(crps_point(last, change)),
                "mae_last_change": abs(last - change),
                "country_median": country_median,
                "crps_country_median": float(crps_point(country_median, change)),
                "mae_country_median": abs(country_median - change),
            }
        )
        if earlier.size >= 2:
            out["crps_climatology"] = crps_sample(earlier, change)
            out["log_score_climatology"] = log_score_sample(earlier, change)
    for target, prob, key in (
        ("one_year", pred.prob_one_year, "term"),
        ("lapse", pred.prob_lapse, "lapse"),
    ):
        out[f"p_{key}"] = prob
        outcome = f[target]
        if not np.isfinite(outcome):
            continue
        out[key] = outcome
        out[f"brier_{key}_model"] = float(brier_score(prob, outcome))
        history = past[target].dropna().to_numpy()
        if history.size:
            clim = float(history.mean())
            out[f"p_{key}_climatology"] = clim
            out[f"brier_{key}_climatology"] = float(brier_score(clim, outcome))
    delay = f["delay"]
    if np.isfinite(delay) and pred.time.size:
        out["delay"] = delay
        out["delay_median"] = float(np.median(pred.time))
        out["crps_delay_model"] = crps_sample(pred.time, delay)
        d_hist = past["delay"].dropna().to_numpy()
        if d_hist.size:
            out["crps_delay_climatology"] = crps_sample(d_hist, delay)
    return out


#: Blocks of scores compared on the same agreements: those where all of them exist.
_BLOCKS = {
    "change": (
        "crps_model",
        "crps_no_change",
        "crps_last_change",
        "crps_country_median",
        "crps_climatology",
        "log_score_model",
        "log_score_climatology",
        "mae_model",
        "mae_no_change",
        "mae_last_change",
        "mae_country_median",
        "mape_model",
        "mape_no_change",
        "in_50",
        "in_90",
    ),
    "term": ("brier_term_model", "brier_term_climatology"),
    "lapse": ("brier_lapse_model", "brier_lapse_climatology"),
    "delay": ("crps_delay_model", "crps_delay_climatology"),
}
_COVERAGE = {"in_50": "coverage_50", "in_90": "coverage_90"}

#: The keys of :attr:`RollingBacktest.summary` that hold mean scores.
SUMMARY_KEYS = tuple(_COVERAGE.get(c, c) for cols in _BLOCKS.values() for c in cols)


def _summarize(table: pd.DataFrame) -> dict[str, Any]:
    """Mean scores per block, over the agreements where every score of the block exists."""
    out: dict[str, Any] = {}
    for block, cols in _BLOCKS.items():
        present = [c for c in cols if c in table]
        if len(present) == len(cols):
            sub = table.loc[table[present].notna().all(axis=1), present]
        else:
            sub = table.iloc[:0]
        out[f"n_{block}"] = len(sub)
        for c in cols:
            key = _COVERAGE.get(c, c)
            out[key] = float(sub[c].astype(float).mean()) if len(sub) else float("nan")
    return out


def rolling_table(table: pd.DataFrame) -> str:
    """Markdown table of :func:`rolling_backtest`'s per-agreement forecasts and outcomes."""

    def pct(v: Any) -> str:
        return "—" if not np.isfinite(v) else f"{100 * v:+.1f}%"

    def num(v: Any, fmt: str = ".2f") -> str:
        return "—" if not np.isfinite(v) else format(v, fmt)

    head = [
        "agreement", "FY", "change", "median [5%, 95%]", "CRPS (no change)", "in 50% / 90%",
        "P(one-year) → term", "P(lapse) → lapse", "years: median → actual",
    ]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    get = lambda r, k: r[k] if k in r and pd.notna(r[k]) else np.nan  # noqa: E731
    for name, r in table.iterrows():
        hit = "—"
        if pd.notna(get(r, "in_50")):
            hit = f"{'yes' if r['in_50'] else 'no'} / {'yes' if r['in_90'] else 'no'}"
        term = "—" if np.isnan(get(r, "term")) else f"{int(r['term'])}"
        lapse = "—" if np.isnan(get(r, "lapse")) else f"{int(r['lapse'])}"
        cells = [
            str(name),
            str(r["start_fy"]),
            pct(get(r, "change")),
            f"{pct(get(r, 'change_q50'))} [{pct(get(r, 'change_q05'))}, "
            f"{pct(get(r, 'change_q95'))}]",
            f"{num(get(r, 'crps_model'), '.3f')} ({num(get(r, 'crps_no_change'), '.3f')})",
            hit,
            f"{num(get(r, 'p_term'))} → {term}",
            f"{num(get(r, 'p_lapse'))} → {lapse}",
            f"{num(get(r, 'delay_median'))} → {num(get(r, 'delay'))}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rolling_summary_table(summary: dict[str, Any]) -> str:
    """Markdown table of :func:`rolling_backtest`'s summary: model against the baselines."""

    def f(key: str, pct: bool = False) -> str:
        v = summary.get(key, float("nan"))
        if not np.isfinite(v):
            return "—"
        return f"{100 * v:.1f}%" if pct else f"{v:.4f}"

    lines = [
        "| score (lower is better unless noted) | model | no change | last change | "
        "country median | climatology |",
        "|---|---|---|---|---|---|",
        f"| CRPS of the change (n = {summary['n_change']}) | {f('crps_model')} | "
        f"{f('crps_no_change')} | {f('crps_last_change')} | {f('crps_country_median')} | "
        f"{f('crps_climatology')} |",
        f"| log score of the change | {f('log_score_model')} | — | — | — | "
        f"{f('log_score_climatology')} |",
        f"| abs. error of the median change | {f('mae_model')} | {f('mae_no_change')} | "
        f"{f('mae_last_change')} | {f('mae_country_median')} | — |",
        f"| MAPE of the first-year amount | {f('mape_model', True)} | "
        f"{f('mape_no_change', True)} | — | — | — |",
        f"| coverage of the 50% / 90% intervals (nominal 50% / 90%) | "
        f"{f('coverage_50', True)} / {f('coverage_90', True)} | — | — | — | — |",
        f"| Brier, one-year term (n = {summary['n_term']}) | {f('brier_term_model')} | — | — "
        f"| — | {f('brier_term_climatology')} |",
        f"| Brier, lapse (n = {summary['n_lapse']}) | {f('brier_lapse_model')} | — | — | — | "
        f"{f('brier_lapse_climatology')} |",
        f"| CRPS of the years to agreement (n = {summary['n_delay']}) | "
        f"{f('crps_delay_model')} | — | — | — | {f('crps_delay_climatology')} |",
    ]
    return "\n".join(lines)
