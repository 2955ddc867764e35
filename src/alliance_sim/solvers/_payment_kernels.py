r"""A draw's payment part in a compiled kernel, and roots of the functions built from it.

The kernels of :mod:`~alliance_sim.solvers._bargaining_kernels` and
:mod:`~alliance_sim.solvers._alternating_kernels` evaluate a player's payment part

.. math::
    \varphi_s(x) = \sum_j w_j\, u_j(x), \qquad
    u_j(x) = \begin{cases}
        a_j\, x & :data:`LINEAR` \\
        -a_j\, \max\bigl(0,\ s_j (x - r_j)\bigr)^{p_j} / r_j^{\,p_j - 1} & :data:`LOSS`
    \end{cases}

(a :class:`~alliance_sim.solvers.alternating.PaymentTerms` per side) one draw at a
time, from the draw's terms copied into one small row (:func:`load_terms`), and find
roots of :func:`payment_function` — a side's gain, the Nash condition or the
Kalai–Smorodinsky condition — as the numpy reference does: the split at the kinks of
:func:`~alliance_sim.solvers.split_at_points` and Chandrupatla's iterations through
the shared compiled step (:func:`~alliance_sim.solvers._rootfind_kernels.chandrupatla_update`).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._rootfind_kernels import chandrupatla_update

__all__ = [
    "GAIN",
    "KS",
    "LINEAR",
    "LOSS",
    "NASH",
    "chandrupatla_root",
    "load_terms",
    "npow",
    "payment_function",
    "phi",
    "sgn",
    "split_and_root",
    "split_at_kinks",
]

#: :class:`~alliance_sim.solvers.alternating.PaymentTerms` kinds: ``a·x`` and the power loss
#: ``−a·max(0, s(x − r))^p / r^(p−1)``.
LINEAR, LOSS = 0, 1
#: What :func:`payment_function` evaluates: a side's gain, the Nash condition ``h``, the
#: KS condition ``k``.
GAIN, NASH, KS = 0, 1, 2


@njit
def npow(b: float, p: float) -> float:
    """``b ** p`` with numpy's fast paths for an array raised to a scalar."""
    if p == 2.0:
        return b * b
    if p == 0.5:
        return np.sqrt(b)
    if p == 1.0:
        return b
    if p == -1.0:
        return 1.0 / b
    return b**p


@njit
def sgn(v: float) -> float:
    """``np.sign``."""
    if v > 0.0:
        return 1.0
    if v < 0.0:
        return -1.0
    return v  # 0 (keeps its sign bit, == 0 either way) or NaN


@njit
def load_terms(form: tuple[np.ndarray, ...], i: int, row: np.ndarray) -> None:
    """Copy draw ``i``'s payment terms of every side into ``row (S, J, 6)``.

    ``form``: the sides' :class:`.alternating.PaymentTerms`, padded to the same number
    of terms and stacked by side (:func:`.alternating.stack_payment_terms`): ``kind,
    weight, coef, ref, power, direction``. A row holds ``(kind, weight, coef, ref,
    power, direction)`` per term. Helpers read this one small array instead of the
    form: a helper that receives the form's six arrays and evaluates φ through them is
    several times slower than the arithmetic (measured: 80 ns against 11 ns an
    evaluation of the Nash condition).
    """
    kind, weight, coef, ref, power, direction = form
    for g in range(kind.shape[0]):
        for j in range(kind.shape[1]):
            row[g, j, 0] = kind[g, j]
            row[g, j, 1] = weight[g, j]
            row[g, j, 2] = coef[g, j, i]
            row[g, j, 3] = ref[g, j, i]
            row[g, j, 4] = power[g, j]
            row[g, j, 5] = direction[g, j]


@njit
def phi(row: np.ndarray, g: int, x: float, slope: bool) -> float:
    """``φ_g(x)`` (or its slope) of the draw in ``row`` (:func:`load_terms`).

    As ``Player.payment_part``: term by term, summed from 0 in order, a weight of 1
    not multiplied.
    """
    total = 0.0
    for j in range(row.shape[1]):
        kd = row[g, j, 0]
        if kd < 0:
            continue
        a = row[g, j, 2]
        if kd == LINEAR:
            v = a if slope else a * x
        else:  # LOSS
            r = row[g, j, 3]
            p = row[g, j, 4]
            s = row[g, j, 5]
            d = x - r if s == 1.0 else r - x
            e = d if d > 0.0 else (d if d != d else 0.0)  # np.maximum(0, d)
            if slope:
                kk = a * s
                if p == 1.0:
                    v = -kk * (1.0 if e > 0.0 else 0.0)
                elif p == 2.0:
                    v = -kk * 2.0 * e / r
                else:
                    v = -kk * p * npow(e, p - 1.0) / npow(r, p - 1.0)
            elif p == 1.0:
                v = -a * e
            elif p == 2.0:
                v = -a * (e * e) / r
            else:
                v = -a * npow(e, p) / npow(r, p - 1.0)
        w = row[g, j, 1]
        total = total + (v if w == 1.0 else w * v)
    return total


@njit
def payment_function(
    row: np.ndarray,
    offset: tuple[float, float],
    x: float,
    mode: int,
    side: int,
    c1: float,
    c2: float,
) -> float:
    """``g_side(x)``, ``h(x)`` (``c1 = β``) or ``k(x)`` (``c1 = ḡ_U, c2 = ḡ_J``) of one draw.

    ``row``: the draw's terms (:func:`load_terms`); ``offset``:
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
def split_at_kinks(
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
            f_left = payment_function(row, offset, left, mode, side, c1, c2)
            f_right = payment_function(row, offset, right, mode, side, c1, c2)
            if f_left != f_left or f_right != f_right:
                return a, b, fa, fb, True
            if sgn(f_left) != sgn(f_right) or f_left == 0 or f_right == 0:
                a, fa, b, fb = k, 0.0, k, 0.0  # the sign changes across k: k is the root
            elif sgn(f_right) == sgn(fa):
                a, fa = right, f_right
            else:
                b, fb = left, f_left
    return a, b, fa, fb, False


@njit
def chandrupatla_root(
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
    if sgn(fa) * sgn(fb) > 0:
        return np.nan, False
    x = a if abs(fa) <= abs(fb) else b
    done = fa == 0 or fb == 0 or abs(b - a) <= xtol + rtol * abs(x)
    t = 0.5
    it = 0
    while it < maxiter and not done:
        it += 1
        xt = a + t * (b - a)
        ft = payment_function(row, offset, xt, mode, side, c1, c2)
        if ft != ft:
            return np.nan, False
        a, b, fa, fb, xm, done, t = chandrupatla_update(a, b, fa, fb, xt, ft, xtol, rtol)
        if done:
            x = xm
    return x, done


@njit
def split_and_root(
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
    """:func:`split_at_kinks` (sides ``first … last − 1``), then :func:`chandrupatla_root`."""
    a, b, fa, fb, nan = split_at_kinks(row, offset, mode, side, c1, c2, first, last, a, b, fa, fb)
    if nan:
        return np.nan, False
    return chandrupatla_root(row, offset, mode, side, c1, c2, a, b, fa, fb, xtol, rtol, maxiter)
