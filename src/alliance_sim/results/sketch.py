r"""Mergeable quantile sketch with a relative-error guarantee, for streamed summaries.

When a sweep keeps no per-draw outputs (``simulate(..., keep=False)``), quantiles
are estimated from a :class:`QuantileSketch` (Masson, Rim & Lee 2019, "DDSketch").
A value :math:`x` with :math:`|x| \ge x_{\min}` falls in the logarithmic bucket

.. math:: i(x) = \lceil \log_\gamma |x| \rceil, \qquad
          \gamma = \frac{1 + \alpha}{1 - \alpha},

(mirrored for negative values; :math:`|x| < x_{\min}` counts as zero) and the
bucket is represented by :math:`\hat x = \operatorname{sign}(x)\,2\gamma^{i}/(1+\gamma)`,
so :math:`|\hat x - x| \le \alpha |x|` for every value in the bucket. Buckets are
integer counts, so merging sketches is exact and order-free: a streamed summary
is bit-identical whatever the chunking.

The :math:`q`-quantile follows numpy's default (``method="linear"``): with
:math:`h = q(n-1)`, :math:`k = \lfloor h \rfloor`, the estimate is
:math:`\hat x_{(k)} + (h - k)(\hat x_{(k+1)} - \hat x_{(k)})`, where
:math:`\hat x_{(k)}` is the representative of the bucket holding order statistic
:math:`x_{(k)}`, clamped to the exact minimum and maximum (which are exact for
:math:`k = 0` and :math:`k = n - 1`). Hence the
**documented bound** (tested in ``tests/test_sketch.py``):

.. math:: |\hat Q(q) - Q(q)| \le \alpha \max(|x_{(k)}|, |x_{(k+1)}|) + x_{\min},

with :data:`ALPHA` :math:`= 10^{-4}` and :data:`MIN_MAGNITUDE` :math:`= 10^{-9}`.
Integer-valued variables (e.g. the week of agreement) are counted per value
instead, so their streamed quantiles are exact.

References
----------
C. Masson, J. E. Rim, H. K. Lee (2019), "DDSketch: A fast and fully-mergeable
quantile sketch with relative-error guarantees", *Proceedings of the VLDB
Endowment* 12(12), 2195–2205.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ALPHA", "MIN_MAGNITUDE", "QuantileSketch", "linear_quantile_positions"]

#: Relative accuracy of a bucket representative.
ALPHA = 1e-4
#: Magnitudes below this count as zero.
MIN_MAGNITUDE = 1e-9
_GAMMA = (1.0 + ALPHA) / (1.0 - ALPHA)
_LOG_GAMMA = math.log(_GAMMA)
# Codes: 0 for zero, ±(i + _SHIFT) for ±x; _SHIFT makes every nonzero code have |code| >= 1,
# and the code is increasing in x, so one sorted count array holds the whole distribution.
_SHIFT = 1 - math.ceil(math.log(MIN_MAGNITUDE) / _LOG_GAMMA)


def linear_quantile_positions(
    n: int, qs: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Order statistics and weights of numpy's ``method="linear"`` quantile.

    Returns ``(k, k + 1 clipped to n − 1, h − k)`` with ``h = q (n − 1)``, computed
    with numpy's own expression so that exact inputs give numpy's result bit for bit.
    """
    h = (n - 1) * qs  # numpy's virtual index for method="linear"
    k = np.floor(h)
    t = h - k
    lo = np.clip(k, 0, n - 1).astype(np.int64)
    hi = np.clip(k + 1, 0, n - 1).astype(np.int64)
    return lo, hi, t


def _lerp(a: NDArray, b: NDArray, t: NDArray) -> NDArray:
    # numpy's _lerp: monotone and exact at both ends.
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


class QuantileSketch:
    """Counts of values per bucket (relative-error buckets, or exact integers).

    Parameters
    ----------
    integer : bool
        Count each integer value exactly (for integer-valued variables) instead of
        logarithmic buckets.

    Examples
    --------
    >>> s = QuantileSketch()
    >>> s.add(np.arange(1.0, 1001.0))
    >>> q = s.quantiles([0.5])[0]
    >>> bool(abs(q - 500.5) <= ALPHA * 501)
    True
    """

    __slots__ = ("counts", "integer", "maximum", "minimum", "n", "offset")

    def __init__(self, integer: bool = False) -> None:
        self.integer = bool(integer)
        self.n = 0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.offset = 0
        self.counts: NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    # Encoding -----------------------------------------------------------------------
    def codes(self, x: NDArray) -> NDArray[np.int64]:
        """Bucket code of each value (increasing in the value)."""
        if self.integer:
            return np.asarray(x).astype(np.int64)
        x = np.asarray(x, dtype=np.float64)
        mag = np.abs(x)
        big = mag >= MIN_MAGNITUDE
        with np.errstate(divide="ignore"):
            i = np.ceil(np.log(np.where(big, mag, 1.0)) / _LOG_GAMMA).astype(np.int64) + _SHIFT
        return np.where(big, np.where(x < 0, -i, i), 0)

    def values(self, codes: NDArray[np.int64]) -> NDArray[np.float64]:
        """Representative value of each bucket code."""
        if self.integer:
            return codes.astype(np.float64)
        i = np.abs(codes) - _SHIFT
        rep = 2.0 * np.exp(i * _LOG_GAMMA) / (1.0 + _GAMMA)
        return np.where(codes == 0, 0.0, np.sign(codes) * rep)

    # Updating -----------------------------------------------------------------------
    def add(self, x: ArrayLike) -> None:
        """Add values (finite; NaN or ±inf raise ``ValueError``)."""
        x = np.asarray(x)
        if x.size == 0:
            return
        if not np.isfinite(x).all():
            raise ValueError("QuantileSketch.add: values must be finite (no NaN or inf)")
        if self.integer and not np.issubdtype(x.dtype, np.integer):
            if not np.array_equal(x, np.round(x)):
                raise ValueError("QuantileSketch(integer=True).add: values must be integers")
        self.add_codes(self.codes(x), float(x.min()), float(x.max()))

    def add_codes(self, codes: NDArray[np.int64], minimum: float, maximum: float) -> None:
        """Add values already encoded by :meth:`codes`, with their exact extremes."""
        if codes.size == 0:
            return
        lo = int(codes.min())
        counts = np.bincount(codes - lo)
        self._add_dense(lo, counts)
        self.n += int(codes.size)
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)

    def _add_dense(self, lo: int, counts: NDArray[np.int64]) -> None:
        if self.counts.size == 0:
            self.offset, self.counts = lo, counts.astype(np.int64, copy=True)
            return
        start = min(self.offset, lo)
        stop = max(self.offset + self.counts.size, lo + counts.size)
        if (start, stop) != (self.offset, self.offset + self.counts.size):
            grown = np.zeros(stop - start, dtype=np.int64)
            grown[self.offset - start : self.offset - start + self.counts.size] = self.counts
            self.offset, self.counts = start, grown
        self.counts[lo - self.offset : lo - self.offset + counts.size] += counts

    def merge(self, other: QuantileSketch) -> None:
        """Add another sketch's counts (exact; the order of merges does not matter)."""
        if other.integer != self.integer:
            raise ValueError("cannot merge an integer sketch with a bucketed one")
        if other.n == 0:
            return
        self._add_dense(other.offset, other.counts)
        self.n += other.n
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    # Queries ------------------------------------------------------------------------
    def order_statistics(self, k: ArrayLike) -> NDArray[np.float64]:
        """Estimates of the order statistics ``x_(k)`` (0-based), clamped to the extremes."""
        k = np.asarray(k, dtype=np.int64)
        if self.n == 0:
            return np.full(k.shape, np.nan)
        cum = np.cumsum(self.counts)
        bucket = np.searchsorted(cum, k, side="right")
        est = np.clip(self.values(bucket + self.offset), self.minimum, self.maximum)
        # The extremes are tracked exactly.
        return np.where(k <= 0, self.minimum, np.where(k >= self.n - 1, self.maximum, est))

    def quantiles(self, qs: ArrayLike) -> NDArray[np.float64]:
        """Quantile estimates, numpy's ``linear`` rule applied to the bucket values."""
        qs = np.asarray(qs, dtype=np.float64)
        if self.n == 0:
            return np.full(qs.shape, np.nan)
        lo, hi, t = linear_quantile_positions(self.n, qs)
        return _lerp(self.order_statistics(lo), self.order_statistics(hi), t)

    # Pickling: ship only the non-empty buckets (a block's sketch is sparse). ----------
    def __getstate__(self) -> dict[str, Any]:
        nz = np.flatnonzero(self.counts)
        return {
            "integer": self.integer,
            "n": self.n,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "codes": nz + self.offset,
            "nonzero": self.counts[nz],
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.integer = state["integer"]
        self.n = state["n"]
        self.minimum = state["minimum"]
        self.maximum = state["maximum"]
        codes, nonzero = state["codes"], state["nonzero"]
        self.offset = int(codes[0]) if codes.size else 0
        self.counts = np.zeros(int(codes[-1]) - self.offset + 1 if codes.size else 0, np.int64)
        self.counts[codes - self.offset] = nonzero

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QuantileSketch):
            return NotImplemented
        mine, theirs = self.__getstate__(), other.__getstate__()
        return mine.keys() == theirs.keys() and all(
            np.array_equal(mine[k], theirs[k]) for k in mine
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kind = "integer" if self.integer else f"alpha={ALPHA:g}"
        return f"QuantileSketch({kind}, n={self.n}, buckets={np.count_nonzero(self.counts)})"
