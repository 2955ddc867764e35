r"""Compiled kernel of alternating offers (:func:`alliance_sim.solvers.alternating_offers`).

What is compiled is the whole backward induction of the module docstring of
:mod:`~alliance_sim.solvers.alternating`, fused per draw: for each block of
:data:`_BLOCK` draws, periods :math:`k = K - 1, \dots, k_0` backward, one draw at a
time, with the draw's state in registers. It runs when every gain has the affine form

.. math::
    g_s(x, k, c) = a_{s,c}\, \varphi_s(x) + b_{s,c}(k)

(an :class:`~alliance_sim.solvers.alternating.AffineGain`; ``s`` = 0 payer, 1 payee,
2… evaluators), where the payment part :math:`\varphi_s` is a weighted sum of built-in
terms (:class:`~alliance_sim.solvers.alternating.PaymentTerms`), evaluated with its
slope by :mod:`~alliance_sim.solvers._payment_kernels`. Period :math:`k` of draw :math:`i`
computes, as the numpy loop does,

* the rejection values :math:`C_s(k) = q_k\, \delta_s^{k+1} b_s + (1 - q_k) V_s(k + 1)`;
* the responder's reservation :math:`R_r(k) = \max(C_r(k), \delta_r^k w_r)` and
  ``need`` :math:`= R_r(k) / \delta_r^k`;
* per contract :math:`c`, the best acceptable offer: an end of :math:`[\ell_k, h_k]`,
  or :math:`\varphi_r^{-1}\bigl((\mathrm{need} - b_{r,c}(k)) / a_{r,c}\bigr)` when the
  responder is indifferent inside the interval (:func:`_invert`: the gain's table,
  linear interpolation in the cell, at most six Newton steps kept in the cell, then
  Chandrupatla's method on the cell, as ``games.offers._Inverse`` and
  :func:`~alliance_sim.solvers.find_root` do);
* the proposer's best contract, the deal / opt-out / delay decision against its
  fallback, and every side's value :math:`V_s(k)`.

Only the draws that need an inverse are inverted (the responder is indifferent
strictly inside the interval). The arithmetic is the reference's, in the same order,
so the results are bit-identical except where ``x**p`` with a general power ``p``
is evaluated (numpy's vectorized ``pow`` and libm's may differ in the last bit; the
tests check 1e-9). Inputs the reference recomputes every period (:math:`\delta^k`,
:math:`q_k`, the bounds) are tabulated by the caller,
:func:`alliance_sim.solvers.alternating._fused`, which also falls back to the numpy
reference when an inverse fails here.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._payment_kernels import GAIN, chandrupatla_root, load_terms, payment_function, phi
from .rootfind import RTOL, XTOL

#: Draws per block (a block's working rows stay in the L1/L2 cache).
_BLOCK = 64


@njit
def _clip(v: float, lo: float, hi: float) -> float:
    """``np.clip`` for ``lo <= hi`` (NaN stays NaN)."""
    if v < lo:
        v = lo
    if v > hi:
        v = hi
    return v


@njit
def _invert(
    row: np.ndarray,
    g: int,
    i: int,
    tx: np.ndarray,
    ty: np.ndarray,
    sgn: float,
    target: float,
) -> tuple[float, bool]:
    """``φ_g⁻¹(target)`` for draw ``i`` as ``games.offers._Inverse``; (x, failed)."""
    t = target * sgn
    G = tx.shape[1]
    cnt = 0
    for j in range(G):
        if ty[i, j] <= t:
            cnt += 1
    lo = min(max(cnt - 1, 0), G - 2)
    xa, xb = tx[i, lo], tx[i, lo + 1]
    ya, yb = ty[i, lo], ty[i, lo + 1]
    x = xa + (t - ya) * (xb - xa) / (yb - ya) if yb > ya else xa
    loose = True
    for _ in range(6):  # Newton, kept inside the cell
        f = phi(row, g, x, False) * sgn - t
        d = phi(row, g, x, True) * sgn
        new = _clip(x - f / d if d > 0 else x, xa, xb)
        moved = (abs(new - x) > XTOL + RTOL * abs(new)) or not (d > 0)
        x = new
        if not moved:
            loose = False
            break
    if not loose:
        return x, False
    # Chandrupatla on the cell, as rootfind.find_root (xtol, rtol, maxiter = 200), on
    # φ − target: the reference iterates on sgn·φ − t = sgn·(φ − target), and the method's
    # iterates do not change when f changes sign (only signs and ratios of f enter).
    offset = (-target, -target)
    fa = payment_function(row, offset, xa, GAIN, g, 0.0, 0.0)
    fb = payment_function(row, offset, xb, GAIN, g, 0.0, 0.0)
    x, solved = chandrupatla_root(row, offset, GAIN, g, 0.0, 0.0, xa, xb, fa, fb, XTOL, RTOL, 200)
    return x, not solved


@njit
def backward(
    proposer: np.ndarray,
    q_tab: np.ndarray,
    q_idx: np.ndarray,
    lo_tab: np.ndarray,
    lo_idx: np.ndarray,
    hi_tab: np.ndarray,
    hi_idx: np.ndarray,
    disc: np.ndarray,
    disc_idx: np.ndarray,
    form: tuple[np.ndarray, ...],
    share: np.ndarray,
    const_payer: np.ndarray,
    const_payee: np.ndarray,
    const_ev: tuple[np.ndarray, ...],
    tables_x: tuple[np.ndarray, ...],
    tables_y: tuple[np.ndarray, ...],
    signs: np.ndarray,
    breakdown: np.ndarray,
    outside: np.ndarray,
    has_outside: np.ndarray,
    exits: np.ndarray,
    agree: np.ndarray,
    opt_out: np.ndarray,
    payment: np.ndarray,
    contract: np.ndarray,
    values: np.ndarray,
) -> int:
    """The backward induction of :func:`alternating_offers`, one draw at a time.

    ``values[s]`` (``s`` = 0 payer, 1 payee, 2… evaluators) holds the terminal values
    in its last row on entry; every other output is written. Returns the number of
    draws whose inverse failed (then the caller reruns the numpy reference).
    """
    m = agree.shape[0]
    n = agree.shape[1]
    n_sides = values.shape[0]
    contracts = share.shape[1]
    failed = 0
    row = np.empty((form[0].shape[0], form[0].shape[1], 6))  # the draw's terms (load_terms)
    # Blocks of draws, periods backward within a block: each draw's state is its own (the
    # results do not depend on the block), and a block's rows stay in cache.
    for i0 in range(0, n, _BLOCK):
        for r in range(m - 1, -1, -1):
            for i in range(i0, min(i0 + _BLOCK, n)):
                load_terms(form, i, row)
                q = q_tab[q_idx[r], i]
                dp = disc[disc_idx[0], r, i]  # δ^k, discount to period 0
                de = disc[disc_idx[1], r, i]
                payer_cont = (
                    q * disc[disc_idx[0], r + 1, i] * breakdown[0, i]
                    + (1 - q) * values[0, r + 1, i]
                )
                payee_cont = (
                    q * disc[disc_idx[1], r + 1, i] * breakdown[1, i]
                    + (1 - q) * values[1, r + 1, i]
                )
                lo = lo_tab[lo_idx[r], i]
                hi = hi_tab[hi_idx[r], i]
                possible = lo <= hi
                lo_s = lo if possible else 0.0
                hi_s = hi if possible else 0.0
                payer_proposes = proposer[r] == 0
                if payer_proposes:
                    resp, prop = 1, 0
                    resp_cont, resp_disc, prop_cont, prop_disc = payee_cont, de, payer_cont, dp
                else:
                    resp, prop = 0, 1
                    resp_cont, resp_disc, prop_cont, prop_disc = payer_cont, dp, payee_cont, de
                if has_outside[resp]:
                    resp_outside = resp_disc * outside[resp, i]
                    out = resp_outside > resp_cont
                    reserve = resp_cont if resp_cont >= resp_outside else resp_outside
                    if resp_cont != resp_cont or resp_outside != resp_outside:
                        reserve = np.nan
                else:
                    out = False
                    reserve = resp_cont
                need = reserve / resp_disc
                const_r = const_payee if resp == 1 else const_payer
                const_p = const_payer if resp == 1 else const_payee
                phi_lo = phi(row, resp, lo_s, False)
                phi_hi = phi(row, resp, hi_s, False)
                best_val = -np.inf
                best_x = np.nan
                best_c = -1
                for c in range(contracts):
                    g_lo = share[resp, c] * phi_lo + const_r[r, c, i]
                    g_hi = share[resp, c] * phi_hi + const_r[r, c, i]
                    if payer_proposes:
                        ok = possible and (g_hi >= need)
                        at_end = g_lo >= need
                        end = lo_s
                    else:
                        ok = possible and (g_lo >= need)
                        at_end = g_hi >= need
                        end = hi_s
                    if not ok:
                        continue  # val = −∞: never better
                    x = end
                    if not at_end:
                        target = (need - const_r[r, c, i]) / share[resp, c]
                        x, bad = _invert(
                            row,
                            resp,
                            i,
                            tables_x[resp],
                            tables_y[resp],
                            signs[resp, i],
                            target,
                        )
                        if bad:
                            failed += 1
                    # g_prop(x, k, c) = share·φ(x) + const
                    val = prop_disc * (share[prop, c] * phi(row, prop, x, False) + const_p[r, c, i])
                    if val > best_val:
                        best_val, best_x, best_c = val, x, c
                prop_exit = exits[0, i] if payer_proposes else exits[1, i]
                fallback = prop_disc * prop_exit if out else prop_cont
                deal = best_val >= fallback
                opt = (not deal) and out
                agree[r, i] = deal
                opt_out[r, i] = opt
                payment[r, i] = best_x if deal else np.nan
                contract[r, i] = best_c if deal else -1
                x_ok = best_x if deal else lo_s
                c_ok = best_c if best_c > 0 else 0  # −1 is treated as contract 0
                # Side s's value; the responder's outside option when it opts out, else the exit.
                for s in range(n_sides):
                    if s < 2:
                        d_s = dp if s == 0 else de
                        cont = payer_cont if s == 0 else payee_cont
                        const_s = const_payer if s == 0 else const_payee
                    else:
                        d_s = disc[disc_idx[s], r, i]
                        cont = (
                            q * disc[disc_idx[s], r + 1, i] * breakdown[s, i]
                            + (1 - q) * values[s, r + 1, i]
                        )
                        const_s = const_ev[s - 2]
                    if deal:
                        values[s, r, i] = d_s * (
                            share[s, c_ok] * phi(row, s, x_ok, False) + const_s[r, c_ok, i]
                        )
                    elif opt:
                        if s >= 2:
                            values[s, r, i] = d_s * outside[s, i]
                        elif s == resp and has_outside[s]:
                            values[s, r, i] = d_s * outside[s, i]
                        else:
                            values[s, r, i] = d_s * exits[s, i]
                    else:
                        values[s, r, i] = cont
    return failed
