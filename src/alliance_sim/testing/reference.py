r"""Slow per-draw (and per-game) reference implementations, for tests and benchmarks only.

These loop over draws in plain Python, on purpose: each draw is solved by
textbook scalar routines from :mod:`scipy.optimize`, with the default Tokyo and
Washington utilities written out again as scalar formulas (independently of
the vectorized utility terms), so they check both the terms and the solvers.

For one draw with parameters :math:`\theta` (typed parameters already resolved):

.. math::
    g_J(x) &= S_J\pi\rho_J + c_J - (1+\lambda_J)x
              - \kappa_J \max(0, x - x_0)^2/x_0 - c_B\mathbf 1[t > t_B]/T
              - \ell_J \max(0, t - t_E)/T \\
    g_U(x) &= S_U\pi\rho_U - \pi s_U C_U + a + w x - \kappa_U \max(0, x_0 - x)
              - \ell_U \max(0, t - t_E)/T

Reservation payments by :func:`scipy.optimize.brentq`; the Nash solution by
:func:`scipy.optimize.minimize_scalar` (bounded Brent) on
:math:`-[(1-\beta)\log g_J + \beta \log g_U]` — which, maximizing by function
values, only locates the maximizer to about :math:`\sqrt{\epsilon}\,|x|` — and,
to check the vectorized solver's tolerance of ``1e-9``, by ``brentq`` on the
first-order condition :math:`(1-\beta) g_J' g_U + \beta g_U' g_J = 0` with the
derivatives written out; Kalai–Smorodinsky by ``brentq`` on
:math:`g_J G_U - g_U G_J`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

__all__ = [
    "bimatrix_equilibria_exact",
    "bimatrix_is_degenerate_exact",
    "default_gain_slopes",
    "default_gains",
    "ks_reference",
    "lapse_years",
    "nash_foc_reference",
    "nash_reference",
    "reservations_reference",
    "same_equilibrium_sets",
]

Scalar = Callable[[float], float]


def lapse_years(p: Mapping[str, float], T: float, t: float) -> float:
    """Years of lapse of an agreement of ``T`` years signed at ``t``, written out with scalars.

    The presets' players (``lead_full`` … in ``p``): a full agreement takes effect
    ``lead_full`` after ``max(t, t_ready)``, a shorter one ``lead_extension`` after
    ``t``; the default players (no lead times) on signing.
    """
    if "lead_full" not in p:
        return max(0.0, t - p["t_expiry"])
    full = T >= 5.0
    start = max(t, p["t_ready"]) if full else t
    return max(0.0, start + (p["lead_full"] if full else p["lead_extension"]) - p["t_expiry"])


def default_gains(p: Mapping[str, float]) -> tuple[Scalar, Scalar]:
    """Scalar gain functions ``(g_J, g_U)`` of the default players for one draw ``p``."""
    x0 = p["status_quo"]
    late = p["c_budget"] / p["term_years"] if p["t_signing"] > p["t_budget"] else 0.0
    lapsed = lapse_years(p, p["term_years"], p["t_signing"]) / p["term_years"]
    k_j = p["S_J"] * p["pi_drawdown"] * p["rho_J"] + p["c_J"] - late - p["lapse_J"] * lapsed
    k_u = (
        p["S_U"] * p["pi_drawdown"] * p["rho_U"]
        - p["pi_drawdown"] * p["s_U"] * p["C_U"]
        + p["a_US"]
        - p["lapse_U"] * lapsed
    )

    def g_j(x: float) -> float:
        over = max(0.0, x - x0)
        return k_j - (1.0 + p["mcpf_J"]) * x - p["kappa_J"] * over * over / x0

    def g_u(x: float) -> float:
        return k_u + p["w_US"] * x - p["kappa_U"] * max(0.0, x0 - x)

    return g_j, g_u


def default_gain_slopes(p: Mapping[str, float]) -> tuple[Scalar, Scalar]:
    """Scalar derivatives ``(g_J', g_U')`` of :func:`default_gains` (right-continuous at kinks)."""
    x0 = p["status_quo"]

    def s_j(x: float) -> float:
        return -(1.0 + p["mcpf_J"]) - 2.0 * p["kappa_J"] * max(0.0, x - x0) / x0

    def s_u(x: float) -> float:
        return p["w_US"] + (p["kappa_U"] if x < x0 else 0.0)

    return s_j, s_u


def _root(f: Scalar, increasing: bool, scale: float) -> float:
    """Root of a monotone scalar function: widen a bracket, then ``brentq``."""
    a, b = 0.0, scale
    sign = 1.0 if increasing else -1.0
    while sign * f(b) < 0:
        a, b = b, 2.0 * b + 1.0
    while sign * f(a) > 0:
        a, b = 2.0 * a - scale, a
    return optimize.brentq(f, a, b, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=500)


def _settlement_range(g_j: Scalar, g_u: Scalar, scale: float, floor: float) -> tuple[float, float]:
    return max(_root(g_u, increasing=True, scale=scale), floor), _root(g_j, False, scale)


def reservations_reference(
    gains: Callable[[int], tuple[Scalar, Scalar]], n: int, scale: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(payer_reservation, payee_reservation)`` per draw by ``brentq``."""
    r_j, r_u = np.empty(n), np.empty(n)
    for i in range(n):
        g_j, g_u = gains(i)
        r_j[i] = _root(g_j, increasing=False, scale=scale)
        r_u[i] = _root(g_u, increasing=True, scale=scale)
    return r_j, r_u


def nash_reference(
    gains: Callable[[int], tuple[Scalar, Scalar]],
    power: NDArray[np.float64],
    n: int,
    *,
    scale: float,
    floor: float = 0.0,
    xatol: float = 1e-10,
) -> NDArray[np.float64]:
    """Generalized Nash payment per draw (NaN where the range is empty), by bounded Brent."""
    beta = np.broadcast_to(power, (n,))
    out = np.full(n, np.nan)
    for i in range(n):
        g_j, g_u = gains(i)
        lo, hi = _settlement_range(g_j, g_u, scale, floor)
        if lo > hi:
            continue
        if lo == hi or beta[i] == 0.0:
            out[i] = lo
            continue
        if beta[i] == 1.0:
            out[i] = hi
            continue
        b = float(beta[i])

        def neg_log_product(x: float, g_j: Scalar = g_j, g_u: Scalar = g_u, b: float = b) -> float:
            gj, gu = g_j(x), g_u(x)
            if gj <= 0.0 or gu <= 0.0:
                return math.inf
            return -((1.0 - b) * math.log(gj) + b * math.log(gu))

        res = optimize.minimize_scalar(
            neg_log_product, bounds=(lo, hi), method="bounded", options={"xatol": xatol}
        )
        out[i] = res.x
    return out


def ks_reference(
    gains: Callable[[int], tuple[Scalar, Scalar]],
    n: int,
    *,
    scale: float,
    floor: float = 0.0,
) -> NDArray[np.float64]:
    """Kalai–Smorodinsky payment per draw (NaN where the range is empty), by ``brentq``."""
    out = np.full(n, np.nan)
    for i in range(n):
        g_j, g_u = gains(i)
        lo, hi = _settlement_range(g_j, g_u, scale, floor)
        if lo > hi:
            continue
        if lo == hi:
            out[i] = lo
            continue
        big_j, big_u = g_j(lo), g_u(hi)
        out[i] = optimize.brentq(
            lambda x, g_j=g_j, g_u=g_u, bj=big_j, bu=big_u: g_j(x) * bu - g_u(x) * bj,
            lo,
            hi,
            xtol=1e-12,
            rtol=4 * np.finfo(float).eps,
        )
    return out


def nash_foc_reference(
    params: Callable[[int], Mapping[str, float]],
    power: NDArray[np.float64],
    n: int,
    *,
    scale: float,
    floor: float = 0.0,
) -> NDArray[np.float64]:
    """Generalized Nash payment per draw of the default players, by ``brentq`` on the FOC.

    ``h(x) = (1−β) g_J'(x) g_U(x) + β g_U'(x) g_J(x)`` is positive at ``lo`` (or the
    floor binds and the answer is ``lo``) and non-positive at ``hi``; ``brentq``
    (``xtol=1e-12``) converges to its sign change, which at a kink is the kink.
    """
    beta = np.broadcast_to(power, (n,))
    out = np.full(n, np.nan)
    for i in range(n):
        p = params(i)
        g_j, g_u = default_gains(p)
        s_j, s_u = default_gain_slopes(p)
        lo, hi = _settlement_range(g_j, g_u, scale, floor)
        if lo > hi:
            continue
        b = float(beta[i])

        def h(
            x: float,
            g_j: Scalar = g_j,
            g_u: Scalar = g_u,
            s_j: Scalar = s_j,
            s_u: Scalar = s_u,
            b: float = b,
        ) -> float:
            return (1.0 - b) * s_j(x) * g_u(x) + b * s_u(x) * g_j(x)

        if lo == hi or h(lo) <= 0.0:
            out[i] = lo
        elif h(hi) >= 0.0:
            out[i] = hi
        else:
            out[i] = optimize.brentq(h, lo, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps)
    return out


def _solve_exact(rows: list[list[Fraction]]) -> list[Fraction] | None:
    """Solve ``M x = 1`` exactly by Gauss–Jordan elimination; None if singular."""
    s = len(rows)
    aug = [[*r, Fraction(1)] for r in rows]
    for col in range(s):
        pivot = next((r for r in range(col, s) if aug[r][col] != 0), None)
        if pivot is None:
            return None
        aug[col], aug[pivot] = aug[pivot], aug[col]
        for r in range(s):
            if r != col and aug[r][col] != 0:
                f = aug[r][col] / aug[col][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col], strict=True)]
    return [aug[r][s] / aug[r][r] for r in range(s)]


def _exact_vertices(G: list[list[Fraction]]) -> dict[tuple[Fraction, ...], frozenset[int]]:
    """Vertices (≠ 0) of ``{x ≥ 0 : G^T x ≤ 1}`` with their label sets, in exact arithmetic.

    Labels: ``i`` for ``x_i = 0``, ``p + j`` for ``(G^T x)_j = 1``.
    """
    p, q = len(G), len(G[0])
    out: dict[tuple[Fraction, ...], frozenset[int]] = {}
    for s in range(1, min(p, q) + 1):
        for support in combinations(range(p), s):
            for tight in combinations(range(q), s):
                sol = _solve_exact([[G[i][j] for i in support] for j in tight])
                if sol is None or min(sol) < 0:
                    continue
                x = [Fraction(0)] * p
                for i, v in zip(support, sol, strict=True):
                    x[i] = v
                loads = [sum(x[i] * G[i][j] for i in range(p)) for j in range(q)]
                if max(loads) > 1:
                    continue
                labels = {i for i in range(p) if x[i] == 0}
                labels |= {p + j for j in range(q) if loads[j] == 1}
                out[tuple(x)] = frozenset(labels)
    return out


def bimatrix_equilibria_exact(
    A: NDArray[np.int64] | list[list[int]], B: NDArray[np.int64] | list[list[int]]
) -> set[tuple[tuple[Fraction, ...], tuple[Fraction, ...]]]:
    """All extreme equilibria of one bimatrix game, in exact rational arithmetic.

    Enumerates every vertex of the best-response polytopes ``P`` and ``Q`` by
    solving each (support, tight set) system with :class:`fractions.Fraction`, and
    keeps the completely labeled pairs (Avis et al. 2010) — the definition itself,
    without tolerances, label bitmasks or the batched solver's shortcuts. Payoffs
    are converted exactly (``Fraction(float)``), so integer games give exact answers.
    """
    a = [[Fraction(v) for v in row] for row in np.asarray(A).tolist()]
    b = [[Fraction(v) for v in row] for row in np.asarray(B).tolist()]
    m, k = len(a), len(a[0])
    lo_a = min(min(r) for r in a)
    lo_b = min(min(r) for r in b)
    a = [[v - lo_a + 1 for v in r] for r in a]
    b = [[v - lo_b + 1 for v in r] for r in b]
    P = _exact_vertices(b)  # x: labels i (x_i = 0), m + j (column j a best response)
    Q = _exact_vertices([[a[i][j] for i in range(m)] for j in range(k)])  # y
    everything = frozenset(range(m + k))
    out = set()
    for x, lx in P.items():
        for y, ly_local in Q.items():
            # Q's local labels: j for y_j = 0 (global m + j), k + i for row i tight (global i)
            ly = frozenset(m + j if j < k else j - k for j in ly_local)
            if lx | ly == everything:
                sx, sy = sum(x), sum(y)
                out.add((tuple(v / sx for v in x), tuple(v / sy for v in y)))
    return out


def bimatrix_is_degenerate_exact(
    A: NDArray[np.int64] | list[list[int]], B: NDArray[np.int64] | list[list[int]]
) -> bool:
    """Exact degeneracy test: a vertex of ``P`` (``Q``) with more than ``m`` (``k``) labels.

    (von Stengel 2002, Thm. 2.10: equivalent to some mixed strategy having more pure
    best responses than the size of its support.)
    """
    a = [[Fraction(v) for v in row] for row in np.asarray(A).tolist()]
    b = [[Fraction(v) for v in row] for row in np.asarray(B).tolist()]
    m, k = len(a), len(a[0])
    lo_a = min(min(r) for r in a)
    lo_b = min(min(r) for r in b)
    P = _exact_vertices([[v - lo_b + 1 for v in r] for r in b])
    Q = _exact_vertices([[a[i][j] - lo_a + 1 for i in range(m)] for j in range(k)])
    return any(len(v) > m for v in P.values()) or any(len(v) > k for v in Q.values())


def same_equilibrium_sets(
    ours: Sequence[tuple[ArrayLike, ArrayLike]],
    ref: Sequence[tuple[ArrayLike, ArrayLike]] | set[tuple[tuple[float, ...], tuple[float, ...]]],
    atol: float = 1e-8,
) -> bool:
    """Whether two lists of profiles ``(x, y)`` are equal as sets, within ``atol``.

    Each profile of ``ref`` must match a distinct profile of ``ours`` (so duplicates
    count), which is how the tests compare :func:`bimatrix_equilibria` with the exact
    enumeration, nashpy or pygambit.

    Examples
    --------
    >>> same_equilibrium_sets([([1, 0], [0.5, 0.5])], [([1.0, 1e-12], [0.5, 0.5])])
    True
    >>> same_equilibrium_sets([([1, 0], [1, 0])], [([1, 0], [1, 0]), ([0, 1], [0, 1])])
    False
    """
    if len(ours) != len(ref):
        return False
    unmatched = [(np.asarray(x, float), np.asarray(y, float)) for x, y in ours]
    for rx, ry in ref:
        rx_arr, ry_arr = np.asarray(rx, float), np.asarray(ry, float)
        hit = next(
            (
                i
                for i, (x, y) in enumerate(unmatched)
                if np.allclose(x, rx_arr, atol=atol) and np.allclose(y, ry_arr, atol=atol)
            ),
            None,
        )
        if hit is None:
            return False
        unmatched.pop(hit)
    return True
