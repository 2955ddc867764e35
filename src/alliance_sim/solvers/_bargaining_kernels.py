r"""Compiled roots of the bargaining problem: reservation payments, Nash and KS, draw by draw.

:class:`~alliance_sim.games.BargainingProblem`, :func:`~alliance_sim.solvers.nash_solution`
and :func:`~alliance_sim.solvers.ks_solution` find their roots with the vectorized
bracketing solvers of :mod:`alliance_sim.solvers.rootfind`, calling the players'
utility terms (numpy over all draws) at every iteration. When both players' payment
parts are built-in terms (a :class:`~alliance_sim.solvers.alternating.PaymentTerms`
each; a researcher's :class:`~alliance_sim.players.FunctionTerm` is not), these
kernels run the same procedure one draw at a time with the gains evaluated in
registers:

* ``GAIN``: :math:`g_s(x) = \varphi_s(x) + c_s` (:math:`c_s = U_{0,s} - d_s`, the
  terms that do not depend on ``x`` minus the no-deal utility, computed once);
* ``NASH``: :math:`h(x) = (1 - \beta)\, g_J'(x)\, g_U(x) + \beta\, g_U'(x)\, g_J(x)`;
* ``KS``: :math:`k(x) = g_J(x)\, \bar g_U - g_U(x)\, \bar g_J`.

Each root is found as the reference does, step for step: the widening of
:func:`~alliance_sim.solvers.bracket_monotone` (reservations), the split at the
kinks of :func:`~alliance_sim.solvers.split_at_points` (payments one ulp either side
of each kink, in the players' term order), and Chandrupatla's iterations through
the shared compiled step (:func:`~alliance_sim.solvers._rootfind_kernels.chandrupatla_update`).
The arithmetic is the reference's in the same order, so the roots agree to the last
bit except where a general power ``x**p`` is evaluated (libm's and numpy's ``pow``
may differ in the last bit; the tests check 1e-9).

A draw the reference would reject — a NaN gain, a gain running the wrong way, no
sign change, an empty initial bracket — makes a kernel return that draw's index
instead of :data:`OK`; the caller then runs the numpy reference, which raises its
usual error naming the draw.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._payment_kernels import (
    GAIN,
    KS,
    NASH,
    load_terms,
    payment_function,
    phi,
    sgn,
    split_and_root,
)

__all__ = ["GAIN", "KS", "NASH", "ks_roots", "nash_roots", "reservations"]

#: Kernel status: every draw solved, or the first draw the reference must handle.
OK = -1


@njit
def reservations(
    form: tuple[np.ndarray, ...],
    offsets: np.ndarray,
    affine: np.ndarray,
    floor: float,
    scale: np.ndarray,
    xtol: float,
    rtol: float,
    out: np.ndarray,
) -> int:
    """Both reservation payments of every draw into ``out (2, n)``; :data:`OK` or a failing draw.

    Side 0 (the payer) has a decreasing gain, side 1 (the payee) an increasing one.
    An affine side is solved in closed form, ``r = −g(0)/g'(0)``; the others are
    bracketed from ``[floor, floor + scale]`` (widened as ``bracket_monotone``: the width
    triples per step, at most 64 steps), split at their kinks and solved by Chandrupatla.
    """
    row = np.empty((2, form[0].shape[1], 6))
    for i in range(offsets.shape[1]):
        load_terms(form, i, row)
        c = (offsets[0, i], offsets[1, i])
        for side in range(2):
            sign = -1.0 if side == 0 else 1.0
            if affine[side]:
                slope = phi(row, side, 0.0, True)
                level = phi(row, side, 0.0, False) + c[side]
                if not (np.isfinite(slope) and np.isfinite(level) and sign * slope > 0):
                    return i
                out[side, i] = -level / slope
                continue
            a = floor
            b = a + scale[i]
            if not a < b:  # bracket_monotone needs a < b (scale lost next to the floor)
                return i
            fa = payment_function(row, c, a, GAIN, side, 0.0, 0.0)
            fb = payment_function(row, c, b, GAIN, side, 0.0, 0.0)
            for _ in range(64):
                if fa != fa or fb != fb or sign * (fb - fa) < 0:
                    return i
                up = sign * fb < 0  # the root lies beyond b
                down = sign * fa > 0  # the root lies below a
                if not (up or down):
                    break
                w = b - a
                if up:
                    a, fa, b = b, fb, b + 2.0 * w
                    fb = payment_function(row, c, b, GAIN, side, 0.0, 0.0)
                else:
                    b, fb, a = a, fa, a - 2.0 * w
                    fa = payment_function(row, c, a, GAIN, side, 0.0, 0.0)
            if fa != fa or fb != fb or sgn(fa) * sgn(fb) > 0:
                return i
            x, solved = split_and_root(
                row, c, GAIN, side, 0.0, 0.0, side, side + 1, a, b, fa, fb, xtol, rtol, 200
            )
            if not solved:
                return i
            out[side, i] = x
    return OK


@njit
def nash_roots(
    form: tuple[np.ndarray, ...],
    offsets: np.ndarray,
    beta: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    feasible: np.ndarray,
    xtol: float,
    rtol: float,
    maxiter: int,
    out: np.ndarray,
) -> int:
    """The Nash payment of every draw (before ``finish``) into ``out``; :data:`OK` or a draw.

    As :func:`~alliance_sim.solvers.nash_solution`: the range end where ``h`` does not
    change sign (``h(lo) ≤ 0``: ``lo``; ``h(hi) ≥ 0``: ``hi``; a one-point range:
    ``lo``), else the root of ``h`` on ``[lo, hi]`` split at both sides' kinks. An empty
    range gets the reference's placeholder 0, which ``finish`` turns into NaN.
    """
    row = np.empty((2, form[0].shape[1], 6))
    for i in range(offsets.shape[1]):
        ok = feasible[i]
        lo_i = lo[i] if ok else 0.0
        hi_i = hi[i] if ok else 1.0
        b_i = beta[i]
        load_terms(form, i, row)
        c = (offsets[0, i], offsets[1, i])
        h_lo = payment_function(row, c, lo_i, NASH, 0, b_i, 0.0)
        h_hi = payment_function(row, c, hi_i, NASH, 0, b_i, 0.0)
        at_lo = not ok or h_lo <= 0 or lo_i == hi_i
        at_hi = not at_lo and h_hi >= 0
        if at_lo or at_hi:
            # The reference evaluates h at the decided end too, and rejects a NaN there.
            if (h_hi if at_hi else h_lo) != (h_hi if at_hi else h_lo):
                return i
            out[i] = hi_i if at_hi else lo_i
            continue
        x, solved = split_and_root(
            row, c, NASH, 0, b_i, 0.0, 0, 2, lo_i, hi_i, h_lo, h_hi, xtol, rtol, maxiter
        )
        if not solved:
            return i
        out[i] = x
    return OK


@njit
def ks_roots(
    form: tuple[np.ndarray, ...],
    offsets: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    feasible: np.ndarray,
    xtol: float,
    rtol: float,
    maxiter: int,
    out: np.ndarray,
) -> int:
    """The Kalai–Smorodinsky payment of every draw (before ``finish``); :data:`OK` or a draw.

    As :func:`~alliance_sim.solvers.ks_solution`: the root of
    ``k(x) = g_J(x)·g_U(hi) − g_U(x)·g_J(lo)`` on ``[lo, hi]``, its end values clamped to
    the signs they must have, split at both sides' kinks; ``lo`` for a one-point range,
    the reference's placeholder 0 for an empty one (``finish`` turns it into NaN).
    """
    row = np.empty((2, form[0].shape[1], 6))
    for i in range(offsets.shape[1]):
        ok = feasible[i]
        lo_i = lo[i] if ok else 0.0
        hi_i = hi[i] if ok else 0.0
        load_terms(form, i, row)
        c = (offsets[0, i], offsets[1, i])
        g_j_ideal = payment_function(row, c, lo_i, GAIN, 0, 0.0, 0.0)
        g_u_ideal = payment_function(row, c, hi_i, GAIN, 1, 0.0, 0.0)
        k_at_lo = payment_function(row, c, lo_i, KS, 0, g_u_ideal, g_j_ideal)
        if not (ok and lo_i < hi_i):
            if k_at_lo != k_at_lo:  # the reference evaluates k there too, and rejects NaN
                return i
            out[i] = lo_i
            continue
        k_lo = max(k_at_lo, 0.0)
        k_hi = min(payment_function(row, c, hi_i, KS, 0, g_u_ideal, g_j_ideal), 0.0)
        x, solved = split_and_root(
            row, c, KS, 0, g_u_ideal, g_j_ideal, 0, 2, lo_i, hi_i, k_lo, k_hi, xtol, rtol, maxiter
        )
        if not solved:
            return i
        out[i] = x
    return OK
