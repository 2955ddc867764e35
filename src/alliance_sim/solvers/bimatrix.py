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

**Sizes.** Three paths, chosen by the shape ``(m, k)`` of the batch:

* ``m ≥ 2`` and ``k ≥ 2`` with ``C(m + k, m) ≤`` :data:`MAX_BATCHED_VERTICES`
  (924: up to 6×6, 5×7, 4×9, 3×15, 2×41) — the batched path above, vectorized
  over games (the loops run over support sizes). Its label masks are ``int64``
  bits, so it is limited to ``m + k ≤`` :data:`MAX_BATCHED_LABELS` (62) labels;
  every shape it accepts has at most 43.
* ``m = 1`` or ``k = 1``, any size — closed form, vectorized over games. A player
  with a single strategy has nothing to choose; the other player's best replies
  ``R`` (pure strategies within ``tol`` of the best, on the rescaled payoffs) make
  every mixture over ``R`` an equilibrium: one convex set, whose extreme points —
  the pure best replies, one equilibrium each, ``count = |R|`` — are returned
  (the vertex enumeration returns exactly these). Degenerate iff ``|R| ≥ 2``.
* Larger games (``C(m + k, m) > 924``, e.g. 7×7) — a per-game fallback with a
  :class:`UserWarning`: the vertices of ``P`` and ``Q`` from Qhull
  (:class:`scipy.spatial.HalfspaceIntersection`, the method of
  ``nashpy.Game.vertex_enumeration``, applied to the rescaled payoffs), labelled,
  deduplicated and paired as above with boolean label arrays (no bit limit), and
  degeneracy computed from them with the same ``tol``. Its ``fallback`` flag is
  set. Qhull is exact for non-degenerate games; for degenerate ones it resolves
  the usual cases (ties, duplicated strategies, constant payoffs; tested against
  the exact reference) but is not guaranteed complete — a Qhull failure, a game
  left without an equilibrium or a profile failing verification raises a
  :class:`ValueError` naming the game, and such games can be solved one by one
  with ``pygambit.nash.enummixed_solve``.

**Compiled path.** With the kernels on (:mod:`alliance_sim._jit`), batches with
``2 ≤ min(m, k) ≤ 3`` — every support solved by the closed forms, the stance games
among them — run through :mod:`alliance_sim.solvers._bimatrix_kernels`, which does
the above game by game with the same arithmetic in the same order: bit-identical
results, without the ``(choices, games)`` temporaries. The numpy code here is its
reference (``numpy_reference()`` runs it).

**Magnitudes.** Payoffs must be finite; any finite magnitude (up to ±1.8e308) is
handled: each game's matrices are first divided by a power of two ``2^e`` at least
their largest ``|payoff|`` (exact in floating point), so every later difference,
range and expected payoff is computed in ``(−1, 1)`` and cannot overflow, and
payoffs and regrets are multiplied back by ``2^e`` at the end (exact, never above
the largest ``|payoff|``). A game and the same game times a power of two give
bit-identical equilibria.

Tolerance: ``tol`` applies to the rescaled payoffs (range 1). Every returned
profile is verified: probabilities ≥ 0 and summing to 1 (coordinates within
``tol`` of 0 are set to 0), and each player's regret — best-response payoff minus
equilibrium payoff — at most ``8·tol`` times that player's payoff range. Every
game is checked to have at least one equilibrium (Nash 1951), so a game is never
returned with ``count = 0``.

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
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from ._bimatrix_kernels import kernel_covers, payoffs_and_regrets, solve_games

__all__ = ["MAX_BATCHED_LABELS", "MAX_BATCHED_VERTICES", "Equilibria", "bimatrix_equilibria"]

Array = NDArray[np.float64]

#: Largest ``C(m + k, m)`` solved by the batched path (6×6 games have 924).
MAX_BATCHED_VERTICES = 924
#: Largest number of labels ``m + k`` the batched path's ``int64`` label masks hold
#: (bit 63 is the sign bit, and the full mask ``2^(m+k) − 1`` must stay positive).
MAX_BATCHED_LABELS = 62
# Candidate-vertex coordinates held per chunk of games (bounds memory near 100 MB),
# and vertex pairs examined at once for degenerate games.
_CELL_BUDGET = 1 << 20
_PAIR_BUDGET = 1 << 24
_SINGULAR = 1e-12
# Determinants below which 2×2 and 3×3 solutions are refined (see _solve_ones).
_REFINE = 1e-3


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
        Number of (extreme) equilibria of each game; at least 1 for every game.
    degenerate : ndarray of bool, shape (n_games,)
        The game is degenerate (its equilibria may form continua; the extreme ones
        are returned). Computed for every game, on every path — a False is always
        "not degenerate", never "not computed" (for ``fallback`` games, from the
        vertices Qhull returns, with the same tolerance).
    fallback : ndarray of bool, shape (n_games,)
        Solved by the per-game Qhull fallback (games with ``C(m + k, m) > 924``,
        beyond the batched path; see the module docstring).
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
    flat = G.reshape(G.shape[0] * G.shape[1], G.shape[2])
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


def _solve_ones(M: list[list[Array]], tol: float) -> tuple[list[Array], NDArray[np.bool_]]:
    """Solve ``M^T x = 1`` lane by lane; ``M[a][b]`` are arrays of equal shape.

    ``x_a = Σ_b cof(M)[a, b] / det(M)`` (Cramer's rule for the transposed system)
    in closed form for sizes 1–3, batched LU beyond. Singular systems are flagged.

    Cramer's rule is not backward stable. With entries in ``[1, 2]`` its error is
    below ~1e-13 where ``|det| ≥`` ``_REFINE`` (1e-3); on the nearly singular lanes
    below (a game within rounding of a degenerate one, e.g. ties perturbed by
    1e-12), two steps of iterative refinement ``x += cof(M)·(1 − M^T x) / det`` bring
    the residual back to rounding level, and a lane whose residual still exceeds
    ``tol`` is flagged like a singular one — the constraints meant to be tight must
    be tight, or the vertex's labels would be wrong. (Batched LU, with partial
    pivoting, is backward stable: its residuals are at rounding level.)
    """
    s = len(M)
    if s == 1:
        det = M[0][0]
        ok = np.abs(det) > _SINGULAR
        return [1.0 / np.where(ok, det, 1.0)], ok
    if s <= 3:
        if s == 2:
            (a, b), (c, d) = M
            cof: tuple[tuple[Array, ...], ...] = ((d, -c), (-b, a))
            det = a * d - c * b
        else:
            (a, b, c), (d, e, f), (g, h, i) = M
            # Rows of the cofactor matrix are cross products of the other rows.
            cof = (
                (e * i - f * h, f * g - d * i, d * h - e * g),
                (h * c - i * b, i * a - g * c, g * b - h * a),
                (b * f - c * e, c * d - a * f, a * e - b * d),
            )
            det = a * cof[0][0] + b * cof[0][1] + c * cof[0][2]
        ok = np.abs(det) > _SINGULAR
        inv = 1.0 / np.where(ok, det, 1.0)
        x = [sum(row) * inv for row in cof]
        near = np.nonzero(ok & (np.abs(det) < _REFINE))
        if near[0].size:  # refine those lanes only
            Mn = [[v[near] for v in row] for row in M]
            cn = [[v[near] for v in row] for row in cof]
            xn, invn = [v[near] for v in x], inv[near]

            def residual(xs: list[Array]) -> list[Array]:
                # (sum starts from the int 0, so its static type is Array | float)
                return [
                    cast(Array, 1.0 - sum(Mn[p][q] * xs[p] for p in range(s))) for q in range(s)
                ]

            for _ in range(2):
                r = residual(xn)
                xn = [
                    xp + sum(cf * rq for cf, rq in zip(row, r, strict=True)) * invn
                    for xp, row in zip(xn, cn, strict=True)
                ]
            accurate = np.all([np.abs(rq) <= tol for rq in residual(xn)], axis=0)
            ok[near] = accurate
            for xp, xnp in zip(x, xn, strict=True):
                xp[near] = xnp
        return x, ok
    stacked = np.stack([np.stack(row, axis=-1) for row in M], axis=-2)  # (..., s, s)
    det = np.linalg.det(stacked)
    ok = np.abs(det) > _SINGULAR
    safe = np.where(ok[..., None, None], stacked, np.eye(s))
    Mt = np.swapaxes(safe, -1, -2)
    sol = np.linalg.solve(Mt, np.ones((*Mt.shape[:-1], 1)))[..., 0]
    return [sol[..., a] for a in range(s)], ok


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
            [[Gt[support[:, a], tight[:, b]] for b in range(s)] for a in range(s)], tol
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


def _solve_batch(
    A: Array, B: Array, tol: float
) -> tuple[NDArray[np.intp], Array, Array, NDArray[np.bool_]]:
    """The batched path: games ``g`` (sorted), profiles ``x (m, e)``, ``y (k, e)``, degeneracy."""
    n, m, k = A.shape
    if m + k > MAX_BATCHED_LABELS:  # the masks below are int64 bits
        raise RuntimeError(
            f"internal error: {m}x{k} games have {m + k} labels, more than the "
            f"{MAX_BATCHED_LABELS} the batched path's int64 label masks hold"
        )
    # Games on the last, contiguous axis: every operation below runs over all games.
    Bt, _ = _rescaled_games_last(B, (1, 2, 0))  # P: x (m variables), columns of B
    At, _ = _rescaled_games_last(A, (2, 1, 0))  # Q: y (k variables), rows of A
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
    return g, _normalize(x, tol), _normalize(y, tol), degenerate


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
    """Columns of ``x`` (one per profile) scaled to sum 1, entries within tol of 0 set to 0.

    The column sums are accumulated row by row, in order: ``x.sum(axis=0)`` would sum
    pairwise when ``x`` happens to be column-major (as fancy indexing can leave it),
    so a profile's last bits would depend on the other games in its batch.
    """

    def column_sums(v: Array) -> Array:
        total = v[0].copy()
        for row in v[1:]:
            total += row
        return total

    x = x / column_sums(x)
    x *= x > tol
    x /= column_sums(x)
    return x


def _solve_one_sided(
    A: Array, B: Array, tol: float
) -> tuple[NDArray[np.intp], Array, Array, NDArray[np.bool_]]:
    """Closed form for ``1×k`` and ``m×1`` games (any size), vectorized over games.

    The player with one strategy plays it; the other player's extreme equilibrium
    strategies are her pure best replies: the strategies whose rescaled payoff
    ``v_j`` (in ``[1, 2]``) has ``v_j ≥ (1 − tol)·max v`` — exactly the labels
    tight at the vertex ``1/max v`` of her best-response polytope, which is what
    the vertex enumeration pairs (each with the vertex ``e_j / a_j`` of the
    other polytope). Degenerate iff there are several best replies.
    """
    m = A.shape[1]
    if m == 1:  # the column player chooses, facing the row player's only strategy
        v = _rescaled_games_last(B, (1, 2, 0))[0][0].T  # (n, k)
    else:  # k == 1: the row player chooses
        v = _rescaled_games_last(A, (2, 1, 0))[0][0].T  # (n, m)
    best = v >= (1.0 - tol) * v.max(axis=1, keepdims=True)
    g, j = np.nonzero(best)  # row-major: grouped by game
    e = g.shape[0]
    pure = np.zeros((e, best.shape[1]))  # filled row by row, returned as a (·, e) view
    pure[np.arange(e), j] = 1.0
    pure = pure.T
    only = np.ones((1, e))
    x, y = (only, pure) if m == 1 else (pure, only)
    return g, x, y, best.sum(axis=1) > 1


def _qhull_vertices(G: Array, tol: float) -> tuple[Array, NDArray[np.bool_]]:
    """Distinct non-zero vertices ``(nv, p)`` of ``{x ≥ 0 : G^T x ≤ 1}`` and their labels.

    ``G`` has shape ``(p, q)`` with entries in ``[1, 2]``; labels ``(nv, p + q)`` are
    ``x_i = 0`` (``i < p``) and ``(G^T x)_j = 1`` (``p + j``), within ``tol``.
    """
    from scipy.spatial import HalfspaceIntersection

    p, q = G.shape
    halfspaces = np.concatenate(
        [np.column_stack([G.T, -np.ones(q)]), np.column_stack([-np.eye(p), np.zeros(p)])]
    )
    # Strictly inside: every x_i > 0 and (G^T x)_j ≤ 2·p·0.25/p = 0.5 < 1.
    v = HalfspaceIntersection(halfspaces, np.full(p, 0.25 / p)).intersections
    v = v[np.isfinite(v).all(axis=1)]
    slack = 1.0 - v @ G
    keep = (v >= -tol).all(axis=1) & (slack >= -tol).all(axis=1) & (v > tol).any(axis=1)
    v, slack = v[keep], slack[keep]
    labels = np.concatenate([np.abs(v) <= tol, np.abs(slack) <= tol], axis=1)
    # A vertex is determined by its tight set: repeated points collapse.
    labels, first = np.unique(labels, axis=0, return_index=True)
    return v[first], labels


def _solve_qhull(A: Array, B: Array, tol: float, game: int) -> tuple[Array, Array, bool]:
    """The per-game fallback: profiles ``x (m, e)``, ``y (k, e)`` and degeneracy of one game."""
    from scipy.spatial import QhullError

    m, k = A.shape
    Bt = _rescaled_games_last(B[None], (1, 2, 0))[0][..., 0]  # (m, k): P's columns
    At = _rescaled_games_last(A[None], (2, 1, 0))[0][..., 0]  # (k, m): Q's rows
    try:
        xs, lx = _qhull_vertices(Bt, tol)
        ys, ly_local = _qhull_vertices(At, tol)
    except QhullError as err:
        raise ValueError(
            f"the Qhull fallback failed on game {game} ({m}x{k}): {str(err).splitlines()[0]}; "
            f"solve that game with pygambit.nash.enummixed_solve"
        ) from err
    ly = np.concatenate([ly_local[:, k:], ly_local[:, :k]], axis=1)  # Q's labels, globally
    # Completely labeled: no label missing at both x and y.
    missing = (~lx).astype(np.int64) @ (~ly).T.astype(np.int64)
    a, b = np.nonzero(missing == 0)
    degenerate = bool((lx.sum(axis=1) > m).any() or (ly.sum(axis=1) > k).any())
    return _normalize(xs[a].T, tol), _normalize(ys[b].T, tol), degenerate


def _power_of_two_scaled(M: Array) -> tuple[Array, NDArray[np.int32], Array, Array]:
    """Each game divided by ``2^e``, the least power of two above its largest ``|payoff|``.

    Exact in floating point (only entries below ``2^(e − 1075)`` would underflow),
    and every entry of the result lies in ``(−1, 1)``. Returns the scaled games, the
    exponents ``e`` and each scaled game's smallest and largest payoff.
    """
    flat = M.reshape(M.shape[0], M.shape[1] * M.shape[2])
    if flat.shape[1] <= 64:  # elementwise over games: faster than a reduction for small games
        lo, hi = flat[:, 0], flat[:, 0]
        for c in range(1, flat.shape[1]):
            lo, hi = np.minimum(lo, flat[:, c]), np.maximum(hi, flat[:, c])
    else:
        lo, hi = flat.min(axis=1), flat.max(axis=1)
    _, e = np.frexp(np.maximum(hi, -lo))  # max|M| = f·2^e, f in [0.5, 1); 0 -> e = 0
    return np.ldexp(M, -e[:, None, None]), e, np.ldexp(lo, -e), np.ldexp(hi, -e)


def _assemble(
    games: tuple[tuple[Array, NDArray[np.int32], Array, Array], ...],
    g: NDArray[np.intp],
    x: Array,
    y: Array,
    degenerate: NDArray[np.bool_],
    fallback: bool,
    tol: float,
) -> Equilibria:
    """Payoffs, regrets, verification (regrets, at least one equilibrium per game), result.

    ``games`` holds, for ``A`` then ``B``, what :func:`_power_of_two_scaled` returns;
    ``x (m, e)`` and ``y (k, e)`` are the profiles of games ``g``.
    """
    (A, ea, lo_a, hi_a), (B, eb, lo_b, hi_b) = games
    n, m, k = A.shape
    if kernels_enabled() and m >= 2 and k >= 2:  # the same sums, one profile at a time
        row_payoff, row_regret = payoffs_and_regrets(A, lo_a, g, x.T, y.T, 0)
        col_payoff, col_regret = payoffs_and_regrets(B, lo_b, g, y.T, x.T, 1)
    else:
        row_payoff, row_regret = _payoff_and_regret(A, lo_a, g, x, y, 0)
        col_payoff, col_regret = _payoff_and_regret(B, lo_b, g, y, x, 1)
    span_a = np.where(hi_a > lo_a, hi_a - lo_a, 1.0)  # < 2: no overflow after scaling
    span_b = np.where(hi_b > lo_b, hi_b - lo_b, 1.0)
    bound = 8.0 * tol
    bad = (row_regret > bound * span_a[g]) | (col_regret > bound * span_b[g])
    count = np.bincount(g, minlength=n).astype(np.int64)
    if bad.any() or (count == 0).any():
        _raise_failure(g, bad, count, (m, k), fallback)
    return Equilibria(
        game=g.astype(np.int64),
        row=x.T,
        col=y.T,
        # An expected payoff lies in the game's payoff range; clipping away rounding
        # keeps the exact unscaling at most the largest |payoff| (no overflow).
        row_payoff=np.ldexp(np.clip(row_payoff, lo_a[g], hi_a[g]), ea[g]),
        col_payoff=np.ldexp(np.clip(col_payoff, lo_b[g], hi_b[g]), eb[g]),
        row_regret=np.ldexp(np.maximum(row_regret, 0.0), ea[g]),
        col_regret=np.ldexp(np.maximum(col_regret, 0.0), eb[g]),
        count=count,
        degenerate=degenerate,
        fallback=np.full(n, fallback),
    )


def _payoff_and_regret(
    M: Array, lo: Array, g: NDArray[np.intp], own: Array, other: Array, player: int
) -> tuple[Array, Array]:
    """A player's expected payoff and regret in each profile, lane by lane over equilibria.

    ``own`` and ``other`` are the player's and the opponent's strategies, ``(·, e)``;
    ``player`` is 0 for the row player (payoffs ``M[g, own, other]``), 1 for the column
    player (``M[g, other, own]``). Computed on the payoffs minus the game's smallest
    ``lo``, so that rounding errors scale with the payoff range, not with the payoffs'
    magnitude: a game whose range is tiny next to its payoffs (e.g. ``2 ± 1e-12``) is
    solved on its rescaled payoffs and must be verified at the same scale.
    """
    p, q = own.shape[0], other.shape[0]
    lo_g = lo[g]
    # m×1 and 1×k games (any size): one gather of the (e, p) or (e, q) payoffs.
    if q == 1:  # the opponent has one strategy
        pure_t = M[g, :, 0] if player == 0 else M[g, 0, :]  # (e, p), a copy
        pure_t -= lo_g[:, None]
        payoff = np.einsum("ep,pe->e", pure_t, own)
        return payoff + lo_g, pure_t.max(axis=1) - payoff
    if p == 1:  # the player has one strategy: no regret
        row = M[g, 0, :] if player == 0 else M[g, :, 0]  # (e, q), a copy
        row -= lo_g[:, None]
        payoff = np.einsum("eq,qe->e", row, other) * own[0]
        return payoff + lo_g, np.zeros_like(payoff)

    def entry(a: int, b: int) -> Array:
        return (M[g, a, b] if player == 0 else M[g, b, a]) - lo_g

    # Payoff of each pure strategy against the opponent's mixture.
    pure = np.stack([sum(entry(a, b) * other[b] for b in range(q)) for a in range(p)])
    payoff = (own * pure).sum(axis=0)
    return payoff + lo_g, pure.max(axis=0) - payoff


def _raise_failure(
    g: NDArray[np.intp],
    bad: NDArray[np.bool_],
    count: NDArray[np.int64],
    shape: tuple[int, int],
    fallback: bool,
) -> None:
    """A game without an equilibrium or a profile failing verification: raise, naming it."""
    m, k = shape
    if (count == 0).any():
        game = int(np.flatnonzero(count == 0)[0])
        what = "no equilibrium was found (every finite game has one)"
    else:
        game = int(g[np.flatnonzero(bad)[0]])
        what = "a returned profile failed the equilibrium verification"
    if fallback:  # a limitation of Qhull on (degenerate) games, not of the game
        raise ValueError(
            f"the Qhull fallback could not solve game {game} ({m}x{k}): {what}; the game is "
            f"probably degenerate — solve it with pygambit.nash.enummixed_solve"
        )
    # The batched and closed-form paths: a bug, not a property of the game.
    raise RuntimeError(f"internal error for game {game} ({m}x{k}): {what}; please report it")


def bimatrix_equilibria(A: ArrayLike, B: ArrayLike, *, tol: float = 1e-9) -> Equilibria:
    """All (extreme) Nash equilibria of a batch of bimatrix games.

    Parameters
    ----------
    A, B : array_like, shape (n_games, m, k)
        Row and column player's payoffs; finite, of any magnitude (up to ±1.8e308).
    tol : float
        Tolerance on the payoffs rescaled to range 1 (labels, feasibility); see
        the module docstring. Default ``1e-9``.

    Returns
    -------
    Equilibria
        Flat layout grouped by game, at least one equilibrium per game (``count ≥
        1``); ``degenerate`` is computed for every game. An empty batch
        (``n_games = 0``) returns empty arrays.

    Raises
    ------
    TypeError
        If a payoff array is not numeric.
    ValueError
        If the shapes differ or are not ``(n_games, m, k)``, a payoff is NaN or
        infinite, or ``tol`` is not in ``(0, 1e-3]``; for games beyond the batched
        path (``C(m + k, m) > 924``), if the Qhull fallback fails on a game (the
        message names it; solve it with ``pygambit.nash.enummixed_solve``).
    RuntimeError
        If an internal check fails on the batched or closed-form path (a bug:
        please report it).

    Warns
    -----
    UserWarning
        When the games (at least one) are beyond the batched path and go through
        the per-game Qhull fallback.

    Notes
    -----
    Size limits (see the module docstring): ``m×k`` batches with ``m, k ≥ 2`` and
    ``C(m + k, m) ≤ 924`` (6×6, 5×7, 4×9, 3×15, 2×41) are solved batched, with
    ``m + k`` at most :data:`MAX_BATCHED_LABELS` label bits; ``1×k`` and ``m×1``
    batches of any size in closed form (the pure best replies of the player who
    chooses); larger games one by one by the Qhull fallback.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed:

    >>> A = np.array([[[3.0, 0.0], [0.0, 2.0]]]); B = np.array([[[2.0, 0.0], [0.0, 3.0]]])
    >>> eq = bimatrix_equilibria(A, B)
    >>> eq.count.tolist(), eq.pure.tolist()
    ([3], [True, True, False])
    >>> np.round(eq.row[2], 6).tolist(), np.round(eq.col[2], 6).tolist()
    ([0.6, 0.4], [0.4, 0.6])

    A player with one strategy: the other's tied best replies are the extreme
    equilibria (every mixture of them is an equilibrium):

    >>> eq = bimatrix_equilibria(np.zeros((1, 1, 3)), np.array([[[2.0, 1.0, 2.0]]]))
    >>> eq.count.tolist(), eq.col.tolist(), eq.degenerate.tolist()
    ([2], [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [True])
    """
    if not (isinstance(tol, float | int) and math.isfinite(tol) and 0 < tol <= 1e-3):
        raise ValueError(f"tol must be a number in (0, 1e-3]; got {tol!r}")
    A_raw, B_raw = _as_games(A, B)
    n, m, k = A_raw.shape
    scaled = (_power_of_two_scaled(A_raw), _power_of_two_scaled(B_raw))
    A_arr, B_arr = scaled[0][0], scaled[1][0]
    fallback = False
    if m == 1 or k == 1:
        g, x, y, degenerate = _solve_one_sided(A_arr, B_arr, tol)
    elif kernels_enabled() and kernel_covers(m, k) and math.comb(m + k, m) <= MAX_BATCHED_VERTICES:
        g, x, y, degenerate = solve_games(A_arr, B_arr, tol)
    elif math.comb(m + k, m) <= MAX_BATCHED_VERTICES and m + k <= MAX_BATCHED_LABELS:
        degenerate = np.zeros(n, dtype=bool)
        g_parts, x_parts, y_parts = [np.zeros(0, np.intp)], [np.zeros((m, 0))], [np.zeros((k, 0))]
        step = max(1, _CELL_BUDGET // (math.comb(m + k, m) * (m + k)))
        for start in range(0, n, step):
            chunk = slice(start, start + step)
            gc, xc, yc, degenerate[chunk] = _solve_batch(A_arr[chunk], B_arr[chunk], tol)
            g_parts.append(gc + start)
            x_parts.append(xc)
            y_parts.append(yc)
        g = np.concatenate(g_parts)
        x, y = np.concatenate(x_parts, axis=1), np.concatenate(y_parts, axis=1)
    else:
        fallback = True
        if n:
            warnings.warn(
                f"{m}x{k} games exceed the batched path (C(m+k, m) > {MAX_BATCHED_VERTICES}); "
                f"solving {n} games one by one by Qhull vertex enumeration (scipy "
                f"HalfspaceIntersection, as nashpy.vertex_enumeration), slow; a game it cannot "
                f"solve raises ValueError",
                UserWarning,
                stacklevel=2,
            )
        degenerate = np.zeros(n, dtype=bool)
        g_list, x_parts, y_parts = [np.zeros(0, np.intp)], [np.zeros((m, 0))], [np.zeros((k, 0))]
        for game in range(n):
            xg, yg, degenerate[game] = _solve_qhull(A_arr[game], B_arr[game], tol, game)
            g_list.append(np.full(xg.shape[1], game, dtype=np.intp))
            x_parts.append(xg)
            y_parts.append(yg)
        g = np.concatenate(g_list)
        x, y = np.concatenate(x_parts, axis=1), np.concatenate(y_parts, axis=1)
    return _assemble(scaled, g, x, y, degenerate, fallback, tol)
