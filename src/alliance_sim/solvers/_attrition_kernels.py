r"""Compiled kernels of the war of attrition (:mod:`alliance_sim.solvers.attrition`).

One draw at a time, segment by segment, with the segment's values in registers: the
first passage of a reputation, the outcome probabilities (Gauss–Legendre incidences
and deadline atoms) and the realized path. Each kernel computes exactly the formulas
of the numpy implementation in :mod:`~alliance_sim.solvers.attrition` (kept there as
the reference, used under :func:`alliance_sim._jit.numpy_reference`), in the same
order of operations, except that sums over the quadrature nodes are sequential
(numpy's are pairwise) and ``exp``/``log1p`` come from the C library rather than
numpy's SIMD loops: the two agree to a few ulp (the tests check 1e-12 relative on
probabilities and times, identical events).

A segment's hazard is :math:`\lambda(u) = (a + c\,u)/(m_0 + m_1 u)` for
:math:`u <` ``live`` (0 after), with the closed-form integral

.. math::
    \int_0^u \lambda = r\,\bigl(a f_1(m_1 r) + c\,u\,f_2(m_1 r)\bigr), \quad r = u/m_0,
    \quad f_1(x) = \tfrac{\ln(1+x)}{x},\ f_2(x) = \tfrac{x - \ln(1+x)}{x^2},

(:math:`u` capped at ``live``; :math:`f_1(0) = 1`, :math:`f_2(0) = 1/2`, and a cubic
series for :math:`|x| < 10^{-4}`). The coefficient arrays are ``(n, m)`` in the
order ``a, c, m0, m1, live`` along the last axis, ``(n, m, 5)``: one segment's
five numbers are adjacent in memory.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit, njit_inline

#: Absolute tolerance on times found by root finding (:data:`attrition.TIME_TOL`).
TIME_TOL = 1e-13
_MAX_DOUBLINGS = 1100
_MAX_STEPS = 200


@njit
def _f12(x: float) -> tuple[float, float]:
    """``log1p(x)/x`` and ``(x − log1p(x))/x²`` (1 and 1/2 at 0; series for ``|x| < 1e-4``)."""
    if x == 0.0:
        return 1.0, 0.5
    if abs(x) < 1e-4:
        return (
            1.0 - x / 2.0 + x * x / 3.0 - x**3 / 4.0,
            0.5 - x / 3.0 + x * x / 4.0 - x**3 / 5.0,
        )
    log = math.log1p(x)
    return log / x, (x - log) / (x * x)


@njit
def _integral_of(a: float, c: float, m0: float, m1: float, live: float, u: float) -> float:
    """``∫_0^u λ`` for the hazard ``λ(u) = (a + c·u)/(m0 + m1·u)`` up to ``live``."""
    uu = min(u, live)
    r = uu / m0
    f1, f2 = _f12(m1 * r)
    return r * (a * f1 + c * uu * f2)


@njit_inline
def _integral(coef: np.ndarray, i: int, k: int, u: float) -> float:
    """``∫_0^u λ`` on segment ``k`` of draw ``i`` (``coef``: (n, m, 5))."""
    return _integral_of(
        coef[i, k, 0], coef[i, k, 1], coef[i, k, 2], coef[i, k, 3], coef[i, k, 4], u
    )


@njit_inline
def _hazard(coef: np.ndarray, i: int, k: int, u: float) -> float:
    """``λ(u)`` on segment ``k`` of draw ``i`` (0 once the other side has stopped conceding)."""
    den = coef[i, k, 2] + coef[i, k, 3] * u
    if u < coef[i, k, 4] and den > 0.0:
        return (coef[i, k, 0] + coef[i, k, 1] * u) / den
    return 0.0


@njit_inline
def _total(
    ca: np.ndarray, cb: np.ndarray, two: bool, eta: float, i: int, k: int, u: float
) -> float:
    """Cumulative hazards over ``[0, u]`` of segment ``k``: side a's, b's if ``two``, collapse."""
    if not two:
        return _integral(ca, i, k, u)
    return _integral(ca, i, k, u) + _integral(cb, i, k, u) + eta * u


@njit_inline
def _rate(ca: np.ndarray, cb: np.ndarray, two: bool, eta: float, i: int, k: int, u: float) -> float:
    """The derivative of :func:`_total`: the hazards at ``u`` on segment ``k``."""
    if not two:
        return _hazard(ca, i, k, u)
    return _hazard(ca, i, k, u) + _hazard(cb, i, k, u) + eta


@njit_inline
def _solve_increasing(
    ca: np.ndarray,
    cb: np.ndarray,
    two: bool,
    eta: float,
    i: int,
    k: int,
    target: float,
    width: float,
) -> float:
    """Root of the increasing ``_total(u) = target`` on ``[0, width]``.

    Safeguarded Newton as :func:`~alliance_sim.solvers.attrition._solve_increasing`:
    a Newton step inside the bracket, else bisection, until the bracket is narrower
    than :data:`TIME_TOL` or the step is; an infinite interval is bracketed by doubling.
    """
    finite = math.isfinite(width)
    lo = 0.0
    hi = width if finite else 1.0
    if not finite:
        for _ in range(_MAX_DOUBLINGS):
            if _total(ca, cb, two, eta, i, k, hi) < target:
                hi = 2.0 * hi
            else:
                break
    f_hi = _total(ca, cb, two, eta, i, k, hi)
    if f_hi > 0:
        u = hi * min(max(target / f_hi, 0.0), 1.0)
    else:
        u = 0.5 * hi
    for _ in range(_MAX_STEPS):
        g = _total(ca, cb, two, eta, i, k, u) - target
        if g < 0:
            lo = u
        if g > 0:
            hi = u
        d = _rate(ca, cb, two, eta, i, k, u)
        newton = u - g / d
        ok = d > 0 and newton >= lo and newton <= hi
        new = newton if ok else 0.5 * (lo + hi)
        tol = TIME_TOL * (1.0 + u)
        small_step = ok and abs(new - u) <= tol
        if g == 0 or hi - lo <= tol or small_step:
            return new if small_step else u
        u = new
    return u


@njit_inline
def _first_passage_at(
    knots: np.ndarray,
    width: np.ndarray,
    cum: np.ndarray,
    jump: np.ndarray,
    coef: np.ndarray,
    i: int,
    th: float,
) -> float:
    r""":math:`T_i = \inf\{t : \Lambda_i(t) \ge \theta\}` of draw ``i`` (inf if never)."""
    if th <= 0.0:
        return knots[i, 0]
    for j in range(width.shape[1]):
        if cum[i, j + 1] >= th:
            before = cum[i, j + 1] + math.log1p(-jump[i, j + 1])
            if before >= th:
                w = min(width[i, j], coef[i, j, 4])
                u = _solve_increasing(coef, coef, False, 0.0, i, j, th - cum[i, j], w)
                return knots[i, j] + u
            return knots[i, j + 1]
    return math.inf


@njit
def first_passage(
    knots: np.ndarray,
    width: np.ndarray,
    cum: np.ndarray,
    jump: np.ndarray,
    coef: np.ndarray,
    theta: np.ndarray,
) -> np.ndarray:
    r""":math:`T_i = \inf\{t : \Lambda_i(t) \ge \theta_i\}` per draw (inf if never)."""
    out = np.empty(theta.shape[0])
    for i in range(theta.shape[0]):
        out[i] = _first_passage_at(knots, width, cum, jump, coef, i, theta[i])
    return out


@njit
def incidence(
    knots: np.ndarray,
    end: np.ndarray,
    survivors: np.ndarray,
    theta_a: np.ndarray,
    theta_b: np.ndarray,
    cum_a: np.ndarray,
    cum_b: np.ndarray,
    jump_a: np.ndarray,
    jump_b: np.ndarray,
    coef_a: np.ndarray,
    coef_b: np.ndarray,
    collapse: np.ndarray,
    collapse_cum: np.ndarray,
    gl_x: np.ndarray,
    gl_w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Interior incidences, their time moments and the deadline atoms per segment.

    Returns ``inc_a, inc_b, atom_a, atom_b, ta, tb`` as
    :meth:`~alliance_sim.solvers.attrition.Attrition.incidence` (the start atoms at
    knot 0 are the caller's).
    """
    n, m = collapse.shape
    inc_a, inc_b = np.zeros((n, m)), np.zeros((n, m))
    ta, tb = np.zeros((n, m)), np.zeros((n, m))
    atom_a, atom_b = np.zeros((n, m + 1)), np.zeros((n, m + 1))
    nodes = gl_x.shape[0]
    for i in range(n):
        base = survivors[i]
        for k in range(m):
            t0 = knots[i, k]
            width = max(min(knots[i, k + 1], end[i]) - t0, 0.0)
            if not math.isfinite(width):
                width = 0.0
            sa = sb = ma = mb = 0.0
            if width > 0.0:
                for q in range(nodes):
                    u = 0.5 * width * (gl_x[q] + 1.0)
                    wq = 0.5 * width * gl_w[q]
                    lam = (
                        cum_a[i, k]
                        + cum_b[i, k]
                        + _integral(coef_a, i, k, u)
                        + _integral(coef_b, i, k, u)
                        + collapse_cum[i, k]
                        + collapse[i, k] * u
                    )
                    surv = base * math.exp(-lam)
                    da = surv * _hazard(coef_a, i, k, u) * wq
                    db = surv * _hazard(coef_b, i, k, u) * wq
                    sa += da
                    sb += db
                    ma += da * (t0 + u)
                    mb += db * (t0 + u)
            inc_a[i, k], inc_b[i, k], ta[i, k], tb[i, k] = sa, sb, ma, mb
            # Deadline atoms at knot k + 1 (inside the war), capped by the rational mass left.
            if knots[i, k + 1] <= end[i]:
                ba = min(cum_a[i, k + 1] + math.log1p(-jump_a[i, k + 1]), theta_a[i])
                bb = min(cum_b[i, k + 1] + math.log1p(-jump_b[i, k + 1]), theta_b[i])
                s_before = base * math.exp(-(ba + bb) - collapse_cum[i, k + 1])
                atom_a[i, k + 1] = s_before * min(jump_a[i, k + 1], -math.expm1(ba - theta_a[i]))
                atom_b[i, k + 1] = s_before * min(jump_b[i, k + 1], -math.expm1(bb - theta_b[i]))
    return inc_a, inc_b, atom_a, atom_b, ta, tb


@njit
def sample(
    knots: np.ndarray,
    end: np.ndarray,
    start_a: np.ndarray,
    start_b: np.ndarray,
    theta_a: np.ndarray,
    theta_b: np.ndarray,
    cum_a: np.ndarray,
    cum_b: np.ndarray,
    jump_a: np.ndarray,
    coef_a: np.ndarray,
    coef_b: np.ndarray,
    collapse: np.ndarray,
    collapse_cum: np.ndarray,
    u_time: np.ndarray,
    u_side: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The realized path of each draw: time and event (0 a, 1 b, 2 collapse, 3 impasse).

    As :meth:`~alliance_sim.solvers.attrition.Attrition.sample`: the event comes when
    the survival :math:`S(t)` falls to ``1 − u_time``; ``u_side`` picks who concedes
    in proportion to the hazards at that time.
    """
    n, m = collapse.shape
    time = np.empty(n)
    event = np.empty(n, dtype=np.int8)
    for i in range(n):
        ut, us = u_time[i], u_side[i]
        ca, cb = start_a[i], start_b[i]
        if ut < ca + cb:
            time[i] = knots[i, 0]
            event[i] = 0 if ut < ca else 1
            continue
        base = 1.0 - ca - cb
        need = -math.log1p(-ut) + math.log(base if base > 0 else 1.0)
        time[i], event[i] = end[i], 3
        for k in range(m):
            t0 = knots[i, k]
            width = max(min(knots[i, k + 1], end[i]) - t0, 0.0)
            eta = collapse[i, k]
            start_total = cum_a[i, k] + cum_b[i, k] + collapse_cum[i, k]
            if math.isfinite(width):
                reach = start_total + _total(coef_a, coef_b, True, eta, i, k, width)
            else:
                reach = math.inf
            if t0 < end[i] and reach >= need:
                u = _solve_increasing(coef_a, coef_b, True, eta, i, k, need - start_total, width)
                la, lb = _hazard(coef_a, i, k, u), _hazard(coef_b, i, k, u)
                tot = la + lb + eta
                safe = tot if tot > 0 else 1.0
                time[i] = t0 + u
                event[i] = 0 if us < la / safe else (1 if us < (la + lb) / safe else 2)
                break
            kn = knots[i, k + 1]
            after = min(cum_a[i, k + 1], theta_a[i]) + min(cum_b[i, k + 1], theta_b[i])
            if kn <= end[i] and after + collapse_cum[i, k + 1] >= need:
                time[i] = kn
                event[i] = 0 if jump_a[i, k + 1] > 0 else 1
                break
    return time, event


@njit_inline
def _stop_yield(
    knots: np.ndarray,
    width: np.ndarray,
    own_level: np.ndarray,
    own_slope: np.ndarray,
    win_level: np.ndarray,
    win_slope: np.ndarray,
    i: int,
) -> tuple[float, float]:
    """A side's stop time (own concession payoff ≤ 0) and yield time (winning ≤ conceding).

    As :meth:`~alliance_sim.solvers.attrition.AttritionHazards._stop_time` and
    ``_yield_time``: the earliest over the segments, inf if never.
    """
    stop = yld = math.inf
    for k in range(width.shape[1]):
        start = knots[i, k]
        lv, sl = own_level[i, k], own_slope[i, k]
        if lv <= 0.0:
            stop = min(stop, start)
        else:
            u_zero = -lv / sl if sl < 0.0 else math.inf
            if u_zero < width[i, k]:
                stop = min(stop, start + u_zero)
        m0, m1 = win_level[i, k] - lv, win_slope[i, k] - sl
        if lv > 0.0:
            u_live = -lv / sl if sl < 0.0 else math.inf
            u_cross = 0.0 if m0 <= 0.0 else (-m0 / m1 if m1 < 0.0 else math.inf)
            if u_cross < min(u_live, width[i, k]):
                yld = min(yld, start + u_cross)
    return stop, yld


@njit
def hazards(
    knots: np.ndarray,
    width: np.ndarray,
    concede_level: np.ndarray,
    concede_slope: np.ndarray,
    win_level: np.ndarray,
    win_slope: np.ndarray,
    rate: np.ndarray,
    collapse: np.ndarray,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    r"""The belief-free part of the war (:class:`~alliance_sim.solvers.attrition.AttritionHazards`).

    Inputs are stacked by side (axis 0: a, b): levels and slopes ``(2, n, m)``,
    rates ``(2, n)``. Side *s*'s hazard comes from the *other* side's indifference.

    Returns
    -------
    coef : (2, n, m, 5)
        Each side's hazard coefficients, neutral (no hazard) where it does not concede.
    cum, jump : (2, n, m + 1)
        :math:`\Lambda_s` at each knot after its deadline atom, and the atoms.
    collapse_cum : (n, m + 1)
    bad : (n, m) bool
        A side concedes although winning is worth no more.
    stop, yields : (2, n)
    drift, rises : (2, n, m) bool
        Where the other side's concession payoff rises faster than its discount rate,
        or jumps up at the next knot: the caller raises (those are not supported).
    """
    _, n, m = concede_level.shape
    coef = np.zeros((2, n, m, 5))
    cum = np.zeros((2, n, m + 1))
    jump = np.zeros((2, n, m + 1))
    collapse_cum = np.zeros((n, m + 1))
    bad = np.zeros((n, m), dtype=np.bool_)
    stop = np.empty((2, n))
    yields = np.empty((2, n))
    drift = np.zeros((2, n, m), dtype=np.bool_)
    rises = np.zeros((2, n, m), dtype=np.bool_)
    for i in range(n):
        for s in range(2):
            stop[s, i], yields[s, i] = _stop_yield(
                knots, width, concede_level[s], concede_slope[s], win_level[s], win_slope[s], i
            )
            o = 1 - s
            total = 0.0
            for k in range(m):
                wk = width[i, k]
                finite_w = wk if math.isfinite(wk) else 0.0
                rho = rate[o, i] + collapse[i, k]
                lv, sl = concede_level[o, i, k], concede_slope[o, i, k]
                wl, ws = win_level[o, i, k], win_slope[o, i, k]
                to_zero = -lv / sl if sl < 0.0 else math.inf
                live = min(to_zero, wk) if lv > 0.0 else 0.0
                a, c, m0, m1 = rho * lv - sl, rho * sl, wl - lv, ws - sl
                on = live > 0.0
                end = live if math.isfinite(live) else 0.0
                m_end = m0 + m1 * end
                is_bad = on and (m0 <= 0.0 or m_end <= 0.0 or (math.isinf(live) and m1 < 0.0))
                drift[s, i, k] = on and not is_bad and (a < 0.0 or a + c * end < 0.0)
                bad[i, k] = bad[i, k] or is_bad
                if is_bad or not on:  # no hazard there: neutral coefficients
                    cf = (0.0, 0.0, 1.0, 0.0, 0.0 if is_bad else live)
                else:
                    cf = (a, c, m0, m1, live)
                for e in range(5):
                    coef[s, i, k, e] = cf[e]
                # Λ over the whole live part (inf on an endless live segment, even a bad one).
                if math.isinf(live):
                    whole = math.inf
                else:
                    whole = _integral_of(cf[0], cf[1], cf[2], cf[3], cf[4], live)
                # Deadline atoms: side s concedes just before the other's payoff drops.
                before = lv + sl * finite_w
                after = concede_level[o, i, k + 1] if k + 1 < m else lv
                w_before = wl + ws * finite_w
                drop = before - after
                tol = 1e-9 * (1.0 + abs(before))
                inner = k + 1 < m
                rises[s, i, k] = inner and drop < -tol and after > 0.0
                atom = 0.0
                if inner and drop > tol and before > 0.0:
                    floor = max(after, 0.0)
                    atom = (before - floor) / (w_before - floor)
                    if math.isnan(atom):
                        atom = 0.0
                    atom = min(max(atom, 0.0), 1.0 - 1e-12)
                jump[s, i, k + 1] = atom
                total += whole - math.log1p(-atom)
                cum[s, i, k + 1] = total
        col = 0.0
        for k in range(m):
            wk = width[i, k]
            if math.isfinite(wk):
                col += collapse[i, k] * wk
            elif collapse[i, k] > 0:
                col = math.inf
            collapse_cum[i, k + 1] = col
    return coef, cum, jump, collapse_cum, bad, stop, yields, drift, rises


@njit_inline
def _cumulative_at(
    knots: np.ndarray,
    cum: np.ndarray,
    jump: np.ndarray,
    coef: np.ndarray,
    i: int,
    t: float,
    after_jump: bool,
) -> float:
    r""":math:`\Lambda(t)` of draw ``i`` (see :func:`cumulative`)."""
    k = 0
    for j in range(knots.shape[1] - 2):
        if knots[i, j + 1] <= t:
            k += 1
    u = max(t - knots[i, k], 0.0)
    base = cum[i, k]
    if not after_jump and u <= 0.0:
        base = base + math.log1p(-jump[i, k])
    return base + _integral(coef, i, k, u)


@njit
def cumulative(
    knots: np.ndarray,
    cum: np.ndarray,
    jump: np.ndarray,
    coef: np.ndarray,
    t: np.ndarray,
    after_jump: bool,
) -> np.ndarray:
    r""":math:`\Lambda_i(t)` per draw (:meth:`.attrition.AttritionHazards.cumulative`).

    ``t`` lies in the segment whose start is the last inner knot at or before it; a
    deadline atom at a knot ``t`` counts only ``after_jump``.
    """
    out = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        out[i] = _cumulative_at(knots, cum, jump, coef, i, t[i], after_jump)
    return out


@njit
def solve(
    knots: np.ndarray,
    width: np.ndarray,
    cum: np.ndarray,
    jump: np.ndarray,
    coef: np.ndarray,
    stop: np.ndarray,
    yields: np.ndarray,
    bad: np.ndarray,
    ell0: np.ndarray,
    win0: np.ndarray,
    theta: np.ndarray,
    end_b: np.ndarray,
    known_b: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The equilibrium from the reputations, as :meth:`.attrition.AttritionHazards.solve`.

    Arrays are stacked by side (axis 0: a, b): ``cum``, ``jump`` ``(2, n, m + 1)``,
    ``coef`` ``(2, n, m, 5)``, ``stop``, ``yields``, ``theta`` and the concession and
    win payoffs at the start ``ell0``, ``win0`` ``(2, n)``. ``end_b`` is side *b*'s
    end when ``known_b``. Returns the start atoms ``(2, n)``, the end ``T*``, whether
    the war is regular, and which side yielded at once ``(2, n)``; ``T* = inf`` (a war
    that never ends) is the caller's error.
    """
    n = theta.shape[1]
    m = width.shape[1]
    atoms = np.zeros((2, n))
    end = np.empty(n)
    regular = np.empty(n, dtype=np.bool_)
    yielded = np.zeros((2, n), dtype=np.bool_)
    ends = np.empty(2)
    corner = np.empty(2, dtype=np.bool_)
    y = np.empty(2, dtype=np.bool_)
    for i in range(n):
        for s in range(2):
            if s == 1 and known_b:
                ends[1] = end_b[i]
            else:
                t_s = _first_passage_at(knots, width, cum[s], jump[s], coef[s], i, theta[s, i])
                ends[s] = min(t_s, stop[s, i])
        e = min(ends[0], ends[1])
        end[i] = e
        if math.isinf(e):
            continue
        for s in range(2):
            if ends[s] > e:
                lam = _cumulative_at(knots, cum[s], jump[s], coef[s], i, e, True)
                atoms[s, i] = -math.expm1(min(lam - theta[s, i], 0.0))
        # A side that would rather concede than win from the start concedes at once.
        start = knots[i, 0]
        for s in range(2):
            o = 1 - s
            ell, win = ell0[s, i], win0[s, i]
            corner[s] = ell <= 0.0 and win < ell and ell0[o, i] > 0.0
            below = corner[s] and ell > (1.0 - math.exp(-theta[o, i])) * win
            y[s] = yields[s, i] <= start or below
        yielded[0, i] = y[0]
        yielded[1, i] = y[1] and not y[0]
        for s in range(2):
            if yielded[s, i]:
                o = 1 - s
                atoms[s, i] = -math.expm1(-theta[s, i])
                atoms[o, i] = math.exp(-theta[s, i]) * -math.expm1(-theta[o, i])
                end[i] = start
        ok = not (y[0] and y[1]) and not (corner[0] or corner[1])
        for k in range(m):
            if bad[i, k] and knots[i, k] < end[i]:
                ok = False
        regular[i] = ok
    return atoms, end, regular, yielded
