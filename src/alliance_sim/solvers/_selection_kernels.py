"""Compiled equilibrium selection (:func:`alliance_sim.solvers.select_equilibrium`), game by game.

The numpy reference pads every game's equilibria to the widest game and compares all
pairs as ``(games, width, width)`` arrays; the kernel walks each game's few
equilibria in place. Same rule, same arithmetic and the same order of ties, so the
selected indices are identical (the tests compare them on random and degenerate games).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit

__all__ = ["select_equilibria"]


@njit
def select_equilibria(
    offsets: np.ndarray, row_payoff: np.ndarray, col_payoff: np.ndarray, tol: float
) -> np.ndarray:
    """Flat index of each game's selected equilibrium (the rule of ``select_equilibrium``).

    ``offsets[g]:offsets[g + 1]`` are game ``g``'s equilibria; every game has at least one.
    Payoff dominance first (the first equilibrium at least as good as every other for
    both players, within ``τ = tol·max(1, max |u|)``), else the Pareto-undominated
    equilibrium with the largest sum of payoffs rescaled to [0, 1] over the game's
    equilibria, ties within ``2·tol`` going to the first.
    """
    n = offsets.shape[0] - 1
    chosen = np.empty(n, dtype=np.int64)
    for g in range(n):
        lo, hi = offsets[g], offsets[g + 1]
        scale_r, scale_c = 1.0, 1.0
        min_r, max_r = np.inf, -np.inf
        min_c, max_c = np.inf, -np.inf
        for e in range(lo, hi):
            r, c = row_payoff[e], col_payoff[e]
            scale_r, scale_c = max(scale_r, abs(r)), max(scale_c, abs(c))
            min_r, max_r = min(min_r, r), max(max_r, r)
            min_c, max_c = min(min_c, c), max(max_c, c)
        tr, tc = tol * scale_r, tol * scale_c
        chosen[g] = -1
        for e in range(lo, hi):
            dominant = True
            for f in range(lo, hi):
                if not (
                    row_payoff[e] >= row_payoff[f] - tr and col_payoff[e] >= col_payoff[f] - tc
                ):
                    dominant = False
                    break
            if dominant:
                chosen[g] = e
                break
        if chosen[g] >= 0:
            continue
        # On halved payoffs, as the reference: the span of the halves cannot overflow.
        min_r, max_r, min_c, max_c = min_r / 2, max_r / 2, min_c / 2, max_c / 2
        span_r = max_r - min_r if max_r > min_r else 1.0
        span_c = max_c - min_c if max_c > min_c else 1.0
        top = -np.inf
        for sweep in range(2):  # the best score, then the first within 2·tol of it
            for e in range(lo, hi):
                score = -np.inf
                if _undominated(row_payoff, col_payoff, e, lo, hi, tr, tc):
                    score = (row_payoff[e] / 2 - min_r) / span_r + (
                        col_payoff[e] / 2 - min_c
                    ) / span_c
                if sweep == 0:
                    top = max(top, score)
                elif score >= top - 2.0 * tol:
                    chosen[g] = e
                    break
        if chosen[g] < 0:  # unreachable with finite payoffs; the reference's argmax gives the first
            chosen[g] = lo
    return chosen


@njit
def _undominated(
    rp: np.ndarray, cp: np.ndarray, e: int, lo: int, hi: int, tr: float, tc: float
) -> bool:
    """No equilibrium ``f`` of the game is, within tolerance, as good and better than ``e``."""
    for f in range(lo, hi):
        weakly = rp[f] >= rp[e] - tr and cp[f] >= cp[e] - tc
        strictly = rp[f] > rp[e] + tr or cp[f] > cp[e] + tc
        if weakly and strictly:
            return False
    return True
