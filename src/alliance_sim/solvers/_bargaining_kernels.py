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
from ._alternating_kernels import LOSS, _sgn, load_terms, phi
from ._rootfind_kernels import chandrupatla_update

__all__ = ["GAIN", "KS", "NASH", "ks_roots", "nash_roots", "reservations"]

#: What :func:`_f` evaluates: a side's gain, the Nash condition ``h``, the KS condition ``k``.
GAIN, NASH, KS = 0, 1, 2
#: Kernel status: every draw solved, or the first draw the reference must handle.
OK = -1


@njit
def _f(
    row: np.ndarray,
    offset: tuple[float, float],
    x: float,
    mode: int,
    side: int,
    c1: float,
    c2: float,
) -> float:
    """``g_side(x)``, ``h(x)`` (``c1 = β``) or ``k(x)`` (``c1 = ḡ_U, c2 = ḡ_J``) of one draw.

    ``row``: the draw's terms (:func:`~._alternating_kernels.load_terms`); ``offset``:
    its ``(c_J, c_U)``.
    """
    if mode == GAIN:
        return phi(row, side, x, False) + offset[side]
    gj = phi(row, 0, x, False) + offset[0]
    gu = phi(row, 1, x, False) + offset[1]
    if mode == KS:
        return gj * c1 - gu * c2
    sj = phi(row, 0, x, True)
    su = phi(row, 1, x, True)
    return (1.0 - c1) * sj * gu + c1 * su * gj


@njit
def _split(
    row: np.ndarray,
    offset: tuple[float, float],
    mode: int,
    side: int,
    c1: float,
    c2: float,
    first: int,
    last: int,
    a: float,
    b: float,
    fa: float,
    fb: float,
) -> tuple[float, float, float, float, bool]:
    """``split_at_points`` at the kinks of sides ``first … last − 1``; (a, b, fa, fb, NaN seen).

    A kink is a LOSS term of power 1 (its reference payment), in the players' term order.
    """
    for s in range(first, last):
        for j in range(row.shape[1]):
            if row[s, j, 0] != LOSS or row[s, j, 4] != 1.0:
                continue
            k = row[s, j, 3]
            if not (a < k and k < b):
                continue
            left, right = np.nextafter(k, -np.inf), np.nextafter(k, np.inf)
            f_left = _f(row, offset, left, mode, side, c1, c2)
            f_right = _f(row, offset, right, mode, side, c1, c2)
            if f_left != f_left or f_right != f_right:
                return a, b, fa, fb, True
            if _sgn(f_left) != _sgn(f_right) or f_left == 0 or f_right == 0:
                a, fa, b, fb = k, 0.0, k, 0.0  # the sign changes across k: k is the root
            elif _sgn(f_right) == _sgn(fa):
                a, fa = right, f_right
            else:
                b, fb = left, f_left
    return a, b, fa, fb, False


@njit
def _root(
    row: np.ndarray,
    offset: tuple[float, float],
    mode: int,
    side: int,
    c1: float,
    c2: float,
    a: float,
    b: float,
    fa: float,
    fb: float,
    xtol: float,
    rtol: float,
    maxiter: int,
) -> tuple[float, bool]:
    """``find_root`` on one bracket: Chandrupatla's iterations; (x, solved)."""
    if _sgn(fa) * _sgn(fb) > 0:
        return np.nan, False
    x = a if abs(fa) <= abs(fb) else b
    done = fa == 0 or fb == 0 or abs(b - a) <= xtol + rtol * abs(x)
    t = 0.5
    it = 0
    while it < maxiter and not done:
        it += 1
        xt = a + t * (b - a)
        ft = _f(row, offset, xt, mode, side, c1, c2)
        if ft != ft:
            return np.nan, False
        a, b, fa, fb, xm, done, t = chandrupatla_update(a, b, fa, fb, xt, ft, xtol, rtol)
        if done:
            x = xm
    return x, done


@njit
def _split_and_root(
    row: np.ndarray,
    offset: tuple[float, float],
    mode: int,
    side: int,
    c1: float,
    c2: float,
    first: int,
    last: int,
    a: float,
    b: float,
    fa: float,
    fb: float,
    xtol: float,
    rtol: float,
    maxiter: int,
) -> tuple[float, bool]:
    """:func:`_split` at the kinks of sides ``first … last − 1``, then :func:`_root`."""
    a, b, fa, fb, nan = _split(row, offset, mode, side, c1, c2, first, last, a, b, fa, fb)
    if nan:
        return np.nan, False
    return _root(row, offset, mode, side, c1, c2, a, b, fa, fb, xtol, rtol, maxiter)


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
            fa = _f(row, c, a, GAIN, side, 0.0, 0.0)
            fb = _f(row, c, b, GAIN, side, 0.0, 0.0)
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
                    fb = _f(row, c, b, GAIN, side, 0.0, 0.0)
                else:
                    b, fb, a = a, fa, a - 2.0 * w
                    fa = _f(row, c, a, GAIN, side, 0.0, 0.0)
            if fa != fa or fb != fb or _sgn(fa) * _sgn(fb) > 0:
                return i
            x, solved = _split_and_root(
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
        h_lo = _f(row, c, lo_i, NASH, 0, b_i, 0.0)
        h_hi = _f(row, c, hi_i, NASH, 0, b_i, 0.0)
        at_lo = not ok or h_lo <= 0 or lo_i == hi_i
        at_hi = not at_lo and h_hi >= 0
        if at_lo or at_hi:
            # The reference evaluates h at the decided end too, and rejects a NaN there.
            if (h_hi if at_hi else h_lo) != (h_hi if at_hi else h_lo):
                return i
            out[i] = hi_i if at_hi else lo_i
            continue
        x, solved = _split_and_root(
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
        g_j_ideal = _f(row, c, lo_i, GAIN, 0, 0.0, 0.0)
        g_u_ideal = _f(row, c, hi_i, GAIN, 1, 0.0, 0.0)
        k_at_lo = _f(row, c, lo_i, KS, 0, g_u_ideal, g_j_ideal)
        if not (ok and lo_i < hi_i):
            if k_at_lo != k_at_lo:  # the reference evaluates k there too, and rejects NaN
                return i
            out[i] = lo_i
            continue
        k_lo = max(k_at_lo, 0.0)
        k_hi = min(_f(row, c, hi_i, KS, 0, g_u_ideal, g_j_ideal), 0.0)
        x, solved = _split_and_root(
            row, c, KS, 0, g_u_ideal, g_j_ideal, 0, 2, lo_i, hi_i, k_lo, k_hi, xtol, rtol, maxiter
        )
        if not solved:
            return i
        out[i] = x
    return OK
