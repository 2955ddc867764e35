r"""Complete-information talks on the calendar: alternating offers with the election inside.

Maps a scenario onto :func:`~alliance_sim.solvers.alternating.alternating_offers`.
Periods of ``period_days`` run from the talks' opening (period 0) to the final
deadline; the sides alternate proposals (Washington first by default). Each
side's gain from an agreement on payment :math:`x` with term :math:`T_c`, signed
in period :math:`k` (time :math:`t_k = k\Delta`), comes from its utility terms —
so the budget-draft deadline (:class:`~alliance_sim.players.terms.DeadlinePressure`)
and the lapse after expiry (:class:`~alliance_sim.players.terms.LapseCost`) enter
through :math:`t_k` — measured against a fixed no-deal reference:

.. math::
    g_J(x, k, c) = U_J(x, T_c, t_k) - d_J^I, \qquad
    g_U^\theta(x, k, c) = U_U^\theta(x, T_c, t_k) - d_U^\theta .

**Terms.** A term :math:`T_c` shorter than the horizon :math:`H` (a one-year
deal) is followed by a renegotiation with the winner :math:`\theta` known, at the
static generalized Nash payment :math:`x^N_\theta` for the remaining
:math:`H - T_c` years, less a renegotiation cost :math:`\kappa_R` a year:

.. math::
    \tilde g_i(x, k, c) = \frac{T_c}{H} g_i(x, k, c)
        + \Bigl(1 - \frac{T_c}{H}\Bigr)\bigl(R_i^\theta - \kappa_R\bigr),

with :math:`R_i^\theta` side :math:`i`'s gain at :math:`x^N_\theta` (its no-deal
gain if that problem has no settlement range); before the election
:math:`R_i = (1-p) R_i^I + p R_i^C`. The proposer chooses the term.

**The election inside the game.** Before the election period :math:`k_E`,
Washington is the incumbent. From :math:`k_E` on, the game continues in the
winner's branch: the incumbent branch keeps type :math:`I`; in the challenger
branch the outgoing administration is a *lame duck* until the inauguration
period :math:`k_I` (no agreement can be concluded: it could not bind its
successor), then type :math:`C` bargains. Both branches are solved backward from
the final deadline; the pre-election game is solved backward from

.. math::
    V_J(k_E) = (1-p) V_J^I(k_E) + p V_J^C(k_E), \qquad
    V_U(k_E) = (1-p) V_U^I(k_E) + p\, E^{I}_C(k_E),

where :math:`E^I_C` is the incumbent's own valuation of the challenger branch's
equilibrium path (an evaluator of the solver). Proposals before the election
therefore anticipate the switch, and Tokyo's incentive to wait is whatever the
two branches make it.

**Breakdown, outside options, ratification.** After a rejection the talks break
down with probability :math:`q` per period (no deal: Tokyo's gain
:math:`d_J^\theta - d_J^I`, Washington's 0). Washington's outside option is a
certain drawdown, :math:`w_U = d_U|_{\pi=1} - d_U`, which leaves Tokyo
:math:`d_J|_{\pi=1} - d_J^I`; Tokyo has no outside option beyond no deal.
Payments must lie in :math:`[\max(\underline x, R^{\min}_U),\ R^{\max}_J]`, the
ratification bounds (Putnam 1988). The final deadline ends the talks with no
deal. Discount factors :math:`\delta_i = e^{-r_i\Delta}`.

References
----------
A. Rubinstein (1982), "Perfect equilibrium in a bargaining model",
*Econometrica* 50(1), 97–109.
K. Binmore, A. Rubinstein, A. Wolinsky (1986), "The Nash bargaining solution in
economic modelling", *RAND Journal of Economics* 17(2), 176–188.
R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
games", *International Organization* 42(3), 427–460.
C. Fershtman, D. J. Seidmann (1993), "Deadline effects and inefficient delay in
bargaining with endogenous commitment", *Journal of Economic Theory* 60(2), 306–321.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..parameters import Draws
from ..players.player import Player
from ..solvers import nash_solution
from ..solvers.alternating import (
    PAYEE,
    PAYER,
    AffineGain,
    AlternatingOffersResult,
    Evaluator,
    GainFn,
    alternating_offers,
)
from ..solvers.rootfind import RTOL, XTOL, find_root
from ..solvers.screening import two_period_screening
from .bargaining import BargainingProblem, payment_terms

__all__ = ["OFFERS_OUTPUTS", "offers_equilibrium"]

Array = NDArray[np.float64]
#: ``(lo, hi)``: admissible payments in one period.
Bounds = tuple[Array, Array]
#: An equilibrium path, as :meth:`AlternatingOffersResult.outcome` returns it.
Path = dict[str, NDArray]

#: Per-draw outputs of :func:`offers_equilibrium`.
OFFERS_OUTPUTS: dict[str, str] = {
    "offers_agreement": "the equilibrium path reaches an agreement (bool)",
    "offers_payment": "agreed payment on the equilibrium path (NaN without agreement)",
    "offers_period": "period of agreement (weeks since talks opened; −1 if none)",
    "offers_time": "time of agreement, years since talks opened (NaN if none)",
    "offers_term": "term of the agreement (NaN if none)",
    "offers_one_year": "the agreement is shorter than the usual term (bool)",
    "offers_breakdown": "no agreement on the equilibrium path: drawdown or final deadline (bool)",
    "offers_drawdown_exit": "Washington opts out (certain drawdown) on the path (bool)",
    "offers_breakdown_prob": "probability that an outside shock ends the talks before agreeing",
    "offers_lapse": "the agreement comes after expiry, or never (bool)",
    "offers_before_budget": "agreement before the cabinet's budget draft (bool)",
    "offers_payer_value": "payer's equilibrium value at the opening, gain units",
    "offers_payee_value": "payee's equilibrium value at the opening, gain units",
    "screening_first_offer": "Tokyo's first offer when it is unsure whether the threat is real",
    "screening_second_offer": "its last offer to the types that rejected the first",
    "screening_cutoff": "highest Washington reservation that accepts the first offer",
    "screening_accept_first": "probability the first offer is accepted",
    "screening_expected_payment": "expected payment given agreement under screening",
}


class _Inverse:
    """Per-draw inverse of a monotone ``φ`` on ``[lo, hi]``: a table, then safeguarded Newton.

    ``φ`` is tabulated once at ``G`` points per draw (the kinks included, so that
    ``φ`` is smooth inside every cell); a target is located in its cell by one
    comparison with the row of the table, interpolated linearly, and polished by
    Newton steps kept inside the cell (until a step is below the tolerance). Lanes
    still moving after six steps are finished by the bracketing solver on their
    cell, so the result always meets ``xtol + rtol·|x|``.
    """

    def __init__(
        self,
        phi: Callable[[Array], Array],
        dphi: Callable[[Array], Array],
        lo: Array,
        hi: Array,
        kinks: list[Array],
        points: int = 24,
    ) -> None:
        n = lo.shape[0]
        ok = lo <= hi
        lo_s, hi_s = np.where(ok, lo, 0.0), np.where(ok, hi, 1.0)
        grid = lo_s[:, None] + (hi_s - lo_s)[:, None] * np.linspace(0.0, 1.0, points)
        extra = [np.clip(kk, lo_s, hi_s)[:, None] for kk in kinks]
        self.x = np.sort(np.concatenate([grid, *extra], axis=1), axis=1)  # (n, G)
        y = phi(self.x.T).T  # φ takes the draw axis last
        self.sign = np.where(y[:, -1] >= y[:, 0], 1.0, -1.0)
        self.ys = y * self.sign[:, None]  # increasing along each row
        self.phi, self.dphi, self.n = phi, dphi, n

    def __call__(self, target: Array, where: NDArray[np.bool_] | None = None) -> Array:
        """``φ⁻¹(target)`` per draw, for the draws where ``where`` is True (default: all).

        The other draws are not solved (their result is meaningless): a draw whose
        target is out of reach (e.g. a one-point interval, ``lo == hi``) cannot fail.
        """
        ys = self.ys
        t = target * self.sign
        rows = np.arange(self.n)
        # The cell: the last grid point at or below the target (one pass over the table).
        lo = np.clip((ys <= t[:, None]).sum(axis=1) - 1, 0, ys.shape[1] - 2)
        xa, xb = self.x[rows, lo], self.x[rows, lo + 1]
        ya, yb = ys[rows, lo], ys[rows, lo + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(yb > ya, xa + (t - ya) * (xb - xa) / (yb - ya), xa)
        loose = np.ones(self.n, dtype=bool) if where is None else where.copy()
        for _ in range(6):  # Newton, kept inside the cell; quadratic convergence
            f = self.phi(x) * self.sign - t
            d = self.dphi(x) * self.sign
            with np.errstate(divide="ignore", invalid="ignore"):
                new = np.clip(np.where(d > 0, x - f / d, x), xa, xb)
            # Converged lanes are frozen, so a lane's result never depends on its neighbours
            # (bit-identical results whatever the chunking).
            # A lane without a usable derivative took no step: not converged, so the
            # bracketing solver below finishes it (the tolerance always holds).
            moved = (np.abs(new - x) > XTOL + RTOL * np.abs(new)) | ~(d > 0)
            x = np.where(loose, new, x)
            loose &= moved
            if not loose.any():
                break
        if loose.any():  # not converged (a kink of a term of the researcher's own): bracket
            a, b = np.where(loose, xa, x), np.where(loose, xb, x)
            fa = np.where(loose, self.phi(a) * self.sign - t, 0.0)
            fb = np.where(loose, self.phi(b) * self.sign - t, 0.0)
            res = find_root(lambda z: self.phi(z) * self.sign - t, a, b, fa=fa, fb=fb)
            x = np.where(loose, res.checked("the inverse of a utility"), x)
        return x


class _Gain:
    """``g(x, k, c) = a_c (φ(x) + U_0(T_c, t_k) − ref) + (1 − a_c)(R_c − κ)`` with its inverse.

    ``a_c = T_c / H``; ``R_c`` is the renegotiated gain after a short deal.
    """

    def __init__(
        self,
        player: Any,
        state: Draws,
        ref: Array,
        terms: tuple[float, ...],
        horizon: float,
        step: float,
        after: Callable[[int], Array],
        cost: Array,
        inverse: _Inverse | None,
    ) -> None:
        self.player, self.state, self.ref = player, state, ref
        self.terms, self.horizon, self.step = terms, horizon, step
        self.after, self.cost, self.inverse = after, cost, inverse
        self._fixed: dict[tuple[int, int], Array] = {}
        self._known: list[tuple[Array, Array]] = []  # (x, φ(x)) for the bounds arrays

    def remember(self, *xs: Array) -> None:
        """Tabulate ``φ`` at arrays that are passed again and again (the payment bounds)."""
        self._known += [(x, self.player.payment_part(self.state, x)) for x in xs]

    def _phi(self, x: Array) -> Array:
        for known, value in self._known:
            if x is known:
                return value
        return self.player.payment_part(self.state, x)

    def _constant(self, k: int, c: int) -> Array:
        """Everything but ``a_c φ(x)``, cached per (period, contract)."""
        key = (k, c)
        if key not in self._fixed:
            share = self.terms[c] / self.horizon
            u0 = self.player.fixed_part(self.state, self.terms[c], k * self.step, self.state.n)
            rest = 0.0 if share == 1.0 else (1 - share) * (self.after(c) - self.cost)
            self._fixed[key] = share * (u0 - self.ref) + rest
        return self._fixed[key]

    def __call__(self, x: Array, k: int, c: int) -> Array:
        share = self.terms[c] / self.horizon
        return share * self._phi(x) + self._constant(k, c)

    def solve(self, target: Array, k: int, c: int, where: NDArray[np.bool_] | None = None) -> Array:
        """The payment ``x`` with ``g(x, k, c) = target``, for the draws in ``where`` (all)."""
        share = self.terms[c] / self.horizon
        assert self.inverse is not None
        return self.inverse((target - self._constant(k, c)) / share, where)

    def affine_form(self, periods: range, contracts: int) -> AffineGain | None:
        r"""The gain as :math:`a_c\,\varphi(x) + b_c(k)` for the solver's fused kernel.

        :math:`a_c = T_c / H`, :math:`b_c(k)` is :meth:`_constant` (tabulated for every
        period of ``periods``) and :math:`\varphi` the player's payment part in the form
        :class:`~alliance_sim.solvers.alternating.PaymentTerms` evaluates, with the table
        of the inverse. None (the solver then runs its numpy loop) when a term that
        depends on the payment is not one of the built-in kinds
        (:func:`~alliance_sim.games.bargaining.payment_terms`).
        """
        phi = payment_terms(self.player, self.state, self.state.n)
        if phi is None or contracts > len(self.terms):
            return None
        n = self.state.n
        const = np.empty((len(periods), contracts, n))
        for r, k in enumerate(periods):
            for c in range(contracts):
                const[r, c] = self._constant(k, c)
                self._fixed[(k, c)] = const[r, c]  # one copy in memory: the cache views the table
        share = np.array([self.terms[c] / self.horizon for c in range(contracts)])
        inv = self.inverse
        if inv is None:
            return AffineGain(share=share, const=const, phi=phi)
        return AffineGain(
            share=share,
            const=const,
            phi=phi,
            table_x=np.ascontiguousarray(inv.x),
            table_y=np.ascontiguousarray(inv.ys),
            sign=np.ascontiguousarray(inv.sign),
        )


def _fixed(scenario: Any, name: str) -> float:
    """The value of a calendar date that must be a fixed parameter (periods are common to draws).

    Parameters
    ----------
    scenario : Scenario
        The scenario whose parameter space holds the date.
    name : str
        Name of the parameter.

    Returns
    -------
    float
        The date, years since the talks opened.

    Raises
    ------
    ValueError
        If the parameter is a distribution.
    """
    entry = scenario.parameters[name]
    if not getattr(entry, "is_fixed", False):
        raise ValueError(
            f"the talks' calendar needs {name!r} to be a fixed date (a number), not a "
            f"distribution: periods must be common to all draws"
        )
    return float(entry.value)


#: The election's winners, each with its branch of the game: incumbent and challenger.
_WINNERS = ("I", "C")
#: Name of the evaluator that carries the incumbent's view of the challenger branch.
_INCUMBENT = "incumbent"


@dataclass(frozen=True)
class _Talks:
    r"""What every piece of the game shares: the calendar in periods, payments, discounting.

    Attributes
    ----------
    n : int
        Number of draws.
    step : float
        Length of a period, years.
    election, inauguration : int
        Periods :math:`k_E \le k_I` of the election and of the inauguration.
    n_periods : int
        Number of periods (``0 … n_periods − 1``; the final deadline is in the last).
    terms : tuple of float
        Terms the proposer may offer (years).
    horizon : float
        Years over which terms are compared.
    lo, hi : ndarray
        Admissible payments outside the lame duck (floor and ratification bounds).
    delta_payer, delta_payee : ndarray
        Per-period discount factors.
    breakdown_prob : ndarray
        Probability that the talks break down after a rejection.
    p_challenger : ndarray
        Probability that the challenger wins the election.
    """

    n: int
    step: float
    election: int
    inauguration: int
    n_periods: int
    terms: tuple[float, ...]
    horizon: float
    lo: Array
    hi: Array
    delta_payer: Array
    delta_payee: Array
    breakdown_prob: Array
    p_challenger: Array


@dataclass(frozen=True)
class _Stage:
    """The two sides' payoffs in one part of the game: a winner's branch, or the pre-election game.

    Attributes
    ----------
    gain_payer, gain_payee : callable
        ``gain(x, k, c)``, undiscounted gains from an agreement.
    breakdown_payer : ndarray
        The payer's gain if the talks break down (the payee's is 0: its own no deal).
    outside_payee : ndarray
        The payee's gain from opting out (a certain drawdown).
    exit_payer : ndarray
        The payer's gain when the payee opts out.
    evaluators : mapping of str to Evaluator, optional
        Other views of the equilibrium path (the incumbent's, in the challenger branch).
    """

    gain_payer: GainFn
    gain_payee: GainFn
    breakdown_payer: Array
    outside_payee: Array
    exit_payer: Array
    evaluators: Mapping[str, Evaluator] | None = None


def _talks(scenario: Any, draws: Draws) -> _Talks:
    """Read the scenario's calendar and the draws into the settings every piece shares.

    Parameters
    ----------
    scenario : Scenario
        Needs ``talks``, ``election`` and ``drawdown``.
    draws : Draws
        Sampled parameters.

    Returns
    -------
    _Talks

    Raises
    ------
    ValueError
        If the scenario lacks ``talks``, ``election`` or ``drawdown``, a calendar date
        is a distribution, or the election is not before the final deadline.
    """
    cal = getattr(scenario, "talks", None)
    election = getattr(scenario, "election", None)
    if cal is None or election is None or getattr(scenario, "drawdown", None) is None:
        raise ValueError(
            "the talks engine needs a scenario with `talks`, `election` and `drawdown`"
        )
    step = cal.period_years
    k_e = cal.period_of(_fixed(scenario, cal.election))
    # An inauguration dated before the election means no lame duck (not a negative one).
    k_i = max(k_e, cal.period_of(_fixed(scenario, cal.inauguration)))
    t_final = _fixed(scenario, cal.final)
    n_periods = int(np.floor(t_final / step + 1e-9)) + 1
    if not k_e < n_periods:
        raise ValueError("the election must fall before the final deadline")
    return _Talks(
        n=draws.n,
        step=step,
        election=k_e,
        inauguration=k_i,
        n_periods=n_periods,
        terms=cal.terms,
        horizon=cal.horizon,
        lo=np.maximum(scenario.payment_floor, draws[cal.ratify_min]).astype(np.float64),
        hi=np.array(draws[cal.ratify_max], dtype=np.float64),
        delta_payer=np.exp(-draws[cal.rate_payer] * step),
        delta_payee=np.exp(-draws[cal.rate_payee] * step),
        breakdown_prob=draws[cal.breakdown],
        p_challenger=draws[election.probability],
    )


def _renegotiation_values(
    payer: Player,
    payee: Player,
    states: Mapping[str, Draws],
    disagreement_payer: Mapping[str, Array],
    disagreement_payee: Mapping[str, Array],
    *,
    terms: tuple[float, ...],
    horizon: float,
    signing_time: Array,
    status_quo: Array,
    power: Array,
    floor: float,
) -> dict[tuple[str, int], dict[str, Array]]:
    """Gains from the renegotiation that follows a short deal, by winner and view.

    After a term :math:`T_c < H` the sides renegotiate the remaining :math:`H - T_c`
    years with the winner known, at the static generalized Nash payment.

    Parameters
    ----------
    payer, payee : Player
        The two sides.
    states : mapping of str to Draws
        Draws resolved as each winner (keys ``"I"`` and ``"C"``).
    disagreement_payer, disagreement_payee : mapping of str to ndarray
        No-deal utilities under each winner; the payer's gains are measured against
        its no deal under the incumbent (``disagreement_payer["I"]``), the payee's
        against its own type's no deal.
    terms : tuple of float
        The terms (years); those equal to ``horizon`` have no renegotiation.
    horizon : float
        Years over which terms are compared.
    signing_time, status_quo, power : ndarray
        Signing time of the renegotiated deal, the status-quo payment (bracket
        scale), and the payee's bargaining power.
    floor : float
        Lowest admissible payment.

    Returns
    -------
    dict
        ``{(winner, c): {"payer": …, "payee": …, "incumbent": …}}`` for every short
        term ``c``: the payer's gain, the winner's gain, and the incumbent's own
        valuation of the winner's renegotiated payment. Where the renegotiation has
        no settlement range, each view gets its no-deal gain (0 for the payee's views).
    """
    reference = disagreement_payer["I"]
    values: dict[tuple[str, int], dict[str, Array]] = {}
    for c, term in enumerate(terms):
        if term == horizon:  # a full-term deal leaves nothing to renegotiate
            continue
        rest = horizon - term
        for winner, s in states.items():
            pb = BargainingProblem(
                payer,
                payee,
                s,
                term_years=rest,
                signing_time=signing_time,
                floor=floor,
                scale=status_quo,
            )
            ok = pb.feasible
            # Any finite payment will do where there is no settlement range: those lanes
            # take the no-deal gains below.
            x = np.where(ok, nash_solution(pb, power).payment, status_quo)
            values[(winner, c)] = {
                "payer": np.where(
                    ok,
                    payer.utility(s, x, rest, signing_time) - reference,
                    disagreement_payer[winner] - reference,
                ),
                "payee": np.where(
                    ok, payee.utility(s, x, rest, signing_time) - disagreement_payee[winner], 0.0
                ),
                "incumbent": np.where(
                    ok,
                    payee.utility(states["I"], x, rest, signing_time) - disagreement_payee["I"],
                    0.0,
                ),
            }
    return values


def _after_winner(
    values: Mapping[tuple[str, int], Mapping[str, Array]], winner: str, view: str
) -> Callable[[int], Array]:
    """Renegotiation gain after short contract ``c`` in a winner's branch (the winner is known).

    Parameters
    ----------
    values : mapping
        Output of :func:`_renegotiation_values`.
    winner : {"I", "C"}
        The branch.
    view : {"payer", "payee", "incumbent"}
        Whose gain.

    Returns
    -------
    callable
        ``after(c) -> ndarray``.
    """
    return lambda c: values[(winner, c)][view]


def _after_expected(
    values: Mapping[tuple[str, int], Mapping[str, Array]],
    p_challenger: Array,
    view_incumbent: str,
    view_challenger: str,
) -> Callable[[int], Array]:
    """Renegotiation gain after short contract ``c`` signed before the election.

    The winner is not known yet: the gain is expected over the election,
    ``(1 − p) R^I + p R^C``, each branch seen through its own view (the incumbent
    values the challenger's renegotiation with its own utility).

    Parameters
    ----------
    values : mapping
        Output of :func:`_renegotiation_values`.
    p_challenger : ndarray
        Probability that the challenger wins.
    view_incumbent, view_challenger : str
        The view taken of the incumbent's and of the challenger's branch.

    Returns
    -------
    callable
        ``after(c) -> ndarray``.
    """
    p = p_challenger
    return lambda c: (
        (1 - p) * values[("I", c)][view_incumbent] + p * values[("C", c)][view_challenger]
    )


def _payment_bounds(talks: _Talks, *, lame_duck: bool = False) -> Callable[[int], Bounds]:
    """Admissible payments per period, for :func:`alternating_offers`.

    Parameters
    ----------
    talks : _Talks
        Payment bounds and the election and inauguration periods.
    lame_duck : bool
        The challenger's branch: from the election to the inauguration the outgoing
        administration cannot bind its successor, so no agreement can be concluded
        (NaN bounds).

    Returns
    -------
    callable
        ``bounds(k) -> (lo, hi)``; always the same ``talks.lo`` and ``talks.hi``
        arrays outside the lame duck, so the gains' tabulated values at them apply.
    """
    nan = np.full(talks.n, np.nan)
    lame = range(talks.election, talks.inauguration) if lame_duck else range(0)

    def bounds(k: int) -> Bounds:
        if k in lame:
            return nan, nan
        return talks.lo, talks.hi

    return bounds


def _check_separable(
    players: Iterable[Player], states: Iterable[Draws], lo: Array, hi: Array
) -> None:
    """Check that every utility is ``φ(x) + U_0(T, t)``, probing at ``lo``, mid-range and ``hi``.

    One tabulated inverse of ``φ`` then serves every period and term (see
    :class:`_Gain`); a researcher's term that mixes the payment with the term or
    the signing time is caught here rather than giving wrong offers.

    Raises
    ------
    ValueError
        If some player's utility is not separable in some state.
    """
    probes = np.stack([lo, 0.5 * (lo + hi), hi])
    players = tuple(players)
    for st in states:
        for who in players:
            if not who.separable(st, probes):
                raise ValueError(
                    f"{who.name}'s utility mixes the payment with the term or the signing time "
                    f"(a term's value depends on x and on T or t); the talks engine needs "
                    f"U(x, T, t) = φ(x) + U_0(T, t)"
                )


def _inverse(player: Player, state: Draws, lo: Array, hi: Array) -> _Inverse:
    """The tabulated inverse of a player's payment part ``φ`` on ``[lo, hi]``.

    Parameters
    ----------
    player : Player
        Whose ``φ``.
    state : Draws
        Draws resolved as one winner.
    lo, hi : ndarray
        The admissible payments.

    Returns
    -------
    _Inverse
    """
    return _Inverse(
        lambda x: player.payment_part(state, x),
        lambda x: player.payment_part(state, x, slope=True),
        lo,
        hi,
        player.kinks(state),
    )


def _gain(
    talks: _Talks,
    player: Player,
    state: Draws,
    reference: Array,
    after: Callable[[int], Array],
    inverse: _Inverse,
    cost: Array,
) -> _Gain:
    """A player's gain ``g(x, k, c)`` in one state, against a fixed no-deal reference.

    Parameters
    ----------
    talks : _Talks
        Terms, horizon, period length and payment bounds.
    player : Player
        Whose gain.
    state : Draws
        Draws resolved as one winner.
    reference : ndarray
        The utility subtracted (a no-deal utility).
    after : callable
        ``after(c)``: the renegotiation gain after short contract ``c``.
    inverse : _Inverse
        The inverse of the player's ``φ`` (for ``solve``).
    cost : ndarray
        Renegotiation cost per year.

    Returns
    -------
    _Gain
        With ``φ`` tabulated at the payment bounds, which the solver passes every period.
    """
    g = _Gain(
        player, state, reference, talks.terms, talks.horizon, talks.step, after, cost, inverse
    )
    g.remember(talks.lo, talks.hi)
    return g


def _stages(
    talks: _Talks,
    payer: Player,
    payee: Player,
    states: Mapping[str, Draws],
    certain: Mapping[str, Draws],
    disagreement_payer: Mapping[str, Array],
    disagreement_payee: Mapping[str, Array],
    renegotiation: Mapping[tuple[str, int], Mapping[str, Array]],
    cost: Array,
) -> dict[str, _Stage]:
    """The payoffs of each part of the game: the two winners' branches and the pre-election game.

    Parameters
    ----------
    talks : _Talks
        Shared settings.
    payer, payee : Player
        The two sides.
    states, certain : mapping of str to Draws
        Draws resolved as each winner; the same with a certain drawdown.
    disagreement_payer, disagreement_payee : mapping of str to ndarray
        No-deal utilities under each winner.
    renegotiation : mapping
        Output of :func:`_renegotiation_values`.
    cost : ndarray
        Renegotiation cost per year.

    Returns
    -------
    dict of str to _Stage
        Keys ``"I"``, ``"C"`` (the branches) and ``"pre"`` (before the election,
        against the incumbent, with renegotiation values expected over the winner).
    """
    n, p = talks.n, talks.p_challenger
    lo, hi = talks.lo, talks.hi
    reference = disagreement_payer["I"]
    gain = partial(_gain, talks, cost=cost)
    inv_payer = _inverse(payer, states["I"], lo, hi)  # the payer's φ ignores the payee's type
    inv_payee = {w: _inverse(payee, s, lo, hi) for w, s in states.items()}
    outside = {w: payee.disagreement(certain[w], n) - disagreement_payee[w] for w in _WINNERS}
    exit_payer = {w: payer.disagreement(certain[w], n) - reference for w in _WINNERS}
    stages: dict[str, _Stage] = {}
    for w in _WINNERS:
        evaluators = None
        if w == "C":  # the incumbent values the challenger's deals with its own utility
            after = _after_winner(renegotiation, "C", "incumbent")
            incumbent = gain(payee, states["I"], disagreement_payee["I"], after, inv_payee["I"])
            evaluators = {
                _INCUMBENT: Evaluator(gain=incumbent, delta=talks.delta_payee, outside=outside["C"])
            }
        after_payer = _after_winner(renegotiation, w, "payer")
        after_payee = _after_winner(renegotiation, w, "payee")
        stages[w] = _Stage(
            gain_payer=gain(payer, states[w], reference, after_payer, inv_payer),
            gain_payee=gain(payee, states[w], disagreement_payee[w], after_payee, inv_payee[w]),
            breakdown_payer=disagreement_payer[w] - reference,
            outside_payee=outside[w],
            exit_payer=exit_payer[w],
            evaluators=evaluators,
        )
    # Before the election the incumbent bargains, but a short deal is renegotiated with
    # whoever wins, and a breakdown leaves the payer with the winner's no deal.
    after_payer = _after_expected(renegotiation, p, "payer", "payer")
    after_payee = _after_expected(renegotiation, p, "payee", "incumbent")
    stages["pre"] = _Stage(
        gain_payer=gain(payer, states["I"], reference, after_payer, inv_payer),
        gain_payee=gain(payee, states["I"], disagreement_payee["I"], after_payee, inv_payee["I"]),
        breakdown_payer=(1 - p) * disagreement_payer["I"] + p * disagreement_payer["C"] - reference,
        outside_payee=outside["I"],
        exit_payer=exit_payer["I"],
    )
    return stages


def _proposers(n_periods: int, payee_first: bool) -> list[int]:
    """Who proposes in each period: the sides alternate, the payee first if ``payee_first``.

    Examples
    --------
    >>> _proposers(4, payee_first=True) == [PAYEE, PAYER, PAYEE, PAYER]
    True
    """
    return [PAYEE if (k % 2 == 0) == payee_first else PAYER for k in range(n_periods)]


def _solve_stage(
    talks: _Talks,
    stage: _Stage,
    proposer: Sequence[int],
    *,
    periods: range,
    bounds: Callable[[int], Bounds],
    terminal_payer: Array,
    terminal_payee: Array | float,
) -> AlternatingOffersResult:
    """Solve one part of the game with :func:`alternating_offers` (what the parts share).

    The payee's breakdown gain is 0 (its own no deal is its reference); the payer
    has no outside option beyond no deal.

    Parameters
    ----------
    talks : _Talks
        Shared settings.
    stage : _Stage
        The part's payoffs.
    proposer : sequence of int
        :data:`PAYER` or :data:`PAYEE` for every period.
    periods : range
        The part's periods.
    bounds : callable
        ``bounds(k) -> (lo, hi)``.
    terminal_payer, terminal_payee : ndarray or float
        Values after the part's last period, discounted to period 0.

    Returns
    -------
    AlternatingOffersResult
    """
    return alternating_offers(
        periods=periods,
        proposer=proposer,
        n=talks.n,
        contracts=len(talks.terms),
        breakdown_prob=talks.breakdown_prob,
        delta_payer=talks.delta_payer,
        delta_payee=talks.delta_payee,
        gain_payer=stage.gain_payer,
        gain_payee=stage.gain_payee,
        bounds=bounds,
        breakdown_payer=stage.breakdown_payer,
        breakdown_payee=0.0,
        outside_payee=stage.outside_payee,
        exit_payer=stage.exit_payer,
        terminal_payer=terminal_payer,
        terminal_payee=terminal_payee,
        evaluators=stage.evaluators,
    )


def _solve_branch(
    talks: _Talks, stage: _Stage, proposer: Sequence[int], *, lame_duck: bool
) -> AlternatingOffersResult:
    """Solve one winner's branch, from the election period to the final deadline.

    Reaching the end of the calendar without agreement is a breakdown at the final
    deadline: the terminal values are the breakdown gains, discounted to period 0.

    Parameters
    ----------
    talks : _Talks
        Shared settings.
    stage : _Stage
        The branch's payoffs.
    proposer : sequence of int
        :data:`PAYER` or :data:`PAYEE` for every period.
    lame_duck : bool
        The challenger's branch: no agreement from the election to the inauguration.

    Returns
    -------
    AlternatingOffersResult
        Over periods ``talks.election … talks.n_periods − 1``.
    """
    return _solve_stage(
        talks,
        stage,
        proposer,
        periods=range(talks.election, talks.n_periods),
        bounds=_payment_bounds(talks, lame_duck=lame_duck),
        terminal_payer=talks.delta_payer**talks.n_periods * stage.breakdown_payer,
        terminal_payee=0.0,
    )


def _solve_pre_election(
    talks: _Talks,
    stage: _Stage,
    proposer: Sequence[int],
    branches: Mapping[str, AlternatingOffersResult],
) -> AlternatingOffersResult | None:
    """Solve the game before the election, backward from the branches' values at the election.

    At the election period the payer expects ``(1 − p) V^I + p V^C``; the incumbent
    payee expects its own branch's value or, if it loses, its own valuation of the
    challenger's path (the branch's ``"incumbent"`` evaluator).

    Parameters
    ----------
    talks : _Talks
        Shared settings.
    stage : _Stage
        The pre-election payoffs.
    proposer : sequence of int
        :data:`PAYER` or :data:`PAYEE` for every period.
    branches : mapping of str to AlternatingOffersResult
        Output of :func:`_solve_branch` for ``"I"`` and ``"C"``.

    Returns
    -------
    AlternatingOffersResult or None
        Over periods ``0 … talks.election − 1``; None when the election falls in
        the first period (no talks before it).
    """
    if talks.election == 0:
        return None
    p = talks.p_challenger
    # The incumbent payee, if it loses, values the challenger's path with its own utility.
    lost = branches["C"].evaluators[_INCUMBENT][0]
    return _solve_stage(
        talks,
        stage,
        proposer,
        periods=range(0, talks.election),
        bounds=_payment_bounds(talks),
        terminal_payer=(1 - p) * branches["I"].value_payer[0] + p * branches["C"].value_payer[0],
        terminal_payee=(1 - p) * branches["I"].value_payee[0] + p * lost,
    )


def _select(mask: NDArray[np.bool_], if_true: Path, if_false: Path) -> Path:
    """Per draw, the path ``if_true`` where ``mask`` holds, else ``if_false`` (same keys)."""
    return {key: np.where(mask, if_true[key], if_false[key]) for key in if_true}


def _combine_branches(
    branches: Mapping[str, AlternatingOffersResult],
    pre: AlternatingOffersResult | None,
    challenger_wins: NDArray[np.bool_],
) -> tuple[Path, Array, Array]:
    """The equilibrium path: before the election, then in the realized winner's branch.

    Parameters
    ----------
    branches : mapping of str to AlternatingOffersResult
        The ``"I"`` and ``"C"`` branches.
    pre : AlternatingOffersResult or None
        The pre-election game (None: none).
    challenger_wins : ndarray of bool
        The realized winner of each draw.

    Returns
    -------
    path : dict of str to ndarray
        :meth:`AlternatingOffersResult.outcome` of the path: a decision (agreement or
        opt-out) before the election stands; otherwise the winner's branch decides.
    value_payer, value_payee : ndarray
        Equilibrium values at the opening: the pre-election game's (expected over
        the election), or without one the realized winner's branch's.
    """
    path = _select(challenger_wins, branches["C"].outcome(), branches["I"].outcome())
    if pre is not None:
        before = pre.outcome()
        decided = before["period"] >= 0
        return _select(decided, before, path), pre.value_payer[0], pre.value_payee[0]
    value_payer = np.where(
        challenger_wins, branches["C"].value_payer[0], branches["I"].value_payer[0]
    )
    value_payee = np.where(
        challenger_wins, branches["C"].value_payee[0], branches["I"].value_payee[0]
    )
    return path, value_payer, value_payee


def _equilibrium_path(
    talks: _Talks,
    stages: Mapping[str, _Stage],
    payee_first: bool,
    challenger_wins: NDArray[np.bool_],
) -> tuple[Path, Array, Array]:
    """Equilibrium path and opening values for one order of proposals.

    Parameters
    ----------
    talks : _Talks
        Shared settings.
    stages : mapping of str to _Stage
        Output of :func:`_stages`.
    payee_first : bool
        The payee proposes in period 0.
    challenger_wins : ndarray of bool
        The realized winner of each draw.

    Returns
    -------
    tuple
        As :func:`_combine_branches`.
    """
    proposer = _proposers(talks.n_periods, payee_first)
    branches = {w: _solve_branch(talks, stages[w], proposer, lame_duck=w == "C") for w in _WINNERS}
    pre = _solve_pre_election(talks, stages["pre"], proposer, branches)
    return _combine_branches(branches, pre, challenger_wins)


def offers_equilibrium(scenario: Any, draws: Draws) -> dict[str, NDArray]:
    """Subgame-perfect equilibrium of the talks for every draw (see the module docstring).

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
        :data:`OFFERS_OUTPUTS`, shape ``(n,)`` each.

    Raises
    ------
    ValueError
        If the scenario has no talks calendar or election, or a calendar date is
        a distribution.
    """
    talks = _talks(scenario, draws)
    cal, election = scenario.talks, scenario.election
    payer, payee = scenario.payer, scenario.payee
    n = draws.n
    states = {"I": election.resolve_as(draws, False), "C": election.resolve_as(draws, True)}
    certain = {w: s.replace(**{scenario.drawdown: 1.0}) for w, s in states.items()}
    disagreement_payer = {w: payer.disagreement(s, n) for w, s in states.items()}
    disagreement_payee = {w: payee.disagreement(s, n) for w, s in states.items()}
    renegotiation = _renegotiation_values(
        payer,
        payee,
        states,
        disagreement_payer,
        disagreement_payee,
        terms=talks.terms,
        horizon=talks.horizon,
        signing_time=draws[scenario.signing_time],
        status_quo=draws[scenario.status_quo],
        power=draws[scenario.power],
        floor=scenario.payment_floor,
    )
    _check_separable((payer, payee), states.values(), talks.lo, talks.hi)
    stages = _stages(
        talks,
        payer,
        payee,
        states,
        certain,
        disagreement_payer,
        disagreement_payee,
        renegotiation,
        cost=draws[cal.renegotiation],
    )
    challenger_wins = np.asarray(draws[election.challenger_wins]) > 0.5
    order = cal.payee_first
    if isinstance(order, bool):
        path, value_payer, value_payee = _equilibrium_path(talks, stages, order, challenger_wins)
    else:  # the order of proposals is uncertain: a 0/1 parameter picks it per draw
        first = np.asarray(draws[order]) > 0.5
        solved = {
            flag: _equilibrium_path(talks, stages, flag, challenger_wins) for flag in (True, False)
        }
        path = _select(first, solved[True][0], solved[False][0])
        value_payer = np.where(first, solved[True][1], solved[False][1])
        value_payee = np.where(first, solved[True][2], solved[False][2])
    step, terms, horizon = talks.step, talks.terms, talks.horizon
    agreement = path["agreement"]
    period = path["period"]
    t_agree = np.where(agreement, period * step, np.nan)
    term = np.where(agreement, np.asarray(terms)[np.maximum(path["contract"], 0)], np.nan)
    waited = np.where(period >= 0, period, talks.n_periods)  # periods exposed to shocks
    t_expiry = _fixed(scenario, cal.expiry)
    t_budget = _fixed(scenario, cal.budget)
    screen = _screening(
        scenario,
        draws,
        states["I"],
        delta=np.exp(-draws[cal.rate_payer] * _fixed(scenario, cal.inauguration)),
    )
    return {
        **{
            f"screening_{k}": screen[k]
            for k in ("first_offer", "second_offer", "cutoff", "expected_payment")
        },
        "screening_accept_first": screen["accept_first"],
        "offers_agreement": agreement,
        "offers_payment": path["payment"],
        "offers_period": period,
        "offers_time": t_agree,
        "offers_term": term,
        "offers_one_year": agreement & (term < horizon),
        "offers_breakdown": ~agreement,
        "offers_drawdown_exit": path["opt_out"],
        "offers_breakdown_prob": 1.0 - (1.0 - talks.breakdown_prob) ** waited,
        "offers_lapse": ~agreement | (t_agree > t_expiry),
        "offers_before_budget": agreement & (t_agree <= t_budget),
        "offers_payer_value": value_payer,
        "offers_payee_value": value_payee,
    }


def _screening(scenario: Any, draws: Draws, incumbent: Draws, delta: Array) -> dict[str, Array]:
    """One-sided incomplete information: is the incumbent's drawdown threat real.

    Washington's reservation lies, in Tokyo's belief, uniformly between the bluffing
    type's (π = 0) and the real-threat type's (π = 1). Tokyo's value of a deal is its
    reservation payment against the no-deal outcome it expects under that belief,
    the one at the prior-mean threat π = ½ (private values: the screening model of
    Fudenberg & Tirole takes the proposer's value as known and type-independent, so
    Tokyo does not revise it when a rejection reveals a tougher type). Tokyo offers
    before the election and again after the inauguration (discount ``delta``);
    :func:`two_period_screening` solves it.
    """
    x0 = draws[scenario.status_quo]
    floor = scenario.payment_floor

    def problem(pi: float) -> BargainingProblem:
        return BargainingProblem(
            scenario.payer,
            scenario.payee,
            incumbent.replace(**{scenario.drawdown: pi}),
            term_years=draws[scenario.term_years],
            signing_time=0.0,
            floor=floor,
            scale=x0,
        )

    reservations = [np.maximum(problem(pi).payee_reservation, floor) for pi in (0.0, 1.0)]
    value = problem(0.5).payer_reservation
    low = np.minimum(*reservations)
    high = np.maximum(np.maximum(*reservations), low + 1e-6 * x0)  # a non-degenerate belief
    return two_period_screening(value, low, high, delta)
