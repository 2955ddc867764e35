r"""Generalized (asymmetric) Nash bargaining solution over the annual payment.

With gains :math:`g_J(x) = U_J(x) - d_J` (payer, decreasing) and
:math:`g_U(x) = U_U(x) - d_U` (payee, increasing) and the payee's bargaining
power :math:`\beta \in [0, 1]`, the solution maximizes the generalized Nash
product over the settlement range:

.. math::
    x^N = \arg\max_{x \in [lo,\, hi]}\ g_J(x)^{1-\beta}\, g_U(x)^{\beta}.

**Linear (affine) utilities.** :math:`g_J = b_J (r_J - x)`, :math:`g_U = b_U (x - r_U)`
with :math:`b_J, b_U > 0`, so the product is proportional to
:math:`(r_J - x)^{1-\beta} (x - r_U)^{\beta}`, maximized at
:math:`r_U + \beta (r_J - r_U)`; the slopes :math:`b_J, b_U` drop out. With the
payment floor the solution is that point clipped to :math:`[lo, hi]` (the log
product is concave):

.. math:: x^N = \min\bigl(hi,\ \max(lo,\ r_U + \beta\,(r_J - r_U))\bigr).

**Concave utilities.** :math:`\log g_J^{1-\beta} g_U^{\beta}` is strictly concave
on :math:`(lo, hi)`, so :math:`x^N` is the unique zero of

.. math:: h(x) = (1-\beta)\, g_J'(x)\, g_U(x) + \beta\, g_U'(x)\, g_J(x)

(the first-order condition multiplied by :math:`g_J g_U > 0`, which keeps it
finite at the ends): :math:`h(hi) \le 0` since :math:`g_J(hi) = 0`, and
:math:`h(lo) \ge 0` unless the floor binds, in which case :math:`x^N = lo`.
The zero is found by the vectorized bracketing solver
(:func:`~alliance_sim.solvers.rootfind.find_root`) to within
``xtol + rtol·|x|`` (the problem's tolerances). At a kink of a utility (linear
loss aversion at the status quo) :math:`h` jumps; the bracket is first split at
every kink (:func:`~alliance_sim.solvers.rootfind.split_at_points`), and when
:math:`h` changes sign across a kink the kink itself is the maximizer, returned
exactly.

References
----------
J. F. Nash (1950), "The bargaining problem", *Econometrica* 18(2), 155–162.
E. Kalai (1977), "Nonsymmetric Nash solutions and replications of 2-person
bargaining", *International Journal of Game Theory* 6(3), 129–133.
A. E. Roth (1979), *Axiomatic Models of Bargaining*, Springer.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import (
    Array,
    BargainingLike,
    Solution,
    check_power,
    check_range_arrays,
    compiled_root,
    finish,
)
from .rootfind import find_root, split_at_points

__all__ = ["nash_linear", "nash_solution"]


def nash_linear(
    payee_reservation: ArrayLike,
    payer_reservation: ArrayLike,
    power: ArrayLike,
    floor: float = 0.0,
) -> Array:
    r"""Closed-form generalized Nash payment for affine utilities.

    .. math:: x^N = \min(r_J, \max(\max(r_U, \underline x),\ r_U + \beta (r_J - r_U)))

    Parameters
    ----------
    payee_reservation, payer_reservation : array_like
        :math:`r_U`, :math:`r_J` per draw.
    power : array_like
        The payee's bargaining power :math:`\beta \in [0, 1]`.
    floor : float
        Payment floor :math:`\underline x`.

    Returns
    -------
    ndarray
        The payment; NaN where the range :math:`[\max(r_U, \underline x), r_J]` is empty.

    Examples
    --------
    >>> nash_linear([100.0, -50.0], [300.0, 100.0], 0.25).tolist()
    [150.0, 0.0]
    """
    r_u, r_j = check_range_arrays(payee_reservation, payer_reservation)
    beta = check_power(power, r_u.shape[0] if r_u.ndim else 1)
    lo = np.maximum(r_u, floor)
    x = np.minimum(r_j, np.maximum(lo, r_u + beta * (r_j - r_u)))
    return np.where(lo <= r_j, x, np.nan)


def nash_solution(problem: BargainingLike, power: ArrayLike, *, maxiter: int = 200) -> Solution:
    """Generalized Nash bargaining solution of every draw of ``problem``.

    Uses the closed form when both players are affine in ``x`` and the
    first-order-condition root otherwise (see the module docstring).

    ``problem`` must provide ``kinks()`` (see `BargainingProblem.kinks`).

    Parameters
    ----------
    problem : BargainingProblem
        The per-draw problem.
    power : array_like
        The payee's bargaining power β in [0, 1], scalar or one per draw.
    maxiter : int
        Iteration cap of the root finder.

    Returns
    -------
    Solution
        Payment NaN (and marked infeasible) where the settlement range is empty.

    Raises
    ------
    ValueError
        If ``power`` is outside [0, 1], not finite, or of the wrong shape.
    """
    beta = check_power(power, problem.n)
    if problem.affine:
        x = nash_linear(problem.payee_reservation, problem.payer_reservation, beta, problem.floor)
        return finish(problem, x)

    fast = compiled_root(problem, "nash", beta, maxiter=maxiter)
    if fast is not None:
        return finish(problem, fast)
    feasible = problem.feasible
    lo = np.where(feasible, problem.lo, 0.0)
    hi = np.where(feasible, problem.hi, 1.0)

    def h(x: Array) -> Array:
        gj, gu = problem.gains(x)
        sj, su = problem.gain_slopes(x)
        return (1.0 - beta) * sj * gu + beta * su * gj

    h_lo, h_hi = h(lo), h(hi)
    at_lo = ~feasible | (h_lo <= 0) | (lo == hi)
    at_hi = ~at_lo & (h_hi >= 0)
    inner = ~(at_lo | at_hi)
    # Lanes already decided get a trivial bracket [x, x] so they finish at once.
    a = np.where(inner, lo, np.where(at_hi, hi, lo))
    b = np.where(inner, hi, a)
    fa, fb = np.where(inner, h_lo, 0.0), np.where(inner, h_hi, 0.0)
    a, b, fa, fb = split_at_points(h, a, b, fa, fb, problem.kinks())
    res = find_root(h, a, b, fa=fa, fb=fb, xtol=problem.xtol, rtol=problem.rtol, maxiter=maxiter)
    if not res.converged.all():  # pragma: no cover - the bisection safeguard prevents this
        raise RuntimeError("Nash first-order condition did not converge")
    return finish(problem, res.x)
