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
def chandrupatla_step(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    fc: np.ndarray,
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
    ``[a, b]`` (``c`` the point that left it), the interpolation parameter ``t``,
    the results ``x`` and ``done`` are updated as in the module docstring of
    :mod:`alliance_sim.solvers.rootfind`.
    """
    n = a.shape[0]
    nxt = xt.copy()
    all_done = True
    for i in range(n):
        if done[i]:
            continue
        ai, bi, fai, fbi = a[i], b[i], fa[i], fb[i]
        xi_t, fi_t = xt[i], ft[i]
        # New bracket [xt, a] or [xt, b]; c keeps the point that left the bracket.
        if np.sign(fi_t) == np.sign(fai):
            ci, fci = ai, fai
        else:
            ci, fci = bi, fbi
            bi, fbi = ai, fai
        ai, fai = xi_t, fi_t
        if abs(fai) < abs(fbi):
            xm, fm = ai, fai
        else:
            xm, fm = bi, fbi
        tol = xtol + rtol * abs(xm)
        width = abs(bi - ai)
        if fm == 0 or width <= tol:
            x[i] = xm
            done[i] = True
        else:
            all_done = False
        xi = (ai - bi) / (ci - bi)
        phi = (fai - fbi) / (fci - fbi)
        iqi = (phi * phi < xi) and ((1.0 - phi) * (1.0 - phi) < 1.0 - xi)
        t_iqi = (fai / (fbi - fai)) * (fci / (fbi - fci)) + ((ci - ai) / (bi - ai)) * (
            fai / (fci - fai)
        ) * (fbi / (fci - fbi))
        t_new = t_iqi if iqi and np.isfinite(t_iqi) else 0.5
        tl = min(0.5, 0.5 * tol / (width if width > 0 else 1.0))
        ti = min(max(t_new, tl), 1.0 - tl)
        a[i], b[i], c[i], fa[i], fb[i], fc[i], t[i] = ai, bi, ci, fai, fbi, fci, ti
        nxt[i] = ai + ti * (bi - ai)
    return nxt, all_done
