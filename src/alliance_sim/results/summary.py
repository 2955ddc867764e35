r"""Summary tables reduced block by block, bit-identical however a run is chunked.

A summary is a list of rows (:class:`Stat`) computed for each group of draws (all
draws, then by the categories of a boolean or integer output such as the election
winner). :class:`SummaryAccumulator` consumes the per-draw outputs one *logical*
block of :data:`~alliance_sim.parameters.BLOCK` draws at a time — the same blocks
that seed the random draws, so their boundaries do not depend on the execution
chunks — and keeps, per block and per (group, variable), the count
:math:`n_b`, the sum :math:`s_b` and the centred sum of squares
:math:`M_{2,b} = \sum_{i \in b} (x_i - s_b/n_b)^2`. The totals are

.. math:: n = \sum_b n_b,\quad \bar x = \frac{\operatorname{fsum}_b s_b}{n},\quad
          M_2 = \operatorname{fsum}_b \big(M_{2,b} + n_b (s_b/n_b - \bar x)^2\big)

(Chan, Golub & LeVeque 1983 for combining :math:`M_2`; ``math.fsum`` is exactly
rounded, hence independent of the order of blocks). The standard deviation is
:math:`\sqrt{M_2/(n-1)}`. A probability is the mean of a boolean, i.e. an exact
count divided by :math:`n`. So counts, probabilities, means and standard
deviations are the same bit for bit whatever the chunk size, the number of workers
or the backend, and the same whether the per-draw outputs are kept or streamed.

Quantiles are exact (``numpy.quantile``) when the per-draw outputs are kept and come
from a :class:`~alliance_sim.results.sketch.QuantileSketch` (documented relative
error bound) when they are streamed.

References
----------
T. F. Chan, G. H. Golub, R. J. LeVeque (1983), "Algorithms for computing the sample
variance: analysis and recommendations", *The American Statistician* 37(3), 242–247.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from ..parameters import BLOCK
from .sketch import QuantileSketch

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PAYMENT_OUTPUTS",
    "QUANTILES",
    "Grouping",
    "Stat",
    "SummaryAccumulator",
    "check_quantiles",
    "quantile_labels",
    "summary_stats",
]

#: Quantiles reported by default.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Solution payments, defined only where the settlement range is non-empty.
PAYMENT_OUTPUTS: tuple[str, ...] = ("nash_payment", "ks_payment", "split_payment")

Kind = Literal["count", "share", "mean", "sd", "quantiles"]
# (variable, condition, compared-above variable, equals value): one reduced quantity.
Key = tuple[str, str | None, str | None, int | None]
# A summary column: None is "all", else a value of the grouping output (bool or int).
Category = int | None


@dataclass(frozen=True)
class Stat:
    """One row (or, for ``"quantiles"``, one row per probability) of a summary.

    Attributes
    ----------
    quantity : str
        First level of the row index (e.g. ``"nash_payment"``).
    statistic : str
        Second level (ignored for ``"quantiles"``, whose rows are ``q05``, ``q50`` …).
    kind : {"count", "share", "mean", "sd", "quantiles"}
        ``count``/``share``: draws in the group and their share of all draws;
        ``mean``/``sd``: of ``var`` over the group's draws where ``where`` holds;
        ``quantiles``: of the same.
    var : str or None
        Per-draw variable.
    where : str or None
        Boolean per-draw variable that restricts the draws.
    above : str or None
        Use the indicator ``var > above`` instead of ``var``.
    equals : int or None
        Use the indicator ``var == equals`` instead of ``var``.
    """

    quantity: str
    statistic: str
    kind: Kind
    var: str | None = None
    where: str | None = None
    above: str | None = None
    equals: int | None = None

    @property
    def key(self) -> Key:
        """The reduced quantity this row reads."""
        return (self.var or "", self.where, self.above, self.equals)


def quantile_labels(quantiles: Iterable[float]) -> list[str]:
    """Row labels of quantiles: ``q05`` for 0.05."""
    return [f"q{round(q * 100):02d}" for q in quantiles]


def check_quantiles(quantiles: Sequence[float]) -> NDArray[np.float64]:
    """Validate quantile probabilities (1-D, finite, in [0, 1])."""
    qs = np.asarray(quantiles, dtype=np.float64)
    if qs.ndim != 1 or np.any(~np.isfinite(qs)) or np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantiles must be a 1-D sequence of numbers in [0, 1]; got {quantiles}")
    return qs


def summary_stats(
    names: Collection[str], stance_labels: Sequence[str] = (), stance_cells: Sequence[str] = ()
) -> list[Stat]:
    """The rows of :meth:`SimulationResult.summary` for a run with outputs ``names``.

    Parameters
    ----------
    names : collection of str
        Output names of the run (which optional stages ran is read from them).
    stance_labels : sequence of str
        ``<player>_<stance>`` labels of the stance game, if it was solved.
    stance_cells : sequence of str
        Names of the pure cells ``"<tokyo> / <washington>"`` in code order (``3·row + col``).
    """
    s = [
        Stat("draws", "count", "count"),
        Stat("draws", "share", "share"),
        Stat("settlement range", "P(non-empty)", "mean", "feasible"),
    ]
    if "demand_in_range" in names:
        s.append(Stat("demand", "P(inside range)", "mean", "demand_in_range"))
    s += [Stat(v, "", "quantiles", v) for v in ("lo", "hi")]
    for v in PAYMENT_OUTPUTS:
        s += [
            Stat(v, "", "quantiles", v, "feasible"),
            Stat(v, "mean", "mean", v, "feasible"),
            Stat(v, "sd", "sd", v, "feasible"),
            Stat(v, "P(above status quo)", "mean", v, "feasible", above="status_quo"),
        ]
    if "spe_agreement" in names:
        s += [
            Stat("talks", "P(agreement)", "mean", "spe_agreement"),
            Stat("talks", "P(before election)", "mean", "agreement_before_election"),
            Stat("talks", "P(before budget draft)", "mean", "before_budget"),
            Stat("talks", "P(one-year deal)", "mean", "one_year_deal"),
            Stat("talks", "P(lapse)", "mean", "lapse"),
            Stat("talks", "P(no deal)", "mean", "no_deal"),
            Stat("talks", "P(payer concedes)", "mean", "conceded_by", equals=0),
            Stat("talks", "P(payee concedes)", "mean", "conceded_by", equals=1),
            Stat("talks", "P(regular)", "mean", "talks_regular"),
            Stat("agreement week", "", "quantiles", "agreement_week", "spe_agreement"),
            Stat("agreement week", "mean", "mean", "agreement_week", "spe_agreement"),
            Stat("lapse days", "", "quantiles", "lapse_days", "spe_agreement"),
            Stat("lapse days", "mean", "mean", "lapse_days", "spe_agreement"),
            Stat("spe_payment", "", "quantiles", "spe_payment", "spe_agreement"),
            Stat("spe_payment", "mean", "mean", "spe_payment", "spe_agreement"),
            Stat("spe_payment", "sd", "sd", "spe_payment", "spe_agreement"),
            Stat("forecast (ex ante)", "mean p_agreement", "mean", "p_agreement"),
            Stat("forecast (ex ante)", "mean p_before_election", "mean", "p_before_election"),
            Stat("forecast (ex ante)", "mean p_one_year", "mean", "p_one_year"),
            Stat("forecast (ex ante)", "mean p_lapse", "mean", "p_lapse"),
            Stat("forecast (ex ante)", "mean expected_delay (years)", "mean", "expected_delay"),
            Stat("forecast (ex ante)", "mean expected_payment", "mean", "expected_payment"),
        ]
    if "offers_agreement" in names:
        s += [
            Stat("offers", "P(agreement)", "mean", "offers_agreement"),
            Stat("offers", "P(one-year deal)", "mean", "offers_one_year"),
            Stat("offers", "P(lapse)", "mean", "offers_lapse"),
            Stat("offers_payment", "", "quantiles", "offers_payment", "offers_agreement"),
            Stat("offers_payment", "mean", "mean", "offers_payment", "offers_agreement"),
        ]
    if "n_equilibria" in names:
        s += [
            Stat("stance game", "mean equilibria", "mean", "n_equilibria"),
            Stat("stance game", "P(degenerate)", "mean", "stance_degenerate"),
        ]
        for label in stance_labels:
            row = label.replace("_", ": ", 1)
            s += [
                Stat(row, "P(in every equilibrium)", "mean", f"{label}_in_every_eq"),
                Stat(row, "P(in some equilibrium)", "mean", f"{label}_in_some_eq"),
                Stat(row, "mean prob. (selected)", "mean", f"{label}_prob"),
            ]
        s += [
            Stat("selected outcome", cell, "mean", "stance_outcome", equals=code)
            for code, cell in enumerate(stance_cells)
        ]
        s.append(Stat("selected outcome", "mixed", "mean", "stance_outcome", equals=-1))
    return s


#: Column labels of the election-winner grouping.
_NAMED_CATEGORIES: dict[str, dict[Category, str]] = {
    "challenger_wins": {False: "incumbent wins", True: "challenger wins"}
}


@dataclass(frozen=True)
class Grouping:
    """The columns of a summary: ``"all"``, then one per category of output ``by``.

    ``by`` must be a boolean or integer per-draw output; booleans always give two
    columns (``"<by>: no"``, ``"<by>: yes"``; the election winner is labelled
    ``incumbent wins`` / ``challenger wins``), integers one per value seen.
    """

    by: str | None = None

    def masks(self, block: Mapping[str, NDArray]) -> list[tuple[Category, NDArray[np.bool_]]]:
        """``(category, mask)`` pairs for one block; category None is "all"."""
        n = _length(block)
        out: list[tuple[Category, NDArray[np.bool_]]] = [(None, np.ones(n, dtype=bool))]
        if self.by is None:
            return out
        x = np.asarray(block[self.by])
        if x.dtype == bool:
            return [*out, (False, ~x), (True, x)]
        if not np.issubdtype(x.dtype, np.integer):
            raise ValueError(
                f"summaries can be grouped by a boolean or integer output; {self.by!r} has "
                f"dtype {x.dtype}"
            )
        return [*out, *((int(v), x == v) for v in np.unique(x))]

    def label(self, category: Category) -> str:
        """Column label of a category."""
        if category is None:
            return "all"
        named = _NAMED_CATEGORIES.get(self.by or "")
        if named is not None:
            return named[category]
        if isinstance(category, bool):
            return f"{self.by}: {'yes' if category else 'no'}"
        return f"{self.by}={category}"

    def categories(self, seen: Collection[Category], kind: str) -> list[Category]:
        """Columns in order: "all", then the categories (both for a boolean ``by``)."""
        if self.by is None:
            return [None]
        if kind == "b":
            return [None, False, True]
        return [None, *sorted(c for c in seen if c is not None)]


def _length(block: Mapping[str, NDArray]) -> int:
    return int(next(iter(block.values())).shape[0])


@dataclass
class _Moments:
    # Per-block lists, combined with fsum at the end (exact rounding: order-free).
    n: list[int] = field(default_factory=list)
    s: list[float] = field(default_factory=list)
    m2: list[float] = field(default_factory=list)

    def extend(self, other: _Moments) -> None:
        self.n += other.n
        self.s += other.s
        self.m2 += other.m2

    def count(self) -> int:
        return sum(self.n)

    def mean(self) -> float:
        n = self.count()
        return math.fsum(self.s) / n if n else math.nan

    def sd(self) -> float:
        n = self.count()
        if n < 2:
            return math.nan
        mean = math.fsum(self.s) / n
        spread = (nb * (sb / nb - mean) ** 2 for nb, sb in zip(self.n, self.s, strict=True) if nb)
        return math.sqrt(math.fsum([*self.m2, *spread]) / (n - 1))


class SummaryAccumulator:
    """Summary statistics of per-draw outputs, accumulated one logical block at a time.

    Parameters
    ----------
    stats : sequence of Stat
        The rows (see :func:`summary_stats`).
    grouping : Grouping
        The columns.
    sketch : bool
        Keep a :class:`~alliance_sim.results.sketch.QuantileSketch` per quantiled
        variable (streamed quantiles); False when exact quantiles will be computed
        from kept per-draw outputs.

    Notes
    -----
    Feed blocks with :meth:`update` in draw order, or reduce disjoint runs of blocks
    in separate accumulators and :meth:`merge` them in draw order: the totals are
    the same either way, bit for bit.
    """

    def __init__(self, stats: Sequence[Stat], grouping: Grouping, *, sketch: bool = True) -> None:
        self.stats = list(stats)
        self.grouping = grouping
        self.sketch = sketch
        self.n = 0
        self.by_kind = ""
        self._moments: dict[tuple[Category, Key], _Moments] = {}
        self._sketches: dict[tuple[Category, Key], QuantileSketch] = {}
        self._counts: dict[Category, int] = {}
        self._sd_keys = {st.key for st in self.stats if st.kind == "sd"}
        self._mean_keys = list(
            dict.fromkeys(st.key for st in self.stats if st.kind in ("mean", "sd"))
        )
        self._quantile_keys = list(
            dict.fromkeys(st.key for st in self.stats if st.kind == "quantiles")
        )

    @property
    def variables(self) -> set[str]:
        """Per-draw variables the accumulator reads."""
        out = {self.grouping.by} if self.grouping.by else set()
        for st in self.stats:
            out |= {v for v in (st.var, st.where, st.above) if v}
        return out

    def update(self, block: Mapping[str, NDArray]) -> None:
        """Reduce one logical block (at most :data:`BLOCK` draws, blocks in draw order)."""
        size = _length(block)
        if size > BLOCK:
            raise ValueError(f"a block holds at most {BLOCK} draws; got {size}")
        self.n += size
        if self.grouping.by is not None and not self.by_kind:
            self.by_kind = np.asarray(block[self.grouping.by]).dtype.kind
        values: dict[Key, NDArray] = {}
        conditions: dict[str | None, NDArray[np.bool_] | None] = {None: None}
        for var, where, above, equals in {*self._mean_keys, *self._quantile_keys}:
            x = np.asarray(block[var])
            if above is not None:
                x = x > np.asarray(block[above])
            elif equals is not None:
                x = x == equals
            values[(var, where, above, equals)] = x
            if where is not None and where not in conditions:
                conditions[where] = np.asarray(block[where], dtype=np.bool_)
        codes: dict[Key, tuple[QuantileSketch, NDArray[np.int64]]] = {}
        for category, mask in self.grouping.masks(block):
            self._counts[category] = self._counts.get(category, 0) + int(mask.sum())
            for key in self._mean_keys:
                m = _and(mask, conditions[key[1]])
                x = values[key][m].astype(np.float64)  # a fresh contiguous copy
                nb = int(x.size)
                sb = float(x.sum()) if nb else 0.0
                m2 = float(((x - sb / nb) ** 2).sum()) if nb and key in self._sd_keys else 0.0
                mom = self._moments.setdefault((category, key), _Moments())
                mom.n.append(nb)
                mom.s.append(sb)
                mom.m2.append(m2)
            if not self.sketch:
                continue
            for key in self._quantile_keys:
                x = values[key]
                if key not in codes:
                    proto = QuantileSketch(integer=np.issubdtype(x.dtype, np.integer))
                    valid = conditions[key[1]]
                    enc = np.zeros(x.shape, np.int64)
                    sel = valid if valid is not None else slice(None)
                    enc[sel] = proto.codes(x[sel])
                    codes[key] = (proto, enc)
                proto, enc = codes[key]
                m = _and(mask, conditions[key[1]])
                sk = self._sketches.setdefault(
                    (category, key), QuantileSketch(integer=proto.integer)
                )
                xm = x[m]
                if xm.size:
                    if not np.isfinite(xm).all():
                        raise ValueError(f"output {key[0]!r} has NaN or inf where it is summarized")
                    sk.add_codes(enc[m], float(xm.min()), float(xm.max()))

    def merge(self, other: SummaryAccumulator) -> None:
        """Append the blocks reduced by ``other`` (which follow this one's in draw order)."""
        if other.stats != self.stats or other.grouping != self.grouping:
            raise ValueError("can only merge accumulators of the same statistics and grouping")
        self.n += other.n
        self.by_kind = self.by_kind or other.by_kind
        for cat, c in other._counts.items():
            self._counts[cat] = self._counts.get(cat, 0) + c
        for k, mom in other._moments.items():
            self._moments.setdefault(k, _Moments()).extend(mom)
        for k, sk in other._sketches.items():
            self._sketches.setdefault(k, QuantileSketch(integer=sk.integer)).merge(sk)

    def frame(
        self,
        quantiles: Sequence[float],
        exact: Callable[[Category, Key, NDArray[np.float64]], NDArray[np.float64]] | None = None,
    ) -> pd.DataFrame:
        """The summary table: rows ``(quantity, statistic)``, one column per group.

        Parameters
        ----------
        quantiles : sequence of float
            Probabilities of the quantile rows.
        exact : callable, optional
            ``exact(category, key, qs)`` returns exact quantiles (kept outputs);
            without it the sketches are used.
        """
        import pandas as pd

        qs = check_quantiles(quantiles)
        if exact is None and not self.sketch:
            raise ValueError("this accumulator kept no sketches; pass exact quantiles")
        qnames = quantile_labels(qs)
        columns: dict[str, dict[tuple[str, str], float]] = {}
        for cat in self.grouping.categories(self._counts, self.by_kind):
            col: dict[tuple[str, str], float] = {}
            count = self._counts.get(cat, 0)
            for st in self.stats:
                if st.kind == "count":
                    col[(st.quantity, st.statistic)] = float(count)
                elif st.kind == "share":
                    col[(st.quantity, st.statistic)] = count / self.n if self.n else math.nan
                elif st.kind == "quantiles":
                    if exact is not None:
                        vals = exact(cat, st.key, qs)
                    else:
                        sk = self._sketches.get((cat, st.key))
                        vals = sk.quantiles(qs) if sk is not None else np.full(qs.shape, np.nan)
                    col.update(
                        {(st.quantity, qn): float(v) for qn, v in zip(qnames, vals, strict=True)}
                    )
                else:
                    mom = self._moments.get((cat, st.key), _Moments())
                    col[(st.quantity, st.statistic)] = mom.mean() if st.kind == "mean" else mom.sd()
            columns[self.grouping.label(cat)] = col
        frame = pd.DataFrame(columns)
        frame.index = pd.MultiIndex.from_tuples(frame.index, names=["quantity", "statistic"])
        return frame


def _and(mask: NDArray[np.bool_], cond: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
    return mask if cond is None else mask & cond
