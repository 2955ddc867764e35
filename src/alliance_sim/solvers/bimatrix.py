r"""All Nash equilibria of many small bimatrix games at once, by batched vertex enumeration.

For a game ``(A, B)`` with ``m`` rows and ``k`` columns, shift and scale each
payoff matrix to ``[1, 2]`` (equilibria are invariant to positive affine maps of
each player's payoffs) and form the best-response polytopes

.. math::
    P = \{x \in \mathbb R^m : x \ge 0,\ B^\top x \le 1\}, \qquad
    Q = \{y \in \mathbb R^k : A y \le 1,\ y \ge 0\}.

Label the ``m + k`` inequalities: label ``i < m`` is ``x_i = 0`` in ``P`` and
``(A y)_i = 1`` in ``Q``; label ``m + j`` is ``(B^\top x)_j = 1`` in ``P`` and
``y_j = 0`` in ``Q``. A pair ``(x, y) \ne (0, 0)`` is *completely labeled* when
every label is tight at ``x`` or at ``y``; then ``(x/\sum x,\ y/\sum y)`` is a
Nash equilibrium, and every equilibrium arises this way. The *extreme*
equilibria — for a degenerate game, the vertices of the (convex) maximal Nash
subsets whose union is the equilibrium set — are exactly the completely labeled
pairs of vertices of ``P`` and ``Q`` (Avis, Rosenberg, Savani & von Stengel 2010;
von Stengel 2002, §3).

**Vertices.** A vertex of ``P`` has ``m`` linearly independent tight
inequalities. Choosing the support ``I`` of ``x`` (the others are the zero labels)
and ``|I|`` tight columns ``J`` gives the square system
``B[I, J]^\top x_I = 1``; all ``C(m + k, m) − 1`` choices with ``|I| = |J| ≥ 1``
are solved for every game at once (closed-form cofactor solutions up to 3×3,
batched LU beyond), infeasible or singular choices are dropped, and each vertex
keeps the *set of all* its tight inequalities within ``tol`` (a bitmask). A
vertex is determined by that set, so duplicates (the same vertex reached from
several choices, as happens in degenerate games) are removed by comparing masks
— exact integer comparisons, no rounding of coordinates.

**Pairs.** ``(x, y)`` is completely labeled iff ``mask(x) | mask(y)`` has all
``m + k`` bits; this is checked for all vertex pairs of all games as one boolean
array. The game is **degenerate** iff some vertex of ``P`` has more than ``m``
labels or some vertex of ``Q`` more than ``k`` (then some mixed strategy has more
pure best responses than its support size; von Stengel 2002, Thm. 2.10).

Everything is vectorized over games (the loops run over support sizes). Games
whose polytopes have more than :data:`MAX_BATCHED_VERTICES` candidate vertices
(``C(m + k, m) > 924``, i.e. beyond 6×6) go through a per-game fallback,
``nashpy.Game.vertex_enumeration``, which assumes a non-degenerate game; their
``fallback`` flag is set and their ``degenerate`` flag is not computed (False).

Tolerance: ``tol`` applies to the rescaled payoffs (range 1). Every returned
profile is verified: probabilities ≥ 0 and summing to 1 (coordinates within
``tol`` of 0 are set to 0), and each player's regret — best-response payoff minus
equilibrium payoff — at most ``8·tol`` times that player's payoff range.

References
----------
D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel (2010), "Enumeration of Nash
equilibria for two-player games", *Economic Theory* 42(1), 9–37.
B. von Stengel (2002), "Computing equilibria for two-person games", in
*Handbook of Game Theory* vol. 3, ch. 45, 1723–1759.
C. Audet, P. Hansen, B. Jaumard, G. Savard (2001), "Enumeration of all extreme
equilibria of bimatrix games", *SIAM J. Scientific Computing* 23(1), 323–338.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MAX_BATCHED_VERTICES", "Equilibria", "bimatrix_equilibria"]

Array = NDArray[np.float64]

#: Largest ``C(m + k, m)`` solved by the batched path (6×6 games have 924).
MAX_BATCHED_VERTICES = 924
# Candidate-vertex coordinates held per chunk of games (bounds memory near 100 MB),
# and vertex pairs examined at once for degenerate games.
_CELL_BUDGET = 1 << 20
_PAIR_BUDGET = 1 << 24
_SINGULAR = 1e-12


@dataclass(frozen=True)
class Equilibria:
    """Equilibria of a batch of games in a flat ("long") layout, grouped by game.

    Attributes
    ----------
    game : ndarray of int64, shape (n_eq,)
        Index of the game each equilibrium belongs to (non-decreasing).
    row, col : ndarray, shapes (n_eq, m) and (n_eq, k)
        The row and column player's mixed strategies.
    row_payoff, col_payoff : ndarray, shape (n_eq,)
        Expected payoffs ``x·A·y`` and ``x·B·y`` (original units).
    row_regret, col_regret : ndarray, shape (n_eq,)
        Best-response payoff minus equilibrium payoff (verified ≤ 8·tol·range).
    count : ndarray of int64, shape (n_games,)
        Number of (extreme) equilibria of each game.
    degenerate : ndarray of bool, shape (n_games,)
        The game is degenerate (its equilibria may form continua; the extreme ones
        are returned).
    fallback : ndarray of bool, shape (n_games,)
        Solved by the per-game nashpy fallback (games larger than the batched path).
    """

    game: NDArray[np.int64]
    row: Array
    col: Array
    row_payoff: Array
    col_payoff: Array
    row_regret: Array
    col_regret: Array
    count: NDArray[np.int64]
    degenerate: NDArray[np.bool_]
    fallback: NDArray[np.bool_]

    @property
    def n_games(self) -> int:
        """Number of games in the batch."""
        return int(self.count.shape[0])

    @property
    def pure(self) -> NDArray[np.bool_]:
        """Equilibria in which both players play a pure strategy."""
        return (self.row.max(axis=1) == 1.0) & (self.col.max(axis=1) == 1.0)

    @property
    def offsets(self) -> NDArray[np.int64]:
        """``offsets[g]:offsets[g + 1]`` slices the equilibria of game ``g``."""
        return np.concatenate([[0], np.cumsum(self.count)])

    def of(self, g: int) -> list[tuple[Array, Array]]:
        """The equilibria ``(row, col)`` of game ``g``."""
        lo, hi = self.offsets[g], self.offsets[g + 1]
        return [(self.row[i], self.col[i]) for i in range(lo, hi)]

    @staticmethod
    def concatenate(parts: list[Equilibria]) -> Equilibria:
        """Join the results of consecutive batches (game indices are shifted)."""
        shift = np.cumsum([0] + [p.n_games for p in parts[:-1]])
        return Equilibria(
            game=np.concatenate([p.game + s for p, s in zip(parts, shift, strict=True)]),
            row=np.concatenate([p.row for p in parts]),
            col=np.concatenate([p.col for p in parts]),
            row_payoff=np.concatenate([p.row_payoff for p in parts]),
            col_payoff=np.concatenate([p.col_payoff for p in parts]),
            row_regret=np.concatenate([p.row_regret for p in parts]),
            col_regret=np.concatenate([p.col_regret for p in parts]),
            count=np.concatenate([p.count for p in parts]),
            degenerate=np.concatenate([p.degenerate for p in parts]),
            fallback=np.concatenate([p.fallback for p in parts]),
        )

    def take(self, games: NDArray[np.bool_]) -> Equilibria:
        """The equilibria of the games selected by a boolean mask, renumbered."""
        mask = np.asarray(games, dtype=bool)
        keep = mask[self.game]
        new_index = np.cumsum(mask) - 1
        return Equilibria(
            game=new_index[self.game[keep]],
            row=self.row[keep],
            col=self.col[keep],
            row_payoff=self.row_payoff[keep],
            col_payoff=self.col_payoff[keep],
            row_regret=self.row_regret[keep],
            col_regret=self.col_regret[keep],
            count=self.count[mask],
            degenerate=self.degenerate[mask],
            fallback=self.fallback[mask],
        )

    def padded(self, values: Array, fill: float = np.nan) -> Array:
        """Per-equilibrium ``values`` (leading axis ``n_eq``) as ``(n_games, max_count, ...)``."""
        width = int(self.count.max()) if self.count.size else 0
        out = np.full((self.n_games, width, *values.shape[1:]), fill, dtype=np.float64)
        rank = np.arange(self.game.shape[0]) - self.offsets[self.game]
        out[self.game, rank] = values
        return out


# --- Validation ----------------------------------------------------------------------------


def _as_games(A: ArrayLike, B: ArrayLike) -> tuple[Array, Array]:
    arrays = []
    for name, v in (("A", A), ("B", B)):
        arr = np.asarray(v)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
        if arr.ndim != 3:
            raise ValueError(
                f"{name} must have shape (n_games, m, k); got {arr.shape} (use {name}[None] "
                f"for a single game)"
            )
        arr = arr.astype(np.float64)
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise ValueError(f"{name} must be finite; game {bad[0]} has {arr[tuple(bad)]}")
        arrays.append(arr)
    a, b = arrays
    if a.shape != b.shape:
        raise ValueError(f"A and B must have the same shape; got {a.shape} and {b.shape}")
    if a.shape[1] < 1 or a.shape[2] < 1:
        raise ValueError(f"each game needs at least one strategy per player; got {a.shape[1:]}")
    return a, b


def _rescaled_games_last(M: Array, axes: tuple[int, int, int]) -> tuple[Array, Array]:
    """Each game's payoffs mapped to [1, 2], transposed by ``axes`` to put games last.

    Returns the contiguous ``(·, ·, n)`` array and each game's payoff range.
    """
    # A copy, always: ascontiguousarray returns a view (and we would write into the
    # caller's array) when the transpose happens to be contiguous, e.g. for one game.
    G = M.transpose(axes).copy(order="C")
    flat = G.reshape(-1, G.shape[2])
    lo = flat.min(axis=0)
    span = flat.max(axis=0) - lo
    span = np.where(span > 0, span, 1.0)
    G -= lo
    G /= span
    G += 1.0
    return G, span


# --- Vertices of a best-response polytope --------------------------------------------------


@lru_cache(maxsize=64)
def _choices(
    p: int, q: int
) -> tuple[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]], ...]:
    """Per support size s ≥ 1: supports I (c, s), tight constraints J (c, s), the rest Jc."""
    out = []
    for s in range(1, min(p, q) + 1):
        supports = np.array(list(combinations(range(p), s)), dtype=np.intp)
        tights = np.array(list(combinations(range(q), s)), dtype=np.intp)
        others = np.array(
            [[j for j in range(q) if j not in t] for t in tights], dtype=np.intp
        ).reshape(len(tights), q - s)
        out.append(
            (
                np.repeat(supports, len(tights), axis=0),
                np.tile(tights, (len(supports), 1)),
                np.tile(others, (len(supports), 1)),
            )
        )
    return tuple(out)


@lru_cache(maxsize=64)
def _dual_order(m: int, k: int) -> tuple[NDArray[np.intp], ...]:
    """Per support size: index, in Q's block, of the choice (J, I) dual to P's choice (I, J).

    In a non-degenerate game the vertex of P from (support I, tight columns J)
    is completely labeled exactly with the vertex of Q from (support J, tight rows I).
    """
    out = []
    for (Ip, Jp, _), (Iq, Jq, _) in zip(_choices(m, k), _choices(k, m), strict=True):
        position = {(tuple(Iq[c]), tuple(Jq[c])): c for c in range(Iq.shape[0])}
        out.append(
            np.array(
                [position[(tuple(Jp[c]), tuple(Ip[c]))] for c in range(Ip.shape[0])], dtype=np.intp
            )
        )
    return tuple(out)


def _solve_ones(M: list[list[Array]]) -> tuple[list[Array], NDArray[np.bool_]]:
    """Solve ``M^T x = 1`` lane by lane; ``M[a][b]`` are arrays of equal shape.

    ``x_a = Σ_b cof(M)[a, b] / det(M)`` (Cramer's rule for the transposed system)
    in closed form for sizes 1–3, batched LU beyond. Singular systems are flagged.
    """
    s = len(M)
    if s == 1:
        det = M[0][0]
        ok = np.abs(det) > _SINGULAR
        return [1.0 / np.where(ok, det, 1.0)], ok
    if s == 2:
        (a, b), (c, d) = M
        det = a * d - c * b
        ok = np.abs(det) > _SINGULAR
        inv = 1.0 / np.where(ok, det, 1.0)
        return [(d - c) * inv, (a - b) * inv], ok
    if s == 3:
        (a, b, c), (d, e, f), (g, h, i) = M
        # Rows of the cofactor matrix are cross products of the other rows.
        c0 = (e * i - f * h, f * g - d * i, d * h - e * g)
        c1 = (h * c - i * b, i * a - g * c, g * b - h * a)
        c2 = (b * f - c * e, c * d - a * f, a * e - b * d)
        det = a * c0[0] + b * c0[1] + c * c0[2]
        ok = np.abs(det) > _SINGULAR
        inv = 1.0 / np.where(ok, det, 1.0)
        return [(r[0] + r[1] + r[2]) * inv for r in (c0, c1, c2)], ok
    stacked = np.stack([np.stack(row, axis=-1) for row in M], axis=-2)  # (..., s, s)
    det = np.linalg.det(stacked)
    ok = np.abs(det) > _SINGULAR
    safe = np.where(ok[..., None, None], stacked, np.eye(s))
    Mt = np.swapaxes(safe, -1, -2)
    x = np.linalg.solve(Mt, np.ones((*Mt.shape[:-1], 1)))[..., 0]
    return [x[..., a] for a in range(s)], ok


@dataclass
class _Block:
    """The candidate vertices with support size s of ``{x ≥ 0 : G^T x ≤ 1}``.

    One slot per choice (support I, tight constraints J), games on the last axis.
    """

    support: NDArray[np.intp]  # (c, s) the support I
    tight: NDArray[np.intp]  # (c, s) the constraints J tight by construction
    rest: NDArray[np.intp]  # (c, q − s) the other constraints
    sol: list[Array]  # s arrays (c, n): the support coordinates
    slack: list[Array]  # q − s arrays (c, n): slack of the other constraints
    valid: NDArray[np.bool_]  # (c, n) non-singular and feasible
    extra: NDArray[np.bool_]  # (c, n) some support coordinate or other constraint is tight


def _vertex_blocks(Gt: Array, tol: float) -> list[_Block]:
    """Solve every choice (support I, tight constraints J) for every game.

    ``Gt`` has shape ``(p, q, n)``: constraint ``j`` reads ``Σ_i Gt[i, j] x_i ≤ 1``.
    Games are the last (contiguous) axis, so each operation runs over all games.
    """
    blocks = []
    for support, tight, rest in _choices(Gt.shape[0], Gt.shape[1]):
        s = support.shape[1]
        sol, ok = _solve_ones(
            [[Gt[support[:, a], tight[:, b]] for b in range(s)] for a in range(s)]
        )
        extra = np.zeros_like(ok)
        for a in range(s):
            ok &= sol[a] >= -tol
            extra |= np.abs(sol[a]) <= tol
        slack = []
        for jj in range(rest.shape[1]):
            r = 1.0 - Gt[support[:, 0], rest[:, jj]] * sol[0]
            for a in range(1, s):
                r -= Gt[support[:, a], rest[:, jj]] * sol[a]
            ok &= r >= -tol
            extra |= np.abs(r) <= tol
            slack.append(r)
        blocks.append(_Block(support, tight, rest, sol, slack, ok, extra))
    return blocks


def _coordinates(
    blocks: list[_Block], g: NDArray[np.intp], slot: NDArray[np.intp], p: int
) -> Array:
    """Coordinates ``(p, e)`` of the vertices in global slots ``slot`` of games ``g``."""
    x = np.zeros((p, g.shape[0]))
    offset = 0
    for block in blocks:
        c = block.support.shape[0]
        idx = np.flatnonzero((slot >= offset) & (slot < offset + c))
        local = slot[idx] - offset
        for a in range(block.support.shape[1]):
            x[block.support[local, a], idx] = block.sol[a][local, g[idx]]
        offset += c
    return x


def _labels(block: _Block, games: NDArray[np.intp], p: int, tol: float) -> NDArray[np.int64]:
    """Full label masks ``(len(games), c)`` of a block's vertices (0 where not a vertex)."""
    c, s = block.support.shape
    mask = np.zeros((games.shape[0], c), dtype=np.int64)
    outside = np.ones((c, p), dtype=bool)
    for a in range(s):
        support = block.support[:, a]
        outside[np.arange(c), support] = False
        # A support coordinate at 0 is an extra label (a degenerate vertex).
        zero = np.abs(block.sol[a][:, games].T) <= tol
        mask |= zero.astype(np.int64) << support.astype(np.int64)
        mask |= np.int64(1) << (p + block.tight[:, a]).astype(np.int64)
    mask |= (outside.astype(np.int64) << np.arange(p, dtype=np.int64)).sum(axis=1)
    for jj in range(block.rest.shape[1]):
        tight = np.abs(block.slack[jj][:, games].T) <= tol
        mask |= tight.astype(np.int64) << (p + block.rest[:, jj]).astype(np.int64)
    return np.where(block.valid[:, games].T, mask, 0)


def _stack_labels(
    blocks: list[_Block], games: NDArray[np.intp], p: int, tol: float
) -> NDArray[np.int64]:
    """Label masks of all blocks, concatenated along the slot axis."""
    return np.concatenate([_labels(b, games, p, tol) for b in blocks], axis=1)


def _global_q_mask(local: NDArray[np.int64], m: int, k: int) -> NDArray[np.int64]:
    """Q's local bits (y_j = 0 at bit j, (A y)_i = 1 at bit k + i) to the global labels."""
    return np.where(local != 0, ((local & ((np.int64(1) << k) - 1)) << m) | (local >> k), 0)


# --- Solver -----------------------------------------------------------------------------


def _solve_batch(A: Array, B: Array, tol: float) -> dict[str, np.ndarray]:
    n, m, k = A.shape
    # Games on the last, contiguous axis: every operation below runs over all games.
    Bt, span_b = _rescaled_games_last(B, (1, 2, 0))  # P: x (m variables), columns of B
    At, span_a = _rescaled_games_last(A, (2, 1, 0))  # Q: y (k variables), rows of A
    P = _vertex_blocks(Bt, tol)
    Q = _vertex_blocks(At, tol)
    degenerate = np.zeros(n, dtype=bool)
    for blk in (*P, *Q):
        degenerate |= (blk.valid & blk.extra).any(axis=0)

    # Non-degenerate games: each vertex has exactly its choice's labels, so it pairs
    # with the dual choice only (support enumeration, without its failure modes).
    # Hits are read game-major, so the equilibria come out grouped by game.
    duals = _dual_order(m, k)
    hits = np.concatenate(
        [bp.valid & bq.valid[dual] & ~degenerate for bp, bq, dual in zip(P, Q, duals, strict=True)]
    )
    g, slot = np.nonzero(hits.T)
    # A non-degenerate P-slot c pairs with Q-slot dual[c]: map to Q's global slots.
    dual_global = np.concatenate(
        [
            d + off
            for d, off in zip(
                duals, np.cumsum([0] + [b.support.shape[0] for b in Q[:-1]]), strict=True
            )
        ]
    )
    x_parts = [_coordinates(P, g, slot, m)]
    y_parts = [_coordinates(Q, g, dual_global[slot], k)]
    g_parts = [g]

    # Degenerate games: all completely labeled pairs of distinct vertices.
    full = (np.int64(1) << (m + k)) - 1
    deg_all = np.flatnonzero(degenerate)
    n_p = sum(b.support.shape[0] for b in P)
    n_q = sum(b.support.shape[0] for b in Q)
    piece = max(1, _PAIR_BUDGET // (n_p * n_q))
    for start in range(0, deg_all.size, piece):
        deg = deg_all[start : start + piece]
        slots_p, md = _unique_vertices(_stack_labels(P, deg, m, tol))
        slots_q, nd = _unique_vertices(_global_q_mask(_stack_labels(Q, deg, k, tol), m, k))
        cover = (
            ((md[:, :, None] | nd[:, None, :]) == full)
            & (md != 0)[:, :, None]
            & (nd != 0)[:, None, :]
        )
        g2, a, b = np.nonzero(cover)
        x_parts.append(_coordinates(P, deg[g2], slots_p[g2, a], m))
        y_parts.append(_coordinates(Q, deg[g2], slots_q[g2, b], k))
        g_parts.append(deg[g2])
    x, y = x_parts[0], y_parts[0]
    if len(g_parts) > 1:  # degenerate games were added: restore the grouping by game
        g = np.concatenate(g_parts)
        order = np.argsort(g, kind="stable")
        g = g[order]
        x = np.concatenate(x_parts, axis=1)[:, order]
        y = np.concatenate(y_parts, axis=1)[:, order]
    x = _normalize(x, tol)  # (m, e): one row per pure strategy, one column per equilibrium
    y = _normalize(y, tol)  # (k, e)
    # Payoffs against each pure strategy, lane by lane over the equilibria.
    Ay = np.stack([sum(A[g, i, j] * y[j] for j in range(k)) for i in range(m)])
    xB = np.stack([sum(B[g, i, j] * x[i] for i in range(m)) for j in range(k)])
    row_payoff = (x * Ay).sum(axis=0)
    col_payoff = (xB * y).sum(axis=0)
    return {
        "game": g.astype(np.int64),
        "row": x.T,
        "col": y.T,
        "row_payoff": row_payoff,
        "col_payoff": col_payoff,
        "row_regret": Ay.max(axis=0) - row_payoff,
        "col_regret": xB.max(axis=0) - col_payoff,
        "row_span": span_a[g],
        "col_span": span_b[g],
        "degenerate": degenerate,
    }


def _unique_vertices(mask: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Per game: slots of distinct vertices (equal full label masks = same vertex).

    Returns the slot order and the masks in that order, repeats and empty slots
    set to 0, cut to the widest game's number of candidate vertices.
    """
    order = np.argsort(-mask, axis=1, kind="stable")  # empty slots (mask 0) last
    mask = np.take_along_axis(mask, order, axis=1)
    repeat = np.zeros_like(mask, dtype=bool)
    repeat[:, 1:] = mask[:, 1:] == mask[:, :-1]
    width = int((mask != 0).sum(axis=1).max())
    return order[:, :width], np.where(repeat, 0, mask)[:, :width]


def _normalize(x: Array, tol: float) -> Array:
    """Columns of ``x`` (one per profile) scaled to sum 1, entries within tol of 0 set to 0."""
    x = x / x.sum(axis=0)
    x *= x > tol
    x /= x.sum(axis=0)
    return x


def _nashpy_game(A: Array, B: Array, tol: float) -> dict[str, np.ndarray]:
    import nashpy

    rows, cols = [], []
    for x, y in nashpy.Game(A, B).vertex_enumeration():
        rows.append(_normalize(np.array(x, float)[:, None], tol)[:, 0])
        cols.append(_normalize(np.array(y, float)[:, None], tol)[:, 0])
    m, k = A.shape
    x = np.array(rows).reshape(-1, m)
    y = np.array(cols).reshape(-1, k)
    Ay, xB = y @ A.T, x @ B
    rp, cp = (x * Ay).sum(1), (xB * y).sum(1)
    span_a = max(A.max() - A.min(), 1.0) if A.max() > A.min() else 1.0
    span_b = max(B.max() - B.min(), 1.0) if B.max() > B.min() else 1.0
    e = x.shape[0]
    return {
        "game": np.zeros(e, np.int64),
        "row": x,
        "col": y,
        "row_payoff": rp,
        "col_payoff": cp,
        "row_regret": Ay.max(1) - rp if e else rp,
        "col_regret": xB.max(1) - cp if e else cp,
        "row_span": np.full(e, span_a),
        "col_span": np.full(e, span_b),
        "degenerate": np.zeros(1, bool),
    }


def bimatrix_equilibria(A: ArrayLike, B: ArrayLike, *, tol: float = 1e-9) -> Equilibria:
    """All (extreme) Nash equilibria of a batch of bimatrix games.

    Parameters
    ----------
    A, B : array_like, shape (n_games, m, k)
        Row and column player's payoffs; finite.
    tol : float
        Tolerance on the payoffs rescaled to range 1 (labels, feasibility); see
        the module docstring. Default ``1e-9``.

    Returns
    -------
    Equilibria
        Flat layout grouped by game; an empty batch (``n_games = 0``) returns
        empty arrays.

    Raises
    ------
    TypeError
        If a payoff array is not numeric.
    ValueError
        If the shapes differ or are not ``(n_games, m, k)``, a payoff is NaN or
        infinite, or ``tol`` is not in ``(0, 1e-3]``.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed:

    >>> A = np.array([[[3.0, 0.0], [0.0, 2.0]]]); B = np.array([[[2.0, 0.0], [0.0, 3.0]]])
    >>> eq = bimatrix_equilibria(A, B)
    >>> eq.count.tolist(), eq.pure.tolist()
    ([3], [True, True, False])
    >>> np.round(eq.row[2], 6).tolist(), np.round(eq.col[2], 6).tolist()
    ([0.6, 0.4], [0.4, 0.6])
    """
    if not (isinstance(tol, float | int) and math.isfinite(tol) and 0 < tol <= 1e-3):
        raise ValueError(f"tol must be a number in (0, 1e-3]; got {tol!r}")
    A_arr, B_arr = _as_games(A, B)
    n, m, k = A_arr.shape
    fallback = math.comb(m + k, m) > MAX_BATCHED_VERTICES
    parts: list[dict[str, np.ndarray]] = []
    degenerate = np.zeros(n, dtype=bool)
    if fallback:
        warnings.warn(
            f"{m}x{k} games exceed the batched path (C(m+k, m) > {MAX_BATCHED_VERTICES}); "
            f"solving {n} games one by one with nashpy.vertex_enumeration, which assumes "
            f"non-degenerate games",
            UserWarning,
            stacklevel=2,
        )
        for g in range(n):
            part = _nashpy_game(A_arr[g], B_arr[g], tol)
            part["game"] = part["game"] + g
            parts.append(part)
    else:
        step = max(1, _CELL_BUDGET // (math.comb(m + k, m) * (m + k)))
        for start in range(0, n, step):
            part = _solve_batch(A_arr[start : start + step], B_arr[start : start + step], tol)
            part["game"] = part["game"] + start
            degenerate[start : start + step] = part["degenerate"]
            parts.append(part)
    keys = (
        "game",
        "row",
        "col",
        "row_payoff",
        "col_payoff",
        "row_regret",
        "col_regret",
        "row_span",
        "col_span",
    )
    empty = {"game": np.zeros(0, np.int64), "row": np.zeros((0, m)), "col": np.zeros((0, k))}
    merged = {
        key: np.concatenate([p[key] for p in parts]) if parts else empty.get(key, np.zeros(0))
        for key in keys
    }
    bound = 8.0 * tol
    bad = (merged["row_regret"] > bound * merged["row_span"]) | (
        merged["col_regret"] > bound * merged["col_span"]
    )
    if bad.any():  # pragma: no cover - a failure here is a bug, not a property of the game
        g = int(merged["game"][np.flatnonzero(bad)[0]])
        raise RuntimeError(f"equilibrium verification failed for game {g}; please report it")
    count = np.bincount(merged["game"], minlength=n).astype(np.int64)
    return Equilibria(
        game=merged["game"],
        row=merged["row"],
        col=merged["col"],
        row_payoff=merged["row_payoff"],
        col_payoff=merged["col_payoff"],
        row_regret=np.maximum(merged["row_regret"], 0.0),
        col_regret=np.maximum(merged["col_regret"], 0.0),
        count=count,
        degenerate=degenerate,
        fallback=np.full(n, fallback),
    )
