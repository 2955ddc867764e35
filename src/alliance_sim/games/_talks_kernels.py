r"""Compiled kernel of the talks' concession payoffs (:func:`.talks.build_branch`).

For every draw :math:`i` and segment point :math:`k`, the conceding side picks the
term :math:`c` that maximizes its gain and the other side's gain is read at that
term (:mod:`alliance_sim.games.talks`, "Who chooses the term"):

.. math::
    G(x, c, t) = \begin{cases}
        \varphi(x) + U^0(T_c, t) - d & T_c = H,\\
        a_c\,(\varphi(x) + U^0(T_c, t)) + (1 - a_c)\,A_c(x) - d & \text{else,}
    \end{cases}

with :math:`a_c = T_c/H` and :math:`A_c(x)` the years after a short term (renewal
minus the renegotiation cost), both computed in numpy by
:class:`~alliance_sim.games.talks.Gains`. The kernel fuses the choice over terms
(ties to the longer term: ``order`` lists the terms longest first, and only a
strictly better gain replaces the best so far) and the other side's gain into one
pass. Only ``+ − ×`` and comparisons: bit-identical to the numpy reference
(:meth:`Gains.best_of` and :meth:`Gains.combine`).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit


@njit
def _gain(fixed: float, phi: float, after: float, ref: float, share: float) -> float:
    """:math:`G` from its parts, in :meth:`~alliance_sim.games.talks.Gains.combine`'s order."""
    if share == 1.0:
        return phi + fixed - ref
    return share * (phi + fixed) + (1.0 - share) * after - ref


@njit
def concessions(
    fixed_own: np.ndarray,
    fixed_other: np.ndarray,
    phi_own: np.ndarray,
    phi_other: np.ndarray,
    after_own: np.ndarray,
    after_other: np.ndarray,
    ref_own: np.ndarray,
    ref_other: np.ndarray,
    share: np.ndarray,
    order: np.ndarray,
    can: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The conceding side's best gain, the other side's gain there, and the term chosen.

    ``fixed_*``: :math:`U^0(T_c, t_{ik})`, shape ``(C, n, m)``; ``phi_*``, ``ref_*``:
    ``(n,)``; ``after_*``: :math:`A_c`, ``(C, n)``; ``share``: :math:`a_c`; ``order``:
    the terms, longest first; ``can``: whether the side's concession can be ratified
    (else its concession payoff is −1: it never concedes).
    """
    n_terms, n, m = fixed_own.shape
    concede = np.empty((n, m))
    win = np.empty((n, m))
    choice = np.empty((n, m), dtype=np.int64)
    for i in range(n):
        for k in range(m):
            best, chosen = -math.inf, 0
            for j in range(n_terms):
                c = order[j]
                v = _gain(fixed_own[c, i, k], phi_own[i], after_own[c, i], ref_own[i], share[c])
                if v > best:
                    best, chosen = v, c
            concede[i, k] = best if can[i] else -1.0
            win[i, k] = _gain(
                fixed_other[chosen, i, k],
                phi_other[i],
                after_other[chosen, i],
                ref_other[i],
                share[chosen],
            )
            choice[i, k] = chosen
    return concede, win, choice


#: Kinds of the time-dependent terms the kernel evaluates.
DEADLINE, LAPSE = 0, 1


@njit
def timed_parts(
    kind: np.ndarray,
    weight: np.ndarray,
    params: np.ndarray,
    full_term: np.ndarray,
    terms: np.ndarray,
    timeless: np.ndarray,
    pts: np.ndarray,
) -> np.ndarray:
    r""":math:`U^0(T_c, t)` at the points ``pts`` for every term length: shape ``(C, n, m)``.

    The timeless part (``timeless``, ``(n,)``) plus the player's time-dependent terms,
    summed in the player's term order as :meth:`~alliance_sim.players.Player.timed_part`:

    * :class:`~alliance_sim.players.terms.DeadlinePressure`:
      :math:`-c\,\mathbf 1[t > \tau]/T`;
    * :class:`~alliance_sim.players.terms.LapseCost`:
      :math:`-\ell \max(0, e(T, t) - \tau_E)/T` with :math:`e = \max(t, t_R) + L` for
      :math:`T \ge T_F` and :math:`t + L_X` otherwise.

    ``params`` is ``(K, 5, n)``: cost, date, and for a lapse :math:`L, L_X, t_R`
    (:math:`t_R = -\infty` without a review). Only ``+ − × ÷``, ``max`` and
    comparisons: bit-identical to the numpy terms.
    """
    n_terms = terms.shape[0]
    n, m = pts.shape
    out = np.empty((n_terms, n, m))
    for c in range(n_terms):
        T = terms[c]
        for i in range(n):
            for k in range(m):
                t = pts[i, k]
                total = 0.0
                for j in range(kind.shape[0]):
                    cost, date = params[j, 0, i], params[j, 1, i]
                    if kind[j] == DEADLINE:
                        v = -cost * (1.0 if t > date else 0.0) / T
                    else:
                        if T >= full_term[j]:
                            e = max(t, params[j, 4, i]) + params[j, 2, i]
                        else:
                            e = t + params[j, 3, i]
                        v = -cost * max(0.0, e - date) / T
                    total += v if weight[j] == 1.0 else weight[j] * v
                out[c, i, k] = timeless[i] + total
    return out


@njit
def linear_fits(
    v1: np.ndarray,
    v2: np.ndarray,
    vm: np.ndarray,
    p1: np.ndarray,
    p2: np.ndarray,
    mid: np.ndarray,
    knots: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The line through ``(p1, v1)`` and ``(p2, v2)`` on every segment, and its check at ``mid``.

    As :func:`~alliance_sim.games.talks._linear` and ``_check_linear``: the slope is
    ``(v2 − v1)/(p2 − p1)`` (0 on a segment of no width), the level is read at the
    segment's start ``knots[:, k]``; the fit must reproduce ``vm`` at ``mid`` within
    ``1e-7·(1 + |vm|)``. Returns ``level``, ``slope`` ``(n, m)`` and the first segment
    ``(i, k)`` that fails the check in row-major order, ``(−1, −1)`` if none.
    """
    n, m = v1.shape
    level = np.empty((n, m))
    slope = np.empty((n, m))
    bad_i, bad_k = -1, -1
    for i in range(n):
        for k in range(m):
            dt = p2[i, k] - p1[i, k]
            s = (v2[i, k] - v1[i, k]) / dt if dt > 0 else 0.0
            t0 = knots[i, k]
            lv = v1[i, k] - s * (p1[i, k] - t0)
            level[i, k] = lv
            slope[i, k] = s
            if bad_i < 0:
                lin = lv + s * (mid[i, k] - t0)
                value = vm[i, k]
                if abs(lin - value) > 1e-7 * (1.0 + abs(value)):
                    bad_i, bad_k = i, k
    return level, slope, bad_i, bad_k
