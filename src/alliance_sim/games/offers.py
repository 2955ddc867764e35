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

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..parameters import Draws
from ..solvers import nash_solution
from ..solvers.alternating import PAYEE, PAYER, Evaluator, alternating_offers
from ..solvers.rootfind import RTOL, XTOL, find_root
from ..solvers.screening import two_period_screening
from .bargaining import BargainingProblem

__all__ = ["OFFERS_OUTPUTS", "offers_equilibrium"]

Array = NDArray[np.float64]

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

    def __call__(self, target: Array) -> Array:
        ys = self.ys
        t = target * self.sign
        rows = np.arange(self.n)
        # The cell: the last grid point at or below the target (one pass over the table).
        lo = np.clip((ys <= t[:, None]).sum(axis=1) - 1, 0, ys.shape[1] - 2)
        xa, xb = self.x[rows, lo], self.x[rows, lo + 1]
        ya, yb = ys[rows, lo], ys[rows, lo + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(yb > ya, xa + (t - ya) * (xb - xa) / (yb - ya), xa)
        loose = np.ones(self.n, dtype=bool)
        for _ in range(6):  # Newton, kept inside the cell; quadratic convergence
            f = self.phi(x) * self.sign - t
            d = self.dphi(x) * self.sign
            with np.errstate(divide="ignore", invalid="ignore"):
                new = np.clip(np.where(d > 0, x - f / d, x), xa, xb)
            # Converged lanes are frozen, so a lane's result never depends on its neighbours
            # (bit-identical results whatever the chunking).
            moved = np.abs(new - x) > XTOL + RTOL * np.abs(new)
            x = np.where(loose, new, x)
            loose &= moved
            if not loose.any():
                break
        if loose.any():  # not converged (a kink of a term of the researcher's own): bracket
            a, b = np.where(loose, xa, x), np.where(loose, xb, x)
            fa = np.where(loose, self.phi(a) * self.sign - t, 0.0)
            fb = np.where(loose, self.phi(b) * self.sign - t, 0.0)
            res = find_root(lambda z: self.phi(z) * self.sign - t, a, b, fa=fa, fb=fb)
            x = np.where(loose, res.x, x)
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

    def solve(self, target: Array, k: int, c: int) -> Array:
        share = self.terms[c] / self.horizon
        assert self.inverse is not None
        return self.inverse((target - self._constant(k, c)) / share)


def _fixed(scenario: Any, name: str) -> float:
    entry = scenario.parameters[name]
    if not getattr(entry, "is_fixed", False):
        raise ValueError(
            f"the talks' calendar needs {name!r} to be a fixed date (a number), not a "
            f"distribution: periods must be common to all draws"
        )
    return float(entry.value)


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
    cal = getattr(scenario, "talks", None)
    election = getattr(scenario, "election", None)
    if cal is None or election is None or getattr(scenario, "drawdown", None) is None:
        raise ValueError(
            "the talks engine needs a scenario with `talks`, `election` and `drawdown`"
        )
    payer, payee = scenario.payer, scenario.payee
    n = draws.n
    step = cal.period_years
    k_e = cal.period_of(_fixed(scenario, cal.election))
    k_i = max(k_e, cal.period_of(_fixed(scenario, cal.inauguration)))
    t_final = _fixed(scenario, cal.final)
    n_periods = int(np.floor(t_final / step + 1e-9)) + 1
    if not k_e < n_periods:
        raise ValueError("the election must fall before the final deadline")
    horizon = cal.horizon
    terms = cal.terms
    p = draws[election.probability]
    state = {"I": election.resolve_as(draws, False), "C": election.resolve_as(draws, True)}
    drawdown = scenario.drawdown
    certain = {th: st.replace(**{drawdown: 1.0}) for th, st in state.items()}
    d_j = {th: payer.disagreement(s, n) for th, s in state.items()}
    d_u = {th: payee.disagreement(s, n) for th, s in state.items()}
    ref_j = d_j["I"]
    renegotiate = draws[cal.renegotiation]

    # Renegotiation after a short deal, at the static Nash payment with the winner known.
    t_sign = draws[scenario.signing_time]
    x0 = draws[scenario.status_quo]
    beta = draws[scenario.power]
    reneg: dict[tuple[str, int], dict[str, Array]] = {}
    for c, term in enumerate(terms):
        if term == horizon:
            continue
        rest = horizon - term
        for th, s in state.items():
            pb = BargainingProblem(
                payer,
                payee,
                s,
                term_years=rest,
                signing_time=t_sign,
                floor=scenario.payment_floor,
                scale=x0,
            )
            x = nash_solution(pb, beta).payment
            ok = pb.feasible
            x = np.where(ok, x, x0)
            reneg[(th, c)] = {
                "J": np.where(ok, payer.utility(s, x, rest, t_sign) - ref_j, d_j[th] - ref_j),
                "U": np.where(ok, payee.utility(s, x, rest, t_sign) - d_u[th], 0.0),
                "I": np.where(ok, payee.utility(state["I"], x, rest, t_sign) - d_u["I"], 0.0),
            }

    def after_branch(th: str, side: str) -> Callable[[int], Array]:
        return lambda c: reneg[(th, c)][side]

    def after_expected(view_i: str, view_c: str) -> Callable[[int], Array]:
        """Before the election: the renegotiation value expected over the winner."""
        return lambda c: (1 - p) * reneg[("I", c)][view_i] + p * reneg[("C", c)][view_c]

    lo = np.maximum(scenario.payment_floor, draws[cal.ratify_min]).astype(np.float64)
    hi = np.array(draws[cal.ratify_max], dtype=np.float64)

    nan = np.full(n, np.nan)

    def bounds_for(lame_duck: range | None) -> Callable[[int], tuple[Array, Array]]:
        def bounds(k: int) -> tuple[Array, Array]:
            if lame_duck is not None and k in lame_duck:
                return nan, nan
            return lo, hi

        return bounds

    # Utilities are additively separable in x and (T, t) for the built-in terms:
    # U(x, T, t) = φ(x) + U_0(T, t); one tabulated inverse of φ then serves every
    # period and term. A researcher's term that mixes them is caught here.
    probes = np.stack([lo, 0.5 * (lo + hi), hi])
    for st in state.values():
        for who in (payer, payee):
            if not who.separable(st, probes):
                raise ValueError(
                    f"{who.name}'s utility mixes the payment with the term or the signing time "
                    f"(a term's value depends on x and on T or t); the talks engine needs "
                    f"U(x, T, t) = φ(x) + U_0(T, t)"
                )

    def inverse(player: Any, s: Draws) -> _Inverse:
        return _Inverse(
            lambda x: player.payment_part(s, x),
            lambda x: player.payment_part(s, x, slope=True),
            lo,
            hi,
            player.kinks(s),
        )

    inv_payer = inverse(payer, state["I"])  # Tokyo's φ does not depend on Washington's type
    inv_payee = {th: inverse(payee, s) for th, s in state.items()}

    def gain(
        player: Any, s: Draws, ref: Array, after: Callable[[int], Array], inv: _Inverse
    ) -> _Gain:
        g = _Gain(player, s, ref, terms, horizon, step, after, renegotiate, inv)
        g.remember(lo, hi)
        return g

    delta_j = np.exp(-draws[cal.rate_payer] * step)
    delta_u = np.exp(-draws[cal.rate_payee] * step)
    q = draws[cal.breakdown]

    def solve(payee_first: bool) -> tuple[dict[str, NDArray], Array, Array]:
        """Equilibrium path and opening values for one order of proposals."""
        proposer = [PAYEE if (k % 2 == 0) == payee_first else PAYER for k in range(n_periods)]
        common = dict(
            proposer=proposer,
            n=n,
            contracts=len(terms),
            breakdown_prob=q,
            delta_payer=delta_j,
            delta_payee=delta_u,
        )
        branches = {}
        for th in ("I", "C"):
            s = state[th]
            b_j = d_j[th] - ref_j
            evaluators = None
            if th == "C":
                evaluators = {
                    "incumbent": Evaluator(
                        gain=gain(
                            payee, state["I"], d_u["I"], after_branch("C", "I"), inv_payee["I"]
                        ),
                        delta=delta_u,
                        outside=payee.disagreement(certain["C"], n) - d_u["C"],
                    )
                }
            branches[th] = alternating_offers(
                periods=range(k_e, n_periods),
                gain_payer=gain(payer, s, ref_j, after_branch(th, "J"), inv_payer),
                gain_payee=gain(payee, s, d_u[th], after_branch(th, "U"), inv_payee[th]),
                bounds=bounds_for(range(k_e, k_i) if th == "C" else None),
                breakdown_payer=b_j,
                breakdown_payee=0.0,
                outside_payee=payee.disagreement(certain[th], n) - d_u[th],
                exit_payer=payer.disagreement(certain[th], n) - ref_j,
                terminal_payer=delta_j**n_periods * b_j,
                terminal_payee=0.0,
                evaluators=evaluators,
                **common,
            )
        v_j_e = (1 - p) * branches["I"].value_payer[0] + p * branches["C"].value_payer[0]
        v_u_e = (1 - p) * branches["I"].value_payee[0] + p * branches["C"].evaluators["incumbent"][
            0
        ]
        inc = state["I"]
        pre = None
        if k_e > 0:
            pre = alternating_offers(
                periods=range(0, k_e),
                gain_payer=gain(payer, inc, ref_j, after_expected("J", "J"), inv_payer),
                gain_payee=gain(payee, inc, d_u["I"], after_expected("U", "I"), inv_payee["I"]),
                bounds=bounds_for(None),
                breakdown_payer=(1 - p) * d_j["I"] + p * d_j["C"] - ref_j,
                breakdown_payee=0.0,
                outside_payee=payee.disagreement(certain["I"], n) - d_u["I"],
                exit_payer=payer.disagreement(certain["I"], n) - ref_j,
                terminal_payer=v_j_e,
                terminal_payee=v_u_e,
                **common,
            )
        # The equilibrium path: before the election, then in the realized winner's branch.
        chal = np.asarray(draws[election.challenger_wins]) > 0.5
        after = {th: branches[th].outcome() for th in ("I", "C")}
        path = {key: np.where(chal, after["C"][key], after["I"][key]) for key in after["I"]}
        if pre is not None:
            before = pre.outcome()
            decided = before["period"] >= 0
            path = {key: np.where(decided, before[key], path[key]) for key in path}
            v_j0, v_u0 = pre.value_payer[0], pre.value_payee[0]
        else:
            v_j0 = np.where(chal, branches["C"].value_payer[0], branches["I"].value_payer[0])
            v_u0 = np.where(chal, branches["C"].value_payee[0], branches["I"].value_payee[0])
        return path, v_j0, v_u0

    order = cal.payee_first
    if isinstance(order, bool):
        path, v_j0, v_u0 = solve(order)
    else:  # the order of proposals is uncertain: a 0/1 parameter picks it per draw
        first = np.asarray(draws[order]) > 0.5
        solved = {flag: solve(flag) for flag in (True, False)}
        path = {
            key: np.where(first, solved[True][0][key], solved[False][0][key])
            for key in solved[True][0]
        }
        v_j0 = np.where(first, solved[True][1], solved[False][1])
        v_u0 = np.where(first, solved[True][2], solved[False][2])
    agreement = path["agreement"]
    period = path["period"]
    t_agree = np.where(agreement, period * step, np.nan)
    term = np.where(agreement, np.asarray(terms)[np.maximum(path["contract"], 0)], np.nan)
    waited = np.where(period >= 0, period, n_periods)  # periods exposed to shocks
    t_expiry = _fixed(scenario, cal.expiry)
    t_budget = _fixed(scenario, cal.budget)
    screen = _screening(
        scenario,
        draws,
        state["I"],
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
        "offers_breakdown_prob": 1.0 - (1.0 - q) ** waited,
        "offers_lapse": ~agreement | (t_agree > t_expiry),
        "offers_before_budget": agreement & (t_agree <= t_budget),
        "offers_payer_value": v_j0,
        "offers_payee_value": v_u0,
    }


def _screening(scenario: Any, draws: Draws, incumbent: Draws, delta: Array) -> dict[str, Array]:
    """One-sided incomplete information: is the incumbent's drawdown threat real.

    Tokyo's value of a deal is its reservation payment now; Washington's reservation
    lies, in Tokyo's belief, uniformly between the bluffing type's (π = 0) and the
    real-threat type's (π = 1). Tokyo offers before the election and again after
    the inauguration (discount ``delta``); :func:`two_period_screening` solves it.
    """
    x0 = draws[scenario.status_quo]
    floor = scenario.payment_floor
    reservations = []
    for pi in (0.0, 1.0):
        state = incumbent.replace(**{scenario.drawdown: pi})
        pb = BargainingProblem(
            scenario.payer,
            scenario.payee,
            state,
            term_years=draws[scenario.term_years],
            signing_time=0.0,
            floor=floor,
            scale=x0,
        )
        reservations.append(np.maximum(pb.payee_reservation, floor))
        value = pb.payer_reservation
    low = np.minimum(*reservations)
    high = np.maximum(np.maximum(*reservations), low + 1e-6 * x0)  # a non-degenerate belief
    return two_period_screening(value, low, high, delta)
