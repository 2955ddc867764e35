r"""Kalai–Smorodinsky bargaining solution over the annual payment.

The ideal point gives each side its best individually rational gain: the payer's
at the lowest payment :math:`lo`, the payee's at the highest :math:`hi`,

.. math:: G_J = g_J(lo), \qquad G_U = g_U(hi).

The solution is the Pareto-efficient agreement on the segment from the
disagreement point to the ideal point, where both sides get the same share of
their ideal gain:

.. math:: \frac{g_J(x^{KS})}{G_J} = \frac{g_U(x^{KS})}{G_U}
    \iff k(x) = g_J(x)\,G_U - g_U(x)\,G_J = 0 .

:math:`k` is strictly decreasing (:math:`k(lo) = G_J G_U - g_U(lo) G_J \ge 0`,
:math:`k(hi) = -G_U G_J \le 0`), so the root is unique.

**Linear (affine) utilities**, :math:`g_J = b_J(r_J - x)`, :math:`g_U = b_U(x - r_U)`:
with :math:`A = hi - lo` and :math:`B = hi - r_U`, equal shares
:math:`(hi - x)/A = (x - r_U)/B` give

.. math:: x^{KS} = hi - \frac{A\,B}{A + B} = \frac{hi\,B + r_U\,A}{A + B},

the midpoint :math:`(lo + hi)/2` when the floor does not bind — equal to the
symmetric (:math:`\beta = 1/2`) Nash solution and to split-the-difference, as
theory says for linear utilities (the utility set is a triangle).

References
----------
E. Kalai, M. Smorodinsky (1975), "Other solutions to Nash's bargaining problem",
*Econometrica* 43(3), 513–518.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import Array, BargainingLike, Solution, check_range_arrays, compiled_root, finish
from .rootfind import find_root, split_at_points

__all__ = ["ks_linear", "ks_solution"]


def ks_linear(
    payee_reservation: ArrayLike, payer_reservation: ArrayLike, floor: float = 0.0
) -> Array:
    r"""Closed-form Kalai–Smorodinsky payment for affine utilities.

    Examples
    --------
    The midpoint when the floor does not bind; with ``r_U = −100`` and the floor
    at 0, both sides get 2/3 of their ideal gains at 33.3:

    >>> np.round(ks_linear([100.0, -100.0], [300.0, 100.0]), 6).tolist()
    [200.0, 33.333333]
    """
    r_u, r_j = check_range_arrays(payee_reservation, payer_reservation)
    lo = np.maximum(r_u, floor)
    a, b = r_j - lo, r_j - r_u
    # x = hi − A·B/(A+B), with the ratio taken first: no product of two payments
    # (which underflows for tiny ones) and exactly the midpoint when A == B.
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(a + b > 0, r_j - a * (b / (a + b)), lo)
    return np.where(lo <= r_j, x, np.nan)


def ks_solution(problem: BargainingLike, *, maxiter: int = 200) -> Solution:
    """Kalai–Smorodinsky solution of every draw of ``problem``.

    Closed form for affine players, the root of ``k`` otherwise (to within the
    problem's ``xtol + rtol·|x|``). Infeasible draws get NaN and are marked.
    """
    if problem.affine:
        return finish(
            problem, ks_linear(problem.payee_reservation, problem.payer_reservation, problem.floor)
        )
    fast = compiled_root(problem, "ks", None, maxiter=maxiter)
    if fast is not None:
        return finish(problem, fast)
    feasible = problem.feasible
    lo = np.where(feasible, problem.lo, 0.0)
    hi = np.where(feasible, problem.hi, 0.0)
    g_j_ideal = problem.gains(lo)[0]
    g_u_ideal = problem.gains(hi)[1]

    def k(x: Array) -> Array:
        gj, gu = problem.gains(x)
        return gj * g_u_ideal - gu * g_j_ideal

    inner = feasible & (lo < hi)
    k_lo = np.where(inner, k(lo), 0.0)
    k_hi = np.where(inner, k(hi), 0.0)
    # Reservation roots carry ~xtol of error, so k at the ends may have a
    # rounding-level wrong sign; clamp to keep the bracket valid.
    k_lo, k_hi = np.maximum(k_lo, 0.0), np.minimum(k_hi, 0.0)
    a, b, fa, fb = split_at_points(k, lo, np.where(inner, hi, lo), k_lo, k_hi, problem.kinks())
    res = find_root(k, a, b, fa=fa, fb=fb, xtol=problem.xtol, rtol=problem.rtol, maxiter=maxiter)
    if not res.converged.all():  # pragma: no cover
        raise RuntimeError("Kalai–Smorodinsky condition did not converge")
    return finish(problem, res.x)
