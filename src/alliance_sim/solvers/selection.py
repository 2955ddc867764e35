r"""Equilibrium selection: payoff dominance and (2×2) risk dominance, vectorized over games.

**Payoff dominance** (Harsanyi & Selten 1988, §3.9). An equilibrium is payoff
dominant when it gives *both* players at least their payoff in every other
equilibrium of the game:

.. math:: u_R(e) \ge u_R(e') - \tau_R \ \text{and}\ u_C(e) \ge u_C(e') - \tau_C \quad \forall e',

with tolerances :math:`\tau = \mathrm{tol}\cdot\max(1, |u|)`. Among several such
(equal payoffs, as at the vertices of one equilibrium component) the first in the
batch's order is returned. A game whose only equilibrium is ``e`` selects ``e``.
:func:`pareto_undominated` marks the equilibria no other equilibrium of the same
game Pareto-dominates.

:func:`select_equilibrium` picks one equilibrium per game: the payoff-dominant one
if it exists, otherwise, among the Pareto-undominated equilibria, the one with the
largest sum of the two players' payoffs, each rescaled to [0, 1] over the game's
equilibria (a utilitarian tie-break; Harsanyi and Selten's second criterion, risk
dominance, is only operational for 2×2 games). Ties (rescaled sums within
``2·tol`` of the largest) go to the first in the batch order.

**Risk dominance** for a 2×2 game with exactly two strict pure equilibria
(Harsanyi & Selten 1988, §3.9; the Nash product of deviation losses): the
equilibrium ``(i, j)`` with the larger

.. math:: L(i, j) = \bigl(A_{ij} - A_{1-i,\,j}\bigr)\bigl(B_{ij} - B_{i,\,1-j}\bigr)

risk-dominates the other. It is the equilibrium selected by global games
(Carlsson & van Damme 1993) and by stochastic evolution (Kandori, Mailath & Rob
1993; Young 1993).

References
----------
J. C. Harsanyi, R. Selten (1988), *A General Theory of Equilibrium Selection in
Games*, MIT Press.
H. Carlsson, E. van Damme (1993), "Global games and equilibrium selection",
*Econometrica* 61(5), 989–1018.
M. Kandori, G. J. Mailath, R. Rob (1993), "Learning, mutation, and long run
equilibria in games", *Econometrica* 61(1), 29–56.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from ._selection_kernels import select_equilibria
from .bimatrix import Equilibria

__all__ = ["pareto_undominated", "payoff_dominant", "risk_dominant_2x2", "select_equilibrium"]


def _padded_payoffs(eq: Equilibria) -> tuple[NDArray, NDArray, NDArray]:
    rp = eq.padded(eq.row_payoff)
    cp = eq.padded(eq.col_payoff)
    present = ~np.isnan(rp)
    return rp, cp, present


def _tolerances(eq: Equilibria, tol: float) -> tuple[NDArray, NDArray]:
    """Per-game payoff tolerances: tol × max(1, largest |equilibrium payoff|)."""
    rp, cp, present = _padded_payoffs(eq)
    scale_r = np.where(present, np.abs(rp), 0.0).max(axis=1, initial=1.0)
    scale_c = np.where(present, np.abs(cp), 0.0).max(axis=1, initial=1.0)
    return tol * scale_r, tol * scale_c


def payoff_dominant(eq: Equilibria, *, tol: float = 1e-9) -> NDArray[np.int64]:
    """Index (into ``eq``'s flat arrays) of each game's payoff-dominant equilibrium, or −1.

    Examples
    --------
    In a stag hunt, (stag, stag) pays both players more than (hare, hare):

    >>> from alliance_sim.solvers import bimatrix_equilibria
    >>> A = np.array([[[4.0, 0.0], [3.0, 3.0]]])
    >>> eq = bimatrix_equilibria(A, A.transpose(0, 2, 1))
    >>> i = payoff_dominant(eq)[0]
    >>> eq.row[i].tolist(), eq.col[i].tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    rp, cp, present = _padded_payoffs(eq)
    tr, tc = _tolerances(eq, tol)
    # best[g, e]: e is at least as good as every equilibrium e' of game g, for both players.
    ok_r = (rp[:, :, None] >= rp[:, None, :] - tr[:, None, None]) | ~present[:, None, :]
    ok_c = (cp[:, :, None] >= cp[:, None, :] - tc[:, None, None]) | ~present[:, None, :]
    best = (ok_r & ok_c).all(axis=2) & present
    first = np.argmax(best, axis=1)
    found = best[np.arange(eq.n_games), first] if eq.n_games else np.zeros(0, bool)
    return np.where(found, eq.offsets[:-1] + first, -1).astype(np.int64)


def pareto_undominated(eq: Equilibria, *, tol: float = 1e-9) -> NDArray[np.bool_]:
    """Flat mask: no equilibrium of the same game is better for one player, no worse for both."""
    rp, cp, present = _padded_payoffs(eq)
    tr, tc = _tolerances(eq, tol)
    t_r, t_c = tr[:, None, None], tc[:, None, None]
    # dom[g, e, e']: e' Pareto-dominates e.
    weakly = (rp[:, None, :] >= rp[:, :, None] - t_r) & (cp[:, None, :] >= cp[:, :, None] - t_c)
    strictly = (rp[:, None, :] > rp[:, :, None] + t_r) | (cp[:, None, :] > cp[:, :, None] + t_c)
    dominated = (weakly & strictly & present[:, None, :]).any(axis=2)
    rank = np.arange(eq.game.shape[0]) - eq.offsets[eq.game]
    return ~dominated[eq.game, rank]


def risk_dominant_2x2(A: ArrayLike, B: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Risk-dominant pure equilibrium ``(row, col)`` of each 2×2 game, or ``(−1, −1)``.

    Defined when the game has exactly two strict pure equilibria and their products
    of deviation losses differ (see the module docstring).

    Parameters
    ----------
    A, B : array_like, shape (n_games, 2, 2)

    Returns
    -------
    row, col : ndarray of int64
        Strategies of the risk-dominant equilibrium, −1 where undefined.

    Examples
    --------
    Stag hunt: (hare, hare) risk-dominates although (stag, stag) payoff-dominates.

    >>> A = np.array([[[4.0, 0.0], [3.0, 3.0]]])
    >>> risk_dominant_2x2(A, A.transpose(0, 2, 1))
    (array([1]), array([1]))
    """
    a = np.asarray(A, dtype=np.float64)
    b = np.asarray(B, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 3 or a.shape[1:] != (2, 2):
        raise ValueError(f"A and B must both have shape (n_games, 2, 2); got {a.shape}, {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("A and B must be finite")
    i = np.array([0, 0, 1, 1])
    j = np.array([0, 1, 0, 1])
    loss_r = a[:, i, j] - a[:, 1 - i, j]  # (n, 4): the row player's loss from deviating
    loss_c = b[:, i, j] - b[:, i, 1 - j]
    strict = (loss_r > 0) & (loss_c > 0)
    product = np.where(strict, loss_r * loss_c, -np.inf)
    two = strict.sum(axis=1) == 2
    order = np.argsort(-product, axis=1)
    top, second = order[:, 0], order[:, 1]
    n = a.shape[0]
    decided = two & (product[np.arange(n), top] > product[np.arange(n), second])
    return np.where(decided, i[top], -1), np.where(decided, j[top], -1)


def select_equilibrium(eq: Equilibria, *, tol: float = 1e-9) -> NDArray[np.int64]:
    """One equilibrium per game (flat index): payoff dominance, then a utilitarian tie-break.

    See the module docstring. Every game has at least one equilibrium, so every
    entry is a valid index (−1 only for a game with none, which cannot happen).
    With the kernels on, :func:`~alliance_sim.solvers._selection_kernels.select_equilibria`
    applies the same rule game by game (same indices; the code below is its reference).

    Examples
    --------
    Battle of the sexes has no payoff-dominant equilibrium; the two pure ones tie on
    the rescaled sum and the first is taken:

    >>> from alliance_sim.solvers import bimatrix_equilibria
    >>> eq = bimatrix_equilibria(np.array([[[3.0, 0], [0, 2]]]), np.array([[[2.0, 0], [0, 3]]]))
    >>> i = select_equilibrium(eq)[0]
    >>> eq.row[i].tolist(), eq.col[i].tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    if kernels_enabled() and eq.n_games:
        return select_equilibria(eq.offsets, eq.row_payoff, eq.col_payoff, float(tol))
    chosen = payoff_dominant(eq, tol=tol)
    if eq.n_games == 0:
        return chosen
    rp, cp, present = _padded_payoffs(eq)

    def rescaled(u: NDArray) -> NDArray:
        # On halved payoffs: hi − lo can overflow (payoffs near ±1.8e308), their halves'
        # difference cannot, and halving is exact, so the ratio is the same otherwise.
        lo = np.where(present, u, np.inf).min(axis=1, keepdims=True) / 2
        hi = np.where(present, u, -np.inf).max(axis=1, keepdims=True) / 2
        span = np.where(hi > lo, hi - lo, 1.0)
        return (u / 2 - lo) / span

    score = rescaled(rp) + rescaled(cp)
    undominated = eq.padded(pareto_undominated(eq, tol=tol).astype(np.float64), fill=0.0) > 0
    score = np.where(present & undominated, score, -np.inf)
    # Scores in [0, 2] that tie in exact arithmetic differ by rounding: within `tol` of the
    # best counts as a tie, and ties go to the first (else 1-ulp input changes flip choices).
    top = score.max(axis=1, keepdims=True)
    best = eq.offsets[:-1] + np.argmax(score >= top - 2.0 * tol, axis=1)
    return np.where(chosen >= 0, chosen, best).astype(np.int64)
