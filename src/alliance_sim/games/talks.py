r"""Why talks wait: the talks as a reputational war of attrition on the calendar.

Each side may be *committed* to a public posture — Tokyo (the payer) to paying
:math:`x_J`, each US administration :math:`\theta` to receiving
:math:`x_\theta` — with prior probabilities :math:`z_J, z_\theta`; rational types
imitate the postures (Abreu & Gul 2000), so the talks become a war of attrition
in which *conceding* means accepting the other's payment. This module builds that
war from the players' utilities and the calendar and solves it with
:mod:`alliance_sim.solvers.attrition`.

**Gains from a concession.** An agreement on payment :math:`x` with term
:math:`T_c` (years) signed at :math:`t` gives side :math:`i` of administration
:math:`\theta` the gain over its no-deal utility :math:`d_i^\theta`

.. math::
    G_i(x, c, t) = \varphi_i(x) + a_c\,U_i^0(T_c, t) + (1-a_c)\,(U_i^{0*} - \kappa_R)
        - d_i^\theta, \qquad a_c = T_c/H,

where :math:`\varphi_i` collects the utility terms that depend on the payment,
:math:`U_i^0(T, t)` the others (the signing time enters through the budget-draft
and lapse costs, the lapse running from the expiry to the agreement's entry into
force :math:`e(T, t)`, which needs a ratification lead time and, for a full
agreement with a new administration, its policy review:
:class:`~alliance_sim.players.terms.LapseCost`), and :math:`U_i^{0*}` the terms
that depend on neither (:meth:`~alliance_sim.players.player.Player.timeless_part`).
A short term is followed by the renewal of the same payment for the rest of the
horizon :math:`H`, at a renegotiation cost :math:`\kappa_R` a year.

**Who chooses the term.** The side that concedes on the payment chooses the term
(the money-for-term trade of the 10th Korea SMA, in the past-agreements dataset: "one-year term was
the US concession-for-amount trade"):

.. math::
    \ell_J(t) = \max_c G_J(x_\theta, c, t), \quad
    w_\theta(t) = G_\theta(x_\theta, c_J^*(t), t), \qquad
    \ell_\theta(t) = \max_c G_\theta(x_J, c, t), \quad
    w_J(t) = G_J(x_J, c_\theta^*(t), t).

So a one-year stopgap *emerges* when a full agreement cannot take effect before
the expiry (lead time, review) and the lapse it would cost outweighs
:math:`\kappa_R`. Conceding to a payment that the other side's legislature would
not ratify (above ``ratify_max`` for Tokyo, below ``ratify_min`` or the floor for
Washington) is impossible (:math:`\ell = -1`: that side never concedes).

**The calendar and the election.**

1. *Before the election* the incumbent, in campaign, does not concede (its
   posture is its campaign's; "real bargaining was expected only after the
   election", as Kyodo reported on 2020-10-03: ``docs/reference/sources.md``). Tokyo's
   rational type can concede at the opening —
   accepting :math:`x_I` with the term of its choice, where a one-year deal is
   renegotiated with the winner known (renewed with the incumbent; the
   challenger's generalized Nash payment otherwise) — or wait. Waiting is worth

   .. math::
       W(\theta_J) = p\,(d_J^C - d_J^I) + D_E\bigl[(1-p)\,V_J^I(\theta_J)
           + p\,D_{EI}\,V_J^C(\theta_J)\bigr]

   (gains over :math:`d_J^I`; :math:`D_E`, :math:`D_{EI}` discount and survive
   the collapse hazard to the election and from it to the inauguration;
   :math:`V_J^\theta` is Tokyo's equilibrium value in the war with
   administration :math:`\theta`, which depends on Tokyo's reputation
   :math:`\theta_J = -\ln\mu_J`). Tokyo concedes with the probability
   :math:`a \in [0, 1-z_J]` that makes it indifferent,
   :math:`G^P = W(\theta_J^0 + \ln(1-a))` (conceding raises the reputation of
   those who wait, and so what waiting is worth), or not at all
   (:math:`G^P \le W(\theta_J^0)`), or with all its rational mass.
2. *At the election* the winner is known. If the incumbent wins, the war with it
   starts at once, from Tokyo's reputation after the opening and the incumbent's
   prior. If the challenger wins, the outgoing administration is a lame duck
   (no agreement), and the war with the new administration starts at the
   inauguration, from Tokyo's reputation and the challenger's prior: the
   incumbent's committed type has left the game — a dated change of opponent.
3. *In each war* the concession hazards, the deadline atoms (Washington concedes
   just before Tokyo's budget draft) and the end are those of
   :mod:`alliance_sim.solvers.attrition`; after the expiry the talks collapse
   with no deal for the term at hazard ``collapse`` a year (plus the weekly
   ``breakdown`` shock throughout).

**Exact and numerical.** The hazards, deadline atoms, reputations, end times and
values are closed forms; the time a reputation reaches 1 and Tokyo's opening
concession are roots (tolerances :data:`~alliance_sim.solvers.attrition.TIME_TOL`
and ``xtol = 1e-12`` on the reputation); the outcome probabilities are
Gauss–Legendre quadratures (numerical; see :mod:`alliance_sim.solvers.attrition`).
The payoffs must be linear in :math:`t` between the knots the players' terms
declare (:meth:`~alliance_sim.players.terms.UtilityTerm.time_knots`); this is
checked.

**The realized path** of each draw uses its two latent uniforms
(``TalksCalendar.path_draws``) and its election outcome, so it depends only on
the draw. Expected values (``p_*``, ``expected_*``) are ex ante, at the opening:
over the election as well as the equilibrium's randomness.

References
----------
D. Abreu, F. Gul (2000), "Bargaining and reputation", *Econometrica* 68(1), 85–117.
J. Fanning (2016), "Reputational bargaining and deadlines", *Econometrica* 84(3),
1131–1179.
R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
games", *International Organization* 42(3), 427–460.
J. D. Fearon (1994), "Domestic political audiences and the escalation of
international disputes", *American Political Science Review* 88(3), 577–592.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._jit import kernels_enabled
from ..parameters import Draws
from ..players import Player
from ..players.terms import DeadlinePressure, LapseCost
from ..solvers import find_root, nash_solution
from ..solvers.attrition import Attrition, AttritionHazards, Piecewise, attrition_hazards
from . import _talks_kernels as talks_kernels
from .bargaining import BargainingProblem

__all__ = ["TALKS_OUTPUTS", "Branch", "Gains", "Talks", "solve_talks", "talks_equilibrium"]

Array = NDArray[np.float64]

#: Weeks per year (the ``breakdown`` shock is a probability per week).
WEEKS_PER_YEAR = 365.25 / 7.0

#: Per-draw outputs of :func:`talks_equilibrium`.
TALKS_OUTPUTS: dict[str, str] = {
    "spe_agreement": "an agreement is reached on the draw's realized path (bool)",
    "spe_payment": "the payment agreed on the realized path (NaN without agreement)",
    "agreement_time": "years from the opening to the agreement on the path (NaN if none)",
    "agreement_week": "week of the agreement since the opening (0: the opening week; −1 if none)",
    "agreement_before_election": "the agreement comes before the election (bool)",
    "term_years": "term of the agreement on the path (NaN if none)",
    "one_year_deal": "the agreement is shorter than the usual term (bool)",
    "lapse": "the old agreement lapses: the new one takes effect after the expiry, or none (bool)",
    "lapse_days": "days from the expiry to the new agreement's entry into force (0 if on time; "
    "NaN without agreement)",
    "before_budget": "agreement before the payer's budget draft (bool)",
    "conceded_by": "who conceded on the path: 0 the payer, 1 the payee, −1 nobody",
    "no_deal": "the talks end without agreement: collapse, or committed types on both sides",
    "p_agreement": "probability of an agreement (ex ante)",
    "p_before_election": "probability of agreement before the election (ex ante)",
    "p_lapse": "probability that the old agreement lapses (ex ante)",
    "p_on_time": "probability that a new agreement takes effect by the expiry (ex ante; "
    "1 − p_lapse)",
    "p_one_year": "probability of a short (one-year) agreement (ex ante)",
    "p_payer_concedes": "probability that the agreement is the payer's concession (ex ante)",
    "expected_delay": "expected years from the opening to the agreement, given agreement",
    "expected_payment": "expected agreed payment, given agreement",
    "talks_regular": "winning beats conceding wherever a side concedes (the solution is an "
    "equilibrium; bool)",
}


def _date(draws: Draws, name: str) -> float:
    """A calendar date: the same in every draw (the talks' stages are common to all)."""
    v = np.asarray(draws[name], dtype=np.float64)
    if v.size and not np.all(v == v.flat[0]):
        raise ValueError(
            f"the talks' calendar needs {name!r} to be a fixed date, the same in every draw "
            f"(a number, not a distribution)"
        )
    return float(v.flat[0])


def timeless(player: Player) -> Player:
    """The player without its time-dependent terms (a renegotiation a year later)."""
    return Player(player.name, [(t, w) for t, w in player.terms if not t.depends_on_t])


def entry_into_force(player: Player) -> Callable[[Draws, float, Array], Array]:
    """``e(draws, T, t)``: when an agreement signed at ``t`` takes effect.

    Read from the player's first :class:`~alliance_sim.players.terms.LapseCost`
    term (lead times and review date); without one, on signing.
    """
    for term, w in player.terms:
        if isinstance(term, LapseCost) and w != 0.0:
            return lambda d, T, t: term.effective(d, T, t)
    return lambda d, T, t: np.asarray(t, dtype=np.float64)


@dataclass
class Gains:
    r"""Side :math:`i`'s gain :math:`G_i(x, c, t)` over its no-deal utility (module docstring).

    Attributes
    ----------
    player : Player
    state : Draws
        Draws resolved for the administration of the branch.
    ref : ndarray
        The no-deal utility the gains are measured against.
    terms : tuple of float
        The terms :math:`T_c`; ``horizon`` is :math:`H`.
    kappa : ndarray
        Renegotiation cost a year after a short term.
    renewal : callable or None
        ``renewal(x, c)``: utility of the years after a short term (default: the
        same payment renewed, :math:`\varphi(x) + U^{0*}`).
    """

    player: Player
    state: Draws
    ref: Array
    terms: tuple[float, ...]
    horizon: float
    kappa: Array
    renewal: Callable[[Array, int], Array] | None = None

    def __post_init__(self) -> None:
        self.n = self.state.n
        # The terms that depend neither on the signing time nor on the term: they are
        # both what a renewal is worth beyond its payment and the timeless part of fixed().
        self.rest = self.player.timeless_part(self.state, self.horizon, self.n)
        self._spec: tuple[Array, ...] | bool | None = False  # not built yet
        self._phi: list[tuple[Array, Array]] = []

    def phi(self, x: Array) -> Array:
        r""":math:`\varphi(x)`, cached for the few payment arrays the talks use."""
        for known, value in self._phi:
            if known is x:
                return value
        value = self.player.payment_part(self.state, x)
        self._phi.append((x, value))
        return value

    def __call__(self, x: Array, c: int, t: Array) -> Array:
        """:math:`G(x, c, t)` for payments ``x`` and signing times ``t`` (arrays over draws)."""
        return self.combine(x, c, self.fixed(c, t))

    def fixed(self, c: int, t: Array) -> Array:
        """:math:`U_i^0(T_c, t)`: the part of the gain that does not depend on the payment.

        The timeless terms (:attr:`rest`, computed once) plus those that depend on ``t``.
        """
        return self.rest + self.player.timed_part(self.state, self.terms[c], t, self.n)

    def timed_spec(self) -> tuple[Array, ...] | None:
        """The player's time-dependent terms as :func:`._talks_kernels.timed_parts` reads them.

        None if one of them is not a :class:`~alliance_sim.players.terms.DeadlinePressure`
        or :class:`~alliance_sim.players.terms.LapseCost` (a term of the researcher's
        own): :meth:`fixed` then runs in numpy.
        """
        if self._spec is False:
            self._spec = _timed_spec(self.player, self.state, self.n)
        return self._spec  # type: ignore[return-value]

    def combine(self, x: Array, c: int, fixed: Array) -> Array:
        """:math:`G(x, c, t)` from ``fixed`` = :meth:`fixed` ``(c, t)``.

        ``fixed`` may have a trailing axis of segments, shape ``(n, m)``: the per-draw
        parts broadcast along it (the same elementwise numbers as ``m`` calls).
        """
        col = (lambda v: v) if fixed.ndim == 1 else (lambda v: np.asarray(v)[:, None])
        share = self.share(c)
        if share == 1.0:
            return col(self.phi(x)) + fixed - col(self.ref)
        after = self.after(x, c)
        return share * (col(self.phi(x)) + fixed) + (1.0 - share) * col(after) - col(self.ref)

    def share(self, c: int) -> float:
        """:math:`a_c = T_c/H`, the share of the horizon the term covers."""
        return self.terms[c] / self.horizon

    def after(self, x: Array, c: int) -> Array:
        r"""The years after a short term: the renewal's utility minus :math:`\kappa_R`."""
        renewed = self.phi(x) + self.rest if self.renewal is None else self.renewal(x, c)
        return np.asarray(renewed - self.kappa, dtype=np.float64)

    def longest_first(self) -> list[int]:
        """The terms' indices, longest first (the order that gives ties to the longer term)."""
        return sorted(range(len(self.terms)), key=lambda c: -self.terms[c])

    def best(self, x: Array, t: Array) -> tuple[Array, NDArray[np.int64]]:
        """Best gain over the terms and the term chosen (ties go to the longer term)."""
        return self.best_of(x, [self.fixed(c, t) for c in range(len(self.terms))])

    def best_of(self, x: Array, fixed: list[Array]) -> tuple[Array, NDArray[np.int64]]:
        """:meth:`best` from the fixed parts ``fixed[c]`` of every term (see :meth:`combine`)."""
        order = self.longest_first()
        best_val = np.full(fixed[0].shape, -np.inf)
        best_c = np.zeros(fixed[0].shape, dtype=np.int64)
        for c in order:
            v = self.combine(x, c, fixed[c])
            better = v > best_val
            best_val = np.where(better, v, best_val)
            best_c = np.where(better, c, best_c)
        return best_val, best_c


def _timed_spec(player: Player, state: Draws, n: int) -> tuple[Array, ...] | None:
    """Kinds, weights, parameters ``(K, 5, n)`` and full-term lengths of the timed terms."""
    kinds, weights, params, full = [], [], [], []

    def draw(name: str | None, default: float) -> Array:
        v = default if name is None else state[name]
        return np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))

    zero = np.zeros(n)
    for term, w in player.terms:
        if w == 0.0 or term.depends_on_x or not term.depends_on_t:
            continue
        if type(term) is DeadlinePressure:
            kinds.append(talks_kernels.DEADLINE)
            params.append([draw(term.cost, 0.0), draw(term.date, 0.0), zero, zero, zero])
            full.append(np.inf)
        elif type(term) is LapseCost:
            kinds.append(talks_kernels.LAPSE)
            params.append(
                [
                    draw(term.cost, 0.0),
                    draw(term.date, 0.0),
                    draw(term.lead, 0.0),
                    draw(term.lead_extension, 0.0),
                    draw(term.ready, -np.inf),
                ]
            )
            full.append(term.full_term)
        else:
            return None
        weights.append(w)
    return (
        np.array(kinds, dtype=np.int64),
        np.array(weights, dtype=np.float64),
        np.array(params, dtype=np.float64).reshape(len(kinds), 5, n),
        np.array(full, dtype=np.float64),
    )


@dataclass
class Branch:
    r"""The war of attrition with one administration, from its start date.

    Side *a* of the solver is the payer (Tokyo), side *b* the payee (Washington).

    Attributes
    ----------
    hz : AttritionHazards
    knots : ndarray, (n, m + 1)
    term_a, term_b : ndarray of int, (n, m)
        The term each side chooses when it concedes inside segment ``k``.
    lapse_a, lapse_b : ndarray of bool, (n, m)
        Whether that agreement takes effect after the expiry.
    pay_a, pay_b : ndarray
        The payment when *a* concedes (the payee's posture) and when *b* does.
    theta_b : ndarray
        The payee's reputation :math:`-\ln z_\theta` at the start.
    """

    hz: AttritionHazards
    knots: Array
    term_a: NDArray[np.int64]
    term_b: NDArray[np.int64]
    lapse_a: NDArray[np.bool_]
    lapse_b: NDArray[np.bool_]
    pay_a: Array
    pay_b: Array
    theta_b: Array

    def __post_init__(self) -> None:
        self._end_b = self.hz.end_of("b", self.theta_b)

    def solve(self, theta_a: Array) -> Attrition:
        """The equilibrium for the payer's reputation ``theta_a`` at the start."""
        return self.hz.solve(theta_a, self.theta_b, end_b=self._end_b)

    def rows(self, idx: NDArray[np.int64]) -> Branch:
        """The draws ``idx`` only (for iterating on a few of them)."""
        return Branch(
            self.hz.rows(idx),
            self.knots[idx],
            self.term_a[idx],
            self.term_b[idx],
            self.lapse_a[idx],
            self.lapse_b[idx],
            self.pay_a[idx],
            self.pay_b[idx],
            self.theta_b[idx],
        )


def _segment_points(knots: Array) -> tuple[Array, Array, Array]:
    """Two interior points of each segment and a third between them (for linear fits).

    Within a year of the segment's start (a long or infinite last segment is
    evaluated near its start, where the fit's level is read without cancellation).
    """
    t0, t1 = knots[:, :-1], knots[:, 1:]
    w = np.minimum(t1 - t0, 1.0)
    return t0 + 0.25 * w, t0 + 0.75 * w, t0 + 0.5 * w


def _linear(v1: Array, v2: Array, p1: Array, p2: Array, knots: Array) -> Piecewise:
    """The line through ``(p1, v1)``, ``(p2, v2)`` as level at the segment start and slope."""
    dt = p2 - p1
    safe = np.where(dt > 0, dt, 1.0)
    slope = np.where(dt > 0, (v2 - v1) / safe, 0.0)
    return Piecewise(v1 - slope * (p1 - knots[:, :-1]), slope)


def _check_linear(name: str, fit: Piecewise, value: Array, mid: Array, knots: Array) -> None:
    lin = fit.level + fit.slope * (mid - knots[:, :-1])
    off = np.abs(lin - value) > 1e-7 * (1.0 + np.abs(value))
    if off.any():
        i, k = (int(v[0]) for v in np.nonzero(off))
        _not_linear(name, i, k)


def _not_linear(name: str, i: int, k: int) -> None:
    raise ValueError(
        f"{name} is not linear in the signing time between the talks' knots (draw {i}, "
        f"segment {k}); a utility term of your own that depends on t must list its kinks "
        f"with time_knots(draws, T)"
    )


def _fit(
    name: str, v1: Array, v2: Array, vm: Array, points: tuple[Array, ...], knots: Array
) -> Piecewise:
    """A segment value fitted through ``p1``, ``p2`` and checked at ``mid`` (kernel or numpy)."""
    p1, p2, mid = points
    if kernels_enabled():
        level, slope, i, k = talks_kernels.linear_fits(v1, v2, vm, p1, p2, mid, knots)
        if i >= 0:
            _not_linear(name, i, k)
        return Piecewise(level, slope)
    fit = _linear(v1, v2, p1, p2, knots)
    _check_linear(name, fit, vm, mid, knots)
    return fit


def _knots(
    start: Array,
    dates: list[Array],
    sides: list[tuple[Gains, Array]],
) -> Array:
    """Sorted per-draw knots: the start, the dates after it, and the term-choice switches.

    ``sides`` holds each conceding side's gains and the payment it concedes to; a
    side switches term where two terms' gains cross, which is linear in ``t``
    between the base knots. Repeated dates are kept once, and only as many switch
    columns as some draw needs (unused ones sit at the start: zero-width segments).
    """
    n = start.shape[0]
    unique: list[Array] = []
    for d in dates:
        d = np.maximum(np.broadcast_to(np.asarray(d, dtype=np.float64), (n,)), start)
        if not any(np.array_equal(d, u) for u in unique) and not np.array_equal(d, start):
            unique.append(d)
    kn = np.sort(np.stack([start, *unique, np.full(n, np.inf)], axis=1), axis=1)
    p1, p2, _ = _segment_points(kn)
    switches = []
    for gains, x in sides:
        cs = range(len(gains.terms))
        # G(x, c, t) at p1 and p2 of every segment, (n, m)
        at = [
            [gains.combine(x, c, f) for c, f in enumerate(_fixed_parts(gains, p))] for p in (p1, p2)
        ]
        for c1 in cs:
            for c2 in cs:
                if c2 <= c1:
                    continue
                d1 = at[0][c1] - at[0][c2]
                d2 = at[1][c1] - at[1][c2]
                diff = d2 - d1
                safe = np.where(diff != 0, diff, 1.0)
                cross = np.where(diff != 0, p1 - d1 * (p2 - p1) / safe, np.inf)
                # (Switches a century away are immaterial: dropped.)
                inside = (cross > kn[:, :-1]) & (
                    cross < np.minimum(kn[:, 1:], start[:, None] + 100)
                )
                switches.append(np.where(inside, cross, np.inf))
    if switches:
        sw = np.sort(np.concatenate(switches, axis=1), axis=1)
        keep = int(np.isfinite(sw).sum(axis=1).max())
        if keep:
            sw = sw[:, :keep]
            sw = np.where(np.isfinite(sw), sw, start[:, None])
            kn = np.sort(np.concatenate([kn, sw], axis=1), axis=1)
    return kn


def _fixed_parts(gains: Gains, pts: Array) -> Array:
    """:math:`U^0(T_c, t)` at the points ``pts`` (n, m) for every term: shape (C, n, m)."""
    n, m = pts.shape
    spec = gains.timed_spec() if kernels_enabled() else None
    if spec is not None:
        terms = np.asarray(gains.terms, dtype=np.float64)
        at = np.ascontiguousarray(pts, dtype=np.float64)
        kind, weight, params, full_term = spec
        timeless = np.ascontiguousarray(gains.rest, dtype=np.float64)
        return talks_kernels.timed_parts(kind, weight, params, full_term, terms, timeless, at)
    out = np.empty((len(gains.terms), n, m))
    for c in range(len(gains.terms)):
        for k in range(m):
            out[c, :, k] = gains.fixed(c, pts[:, k])
    return out


def _concessions_kernel(
    own: Gains,
    other: Gains,
    x: Array,
    fixed_own: Array,
    fixed_other: Array,
    can: NDArray[np.bool_],
) -> tuple[Array, Array, NDArray[np.int64]]:
    """The best concession, the other side's win and the term (:mod:`._talks_kernels`)."""
    cs = range(len(own.terms))

    def parts(g: Gains) -> tuple[Array, Array]:
        after = np.zeros((len(cs), g.n))
        for c in cs:
            if g.share(c) != 1.0:
                after[c] = g.after(x, c)
        return np.ascontiguousarray(g.phi(x), dtype=np.float64), after

    phi_own, after_own = parts(own)
    phi_other, after_other = parts(other)
    return talks_kernels.concessions(
        fixed_own,
        fixed_other,
        phi_own,
        phi_other,
        after_own,
        after_other,
        np.ascontiguousarray(own.ref, dtype=np.float64),
        np.ascontiguousarray(other.ref, dtype=np.float64),
        np.array([own.share(c) for c in cs]),
        np.array(own.longest_first(), dtype=np.int64),
        np.ascontiguousarray(can, dtype=np.bool_),
    )


def build_branch(
    knots: Array,
    payer: Gains,
    payee: Gains,
    x_payer: Array,
    x_payee: Array,
    payer_can: NDArray[np.bool_],
    payee_can: NDArray[np.bool_],
    rates: tuple[Array, Array],
    collapse: Array,
    theta_payee: Array,
    effective: Callable[[float, Array], Array],
    expiry: float,
) -> Branch:
    """The war with one administration on ``knots`` (payer = side *a*).

    ``payer_can``/``payee_can``: whether a side's concession could be ratified
    (else it never concedes). ``effective(T, t)`` dates an agreement's entry into
    force; ``collapse`` is the hazard per segment.
    """
    p1, p2, mid = _segment_points(knots)
    m = knots.shape[1] - 1
    terms = payer.terms
    fits: dict[str, Piecewise] = {}
    chosen: dict[str, NDArray[np.int64]] = {}
    lapse: dict[str, NDArray[np.bool_]] = {}
    # side: (its gains, the other's gains, payment it concedes to, its own payment, can concede)
    roles = {
        "a": (payer, payee, x_payee, x_payer, payer_can),
        "b": (payee, payer, x_payer, x_payee, payee_can),
    }
    # values at (p1, p2, mid), appended in that order
    values: dict[str, list[Array]] = {
        key: [] for key in ("concede_a", "win_b", "concede_b", "win_a")
    }
    # The payment-free parts U_i^0(T_c, t) at the three points, (n, m) each: both sides'
    # concessions use them (only φ(x) differs), so each is computed once.
    fixed = {id(g): [_fixed_parts(g, pts) for pts in (p1, p2, mid)] for g in (payer, payee)}
    t_mid = np.where(np.isfinite(mid), mid, knots[:, :-1])
    entry = [np.stack([effective(term, t_mid[:, k]) for k in range(m)], axis=1) for term in terms]
    for side, (own, other, x_concede, _, can) in roles.items():
        win_key = "win_b" if side == "a" else "win_a"
        terms_at = []
        for j in range(3):
            if kernels_enabled():
                best, won, c = _concessions_kernel(
                    own, other, x_concede, fixed[id(own)][j], fixed[id(other)][j], can
                )
            else:
                best, c = own.best_of(x_concede, list(fixed[id(own)][j]))
                best = np.where(can[:, None], best, -1.0)
                won = np.zeros(best.shape)
                for cc in range(len(terms)):
                    v = other.combine(x_concede, cc, fixed[id(other)][j][cc])
                    won = np.where(c == cc, v, won)
            values[f"concede_{side}"].append(best)
            values[win_key].append(won)
            terms_at.append(c)
        chosen[side] = terms_at[2]
        eff = np.full(chosen[side].shape, -np.inf)
        for cc in range(len(terms)):
            eff = np.where(chosen[side] == cc, entry[cc], eff)
        lapse[side] = eff > expiry
    for key, (v1, v2, vm) in values.items():
        fits[key] = _fit(key, v1, v2, vm, (p1, p2, mid), knots)
    hz = attrition_hazards(
        knots,
        fits["concede_a"],
        fits["win_a"],
        fits["concede_b"],
        fits["win_b"],
        rates[0],
        rates[1],
        collapse,
    )
    return Branch(
        hz=hz,
        knots=knots,
        term_a=chosen["a"],
        term_b=chosen["b"],
        lapse_a=lapse["a"],
        lapse_b=lapse["b"],
        pay_a=x_payee,
        pay_b=x_payer,
        theta_b=theta_payee,
    )


def _collapse_hazard(knots: Array, shock: Array, rate: Array, expiry: float) -> Array:
    """Hazard per segment: the weekly shock throughout, ``rate`` from the expiry on."""
    return shock[:, None] + np.where(knots[:, :-1] >= expiry, rate[:, None], 0.0)


def _survive(
    t0: float | Array, t1: float | Array, shock: Array, rate: Array, expiry: float
) -> Array:
    """Probability of no collapse on ``[t0, t1]`` (per draw)."""
    span = np.maximum(np.subtract(t1, t0), 0.0)
    after = np.maximum(np.subtract(t1, np.maximum(t0, expiry)), 0.0)
    return np.exp(-shock * span - rate * after)


def opening_concession(
    concede: Array,
    waiting: Callable[[Array, NDArray[np.int64] | None], Array],
    theta0: Array,
) -> Array:
    r"""Tokyo's probability of conceding at the opening (module docstring, step 1).

    Parameters
    ----------
    concede : ndarray
        :math:`G^P`, the gain from conceding now.
    waiting : callable
        ``waiting(θ, idx)``: :math:`W(\theta)`, the value of waiting with reputation
        ``θ`` (non-increasing), for the draws ``idx`` (all if None).
    theta0 : ndarray
        :math:`-\ln z_J`, the prior reputation.

    Returns
    -------
    ndarray
        The unconditional probability ``a`` in :math:`[0, 1 - z_J]`.
    """
    w_prior = waiting(theta0, None)
    w_sure = waiting(np.zeros_like(theta0), None)  # rational Tokyo known to be committed
    none = concede <= w_prior
    all_ = concede >= w_sure
    theta = np.where(none, theta0, 0.0)
    inner = np.flatnonzero(~none & ~all_)
    if inner.size:
        # Most draws wait or concede outright; iterate on the few mixing ones only.
        c = concede[inner]
        root = find_root(
            lambda th: waiting(th, inner) - c,
            np.zeros(inner.size),
            theta0[inner],
            fa=w_sure[inner] - c,
            fb=w_prior[inner] - c,
            xtol=1e-12,
        )
        theta[inner] = root.checked("Tokyo's opening concession (a root in its reputation)")
    # μ' = z/(1 − a) = e^{−θ'}  ⇒  a = 1 − z·e^{θ'}
    return np.clip(-np.expm1(theta - theta0), 0.0, None)


@dataclass
class Talks:
    r"""The solved talks of a batch of draws: the stages of the module docstring.

    Attributes
    ----------
    dates : dict of str to float
        ``election``, ``inauguration``, ``budget``, ``expiry`` (years since the opening).
    terms, horizon
        The calendar's terms and usual term.
    p : ndarray
        Probability that the challenger wins.
    d_payer : dict of str to ndarray
        Tokyo's no-deal utility with each administration (``"I"``, ``"C"``).
    branches : dict of str to Branch
        The war with each administration, from its start.
    opening_gain, opening_term, opening_payment : ndarray
        :math:`G^P`, the term Tokyo picks and the payment it concedes to at the opening.
    opening_time : ndarray
        :math:`t_R`, when the technical rounds end and bargaining starts (0 without).
    survive_rounds : ndarray
        :math:`S_R`, the probability of no breakdown during the rounds.
    starts : dict of str to ndarray
        When the war with each administration starts: :math:`s_I = \max(t_E, t_R)`,
        :math:`s_C = \max(t_I, t_R)`.
    discount, survive : dict of str to ndarray
        :math:`D_\theta`: Tokyo's discount from :math:`t_R` to :math:`s_\theta` with the
        no-collapse probability it includes, and that probability alone.
    theta0, atom : ndarray
        Tokyo's prior reputation :math:`-\ln z_J` and its opening concession probability.
    wars : dict of str to Attrition
        Each branch's equilibrium from Tokyo's reputation after the opening.
    effective : dict of str to callable
        ``effective[θ](T, t)``: when an agreement with administration θ takes effect.
    """

    dates: dict[str, float]
    terms: tuple[float, ...]
    horizon: float
    p: Array
    d_payer: dict[str, Array]
    branches: dict[str, Branch]
    opening_gain: Array
    opening_term: NDArray[np.int64]
    opening_payment: Array
    opening_time: Array
    survive_rounds: Array
    starts: dict[str, Array]
    discount: dict[str, Array]
    survive: dict[str, Array]
    theta0: Array
    effective: dict[str, Callable[[float, Array], Array]]
    atom: Array | None = None
    wars: dict[str, Attrition] | None = None

    def waiting(self, theta: Array, idx: NDArray[np.int64] | None = None) -> Array:
        r""":math:`W(\theta_J)`: Tokyo's value of waiting for the election (gains over d_J^I).

        ``idx`` restricts to those draws (``theta`` then has one entry per index).
        """
        if idx is None:
            p, d_i, d_c = self.p, self.d_payer["I"], self.d_payer["C"]
            disc_i, disc_c, br = self.discount["I"], self.discount["C"], self.branches
        else:
            p, d_i, d_c = self.p[idx], self.d_payer["I"][idx], self.d_payer["C"][idx]
            disc_i, disc_c = self.discount["I"][idx], self.discount["C"][idx]
            br = self._rows(idx)
        v_i = br["I"].solve(theta).value("a")
        v_c = br["C"].solve(theta).value("a")
        return p * (d_c - d_i) + (1.0 - p) * disc_i * v_i + p * disc_c * v_c

    def _rows(self, idx: NDArray[np.int64]) -> dict[str, Branch]:
        """The branches restricted to ``idx``, cached for repeated calls (a root-find)."""
        key = (idx.size, idx.tobytes())
        if getattr(self, "_rows_key", None) != key:
            self._rows_key = key
            self._rows_cache = {th: b.rows(idx) for th, b in self.branches.items()}
        return self._rows_cache


def _separable(scenario: Any, draws: Draws, states: dict[str, Draws]) -> None:
    """Raise unless both players' utilities are ``φ(x) + U_0(T, t)`` (the gains need it)."""
    x0 = np.asarray(draws[scenario.status_quo], dtype=np.float64)
    probes = np.stack([0.5 * x0, x0, 2.0 * x0])
    for s in states.values():
        for who in (scenario.payer, scenario.payee):
            if not who.separable(s, probes):
                raise ValueError(
                    f"{who.name}'s utility mixes the payment with the term or the signing "
                    f"time (a term's value depends on x and on T or t); the talks need "
                    f"U(x, T, t) = φ(x) + U_0(T, t)"
                )


def _probability(v: Array, what: str, name: str) -> Array:
    if np.any((v <= 0) | (v > 1)):
        raise ValueError(f"{what} ({name!r}) must lie in (0, 1]")
    return v


def _renegotiated(scenario: Any, draws: Draws, state: Draws, d_payer: Array) -> dict[int, Array]:
    """Tokyo's utility, for the years after a short term, of renegotiating with ``state``.

    The generalized Nash payment of the time-free problem (the players without their
    time-dependent terms) for the remaining years; Tokyo's no-deal utility if that
    problem has no settlement range.
    """
    cal = scenario.talks
    calm_payer, calm_payee = timeless(scenario.payer), timeless(scenario.payee)
    beta = np.asarray(draws[scenario.power], dtype=np.float64)
    x0 = np.asarray(draws[scenario.status_quo], dtype=np.float64)
    out: dict[int, Array] = {}
    for c, term in enumerate(cal.terms):
        if term == cal.horizon:
            continue
        rest = cal.horizon - term
        pb = BargainingProblem(
            calm_payer,
            calm_payee,
            state,
            term_years=rest,
            signing_time=0.0,
            floor=max(scenario.payment_floor, 0.0),
            scale=x0,
        )
        x_n = np.where(pb.feasible, nash_solution(pb, beta).payment, x0)
        out[c] = np.where(pb.feasible, calm_payer.utility(state, x_n, rest, 0.0), d_payer)
    return out


def solve_talks(scenario: Any, draws: Draws) -> Talks:
    """Build and solve the talks' stages for every draw (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Needs ``talks`` (a :class:`~alliance_sim.scenarios.calendar.TalksCalendar`)
        and ``election``.
    draws : Draws
        Sampled parameters (not yet resolved by election type).

    Returns
    -------
    Talks

    Raises
    ------
    ValueError
        If the scenario has no talks calendar or election, a calendar date differs
        across draws, a commitment prior leaves (0, 1], a utility mixes the payment
        with the time, a time-dependent term is not linear between the knots, or a
        rate is not positive.
    """
    cal = getattr(scenario, "talks", None)
    election = getattr(scenario, "election", None)
    if cal is None or election is None:
        raise ValueError("the talks need a scenario with `talks` and `election`")
    payer, payee = scenario.payer, scenario.payee
    n = draws.n
    t_e = max(_date(draws, cal.election), 0.0)
    t_i = max(_date(draws, cal.inauguration), t_e)
    t_b = _date(draws, cal.budget)
    t_x = _date(draws, cal.expiry)
    terms, horizon = cal.terms, cal.horizon
    p = np.asarray(draws[election.probability], dtype=np.float64)
    state = {"I": election.resolve_as(draws, False), "C": election.resolve_as(draws, True)}
    _separable(scenario, draws, state)
    kappa = np.asarray(draws[cal.renegotiation], dtype=np.float64)
    floor = max(scenario.payment_floor, 0.0)
    x_j = np.asarray(draws[cal.payer_demand], dtype=np.float64)
    z_j = _probability(
        np.asarray(draws[cal.payer_commitment], dtype=np.float64),
        "payer_commitment",
        cal.payer_commitment,
    )
    r_j = np.asarray(draws[cal.rate_payer], dtype=np.float64)
    r_u = np.asarray(draws[cal.rate_payee], dtype=np.float64)
    shock = -np.log1p(-np.asarray(draws[cal.breakdown], dtype=np.float64)) * WEEKS_PER_YEAR
    collapse_rate = np.asarray(draws[cal.collapse], dtype=np.float64)
    ratify_max = np.asarray(draws[cal.ratify_max], dtype=np.float64)
    ratify_min = np.maximum(np.asarray(draws[cal.ratify_min], dtype=np.float64), floor)
    enter = entry_into_force(payer)
    # effective[θ](T, t) = enter(state[θ], T, t)
    effective: dict[str, Callable[[float, Array], Array]] = {
        th: functools.partial(enter, s) for th, s in state.items()
    }
    d_j = {th: payer.disagreement(s, n) for th, s in state.items()}
    d_u = {th: payee.disagreement(s, n) for th, s in state.items()}

    # 2–3. The war with each administration, from the election or the inauguration,
    # and not before the technical rounds are done.
    branches: dict[str, Branch] = {}
    t_r = (
        np.maximum(np.asarray(draws[cal.rounds], dtype=np.float64), 0.0)
        if cal.rounds is not None
        else np.zeros(n)
    )
    if not np.all(np.isfinite(t_r)):
        raise ValueError(f"the talks' rounds {cal.rounds!r} must be finite years")
    starts = {"I": np.maximum(t_e, t_r), "C": np.maximum(t_i, t_r)}
    for th, s in state.items():
        x_th = np.asarray(s[cal.payee_demand], dtype=np.float64)
        z_th = _probability(
            np.asarray(s[cal.payee_commitment], dtype=np.float64),
            "payee_commitment",
            cal.payee_commitment,
        )
        g_j = Gains(payer, s, d_j[th], terms, horizon, kappa)
        g_u = Gains(payee, s, d_u[th], terms, horizon, kappa)
        start = starts[th]
        dates = [np.full(n, t_b), np.full(n, t_x)]
        for term in terms:
            for who in (payer, payee):
                dates += [np.asarray(k, dtype=np.float64) for k in who.time_knots(s, term)]
        knots = _knots(start, dates, [(g_j, x_th), (g_u, x_j)])
        branches[th] = build_branch(
            knots,
            g_j,
            g_u,
            x_j,
            x_th,
            x_th <= ratify_max,
            x_j >= ratify_min,
            (r_j, r_u),
            _collapse_hazard(knots, shock, collapse_rate, t_x),
            -np.log(z_th),
            effective[th],
            t_x,
        )

    # 1. The opening: Tokyo concedes to the incumbent's posture now, or waits.
    x_inc = np.asarray(state["I"][cal.payee_demand], dtype=np.float64)
    reneg = _renegotiated(scenario, draws, state["C"], d_j["C"])
    g_open = Gains(payer, state["I"], d_j["I"], terms, horizon, kappa)
    g_open.renewal = lambda x, c: (1.0 - p) * (g_open.phi(x) + g_open.rest) + p * reneg[c]
    open_gain, open_term = g_open.best(x_inc, t_r)
    survive = {th: _survive(t_r, s, shock, collapse_rate, t_x) for th, s in starts.items()}
    talks = Talks(
        dates={"election": t_e, "inauguration": t_i, "budget": t_b, "expiry": t_x},
        terms=terms,
        horizon=horizon,
        p=p,
        d_payer=d_j,
        branches=branches,
        opening_gain=np.where(x_inc <= ratify_max, open_gain, -np.inf),
        opening_term=open_term,
        opening_payment=x_inc,
        opening_time=t_r,
        survive_rounds=_survive(0.0, t_r, shock, collapse_rate, t_x),
        starts=starts,
        discount={th: sv * np.exp(-r_j * (starts[th] - t_r)) for th, sv in survive.items()},
        survive=survive,
        theta0=-np.log(z_j),
        effective=effective,
    )
    # Bargaining starts when the rounds end; where the incumbent bargains from then on
    # (the election is past) there is no opening stage.
    opening = starts["I"] > t_r
    talks.atom = np.zeros(n)
    if opening.any():
        gain = np.where(opening, talks.opening_gain, -np.inf)
        talks.atom = opening_concession(gain, talks.waiting, talks.theta0)
    theta_j = np.maximum(talks.theta0 + np.log1p(-talks.atom), 0.0)
    talks.wars = {th: b.solve(theta_j) for th, b in branches.items()}
    return talks


def talks_equilibrium(scenario: Any, draws: Draws) -> dict[str, NDArray]:
    """The reputational talks for every draw: :func:`solve_talks`, then the outputs.

    Parameters
    ----------
    scenario : Scenario
        Needs ``talks`` (a :class:`~alliance_sim.scenarios.calendar.TalksCalendar`)
        and ``election``.
    draws : Draws
        Sampled parameters (not yet resolved by election type).

    Returns
    -------
    dict of str to ndarray
        :data:`TALKS_OUTPUTS`, shape ``(n,)`` each.

    Raises
    ------
    ValueError
        As :func:`solve_talks`.
    """
    talks = solve_talks(scenario, draws)
    assert talks.atom is not None and talks.wars is not None
    t_e, t_b, t_x = (talks.dates[k] for k in ("election", "budget", "expiry"))
    expected = _expected(talks)
    path = _realized_path(scenario, draws, talks)
    t_agree = path["time"]
    agree = path["agreement"]
    term = np.where(agree, np.asarray(talks.terms)[np.maximum(path["term"], 0)], np.nan)
    lapse_days = np.where(agree, np.maximum(path["effective"] - t_x, 0.0) * 365.25, np.nan)
    return {
        "spe_agreement": agree,
        "spe_payment": np.where(agree, path["payment"], np.nan),
        "agreement_time": np.where(agree, t_agree, np.nan),
        "agreement_week": np.where(
            agree, np.floor(np.where(agree, t_agree, 0.0) * WEEKS_PER_YEAR), -1
        ).astype(np.int64),
        "agreement_before_election": agree & (t_agree < t_e),
        "term_years": term,
        "one_year_deal": agree & (term < talks.horizon),
        "lapse": ~agree | (path["effective"] > t_x),
        "lapse_days": lapse_days,
        "before_budget": agree & (t_agree <= t_b),
        "conceded_by": path["conceded_by"],
        "no_deal": ~agree,
        **expected,
        "talks_regular": talks.wars["I"].regular & talks.wars["C"].regular,
    }


def _expected(talks: Talks) -> dict[str, Array]:
    """Ex-ante probabilities and moments: the opening atom, then the branches' wars."""
    assert talks.atom is not None and talks.wars is not None
    atom, wars, branches, p = talks.atom, talks.wars, talks.branches, talks.p
    survive, s_r, t_r = talks.survive, talks.survive_rounds, talks.opening_time
    x_inc, open_term, effective = talks.opening_payment, talks.opening_term, talks.effective
    terms, horizon, t_x = talks.terms, talks.horizon, talks.dates["expiry"]
    short = np.asarray(terms) < horizon
    open_eff = np.zeros_like(t_r)
    for c, tm in enumerate(terms):
        open_eff = np.where(open_term == c, effective["I"](tm, t_r), open_eff)
    opened = s_r * atom  # the rounds end without a breakdown and Tokyo concedes then
    acc = {
        "agree": opened.copy(),
        "time": opened * t_r,
        "pay": opened * x_inc,
        "lapse_ok": opened * (open_eff <= t_x),
        "one": opened * short[open_term],
        "payer": opened.copy(),
    }
    waits = s_r * (1.0 - atom)
    weight = {"I": waits * survive["I"] * (1.0 - p), "C": waits * survive["C"] * p}
    for th, war in wars.items():
        b = branches[th]
        inc = war.incidence()
        w = weight[th]
        kn = np.where(np.isfinite(b.knots), b.knots, 0.0)
        for side, pay, term, lapse in (
            ("a", b.pay_a, b.term_a, b.lapse_a),
            ("b", b.pay_b, b.term_b, b.lapse_b),
        ):
            interior = inc[side]
            # Atoms: at the start (segment 0's choice) and just before knot k+1 (segment k's).
            at = inc[f"atom_{side}"]
            atoms_seg = at[:, 1:].copy()
            atoms_seg[:, 0] += at[:, 0]
            mass = interior + atoms_seg
            times = inc[f"t{side}"] + at[:, 1:] * kn[:, 1:]
            times[:, 0] += at[:, 0] * kn[:, 0]
            acc["agree"] += w * mass.sum(axis=1)
            acc["time"] += w * times.sum(axis=1)
            acc["pay"] += w * pay * mass.sum(axis=1)
            acc["lapse_ok"] += w * (mass * ~lapse).sum(axis=1)
            acc["one"] += w * (mass * short[term]).sum(axis=1)
            if side == "a":
                acc["payer"] += w * mass.sum(axis=1)
    agree = acc["agree"]
    safe = np.where(agree > 0, agree, 1.0)
    return {
        "p_agreement": agree,
        "p_before_election": opened,
        "p_lapse": 1.0 - acc["lapse_ok"],
        "p_on_time": acc["lapse_ok"],
        "p_one_year": acc["one"],
        "p_payer_concedes": acc["payer"],
        "expected_delay": np.where(agree > 0, acc["time"] / safe, np.nan),
        "expected_payment": np.where(agree > 0, acc["pay"] / safe, np.nan),
    }


def _realized_path(scenario: Any, draws: Draws, talks: Talks) -> dict[str, NDArray]:
    """The draw's own path: its latent uniforms and its election outcome."""
    assert talks.atom is not None and talks.wars is not None
    atom, wars, branches = talks.atom, talks.wars, talks.branches
    survive, s_r, t_r = talks.survive, talks.survive_rounds, talks.opening_time
    x_inc, open_term, effective = talks.opening_payment, talks.opening_term, talks.effective
    terms = talks.terms
    cal, election = scenario.talks, scenario.election
    n = draws.n
    u = np.asarray(draws[cal.path_draws[0]], dtype=np.float64)
    v = np.asarray(draws[cal.path_draws[1]], dtype=np.float64)
    chal = np.asarray(draws[election.challenger_wins]) > 0.5
    # One uniform for the sequence of events, rescaled after each (independent pieces):
    # the rounds end without a breakdown, Tokyo concedes then or waits, the war's start
    # is reached without a collapse, the war.
    broke = u >= s_r
    u0 = np.where(broke, 0.0, u / np.where(s_r > 0, s_r, 1.0))
    opening = ~broke & (u0 < atom)
    u1 = np.where(opening, 0.0, (u0 - atom) / np.where(atom < 1, 1.0 - atom, 1.0))
    gap = np.where(chal, survive["C"], survive["I"])
    collapsed = broke | (~opening & (u1 >= gap))
    u2 = np.clip(u1 / np.where(gap > 0, gap, 1.0), 0.0, np.nextafter(1.0, 0.0))
    time = np.where(opening, t_r, np.nan)
    event = np.where(opening, 0, np.where(collapsed, 2, -1)).astype(np.int8)
    payment = np.where(opening, x_inc, np.nan)
    term = np.where(opening, open_term, -1)
    eff = np.where(opening, 0.0, np.inf)
    for c, tm in enumerate(terms):
        eff = np.where(opening & (open_term == c), effective["I"](tm, t_r), eff)
    for th, war in wars.items():
        mine = ~opening & ~collapsed & (chal == (th == "C"))
        if not mine.any():
            continue
        b = branches[th]
        t, ev = war.sample(u2, v)
        seg = b.hz.segment_of(np.where(np.isfinite(t), t, b.knots[:, 0]), right=False)
        # A concession at a knot (a deadline atom) belongs to the segment before it.
        rows = np.arange(n)
        for _side, code, pay, terms_k in (("a", 0, b.pay_a, b.term_a), ("b", 1, b.pay_b, b.term_b)):
            hit = mine & (ev == code)
            if not hit.any():
                continue
            c_k = terms_k[rows, seg]
            time = np.where(hit, t, time)
            payment = np.where(hit, pay, payment)
            term = np.where(hit, c_k, term)
            for c, tm in enumerate(terms):
                eff = np.where(hit & (c_k == c), effective[th](tm, t), eff)
        event = np.where(mine, ev, event).astype(np.int8)
    agreement = (event == 0) | (event == 1)
    return {
        "agreement": agreement,
        "time": time,
        "payment": payment,
        "term": term,
        "effective": eff,
        "conceded_by": np.where(agreement, event, -1).astype(np.int64),
    }
