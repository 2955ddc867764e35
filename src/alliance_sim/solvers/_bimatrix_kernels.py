"""Compiled vertex enumeration for small bimatrix games, one game at a time.

The kernel runs the algorithm of :mod:`alliance_sim.solvers.bimatrix` (the batched
path, whose numpy code stays the reference) per game instead of per choice over all
games: each game's rescaled payoffs, candidate vertices, label masks and equilibria
live in a few hundred bytes of scratch instead of ``(choices, games)`` temporaries.
It performs the reference's arithmetic in the reference's order — the same rescaling
``(G − lo)/span + 1``, the same closed-form Cramer solutions and refinement steps, the
same feasibility and label tests, the same pairing order — so its profiles are
bit-identical to the numpy path's, and so are the counts and degeneracy flags.

It covers the shapes whose support sizes are at most 3 (``min(m, k) ≤ 3``, both at
least 2), where the reference solves in closed form; larger supports use LAPACK's LU
in the reference and stay there. The stance games (3×3) are the case that matters.

Speed (benchmark D): about 2× the numpy path on degenerate games, whose pairing of
all distinct vertices numpy does with large boolean arrays (3×3 integer games: 1.6
µs a game, from 4 µs), and level with it on generic games, where numpy's batched closed
forms run several games per SIMD instruction and the kernel one game at a time.

The output is ragged (a game has one or more equilibria), so the kernel writes into
buffers the caller owns and stops before a game that would overflow them; the
caller grows the buffers and resumes from that game.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .._jit import njit, njit_inline

__all__ = ["MAX_KERNEL_SUPPORT", "kernel_covers", "payoffs_and_regrets", "solve_games"]

#: Largest support size the kernel solves (Cramer's rule in closed form, as the reference).
MAX_KERNEL_SUPPORT = 3


def kernel_covers(m: int, k: int) -> bool:
    """True for the shapes the kernel solves: ``2 ≤ min(m, k) ≤ 3``.

    The kernel itself runs any such shape up to ``m + k = 62`` labels;
    :func:`~alliance_sim.solvers.bimatrix_equilibria` also requires ``C(m + k, m) ≤``
    :data:`~alliance_sim.solvers.bimatrix.MAX_BATCHED_VERTICES`, so that its numpy
    reference covers every shape the kernel is used for.
    """
    return 2 <= min(m, k) <= MAX_KERNEL_SUPPORT


@lru_cache(maxsize=64)
def _tables(
    p: int, q: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """Choices of ``{x ≥ 0 : G^T x ≤ 1}`` (``p`` variables, ``q`` constraints), flattened.

    In the reference's slot order (support size, then support, then tight set):
    ``size (c,)``, ``support (c, 3)``, ``tight (c, 3)`` and the other constraints
    ``rest (c, q − 1)``, padded with −1.
    """
    from .bimatrix import _choices  # the reference's enumeration, so the slots agree

    blocks = _choices(p, q)
    c = sum(b[0].shape[0] for b in blocks)
    size = np.empty(c, dtype=np.intp)
    support = np.full((c, MAX_KERNEL_SUPPORT), -1, dtype=np.intp)
    tight = np.full((c, MAX_KERNEL_SUPPORT), -1, dtype=np.intp)
    rest = np.full((c, q - 1), -1, dtype=np.intp)
    at = 0
    for sup, tig, oth in blocks:
        n, s = sup.shape
        size[at : at + n] = s
        support[at : at + n, :s] = sup
        tight[at : at + n, :s] = tig
        rest[at : at + n, : q - s] = oth
        at += n
    return size, support, tight, rest


@lru_cache(maxsize=64)
def _dual_slots(m: int, k: int) -> NDArray[np.intp]:
    """For each slot of P, the global slot of Q's dual choice (the reference's pairing)."""
    from .bimatrix import _choices, _dual_order

    offsets = np.cumsum([0] + [b[0].shape[0] for b in _choices(k, m)[:-1]])
    return np.concatenate([d + off for d, off in zip(_dual_order(m, k), offsets, strict=True)])


@njit_inline
def _rescale(G: np.ndarray) -> None:
    """``G ← (G − lo)/span + 1`` in place (the reference's order of operations)."""
    lo = G[0, 0]
    hi = G[0, 0]
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            lo = min(lo, G[i, j])
            hi = max(hi, G[i, j])
    span = hi - lo
    if not span > 0:
        span = 1.0
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            G[i, j] = (G[i, j] - lo) / span + 1.0


@njit
def _solve_ones(
    s: int,
    m: tuple[float, float, float, float, float, float, float, float, float],
    tol: float,
) -> tuple[bool, float, float, float]:
    """``M^T x = 1`` for ``M`` of size ``s ≤ 3`` by Cramer's rule; ``(ok, x0, x1, x2)``.

    Mirrors :func:`alliance_sim.solvers.bimatrix._solve_ones` term by term: the same
    cofactors, determinant, sums and (where ``1e-12 < |det| < 1e-3``) two steps of
    iterative refinement, after which a residual above ``tol`` flags the system like a
    singular one. ``m`` holds ``M`` row by row, padded with zeros beyond ``s``; the
    entries travel as scalars so that nothing is allocated per solve.
    """
    singular, refine = 1e-12, 1e-3
    a, b, c, d, e, f, g, h, i = m
    if s == 1:
        ok = abs(a) > singular
        return ok, 1.0 / (a if ok else 1.0), 0.0, 0.0
    if s == 2:
        # cof = ((d', -c'), (-b', a')) for M = ((a', b'), (c', d')) = ((a, b), (d, e))
        c00, c01, c02, c10, c11, c12 = e, -d, 0.0, -b, a, 0.0
        c20, c21, c22 = 0.0, 0.0, 0.0
        det = a * e - d * b
    else:
        c00, c01, c02 = e * i - f * h, f * g - d * i, d * h - e * g
        c10, c11, c12 = h * c - i * b, i * a - g * c, g * b - h * a
        c20, c21, c22 = b * f - c * e, c * d - a * f, a * e - b * d
        det = a * c00 + b * c01 + c * c02
    ok = abs(det) > singular
    inv = 1.0 / (det if ok else 1.0)
    if s == 2:
        x0, x1, x2 = (c00 + c01) * inv, (c10 + c11) * inv, 0.0
    else:
        x0, x1, x2 = (c00 + c01 + c02) * inv, (c10 + c11 + c12) * inv, (c20 + c21 + c22) * inv
    if ok and abs(det) < refine:
        for _ in range(3):
            # r_q = 1 − Σ_p M[p, q]·x_p, summed over p in order
            if s == 2:
                r0 = 1.0 - (a * x0 + d * x1)
                r1 = 1.0 - (b * x0 + e * x1)
                r2 = 0.0
            else:
                r0 = 1.0 - (a * x0 + d * x1 + g * x2)
                r1 = 1.0 - (b * x0 + e * x1 + h * x2)
                r2 = 1.0 - (c * x0 + f * x1 + i * x2)
            if _ == 2:  # the residual after two refinement steps decides
                ok = abs(r0) <= tol and abs(r1) <= tol and (s == 2 or abs(r2) <= tol)
                break
            if s == 2:
                x0, x1 = x0 + (c00 * r0 + c01 * r1) * inv, x1 + (c10 * r0 + c11 * r1) * inv
            else:
                x0, x1, x2 = (
                    x0 + (c00 * r0 + c01 * r1 + c02 * r2) * inv,
                    x1 + (c10 * r0 + c11 * r1 + c12 * r2) * inv,
                    x2 + (c20 * r0 + c21 * r1 + c22 * r2) * inv,
                )
    return ok, x0, x1, x2


@njit_inline
def _vertices(
    G: np.ndarray,
    size: np.ndarray,
    support: np.ndarray,
    tight: np.ndarray,
    rest: np.ndarray,
    tol: float,
    var_bit: int,
    con_bit: int,
    coords: np.ndarray,
    valid: np.ndarray,
    mask: np.ndarray,
) -> bool:
    """Every choice's vertex of ``{x ≥ 0 : G^T x ≤ 1}``: coordinates, validity, global labels.

    ``x_i = 0`` is label ``var_bit + i`` and ``(G^T x)_j = 1`` is label ``con_bit + j``.
    Returns whether some valid vertex has an extra tight label (the game is degenerate).
    """
    p, q = G.shape
    extra_any = False
    for c in range(size.shape[0]):
        s = size[c]
        i0, i1, i2 = support[c, 0], support[c, 1], support[c, 2]
        j0, j1, j2 = tight[c, 0], tight[c, 1], tight[c, 2]
        ok, s0, s1, s2 = _solve_ones(
            s,
            (
                G[i0, j0],
                G[i0, j1] if s > 1 else 0.0,
                G[i0, j2] if s > 2 else 0.0,
                G[i1, j0] if s > 1 else 0.0,
                G[i1, j1] if s > 1 else 0.0,
                G[i1, j2] if s > 2 else 0.0,
                G[i2, j0] if s > 2 else 0.0,
                G[i2, j1] if s > 2 else 0.0,
                G[i2, j2] if s > 2 else 0.0,
            ),
            tol,
        )
        sol = (s0, s1, s2)
        valid[c] = False
        mask[c] = 0
        # An infeasible choice is no vertex: stop at its first violated constraint.
        for a in range(s):
            ok = ok and sol[a] >= -tol
        if not ok:
            continue
        extra = False
        bits = np.int64(0)
        for jj in range(q - s):
            j = rest[c, jj]
            r = 1.0 - G[support[c, 0], j] * sol[0]
            for a in range(1, s):
                r -= G[support[c, a], j] * sol[a]
            if not r >= -tol:
                ok = False
                break
            if abs(r) <= tol:
                extra = True
                bits |= np.int64(1) << (con_bit + j)
        if not ok:
            continue
        for i in range(p):
            coords[c, i] = 0.0
            bits |= np.int64(1) << (var_bit + i)
        for a in range(s):
            zero = abs(sol[a]) <= tol
            extra = extra or zero
            coords[c, support[c, a]] = sol[a]
            if not zero:
                bits &= ~(np.int64(1) << (var_bit + support[c, a]))
            bits |= np.int64(1) << (con_bit + tight[c, a])
        valid[c] = True
        mask[c] = bits
        extra_any = extra_any or extra
    return extra_any


@njit_inline
def _distinct(mask: np.ndarray, order: np.ndarray) -> int:
    """Slots of the distinct vertices, by label mask descending then slot (stable); count.

    A vertex is determined by its label set, so equal masks are one vertex: the first
    slot (the reference's stable sort) is kept. Empty slots (mask 0) are left out.
    """
    n = 0
    for c in range(mask.shape[0]):
        if mask[c] == 0:
            continue
        # Insertion after the last slot with a mask at least as large (stable).
        at = n
        while at > 0 and mask[order[at - 1]] < mask[c]:
            at -= 1
        if at > 0 and mask[order[at - 1]] == mask[c]:
            continue  # a repeat of a vertex already kept
        for r in range(n, at, -1):
            order[r] = order[r - 1]
        order[at] = c
        n += 1
    return n


@njit_inline
def _write(coords: np.ndarray, c: int, out: np.ndarray, e: int, tol: float) -> None:
    """Profile ``coords[c]`` normalized as the reference's ``_normalize`` into ``out[e]``."""
    total = coords[c, 0]
    for i in range(1, coords.shape[1]):
        total += coords[c, i]
    for i in range(coords.shape[1]):
        v = coords[c, i] / total
        out[e, i] = v * (1.0 if v > tol else 0.0)
    total = out[e, 0]
    for i in range(1, coords.shape[1]):
        total += out[e, i]
    for i in range(coords.shape[1]):
        out[e, i] /= total


@njit
def _solve_games(
    A: np.ndarray,
    B: np.ndarray,
    tol: float,
    p_tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    q_tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    dual: np.ndarray,
    start: int,
    e: int,
    out_g: np.ndarray,
    out_x: np.ndarray,
    out_y: np.ndarray,
    degenerate: np.ndarray,
) -> tuple[int, int]:
    """Games ``start, start + 1, …`` into the buffers from row ``e``; returns (next game, rows).

    Stops before a game whose equilibria do not fit (the caller grows the buffers).
    """
    n, m, k = A.shape
    n_p, n_q = p_tables[0].shape[0], q_tables[0].shape[0]
    Gp, Gq = np.empty((m, k)), np.empty((k, m))
    xp, yq = np.empty((n_p, m)), np.empty((n_q, k))
    vp, vq = np.empty(n_p, dtype=np.bool_), np.empty(n_q, dtype=np.bool_)
    mp, mq = np.empty(n_p, dtype=np.int64), np.empty(n_q, dtype=np.int64)
    op, oq = np.empty(n_p, dtype=np.intp), np.empty(n_q, dtype=np.intp)
    full = (np.int64(1) << (m + k)) - 1
    cap = out_g.shape[0]
    for g in range(start, n):
        for i in range(m):
            for j in range(k):
                Gp[i, j] = B[g, i, j]  # P: x (m variables), columns of B
                Gq[j, i] = A[g, i, j]  # Q: y (k variables), rows of A
        _rescale(Gp)
        _rescale(Gq)
        size, support, tight, rest = p_tables
        deg = _vertices(Gp, size, support, tight, rest, tol, 0, m, xp, vp, mp)
        size, support, tight, rest = q_tables
        deg = _vertices(Gq, size, support, tight, rest, tol, m, 0, yq, vq, mq) or deg
        if not deg:
            # Each vertex has exactly its choice's labels: it pairs with the dual choice.
            count = 0
            for c in range(n_p):
                count += vp[c] and vq[dual[c]]
            if e + count > cap:
                return g, e
            for c in range(n_p):
                if vp[c] and vq[dual[c]]:
                    _write(xp, c, out_x, e, tol)
                    _write(yq, dual[c], out_y, e, tol)
                    out_g[e] = g
                    e += 1
        else:
            # All completely labeled pairs of distinct vertices.
            up, uq = _distinct(mp, op), _distinct(mq, oq)
            count = 0
            for a in range(up):
                for b in range(uq):
                    count += (mp[op[a]] | mq[oq[b]]) == full
            if e + count > cap:
                return g, e
            for a in range(up):
                for b in range(uq):
                    if (mp[op[a]] | mq[oq[b]]) == full:
                        _write(xp, op[a], out_x, e, tol)
                        _write(yq, oq[b], out_y, e, tol)
                        out_g[e] = g
                        e += 1
        degenerate[g] = deg
    return n, e


def solve_games(
    A: NDArray[np.float64], B: NDArray[np.float64], tol: float
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """The batched path's ``(g, x (m, e), y (k, e), degenerate)`` for games ``(n, m, k)``.

    ``A`` and ``B`` are the power-of-two scaled payoffs; the shape must satisfy
    :func:`kernel_covers`.
    """
    n, m, k = A.shape
    if not kernel_covers(m, k) or m + k > 62:  # label masks are int64 bits
        raise ValueError(f"the compiled vertex enumeration does not cover {m}x{k} games")
    A = np.ascontiguousarray(A)
    B = np.ascontiguousarray(B)
    degenerate = np.zeros(n, dtype=bool)
    cap = 2 * n + 64  # most games have one to three equilibria; grown when needed
    out_g = np.empty(cap, dtype=np.intp)
    out_x, out_y = np.empty((cap, m)), np.empty((cap, k))
    tables = (_tables(m, k), _tables(k, m), _dual_slots(m, k))
    start, e = 0, 0
    while True:
        start, e = _solve_games(A, B, tol, *tables, start, e, out_g, out_x, out_y, degenerate)
        if start == n:
            break
        cap *= 2
        out_g = np.concatenate([out_g[:e], np.empty(cap - e, dtype=np.intp)])
        out_x = np.concatenate([out_x[:e], np.empty((cap - e, m))])
        out_y = np.concatenate([out_y[:e], np.empty((cap - e, k))])
    return out_g[:e], out_x[:e].T, out_y[:e].T, degenerate


@njit
def payoffs_and_regrets(
    M: np.ndarray, lo: np.ndarray, g: np.ndarray, own: np.ndarray, other: np.ndarray, player: int
) -> tuple[np.ndarray, np.ndarray]:
    """A player's expected payoff and regret in each profile, as ``bimatrix._payoff_and_regret``.

    For games with at least two strategies each: ``own (e, p)`` and ``other (e, q)`` are
    the player's and the opponent's strategies, ``player`` 0 (row, payoffs
    ``M[g, own, other]``) or 1 (column, ``M[g, other, own]``). The pure strategies'
    payoffs ``Σ_b (M − lo)·other_b`` and the expected payoff ``Σ_a own_a·pure_a`` are
    summed from 0 in index order, as the reference sums them, so the results are
    bit-identical; returns ``(payoff + lo, max_a pure_a − payoff)``.
    """
    e, p = own.shape
    q = other.shape[1]
    payoff = np.empty(e)
    regret = np.empty(e)
    for r in range(e):
        gi = g[r]
        low = lo[gi]
        total = 0.0
        best = -np.inf
        for a in range(p):
            pure = 0.0
            for b in range(q):
                v = M[gi, a, b] if player == 0 else M[gi, b, a]
                pure = pure + (v - low) * other[r, b]
            total = total + own[r, a] * pure
            best = max(best, pure)
        payoff[r] = total + low
        regret[r] = best - total
    return payoff, regret
