r"""Two-period screening: an uninformed proposer makes two offers to a privately informed responder.

The payer (Tokyo) values an agreement at :math:`W` (its reservation payment) and
proposes a payment twice; the payee (Washington) accepts a payment :math:`x` iff it
covers its private reservation :math:`c`, which Tokyo believes uniform on
:math:`[a, b]` — e.g. between a bluffing and a real drawdown threat. Both discount
the second round by :math:`\delta`. Types with low :math:`c` gain more from an
early deal, so acceptance of the first offer :math:`x_1` is a cutoff rule: types
:math:`c \le \kappa` accept. After a rejection Tokyo updates by Bayes' rule —
the posterior is uniform on :math:`[\kappa, b]` — and makes the last offer

.. math:: x_2(\kappa) = \min\Bigl(\frac{W + \kappa}{2},\ b\Bigr),

the monopsony price against the remaining types. The cutoff type is indifferent,
:math:`x_1 - \kappa = \delta (x_2 - \kappa)`, and Tokyo chooses :math:`\kappa` to
maximize

.. math::
    \Pi(\kappa) = \frac{(\kappa - a)(W - x_1)
        + \delta\,(x_2 - \kappa)(W - x_2)}{b - a}.

For an interior optimum (:math:`x_2 < b`) the first-order condition gives

.. math:: \kappa^* = \frac{(2 - \delta)\,a + 2(1 - \delta)\,W}{4 - 3\delta},

the mirror image of the seller-side cutoff :math:`(2 - \delta)/(4 - 3\delta)` with
uniform buyer values on [0, 1] (Fudenberg & Tirole 1991, §10.2; substitute
:math:`v = 1 - c`, :math:`W = 1`, :math:`a = 0`). Where the last offer would reach
:math:`b` (for :math:`\kappa \ge 2b - W`) it is :math:`b` and :math:`\Pi` is another
concave quadratic, maximized at :math:`(W + a)/2`; :func:`two_period_screening`
takes the better of the two pieces' maxima, for all draws at once.
:func:`screening_cutoff` is the interior closed form alone.

References
----------
D. Fudenberg, J. Tirole (1991), *Game Theory*, MIT Press, ch. 10.
D. Fudenberg, J. Tirole (1983), "Sequential bargaining with incomplete
information", *Review of Economic Studies* 50(2), 221–247.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, check_in_range

__all__ = ["screening_cutoff", "two_period_screening"]

Array = NDArray[np.float64]


def screening_cutoff(value: ArrayLike, low: ArrayLike, delta: ArrayLike) -> Array:
    r"""Closed-form interior cutoff :math:`\kappa^* = ((2-\delta)a + 2(1-\delta)W)/(4-3\delta)`.

    Examples
    --------
    The mirror of Fudenberg–Tirole's seller-side cutoff with δ = 0.5:

    >>> k = screening_cutoff(1.0, 0.0, 0.5)
    >>> round(float(1 - k), 6), round((2 - 0.5) / (4 - 1.5), 6)
    (0.6, 0.6)
    """
    w, a, d = (np.asarray(v, dtype=np.float64) for v in (value, low, delta))
    return ((2 - d) * a + 2 * (1 - d) * w) / (4 - 3 * d)


def _payoff(kappa: Array, w: Array, a: Array, b: Array, d: Array) -> Array:
    x2 = np.minimum(0.5 * (w + kappa), b)
    x1 = kappa + d * (x2 - kappa)
    return ((kappa - a) * (w - x1) + d * (x2 - kappa) * (w - x2)) / (b - a)


def two_period_screening(
    value: ArrayLike, low: ArrayLike, high: ArrayLike, delta: ArrayLike
) -> dict[str, Array]:
    r"""Optimal two offers of an uninformed payer against a uniformly distributed reservation.

    Parameters
    ----------
    value : array_like
        The payer's value of agreement :math:`W` (the most it would pay).
    low, high : array_like
        Support :math:`[a, b]` of the payee's private reservation, ``low < high``.
    delta : array_like
        Discount factor between the two rounds, in (0, 1].

    Returns
    -------
    dict of str to ndarray
        ``cutoff`` (κ), ``first_offer`` (x1), ``second_offer`` (x2),
        ``accept_first`` (P(c ≤ κ)), ``accept_second`` (P(κ < c ≤ x2)),
        ``expected_payment`` (given agreement), ``payoff`` (Π, the payer's expected
        gain); where :math:`W \le a` there is no gain from trade: cutoff = a, no
        agreement (``accept_* = 0``).

    Raises
    ------
    ValueError
        On ``low >= high``, ``delta`` outside (0, 1], or non-finite input.
    """
    w, a, b, d = (
        as_float_array(v, name)
        for v, name in ((value, "value"), (low, "low"), (high, "high"), (delta, "delta"))
    )
    w, a, b, d = np.broadcast_arrays(w, a, b, d)
    check_in_range(d, "delta", 0.0, 1.0, low_open=True)
    if np.any(a >= b):
        raise ValueError("low must be below high in every draw (a non-degenerate belief)")
    top = np.clip(w, a, b)  # cutoffs above W would pay types more than the deal is worth
    # Π is quadratic and concave on each side of m = 2b − W (where the last offer
    # reaches b): its maximizer on [a, m] is κ* clipped, on [m, top] it is (W + a)/2
    # clipped (set Π' = 0 with x2 = b). The better of the two is the optimum.
    m = np.clip(2 * b - w, a, top)
    k_low = np.clip(screening_cutoff(w, a, d), a, m)
    k_high = np.clip(0.5 * (w + a), m, top)
    v_low, v_high = _payoff(k_low, w, a, b, d), _payoff(k_high, w, a, b, d)
    best_k = np.where(v_high > v_low, k_high, k_low)
    kappa = best_k
    trade = w > a
    kappa = np.where(trade, kappa, a)
    x2 = np.minimum(0.5 * (w + kappa), b)
    x1 = kappa + d * (x2 - kappa)
    p1 = np.where(trade, (kappa - a) / (b - a), 0.0)
    p2 = np.where(trade, np.maximum(x2 - kappa, 0.0) / (b - a), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pay = np.where(p1 + p2 > 0, (p1 * x1 + p2 * x2) / (p1 + p2), np.nan)
    return {
        "cutoff": kappa,
        "first_offer": np.where(trade, x1, np.nan),
        "second_offer": np.where(trade, x2, np.nan),
        "accept_first": p1,
        "accept_second": p2,
        "expected_payment": pay,
        "payoff": np.where(trade, _payoff(kappa, w, a, b, d), 0.0),
    }
