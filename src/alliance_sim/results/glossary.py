"""Plain-words explanations of the rows of a summary table (:meth:`SimulationResult.explain`).

Each row of :meth:`~alliance_sim.results.SimulationResult.summary` is a :class:`~.summary.Stat`:
a count, a share, or a mean, standard deviation or quantile of one per-draw output over
the column's draws, possibly restricted to the draws where another output holds. The
explanation is built from that definition and from the output's description
(:data:`alliance_sim.sweep.OUTPUTS`), so every row has one and it cannot drift from what
the table computes; :data:`READING` adds, for the rows that need it, how to read them.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .summary import Stat

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["READING", "explain_rows", "format_summary", "reading"]

_STANCE = "<player>: <stance>"

#: How to read a row, by quantity (and ``quantity / statistic`` for single rows).
READING: dict[str, str] = {
    "draws": "Each column is a group of draws: all of them, then one per category of the "
    "grouping output (by default the election winner). Every other row is computed "
    "within its column's group.",
    "settlement range": "The settlement range is the set of payments both sides prefer "
    "to no deal, [lo, hi]. P(non-empty) below 1 means that in some draws no payment "
    "satisfies both, so the axiomatic solutions do not exist there.",
    "demand": "Whether the payee's announced demand is a payment the payer could accept: "
    "a low value says the demand is an opening position, not a settlement.",
    "lo": "The least the payee accepts (floored at the payment floor), draw by draw.",
    "hi": "The most the payer accepts, draw by draw.",
    "nash_payment": "The generalized Nash bargaining solution (weight β for the payee), "
    "over the draws with a non-empty settlement range.",
    "ks_payment": "The Kalai–Smorodinsky solution (gains proportional to each side's "
    "best possible gain), over the draws with a non-empty settlement range.",
    "split_payment": "The midpoint of the settlement range, a benchmark that ignores "
    "bargaining power.",
    "talks": "The reputational talks (war of attrition on the calendar), on the realized "
    "path of each draw: the share of draws in which each event happens.",
    "talks / P(regular)": "A check, not a prediction: the share of draws where each side "
    "prefers winning to conceding wherever it concedes, which the solution of the talks "
    "assumes. Values well below 1 mean the talks' results rest on irregular draws.",
    "agreement week": "Week of the agreement counted from the opening of the talks (0 = "
    "the opening week), over the draws that reach an agreement. A median above 0 means "
    "the talks wait: each side holds out to build or test a reputation.",
    "lapse days": "Days from the expiry of the current agreement to the entry into force "
    "of the new one (0 = on time), over the draws that reach an agreement.",
    "spe_payment": "The payment agreed in the talks, over the draws that reach an agreement.",
    "forecast (ex ante)": "What the model expects at the opening of the talks, before the "
    "election and the path are known: means over draws of per-draw probabilities and "
    "expectations. Compare them with the realized-path rows under 'talks'.",
    "offers": "Complete-information alternating offers on the same calendar (a benchmark "
    "without reputations).",
    "offers_payment": "The payment of the alternating-offers benchmark, over the draws "
    "where it agrees.",
    "stance game": "The one-shot game of negotiating stances priced by the bargaining solutions.",
    "stance game / P(degenerate)": "The share of draws whose stance game is degenerate: "
    "some best responses tie, so equilibria come in connected sets and the counts are "
    "of their extreme points. Common when two stances lead to the same payment.",
    "stance game / mean equilibria": "Mean number of (extreme) Nash equilibria per draw; "
    "above 1, the selected equilibrium is one of several.",
    _STANCE: "One stance of one side in the stance game (e.g. Tokyo waits): whether it "
    "is played in every or in some Nash equilibrium of the draw's game, and its mean "
    "probability in the selected equilibrium.",
    "selected outcome": "The share of draws whose selected stance equilibrium is each pure "
    "cell (Tokyo's stance / Washington's stance), or mixed.",
}


def _described(var: str, outputs: dict[str, str]) -> str:
    if var in outputs:
        return outputs[var]
    for pattern, text in outputs.items():
        if "<" in pattern:
            if re.fullmatch(re.sub(r"<[^>]+>", "[a-z]+", re.escape(pattern)), var):
                return text
    return "(no description)"


def _sentence(st: Stat, statistic: str, outputs: dict[str, str]) -> str:
    """What one row computes, in words."""
    over = "the column's draws"
    if st.where is not None:
        over += f" where {st.where} holds ({_described(st.where, outputs)})"
    if st.kind == "count":
        return "Number of draws in the column."
    if st.kind == "share":
        return "Share of all draws that fall in the column."
    var = st.var or ""
    what = f"{var}: {_described(var, outputs)}"
    if st.above is not None:
        return f"Share of {over} in which {var} is above {st.above} ({what})."
    if st.equals is not None:
        return f"Share of {over} in which {var} equals {st.equals} ({what})."
    if st.kind == "mean" and (statistic.startswith("P(") or "(bool)" in what):
        return f"Share of {over} in which {what}."
    if st.kind == "mean":
        return f"Mean over {over} of {what}."
    if st.kind == "sd":
        return f"Standard deviation (ddof = 1) over {over} of {what}."
    return (
        f"Quantiles over {over} of {what}. q50 is the median: half of those draws lie "
        f"below it; q05 and q95 bound the central 90%."
    )


def explain_rows(
    stats: Sequence[Stat],
    quantiles: Sequence[str],
    outputs: dict[str, str],
    quantity: str,
    statistic: str | None = None,
) -> str:
    """Explain the rows of ``quantity`` (one row if ``statistic`` is given).

    ``quantiles``: the labels of the quantile rows (``q05``, ...). Matching ignores case.

    Raises
    ------
    KeyError
        If no row matches, with the closest quantity or statistic.
    """
    rows: list[tuple[Stat, str]] = []
    for st in stats:
        for label in quantiles if st.kind == "quantiles" else [st.statistic]:
            rows.append((st, label))
    quantities = list(dict.fromkeys(st.quantity for st, _ in rows))
    chosen = [r for r in rows if r[0].quantity.lower() == quantity.lower()]
    if not chosen:
        close = difflib.get_close_matches(quantity, quantities, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"no summary row is {quantity!r}{hint} The quantities: {quantities}")
    if statistic is not None:
        labels = [label for _, label in chosen]
        chosen = [r for r in chosen if r[1].lower() == statistic.lower()]
        if not chosen:
            raise KeyError(f"{quantity!r} has no statistic {statistic!r}; it has {labels}")
    name = chosen[0][0].quantity
    reading = READING.get(name) or (READING[_STANCE] if ": " in name else "")
    lines = [f"{name}: {reading}" if reading else f"{name}:"]
    done: set[int] = set()
    for st, label in chosen:
        if st.kind == "quantiles":  # one line for all the quantile rows of a Stat
            if id(st) in done:
                continue
            done.add(id(st))
            label = ", ".join(lab for s, lab in chosen if s is st)
        lines.append(f"  {label}: {_sentence(st, label, outputs)}")
        note = READING.get(f"{name} / {label}")
        if note:
            lines.append(f"    {note}")
    return "\n".join(lines)


def format_summary(table: pd.DataFrame, digits: int = 3) -> str:
    """A summary table as text: counts as integers, other values with ``digits`` decimals.

    (A DataFrame column holds one dtype, so the counts of a summary are floats; this
    prints them as the whole numbers they are.) NaN, a statistic over no draws, prints
    as ``–``.
    """

    def cell(statistic: str, v: float) -> str:
        if math.isnan(v):
            return "–"
        return f"{v:,.0f}" if statistic == "count" else f"{v:,.{digits}f}"

    shown = table.astype(object).copy()
    for row in table.index:
        shown.loc[row] = [cell(row[1], float(v)) for v in table.loc[row]]
    return shown.to_string(justify="right")


def reading(table: pd.DataFrame, unit: str, status_quo: float | None = None) -> str:
    """A short plain-words reading of the headline rows of a summary (column ``all``).

    What the numbers say, not what to believe: each sentence restates rows of
    ``table`` (:meth:`~.SimulationResult.summary` with its default quantiles), which
    :meth:`~.SimulationResult.explain` defines. It reads the table only, so a streamed
    run gets the same reading as a kept one.
    """

    def row(quantity: str, statistic: str) -> float:
        return float(table["all"].to_dict()[(quantity, statistic)])

    rows = set(table.index)
    against = "" if status_quo is None else f", against a status quo of {status_quo:,.1f}"
    out = [
        f"In {row('settlement range', 'P(non-empty)'):.0%} of draws some payment beats no "
        f"deal for both sides; there the Nash bargaining payment has median "
        f"{row('nash_payment', 'q50'):,.1f} {unit} (90% of draws between "
        f"{row('nash_payment', 'q05'):,.1f} and {row('nash_payment', 'q95'):,.1f}){against}."
    ]
    if ("demand", "P(inside range)") in rows:
        inside = row("demand", "P(inside range)")
        out.append(
            f"The announced demand lies inside the settlement range in {inside:.1%} of draws"
            + (": read it as an opening position." if inside < 0.1 else ".")
        )
    if ("talks", "P(agreement)") in rows:
        out.append(
            f"In the talks, {row('talks', 'P(agreement)'):.0%} of draws reach an agreement, "
            f"at a median week {row('agreement week', 'q50'):.0f} after the opening and a "
            f"median payment of {row('spe_payment', 'q50'):,.1f}; "
            f"{row('talks', 'P(one-year deal)'):.0%} sign a one-year deal and "
            f"{row('talks', 'P(lapse)'):.0%} let the current agreement lapse."
        )
    return "\n".join(out)
