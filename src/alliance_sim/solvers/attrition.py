r"""Reputational war of attrition on a calendar: payoffs that change with time, deadlines, collapse.

Generalizes Abreu & Gul (2000) (:mod:`alliance_sim.solvers.reputation`) to the
talks' calendar. Two sides, *a* and *b*, each possibly obstinate (reputations
:math:`\mu_a, \mu_b` at the start :math:`s`, written :math:`\theta_i = -\ln\mu_i`),
fight a war of attrition: conceding at :math:`t` gives the conceder
:math:`\ell_i(t)` and the other :math:`w_j(t)` (gains over no deal, undiscounted;
the payoffs may change with :math:`t` through deadline and lapse costs and the
terms available). Rational side :math:`i` discounts at :math:`r_i`. The talks
collapse without a deal (payoff 0 to both) at a hazard :math:`\eta(t)` — an
uncertain final deadline in the manner of Fanning (2016), here piecewise
constant on the calendar's intervals.

**Payoffs** are piecewise linear in :math:`t` on per-draw knots
:math:`s = t_0 \le t_1 \le \dots \le t_m` (the last may be :math:`+\infty`), with
jumps allowed at knots: :math:`v(t) = v_k + v_k' (t - t_k)` on
:math:`[t_k, t_{k+1})`.

**Concession hazards.** Wherever both rational types mix, side *j* must be
indifferent between conceding at :math:`t` and a moment later; that pins the
other side's hazard (as *j* sees it), whatever the beliefs:

.. math::
    \lambda_i(t) = \frac{(r_j + \eta(t))\,\ell_j(t) - \ell_j'(t)}{w_j(t) - \ell_j(t)},

(conceding now is worth :math:`\ell_j`; waiting :math:`dt` costs
:math:`r_j\ell_j + \eta\ell_j - \ell_j'` and wins :math:`w_j - \ell_j` with
probability :math:`\lambda_i\,dt`; with constant shares, :math:`\eta = 0` and
:math:`\ell_j = 1-\alpha_i`, :math:`w_j = \alpha_j` this is Abreu & Gul's rate).
On a segment, :math:`\ell_j` and :math:`m_j = w_j - \ell_j` are linear,
:math:`\ell_j = \ell_0 + \ell_1 u`, :math:`m_j = m_0 + m_1 u`, and the cumulative
hazard has the closed form

.. math::
    \int_0^u \lambda_i = A\,L(u) + C\,K(u), \quad
    A = \rho\ell_0 - \ell_1,\ C = \rho\ell_1,\ \rho = r_j + \eta,\quad
    L(u) = \tfrac{\ln(1 + m_1 u/m_0)}{m_1},\ K(u) = \tfrac{u - m_0 L(u)}{m_1}

(both with their :math:`m_1 \to 0` limits :math:`u/m_0` and :math:`u^2/(2m_0)`).

**Deadlines: one-sided jumps.** If *j*'s payoffs drop at a date :math:`\tau`
(e.g. a budget is drafted without the deal: :math:`\ell_j` falls from
:math:`\ell^-` to :math:`\ell^+`), *j* stays willing to hold through
:math:`\tau` only if *i* concedes just before it with conditional probability

.. math:: a_i = \frac{\ell^- - \ell^+}{w^- - \ell^+}

(*j*'s indifference :math:`\ell^- = a_i w^- + (1-a_i)\ell^+`; :math:`\ell^+` is
floored at 0): agreements cluster just before the deadline, conceded by the side
the deadline does *not* hurt. A side's concession payoff may not jump *up* (it
would wait for it: a quiet interval this solver does not compute) and both
sides' may not jump at the same knot (simultaneous atoms): both raise.

**End of the war.** Side *i*'s reputation grows as :math:`\theta_i(t) =
\theta_i - \Lambda_i(t)` and reaches 1 at :math:`T_i = \inf\{t : \Lambda_i(t)
\ge \theta_i\}` (:math:`\Lambda_i` includes the jump atoms); a side whose
concession payoff falls to 0 (lapse costs eating its gain) stops conceding at
:math:`t_i^0` and acts as obstinate after. With :math:`T_i^e = \min(T_i,
t_i^0)`, the war ends at :math:`T^* = \min(T_a^e, T_b^e)`; the weaker side (larger
:math:`T^e`) concedes at the start with

.. math:: c_i = 1 - e^{\Lambda_i(T^*) - \theta_i},

so that its reputation reaches 1 exactly at :math:`T^*` (Abreu & Gul's
synchronization). After :math:`T^*` only committed types remain: impasse.
A rational side's value at the start is :math:`c_j w_i(s) + (1-c_j)\max(\ell_i(s), 0)`.

**Outcome probabilities.** With :math:`S(t) = (1-c_a)(1-c_b)
e^{-\Lambda_a(t)-\Lambda_b(t)-H(t)}`, :math:`H = \int\eta`, the probability
that *a* concedes in :math:`[t, t+dt]` is :math:`S\lambda_a\,dt` (plus the atoms).
These incidences are integrated per segment by Gauss–Legendre quadrature
(:data:`QUADRATURE_NODES` nodes; numerical, checked against adaptive quadrature
to 1e-9 in the tests); :math:`T^*`, the atoms, the hazards and the values are
closed forms up to the root of :math:`\Lambda_i(t) = \theta_i` (bisection and
Newton to :data:`TIME_TOL`).

**Validity.** Needs :math:`w_i > \ell_i` wherever *i* concedes (winning beats
conceding); a draw where that fails on :math:`[s, T^*]` is marked ``regular =
False`` and its outcome is not an equilibrium of this form.

References
----------
D. Abreu, F. Gul (2000), "Bargaining and reputation", *Econometrica* 68(1), 85–117.
J. Fanning (2016), "Reputational bargaining and deadlines", *Econometrica* 84(3),
1131–1179.
K. Hendricks, A. Weiss, C. Wilson (1988), "The war of attrition in continuous time
with complete information", *International Economic Review* 29(4), 663–680.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from .._validation import as_float_array, check_in_range
from . import _attrition_kernels as kernels

__all__ = [
    "QUADRATURE_NODES",
    "TIME_TOL",
    "Attrition",
    "AttritionHazards",
    "Piecewise",
    "attrition_hazards",
    "war_of_attrition",
]

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]
Index = NDArray[np.int64]

#: Gauss–Legendre nodes per segment for the outcome probabilities.
QUADRATURE_NODES = 16
#: Absolute tolerance on times found by root finding (in the unit of the knots).
TIME_TOL = kernels.TIME_TOL
_GL_X, _GL_W = np.polynomial.legendre.leggauss(QUADRATURE_NODES)
_SIDES = ("a", "b")


def _other(side: str) -> str:
    return "b" if side == "a" else "a"


def _log1m(p: Array) -> Array:
    """``log(1 − p)`` (−inf at 1, no warning)."""
    with np.errstate(divide="ignore"):
        return np.log1p(-p)


@dataclass(frozen=True)
class Piecewise:
    """A per-draw piecewise-linear function of time: ``level[:, k] + slope[:, k]·(t − t_k)``.

    Attributes
    ----------
    level, slope : ndarray, shape (n, m)
        Value at the start of segment ``k`` (its right limit at knot ``k``) and slope.
    """

    level: Array
    slope: Array

    def at(self, k: int, u: Array | float) -> Array:
        """Value on segment ``k`` at ``u`` past its start knot."""
        return self.level[:, k] + self.slope[:, k] * u

    def rows(self, idx: Index) -> Piecewise:
        """The draws ``idx`` only."""
        return Piecewise(self.level[idx], self.slope[idx])


def _f12(x: Array) -> tuple[Array, Array]:
    """``log1p(x)/x`` and ``(x − log1p(x))/x²`` (→ 1 and 1/2 at 0).

    One ``log1p`` serves both, and only where ``x ≠ 0`` (a segment on which winning
    beats conceding by a constant margin has ``x = 0`` throughout); a series is used for
    ``0 < |x| < 1e-4``, with an error below 1e-17.
    """
    nz = x != 0
    log = np.log1p(x, out=np.zeros_like(x), where=nz)
    f1 = np.ones_like(x)
    np.divide(log, x, out=f1, where=nz)
    f2 = np.full_like(x, 0.5)
    np.divide(x - log, x * x, out=f2, where=nz)
    small = nz & (np.abs(x) < 1e-4)
    if small.any():
        xs = x[small]
        f1[small] = 1.0 - xs / 2.0 + xs * xs / 3.0 - xs**3 / 4.0
        f2[small] = 0.5 - xs / 3.0 + xs * xs / 4.0 - xs**3 / 5.0
    return f1, f2


@dataclass(frozen=True)
class _Coef:
    """One side's hazard on a segment, ``λ(u) = (a + c u)/(m0 + m1 u)`` for ``u < live``."""

    a: Array
    c: Array
    m0: Array
    m1: Array
    live: Array  # where the other side's concession payoff stays positive (0 … width)

    def take(self, k: Index) -> _Coef:
        """The coefficients of segment ``k[i]`` for draw ``i`` (shapes (n, m) → (n,))."""
        col = k[:, None]
        return _Coef(
            *(np.take_along_axis(getattr(self, f), col, axis=1)[:, 0] for f in _Coef._fields())
        )

    def rows(self, idx: Index) -> _Coef:
        """The draws ``idx`` only."""
        return _Coef(*(getattr(self, f)[idx] for f in _Coef._fields()))

    def column(self, k: int) -> _Coef:
        """Segment ``k`` for every draw, as ``(n, 1)`` columns (to broadcast over nodes)."""
        return _Coef(*(getattr(self, f)[:, k, None] for f in _Coef._fields()))

    @staticmethod
    def _fields() -> tuple[str, ...]:
        return ("a", "c", "m0", "m1", "live")

    def stacked(self) -> Array:
        """The five coefficients side by side, ``(n, m, 5)``: the kernels' layout."""
        return np.stack([getattr(self, f) for f in _Coef._fields()], axis=-1)

    def integral(self, u: Array) -> Array:
        """``∫_0^u λ`` in closed form (``u`` capped at ``live``; finite ``u``)."""
        uu = np.minimum(u, self.live)
        r = uu / self.m0
        f1, f2 = _f12(self.m1 * r)
        return r * (self.a * f1 + self.c * uu * f2)

    def hazard(self, u: Array) -> Array:
        """``λ(u)`` (0 once the other side has stopped conceding)."""
        live = u < self.live
        den = self.m0 + self.m1 * u
        h = np.divide(
            self.a + self.c * u,
            den,
            out=np.zeros(np.broadcast(u, den).shape),
            where=live & (den > 0),
        )
        return h


def _drift_error(other: str, drift: Bools) -> None:
    i, k = (int(v[0]) for v in np.nonzero(drift))
    raise ValueError(
        f"the concession payoff of side {other!r} rises faster than its discount "
        f"rate on segment {k} of draw {i}: it would rather wait, and this solver "
        f"needs (r + η)·ℓ ≥ ℓ' wherever the side concedes"
    )


def _rise_error(other: str, rises: Bools, ell: Piecewise, width: Array) -> None:
    i, k = (int(v[0]) for v in np.nonzero(rises))
    w = width[i, k] if np.isfinite(width[i, k]) else 0.0
    before, after = ell.level[i, k] + ell.slope[i, k] * w, ell.level[i, k + 1]
    raise ValueError(
        f"the concession payoff of side {other!r} jumps up at knot {k + 1} of draw "
        f"{i} ({before:g} → {after:g}): a side would wait for it; only "
        f"downward jumps (deadlines) are supported"
    )


def _both_error(jump: dict[str, Array]) -> None:
    both = (jump["a"] > 0) & (jump["b"] > 0)
    if both.any():
        i, k = (int(v[0]) for v in np.nonzero(both))
        raise ValueError(
            f"both sides' concession payoffs drop at knot {k} of draw {i}: simultaneous "
            f"deadline atoms are not supported"
        )


class AttritionHazards:
    r"""The belief-free part of the equilibrium: hazards, deadline atoms and stop times.

    Built by :func:`attrition_hazards`; :meth:`solve` adds the reputations. Side
    *i*'s hazard on a segment comes from the *other* side's indifference.

    Attributes
    ----------
    knots : ndarray, (n, m + 1)
    cum : dict of str to ndarray, (n, m + 1)
        :math:`\Lambda_a, \Lambda_b` at each knot, after the knot's deadline atom.
    jump : dict of str to ndarray, (n, m + 1)
        Conditional probabilities of the deadline atoms at each knot (0 where none).
    stop : dict of str to ndarray, (n,)
        :math:`t_i^0`, when a side's concession payoff falls to 0 (inf if never).
    collapse, collapse_cum : ndarray
        The collapse hazard per segment (n, m) and :math:`H` at each knot (n, m + 1).
    bad : ndarray of bool, (n, m)
        Segments on which a side concedes although winning is worth no more.
    """

    def __init__(
        self,
        knots: Array,
        concede: dict[str, Piecewise],
        win: dict[str, Piecewise],
        rate: dict[str, Array],
        collapse: Array,
    ) -> None:
        self.knots, self.concede, self.win, self.rate = knots, concede, win, rate
        self.collapse = collapse
        n, m = knots.shape[0], knots.shape[1] - 1
        self.n, self.m = n, m
        self.width = np.diff(knots, axis=1)
        self.coef: dict[str, _Coef] = {}
        self._sides: tuple[Array, ...] | None = None
        if kernels_enabled():
            self._build_kernel()
        else:
            self._build_numpy()

    def _build_kernel(self) -> None:
        """The hazards by the compiled kernel (:func:`._attrition_kernels.hazards`)."""

        def by_side(part: str, what: dict[str, Piecewise]) -> Array:
            return np.stack([getattr(what[s], part) for s in _SIDES])

        rate = np.stack([self.rate[s] for s in _SIDES])
        coef, cum, jump, self.collapse_cum, self.bad, stop, yields, drift, rises = kernels.hazards(
            self.knots,
            self.width,
            by_side("level", self.concede),
            by_side("slope", self.concede),
            by_side("level", self.win),
            by_side("slope", self.win),
            rate,
            np.ascontiguousarray(self.collapse),
        )
        for j, side in enumerate(_SIDES):
            other = _other(side)
            if drift[j].any():
                _drift_error(other, drift[j])
            if rises[j].any():
                _rise_error(other, rises[j], self.concede[other], self.width)
        self.cum = {s: cum[j] for j, s in enumerate(_SIDES)}
        self.jump = {s: jump[j] for j, s in enumerate(_SIDES)}
        self.stop = {s: stop[j] for j, s in enumerate(_SIDES)}
        self.yields = {s: yields[j] for j, s in enumerate(_SIDES)}
        self._sides = (cum, jump, coef, stop, yields)
        self.coef = {s: _Coef(*(coef[j, :, :, f] for f in range(5))) for j, s in enumerate(_SIDES)}
        _both_error(self.jump)

    def _build_numpy(self) -> None:
        """The hazards in numpy (the reference of :meth:`_build_kernel`)."""
        concede, win, rate, collapse = self.concede, self.win, self.rate, self.collapse
        n, m = self.n, self.m
        finite_w = np.where(np.isfinite(self.width), self.width, 0.0)
        self.cum = {s: np.zeros((n, m + 1)) for s in _SIDES}
        self.jump = {s: np.zeros((n, m + 1)) for s in _SIDES}
        self.stop = {s: self._stop_time(concede[s]) for s in _SIDES}
        self.yields = {s: self._yield_time(concede[s], win[s]) for s in _SIDES}
        self.bad = np.zeros((n, m), dtype=bool)
        for side in _SIDES:
            other = _other(side)
            ell, w = concede[other], win[other]
            rho = rate[other][:, None] + collapse
            lv, sl = ell.level, ell.slope
            with np.errstate(divide="ignore", invalid="ignore"):
                to_zero = np.where(sl < 0.0, -lv / sl, np.inf)
            live = np.where(lv > 0.0, np.minimum(to_zero, self.width), 0.0)
            coef = _Coef(a=rho * lv - sl, c=rho * sl, m0=w.level - lv, m1=w.slope - sl, live=live)
            on = live > 0.0
            end = np.where(np.isfinite(live), live, 0.0)
            m_end = coef.m0 + coef.m1 * end
            bad = on & ((coef.m0 <= 0.0) | (m_end <= 0.0) | (np.isinf(live) & (coef.m1 < 0.0)))
            drift = on & ~bad & ((coef.a < 0.0) | (coef.a + coef.c * end < 0.0))
            if drift.any():
                _drift_error(other, drift)
            self.bad |= bad
            off = bad | ~on  # no hazard there: neutral coefficients (no 0/0 anywhere)
            safe = _Coef(
                a=np.where(off, 0.0, coef.a),
                c=np.where(off, 0.0, coef.c),
                m0=np.where(off, 1.0, coef.m0),
                m1=np.where(off, 0.0, coef.m1),
                live=np.where(bad, 0.0, live),
            )
            self.coef[side] = safe
            whole = safe.integral(np.where(np.isfinite(live), live, 0.0))
            whole = np.where(np.isinf(live), np.inf, whole)
            # Deadline atoms: `side` concedes just before `other`'s concession payoff drops.
            before = lv + sl * finite_w  # left limit at knot k + 1
            after = np.concatenate([lv[:, 1:], lv[:, -1:]], axis=1)
            w_before = w.level + w.slope * finite_w
            drop = before - after
            tol = 1e-9 * (1.0 + np.abs(before))
            inner = np.zeros((n, m), dtype=bool)
            inner[:, :-1] = True
            rises = inner & (drop < -tol) & (after > 0.0)
            if rises.any():
                _rise_error(other, rises, ell, self.width)
            floor = np.maximum(after, 0.0)
            has = inner & (drop > tol) & (before > 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                atom = np.where(has, (before - floor) / (w_before - floor), 0.0)
            # An atom of 1 would mean winning is worth no more than conceding (irregular).
            atom = np.clip(np.nan_to_num(atom), 0.0, 1.0 - 1e-12)
            self.jump[side][:, 1:] = atom
            steps = whole - _log1m(atom)
            self.cum[side][:, 1:] = np.cumsum(steps, axis=1)
        _both_error(self.jump)
        steps = np.where(
            np.isfinite(self.width), collapse * finite_w, np.where(collapse > 0, np.inf, 0.0)
        )
        self.collapse_cum = np.zeros((n, m + 1))
        self.collapse_cum[:, 1:] = np.cumsum(steps, axis=1)

    def rows(self, idx: Index) -> AttritionHazards:
        """The hazards of the draws ``idx`` only (lanes are independent: same numbers).

        Lets a caller iterate on the few draws that need it (a root-find over
        reputations) without rebuilding the hazards.
        """
        out = object.__new__(AttritionHazards)
        out.knots = self.knots[idx]
        out.n, out.m = out.knots.shape[0], self.m
        out.concede = {s: f.rows(idx) for s, f in self.concede.items()}
        out.win = {s: f.rows(idx) for s, f in self.win.items()}
        out.rate = {s: v[idx] for s, v in self.rate.items()}
        out.collapse, out.width, out.bad = self.collapse[idx], self.width[idx], self.bad[idx]
        out.coef = {s: c.rows(idx) for s, c in self.coef.items()}
        for name in ("cum", "jump", "stop", "yields"):
            setattr(out, name, {s: v[idx] for s, v in getattr(self, name).items()})
        out.collapse_cum = self.collapse_cum[idx]
        out._sides = None if self._sides is None else tuple(v[:, idx] for v in self._sides)
        return out

    def stacked(self, side: str) -> Array:
        """Side's hazard coefficients in the kernels' ``(n, m, 5)`` layout (built once)."""
        return self._by_side()[2][_SIDES.index(side)]

    def _corner(self, side: str) -> Bools:
        """Where a side would rather have no deal, and winning is worse than conceding."""
        ell, win = self.concede[side].level[:, 0], self.win[side].level[:, 0]
        return (ell <= 0.0) & (win < ell) & (self.concede[_other(side)].level[:, 0] > 0.0)

    def _yields_below_zero(self, side: str, theta: dict[str, Array]) -> Bools:
        r"""Where a side that prefers no deal still concedes at once.

        With :math:`w_i < \ell_i \le 0` at the start, side *i* never concedes later
        (its payoff is not positive), so the other side's rational type concedes at
        once if :math:`\ell_j > 0`, and waiting is worth :math:`(1-\mu_j)\,w_i` (the
        other's concession, or a committed other and no deal). Conceding is worth
        :math:`\ell_i`; *i* yields where that is more. This is an approximation (a
        negative concession is worth delaying, which a discrete-time game exploits a
        little: ``tests/test_attrition.py``), so such wars are not ``regular``.
        """
        ell, win = self.concede[side].level[:, 0], self.win[side].level[:, 0]
        mu_o = np.exp(-theta[_other(side)])
        return self._corner(side) & (ell > (1.0 - mu_o) * win)

    def _yield_time(self, own: Piecewise, win: Piecewise) -> Array:
        """First time a side would rather concede than win (``w ≤ ℓ`` while ``ℓ > 0``)."""
        start = self.knots[:, :-1]
        lv, sl = own.level, own.slope
        m0, m1 = win.level - lv, win.slope - sl
        with np.errstate(divide="ignore", invalid="ignore"):
            u_live = np.where(lv > 0.0, np.where(sl < 0.0, -lv / sl, np.inf), 0.0)
            u_cross = np.where(m0 <= 0.0, 0.0, np.where(m1 < 0.0, -m0 / m1, np.inf))
        span = np.minimum(u_live, self.width)
        hit = (lv > 0.0) & (u_cross < span)
        return np.where(hit, start + u_cross, np.inf).min(axis=1)

    def _stop_time(self, own: Piecewise) -> Array:
        """First time a side's own concession payoff is ≤ 0 (inf if never)."""
        start = self.knots[:, :-1]
        lv, sl = own.level, own.slope
        with np.errstate(divide="ignore", invalid="ignore"):
            u_zero = np.where(lv <= 0.0, 0.0, np.where(sl < 0.0, -lv / sl, np.inf))
        when = np.where(u_zero < self.width, start + u_zero, np.inf)
        when = np.where(lv <= 0.0, start, when)
        return when.min(axis=1)

    # --- evaluation -----------------------------------------------------------------
    def segment_of(self, t: Array, *, right: bool = True) -> Index:
        """Segment holding ``t`` (a knot belongs to the segment it starts if ``right``)."""
        inner = self.knots[:, 1:-1]
        count = (inner <= t[:, None]) if right else (inner < t[:, None])
        return count.sum(axis=1).astype(np.int64)

    def integral(self, side: str, k: Index, u: Array) -> Array:
        """``∫_{t_k}^{t_k+u} λ_side`` on segment ``k[i]`` of each draw."""
        return self.coef[side].take(k).integral(u)

    def hazard(self, side: str, k: Index, u: Array) -> Array:
        r""":math:`\lambda_i` at ``u`` past the start of segment ``k[i]``."""
        return self.coef[side].take(k).hazard(u)

    def cumulative(self, side: str, t: Array, *, after_jump: bool = True) -> Array:
        r""":math:`\Lambda_i(t)`, counting a deadline atom at a knot ``t`` if ``after_jump``."""
        if kernels_enabled():
            tt = np.ascontiguousarray(np.broadcast_to(t, (self.n,)), dtype=np.float64)
            return kernels.cumulative(
                self.knots, self.cum[side], self.jump[side], self.stacked(side), tt, after_jump
            )
        k = self.segment_of(t)
        u = np.maximum(t - np.take_along_axis(self.knots, k[:, None], axis=1)[:, 0], 0.0)
        base = np.take_along_axis(self.cum[side], k[:, None], axis=1)[:, 0]
        if not after_jump:
            at_knot = u <= 0.0
            j = np.take_along_axis(self.jump[side], k[:, None], axis=1)[:, 0]
            base = base + np.where(at_knot, _log1m(j), 0.0)
        return base + self.integral(side, k, u)

    def first_passage(self, side: str, theta: Array) -> Array:
        r""":math:`T_i = \inf\{t : \Lambda_i(t) \ge \theta_i\}` (inf if never)."""
        cum, jump = self.cum[side], self.jump[side]
        if kernels_enabled():
            theta = np.ascontiguousarray(theta, dtype=np.float64)
            return kernels.first_passage(
                self.knots, self.width, cum, jump, self.stacked(side), theta
            )
        reached = cum[:, 1:] >= theta[:, None]  # by knot k + 1, after its atom
        any_hit = reached.any(axis=1)
        j = np.where(any_hit, np.argmax(reached, axis=1), 0)  # segment before that knot
        before = np.take_along_axis(cum[:, 1:] + _log1m(jump[:, 1:]), j[:, None], axis=1)[:, 0]
        knot = np.take_along_axis(self.knots[:, 1:], j[:, None], axis=1)[:, 0]
        start = np.take_along_axis(self.knots, j[:, None], axis=1)[:, 0]
        inside = any_hit & (before >= theta)
        base = np.take_along_axis(cum, j[:, None], axis=1)[:, 0]
        coef = self.coef[side].take(j)
        # The target is met where the hazard lives (the other side still concedes).
        width = np.minimum(np.take_along_axis(self.width, j[:, None], axis=1)[:, 0], coef.live)
        u = _solve_increasing(
            coef.integral, coef.hazard, np.where(inside, theta - base, 0.0), width, inside
        )
        out = np.where(inside, start + u, np.where(any_hit, knot, np.inf))
        return np.where(theta <= 0.0, self.knots[:, 0], out)

    def end_of(self, side: str, theta: Array) -> Array:
        r""":math:`T_i^e = \min(T_i, t_i^0)`: when the side's rational types are spent or stop."""
        return np.minimum(self.first_passage(side, theta), self.stop[side])

    def solve(
        self, theta_a: ArrayLike, theta_b: ArrayLike, *, end_b: Array | None = None
    ) -> Attrition:
        """The equilibrium from reputations ``θ = −ln μ`` at the start (module docstring).

        ``end_b`` may pass side *b*'s :meth:`end_of` when it is already known (a
        fixed ``theta_b`` with many ``theta_a``).
        """
        theta = {}
        for side, v in (("a", theta_a), ("b", theta_b)):
            arr = np.broadcast_to(as_float_array(v, f"theta_{side}"), (self.n,)).copy()
            check_in_range(arr, f"theta_{side}", 0.0, np.inf)
            theta[side] = arr
        if kernels_enabled():
            return self._solve_kernel(theta, end_b)
        ends = {
            "a": self.end_of("a", theta["a"]),
            "b": self.end_of("b", theta["b"]) if end_b is None else end_b,
        }
        end = np.minimum(ends["a"], ends["b"])
        _endless_error(end)
        atoms = {
            s: np.where(
                ends[s] > end,
                -np.expm1(np.minimum(self.cumulative(s, end) - theta[s], 0.0)),
                0.0,
            )
            for s in _SIDES
        }
        # A side that would rather concede than win from the start concedes at once with all
        # its rational mass; the other then concedes to a committed side (not the war above).
        start = self.knots[:, 0]
        below = {s: self._yields_below_zero(s, theta) for s in _SIDES}
        y = {s: (self.yields[s] <= start) | below[s] for s in _SIDES}
        yielded = {"a": y["a"], "b": y["b"] & ~y["a"]}
        for s in _SIDES:
            o = _other(s)
            rational = -np.expm1(-theta[s])
            atoms[s] = np.where(yielded[s], rational, atoms[s])
            atoms[o] = np.where(yielded[s], np.exp(-theta[s]) * -np.expm1(-theta[o]), atoms[o])
            end = np.where(yielded[s], start, end)
        regular = ~np.any(self.bad & (self.knots[:, :-1] < end[:, None]), axis=1)
        regular &= ~(y["a"] & y["b"])
        # The rule for a side that prefers no deal is an approximation (its docstring).
        regular &= ~(self._corner("a") | self._corner("b"))
        return Attrition(self, theta, atoms, end, regular, yielded)

    def _by_side(self) -> tuple[Array, ...]:
        """``cum``, ``jump``, ``coef``, ``stop``, ``yields`` stacked by side (built once)."""
        if self._sides is None:
            self._sides = (
                np.stack([self.cum[s] for s in _SIDES]),
                np.stack([self.jump[s] for s in _SIDES]),
                np.stack([self.coef[s].stacked() for s in _SIDES]),
                np.stack([self.stop[s] for s in _SIDES]),
                np.stack([self.yields[s] for s in _SIDES]),
            )
        return self._sides

    def _solve_kernel(self, theta: dict[str, Array], end_b: Array | None) -> Attrition:
        """:meth:`solve` by the compiled kernel (:func:`._attrition_kernels.solve`)."""
        cum, jump, coef, stop, yields = self._by_side()
        own = np.stack([self.concede[s].level[:, 0] for s in _SIDES])
        win = np.stack([self.win[s].level[:, 0] for s in _SIDES])
        known = end_b is not None
        atoms, end, regular, yielded = kernels.solve(
            self.knots,
            self.width,
            cum,
            jump,
            coef,
            stop,
            yields,
            self.bad,
            own,
            win,
            np.stack([theta[s] for s in _SIDES]),
            np.ascontiguousarray(end_b if known else self.knots[:, 0], dtype=np.float64),
            known,
        )
        _endless_error(end)
        return Attrition(
            self,
            theta,
            {s: atoms[j] for j, s in enumerate(_SIDES)},
            end,
            regular,
            {s: yielded[j] for j, s in enumerate(_SIDES)},
        )


def _endless_error(end: Array) -> None:
    if np.any(np.isinf(end)):
        i = int(np.flatnonzero(np.isinf(end))[0])
        raise ValueError(
            f"the war of attrition of draw {i} never ends (no reputation reaches 1 and no "
            f"concession payoff falls to 0): add a collapse hazard or a later knot"
        )


def _piecewise(f: Piecewise, name: str, shape: tuple[int, int]) -> Piecewise:
    out = []
    for part in ("level", "slope"):
        arr = as_float_array(getattr(f, part), f"{name}.{part}")
        if arr.shape != shape:
            raise ValueError(f"{name}.{part} must have shape {shape}; got {arr.shape}")
        out.append(arr)
    return Piecewise(*out)


def attrition_hazards(
    knots: ArrayLike,
    concede_a: Piecewise,
    win_a: Piecewise,
    concede_b: Piecewise,
    win_b: Piecewise,
    rate_a: ArrayLike,
    rate_b: ArrayLike,
    collapse: ArrayLike = 0.0,
) -> AttritionHazards:
    """Hazards of the war of attrition on per-draw knots (module docstring).

    Parameters
    ----------
    knots : array_like, shape (n, m + 1)
        Non-decreasing per row; column 0 is the start; the last may be ``inf``.
    concede_a, win_a, concede_b, win_b : Piecewise
        ``(n, m)`` levels and slopes: side *i*'s gain from conceding, and from the
        other's concession, at time ``t`` (undiscounted; no deal is 0).
    rate_a, rate_b : array_like
        Discount rates (> 0) per unit of time.
    collapse : array_like, shape (n, m) or broadcastable
        Hazard (≥ 0) per segment that the talks collapse without a deal.

    Returns
    -------
    AttritionHazards

    Raises
    ------
    ValueError
        On bad shapes, NaN, decreasing knots, non-positive rates, negative hazards,
        a concession payoff that jumps up or rises faster than the discount rate, or
        both sides' payoffs dropping at the same knot.
    """
    kn = np.asarray(knots, dtype=np.float64)
    if kn.ndim != 2 or kn.shape[1] < 2:
        raise ValueError(f"knots must have shape (n, m + 1) with m ≥ 1; got {kn.shape}")
    if not np.all(np.isfinite(kn[:, :-1])) or np.isnan(kn[:, -1]).any():
        raise ValueError("knots must be finite, except that the last column may be +inf")
    if np.any(np.diff(kn, axis=1) < 0):
        raise ValueError("knots must be non-decreasing along each row")
    n, m = kn.shape[0], kn.shape[1] - 1
    shape = (n, m)
    concede = {
        "a": _piecewise(concede_a, "concede_a", shape),
        "b": _piecewise(concede_b, "concede_b", shape),
    }
    win = {"a": _piecewise(win_a, "win_a", shape), "b": _piecewise(win_b, "win_b", shape)}
    rate = {}
    for side, v in (("a", rate_a), ("b", rate_b)):
        arr = np.broadcast_to(as_float_array(v, f"rate_{side}"), (n,)).astype(np.float64)
        check_in_range(arr, f"rate_{side}", 0.0, np.inf, low_open=True)
        rate[side] = arr
    eta = np.broadcast_to(as_float_array(collapse, "collapse"), shape).astype(np.float64)
    check_in_range(eta, "collapse", 0.0, np.inf)
    return AttritionHazards(kn, concede, win, rate, eta)


class Attrition:
    """Equilibrium of the war of attrition for given starting reputations.

    Attributes
    ----------
    start_atom_a, start_atom_b : ndarray
        :math:`c_a, c_b`, probabilities of conceding at the start.
    end : ndarray
        :math:`T^*`, when the war ends (only committed types remain).
    regular : ndarray of bool
        Winning beats conceding wherever a side concedes before :math:`T^*` (the
        solution is an equilibrium).
    """

    def __init__(
        self,
        hz: AttritionHazards,
        theta: dict[str, Array],
        atoms: dict[str, Array],
        end: Array,
        regular: Bools,
        yielded: dict[str, Bools] | None = None,
    ) -> None:
        self.hz = hz
        self.atoms = atoms
        none = np.zeros(hz.n, dtype=bool)
        self.yielded = yielded or {"a": none, "b": none}
        self.start_atom_a, self.start_atom_b = atoms["a"], atoms["b"]
        # Reputations after the start atoms: Λ_i reaches θ_i at the side's own end.
        self.theta = {s: theta[s] + _log1m(atoms[s]) for s in _SIDES}
        self.end = end
        self.regular = regular
        self._tables: dict[str, Array] | None = None

    @property
    def start(self) -> Array:
        """The start :math:`s` (first knot)."""
        return self.hz.knots[:, 0]

    @property
    def survivors(self) -> Array:
        """Probability that nobody concedes at the start (the atoms are unconditional)."""
        return 1.0 - self.start_atom_a - self.start_atom_b

    def value(self, side: str) -> Array:
        """A rational side's equilibrium value at the start (undiscounted, gain units)."""
        c_other = self.atoms[_other(side)]
        own = self.hz.concede[side].level[:, 0]
        win = self.hz.win[side].level[:, 0]
        # Where the side never concedes (ℓ ≤ 0) the war ends in no deal: worth 0.
        rest = c_other * win + (1.0 - c_other) * np.maximum(own, 0.0)
        return np.where(self.yielded[side], own, rest)

    def _capped(self, side: str, cum: Array) -> Array:
        """``Λ_i`` capped where the side's reputation reaches 1 (its rational mass is spent)."""
        return np.minimum(cum, self.theta[side])

    def survival(self, t: ArrayLike) -> Array:
        """Probability that nothing (no concession, no collapse) has happened by ``t``."""
        hz = self.hz
        tt = np.broadcast_to(np.asarray(t, dtype=np.float64), (hz.n,))
        te = np.clip(tt, self.start, self.end)
        lam = sum(self._capped(s, hz.cumulative(s, te)) for s in _SIDES)
        k = hz.segment_of(te)
        u = te - np.take_along_axis(hz.knots, k[:, None], axis=1)[:, 0]
        col = (
            np.take_along_axis(hz.collapse_cum, k[:, None], axis=1)[:, 0]
            + np.take_along_axis(hz.collapse, k[:, None], axis=1)[:, 0] * u
        )
        return np.where(tt < self.start, 1.0, self.survivors * np.exp(-lam - col))

    def incidence(self) -> dict[str, Array]:
        """Per-segment probabilities of each side's concession, and their time moments.

        Returns
        -------
        dict
            ``"a"``, ``"b"`` (n, m): probability that the side concedes inside segment
            ``k`` (excluding knots); ``"atom_a"``, ``"atom_b"`` (n, m + 1): at knot ``k``
            (the start atom at knot 0, deadline atoms after); ``"ta"``, ``"tb"`` (n, m):
            the interior incidences weighted by the time of concession.
        """
        if self._tables is not None:
            return self._tables
        if kernels_enabled():
            self._tables = self._incidence_kernel()
            return self._tables
        hz = self.hz
        n, m = hz.n, hz.m
        inc = {s: np.zeros((n, m)) for s in _SIDES}
        tinc = {s: np.zeros((n, m)) for s in _SIDES}
        atom = {s: np.zeros((n, m + 1)) for s in _SIDES}
        for s in _SIDES:
            atom[s][:, 0] = self.atoms[s]
        base = self.survivors
        for k in range(m):
            t0 = hz.knots[:, k]
            width = np.clip(np.minimum(hz.knots[:, k + 1], self.end) - t0, 0.0, None)
            width = np.where(np.isfinite(width), width, 0.0)
            if not width.any() and not (hz.jump["a"][:, k + 1] + hz.jump["b"][:, k + 1]).any():
                continue  # no draw of the batch is at war on this segment
            u = 0.5 * width[:, None] * (_GL_X[None, :] + 1.0)
            wq = 0.5 * width[:, None] * _GL_W[None, :]
            cols = {s: hz.coef[s].column(k) for s in _SIDES}
            lam = (
                hz.cum["a"][:, k, None]
                + hz.cum["b"][:, k, None]
                + cols["a"].integral(u)
                + cols["b"].integral(u)
                + hz.collapse_cum[:, k, None]
                + hz.collapse[:, k, None] * u
            )
            surv = base[:, None] * np.exp(-lam)
            for s in _SIDES:
                dens = surv * cols[s].hazard(u) * wq
                inc[s][:, k] = dens.sum(axis=1)
                tinc[s][:, k] = (dens * (t0[:, None] + u)).sum(axis=1)
            # Deadline atoms at knot k + 1 (inside the war), capped by the rational mass left.
            inside = hz.knots[:, k + 1] <= self.end
            before = {
                s: np.minimum(hz.cum[s][:, k + 1] + _log1m(hz.jump[s][:, k + 1]), self.theta[s])
                for s in _SIDES
            }
            s_before = base * np.exp(-(before["a"] + before["b"]) - hz.collapse_cum[:, k + 1])
            for s in _SIDES:
                left = -np.expm1(before[s] - self.theta[s])  # rational mass still there
                take = np.minimum(hz.jump[s][:, k + 1], left)
                atom[s][:, k + 1] = np.where(inside, s_before * take, 0.0)
        self._tables = {
            "a": inc["a"],
            "b": inc["b"],
            "atom_a": atom["a"],
            "atom_b": atom["b"],
            "ta": tinc["a"],
            "tb": tinc["b"],
        }
        return self._tables

    def _incidence_kernel(self) -> dict[str, Array]:
        """:meth:`incidence` by the compiled kernel (:mod:`._attrition_kernels`)."""
        hz = self.hz
        inc_a, inc_b, atom_a, atom_b, ta, tb = kernels.incidence(
            hz.knots,
            self.end,
            self.survivors,
            self.theta["a"],
            self.theta["b"],
            hz.cum["a"],
            hz.cum["b"],
            hz.jump["a"],
            hz.jump["b"],
            hz.stacked("a"),
            hz.stacked("b"),
            hz.collapse,
            hz.collapse_cum,
            _GL_X,
            _GL_W,
        )
        atom_a[:, 0], atom_b[:, 0] = self.atoms["a"], self.atoms["b"]
        return {"a": inc_a, "b": inc_b, "atom_a": atom_a, "atom_b": atom_b, "ta": ta, "tb": tb}

    def p_concedes(self, side: str) -> Array:
        """Probability that the agreement is ``side``'s concession."""
        t = self.incidence()
        return t[side].sum(axis=1) + t[f"atom_{side}"].sum(axis=1)

    def p_agreement(self) -> Array:
        """Probability of an agreement (a concession before a collapse or the impasse)."""
        return self.p_concedes("a") + self.p_concedes("b")

    def expected_time(self) -> Array:
        """Expected time of agreement given agreement (NaN where agreement has probability 0)."""
        t = self.incidence()
        kn = np.where(np.isfinite(self.hz.knots), self.hz.knots, 0.0)
        num = t["ta"].sum(axis=1) + t["tb"].sum(axis=1)
        num = num + ((t["atom_a"] + t["atom_b"]) * kn).sum(axis=1)
        p = self.p_agreement()
        safe = np.where(p > 0, p, 1.0)
        return np.where(p > 0, num / safe, np.nan)

    def sample(self, u_time: ArrayLike, u_side: ArrayLike) -> tuple[Array, NDArray[np.int8]]:
        """A realized path: the time of the first event and what it is.

        Parameters
        ----------
        u_time, u_side : array_like
            Independent uniforms on [0, 1), one per draw (the draw's own stream).

        Returns
        -------
        time : ndarray
            When the war ends on this path: the concession time, the collapse time,
            or :math:`T^*` for an impasse.
        event : ndarray of int8
            0: *a* concedes, 1: *b* concedes, 2: collapse, 3: impasse (both committed).
        """
        hz = self.hz
        n = hz.n
        ut = np.broadcast_to(np.asarray(u_time, dtype=np.float64), (n,))
        us = np.broadcast_to(np.asarray(u_side, dtype=np.float64), (n,))
        if kernels_enabled():
            return kernels.sample(
                hz.knots,
                self.end,
                self.start_atom_a,
                self.start_atom_b,
                self.theta["a"],
                self.theta["b"],
                hz.cum["a"],
                hz.cum["b"],
                hz.jump["a"],
                hz.stacked("a"),
                hz.stacked("b"),
                hz.collapse,
                hz.collapse_cum,
                np.ascontiguousarray(ut),
                np.ascontiguousarray(us),
            )
        ca, cb = self.start_atom_a, self.start_atom_b
        at_start = ut < ca + cb
        time = np.where(at_start, self.start, np.nan)
        event = np.where(at_start, np.where(ut < ca, 0, 1), -1).astype(np.int8)
        # Otherwise the event comes when S(t) = survivors·e^{−Λ(t)} falls to 1 − u.
        base = self.survivors
        need = -np.log1p(-ut) + np.log(np.where(base > 0, base, 1.0))
        todo = ~at_start
        for k in range(hz.m):
            t0 = hz.knots[:, k]
            width = np.clip(np.minimum(hz.knots[:, k + 1], self.end) - t0, 0.0, None)
            cols = {s: hz.coef[s].take(np.full(n, k)) for s in _SIDES}
            eta = hz.collapse[:, k]
            start_total = hz.cum["a"][:, k] + hz.cum["b"][:, k] + hz.collapse_cum[:, k]

            def total(u: Array, cols: dict[str, _Coef] = cols, eta: Array = eta) -> Array:
                return cols["a"].integral(u) + cols["b"].integral(u) + eta * u

            def rate(u: Array, cols: dict[str, _Coef] = cols, eta: Array = eta) -> Array:
                return cols["a"].hazard(u) + cols["b"].hazard(u) + eta

            finite = np.where(np.isfinite(width), width, 0.0)
            reach = start_total + np.where(np.isfinite(width), total(finite), np.inf)
            hit = todo & (t0 < self.end) & (reach >= need)
            if hit.any():
                u = _solve_increasing(
                    total, rate, np.where(hit, need - start_total, 0.0), width, hit
                )
                la, lb = cols["a"].hazard(u), cols["b"].hazard(u)
                tot = la + lb + eta
                safe = np.where(tot > 0, tot, 1.0)
                ev = np.where(us < la / safe, 0, np.where(us < (la + lb) / safe, 1, 2))
                time = np.where(hit, t0 + u, time)
                event = np.where(hit, ev, event).astype(np.int8)
                todo &= ~hit
            kn = hz.knots[:, k + 1]
            after = sum(self._capped(s, hz.cum[s][:, k + 1]) for s in _SIDES)
            hit = todo & (kn <= self.end) & (after + hz.collapse_cum[:, k + 1] >= need)
            if hit.any():  # the deadline atom at knot k + 1
                time = np.where(hit, kn, time)
                event = np.where(hit, np.where(hz.jump["a"][:, k + 1] > 0, 0, 1), event)
                event = event.astype(np.int8)
                todo &= ~hit
        time = np.where(todo, self.end, time)
        event = np.where(todo, 3, event).astype(np.int8)
        return time, event


def _solve_increasing(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array],
    target: Array,
    width: Array,
    mask: Bools,
) -> Array:
    """Root of an increasing ``f(u) = target`` on ``[0, width]`` (width may be inf), per draw.

    Safeguarded Newton: a step is taken when it stays inside the bracket, else the
    bracket is bisected; a lane stops when its bracket is narrower than
    :data:`TIME_TOL` or ``f`` meets the target to rounding. An infinite interval is
    first bracketed by doubling.
    """
    lo = np.zeros_like(target)
    hi = np.where(np.isfinite(width), width, 1.0)
    for _ in range(1100):
        short = mask & np.isinf(width) & (f(hi) < target)
        if not short.any():
            break
        hi = np.where(short, 2.0 * hi, hi)
    # Start from the linear interpolation of f over the bracket.
    f_hi = f(hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(f_hi > 0, hi * np.clip(target / f_hi, 0.0, 1.0), 0.5 * hi)
    done = ~mask
    for _ in range(200):
        g = f(u) - target
        lo = np.where(g < 0, u, lo)
        hi = np.where(g > 0, u, hi)
        d = df(u)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = u - g / d
        ok = (d > 0) & (newton >= lo) & (newton <= hi)
        new = np.where(ok, newton, 0.5 * (lo + hi))
        tol = TIME_TOL * (1.0 + u)
        small_step = ok & (np.abs(new - u) <= tol)
        newly = ~done & ((g == 0) | (hi - lo <= tol) | small_step)
        # Lanes already done stay frozen: a lane's result never depends on its neighbours.
        u = np.where(done | (newly & ~small_step), u, new)
        done |= newly
        if done.all():
            break
    return np.where(mask, u, 0.0)


def war_of_attrition(
    knots: ArrayLike,
    concede_a: Piecewise,
    win_a: Piecewise,
    concede_b: Piecewise,
    win_b: Piecewise,
    rate_a: ArrayLike,
    rate_b: ArrayLike,
    z_a: ArrayLike,
    z_b: ArrayLike,
    collapse: ArrayLike = 0.0,
) -> Attrition:
    r"""Equilibrium of the war of attrition from prior obstinacy probabilities (module docstring).

    :func:`attrition_hazards` followed by :meth:`AttritionHazards.solve` with
    :math:`\theta_i = -\ln z_i`.

    Parameters
    ----------
    knots, concede_a, win_a, concede_b, win_b, rate_a, rate_b, collapse
        As in :func:`attrition_hazards`.
    z_a, z_b : array_like
        Prior probabilities that each side is committed, in (0, 1].

    Returns
    -------
    Attrition

    Raises
    ------
    ValueError
        As :func:`attrition_hazards`, or a prior outside (0, 1], or a war that
        never ends.

    Examples
    --------
    Constant shares reproduce Abreu & Gul (one segment to infinity, no collapse):

    >>> import numpy as np
    >>> from alliance_sim.solvers.reputation import abreu_gul
    >>> one = lambda v: Piecewise(np.full((1, 1), v), np.zeros((1, 1)))
    >>> war = war_of_attrition([[0.0, np.inf]], one(0.4), one(0.7), one(0.3), one(0.6),
    ...                        1.0, 1.5, 0.1, 0.2)
    >>> ag = abreu_gul(0.7, 0.6, 0.1, 0.2, 1.0, 1.5)
    >>> bool(np.isclose(war.end[0], ag.t_max)), bool(np.isclose(war.p_concedes("a")[0],
    ...                                                          ag.p_a_concedes))
    (True, True)
    """
    za = as_float_array(z_a, "z_a")
    zb = as_float_array(z_b, "z_b")
    check_in_range(za, "z_a", 0.0, 1.0, low_open=True)
    check_in_range(zb, "z_b", 0.0, 1.0, low_open=True)
    hz = attrition_hazards(knots, concede_a, win_a, concede_b, win_b, rate_a, rate_b, collapse)
    return hz.solve(-np.log(za), -np.log(zb))
