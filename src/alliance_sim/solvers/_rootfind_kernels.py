"""Compiled step of the vectorized root finder (:func:`alliance_sim.solvers.find_root`).

The function whose roots are sought is the caller's (numpy code over all lanes), so
the loop over iterations stays in Python; what is compiled is the bookkeeping of one
Chandrupatla iteration — about thirty elementwise array operations in numpy — fused
into one pass over the lanes. It performs exactly the reference's arithmetic (only
``+ − × ÷``, comparisons and ``abs``: no transcendental function), so its results are
bit-identical to the numpy step; lanes already converged are skipped (their result is
frozen in both).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit


@njit
def chandrupatla_update(
    a: float, b: float, fa: float, fb: float, xt: float, ft: float, xtol: float, rtol: float
) -> tuple[float, float, float, float, float, bool, float]:
    """One Chandrupatla iteration of one lane, from the trial point ``xt`` and ``f(xt)``.

    The new bracket is ``[xt, a]`` or ``[xt, b]`` (the point that leaves it is the
    third point of the interpolation); the lane has converged when ``f`` vanishes at
    the better end or the bracket is no wider than ``xtol + rtol·|x̂|``. Returns the
    new ``a, b, fa, fb``, the better end ``x̂``, whether converged, and the next
    interpolation parameter ``t`` (inverse quadratic interpolation when Chandrupatla's
    test allows it, else bisection; kept ``tol/2`` inside the bracket).
    """
    if np.sign(ft) == np.sign(fa):
        c, fc = a, fa
    else:
        c, fc = b, fb
        b, fb = a, fa
    a, fa = xt, ft
    if abs(fa) < abs(fb):
        xm, fm = a, fa
    else:
        xm, fm = b, fb
    tol = xtol + rtol * abs(xm)
    width = abs(b - a)
    done = fm == 0 or width <= tol
    xi = (a - b) / (c - b)
    phi = (fa - fb) / (fc - fb)
    iqi = (phi * phi < xi) and ((1.0 - phi) * (1.0 - phi) < 1.0 - xi)
    t_iqi = (fa / (fb - fa)) * (fc / (fb - fc)) + ((c - a) / (b - a)) * (fa / (fc - fa)) * (
        fb / (fc - fb)
    )
    t_new = t_iqi if iqi and np.isfinite(t_iqi) else 0.5
    tl = min(0.5, 0.5 * tol / (width if width > 0 else 1.0))
    return a, b, fa, fb, xm, done, min(max(t_new, tl), 1.0 - tl)


@njit
def chandrupatla_step(
    a: np.ndarray,
    b: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    t: np.ndarray,
    x: np.ndarray,
    done: np.ndarray,
    xt: np.ndarray,
    ft: np.ndarray,
    xtol: float,
    rtol: float,
) -> tuple[np.ndarray, bool]:
    """One iteration on flat arrays, in place; returns the next trial points and all-done.

    ``xt``, ``ft``: this iteration's trial points and ``f`` there. The bracket
    ``[a, b]``, the interpolation parameter ``t``, the results ``x`` and ``done`` are
    updated by :func:`chandrupatla_update`, lane by lane.
    """
    nxt = xt.copy()
    all_done = True
    for i in range(a.shape[0]):
        if done[i]:
            continue
        ai, bi, fai, fbi, xm, converged, ti = chandrupatla_update(
            a[i], b[i], fa[i], fb[i], xt[i], ft[i], xtol, rtol
        )
        if converged:
            x[i] = xm
            done[i] = True
        else:
            all_done = False
        a[i], b[i], fa[i], fb[i], t[i] = ai, bi, fai, fbi, ti
        nxt[i] = ai + ti * (bi - ai)
    return nxt, all_done
