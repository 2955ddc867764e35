r"""Alternating-offers bargaining on a finite calendar, solved by backward induction over periods.

Two sides bargain over a payment :math:`x` paid by the *payer* to the *payee*
in periods :math:`k = k_0, \dots, K-1`. In period :math:`k` the designated
proposer offers a contract :math:`c` (e.g. a term length) and a payment
:math:`x \in [\ell_k, h_k]` (the admissible set: payment floor and ratification
bounds; empty when no agreement can be concluded, e.g. under a lame duck). The
responder accepts, rejects, or — if it has an outside option — opts out. An
agreement in period :math:`k` gives side :math:`i` the payoff
:math:`\delta_i^k\, g_i(x, k, c)`, with :math:`g_i` its (undiscounted) gain,
strictly decreasing in :math:`x` for the payer and increasing for the payee.
After a rejection the talks break down with probability :math:`q_k`
(payoffs :math:`\delta_i^{k+1} b_i`); opting out gives
:math:`\delta_i^k w_i` to the side that opts out and :math:`\delta_j^k e_j`
to the other (its *exit* gain, by default its breakdown gain); if period
:math:`K` is reached without agreement both get the
terminal values :math:`V_i(K)` (given, already discounted to period 0).

**Backward induction** (subgame-perfect equilibrium; Rubinstein 1982, Ståhl
1972, Binmore, Shaked & Sutton 1989). With values discounted to period 0,

.. math::
    C_i(k) = q_k\, \delta_i^{k+1} b_i + (1 - q_k)\, V_i(k + 1)

is side :math:`i`'s value of a rejection in period :math:`k`. The responder
:math:`r` accepts an offer worth at least :math:`R_r(k) = \max(C_r(k),\
\delta_r^k w_r)`; so the proposer :math:`p`'s best acceptable offer of contract
:math:`c` is the payment closest to its own ideal that gives the responder
exactly :math:`R_r(k)`:

.. math::
    x_c = \begin{cases}
      \min\{x \in [\ell_k, h_k] : \delta_r^k g_r(x, k, c) \ge R_r(k)\}
        & p = \text{payer},\ r = \text{payee}\\
      \max\{x \in [\ell_k, h_k] : \delta_r^k g_r(x, k, c) \ge R_r(k)\}
        & p = \text{payee},\ r = \text{payer}
    \end{cases}

(a root of a monotone function, found by the vectorized bracketing solver — or
by the gain's own ``solve(target, k, c, where=lanes)`` method when it has one, which
need only invert the lanes where the boolean array ``lanes`` is True — or an end of
the interval). The proposer picks the contract with the best value
:math:`\delta_p^k g_p(x_c, k, c)` and makes that offer if it is at least its
fallback — :math:`\delta_p^k e_p` if the responder would opt out
(:math:`\delta_r^k w_r > C_r(k)`), else :math:`C_p(k)`; otherwise it makes no
acceptable offer and the period passes (delay) or the responder opts out. Ties
go to agreement. Every step is elementwise over draws; the only loop is over
periods.

**Compiled kernel** (issue #13). When every gain has the affine form
:math:`g(x, k, c) = a_c\, \varphi(x) + b_c(k)` (an ``affine_form`` method returning an
:class:`AffineGain`: :math:`\varphi` a sum of linear and power-loss payment terms, with
the table of its inverse), the recursion runs fused per draw in a numba kernel (all
periods of a draw, values in registers, the responder's inverse by the same table and
Newton steps; :mod:`._alternating_kernels`), with the same arithmetic in the same
order as the numpy loop, which stays the reference
(:func:`alliance_sim._jit.numpy_reference`). Other gains take the numpy loop.

**Evaluators.** Besides the two sides' own values, the solver can carry the value
of the equilibrium path to other evaluators (e.g. the incumbent administration's
view of a deal its successor signs): the same recursion with the evaluator's gain
function, discount factor and breakdown/outside payoffs, applied to the path the
two sides' equilibrium strategies produce.

References
----------
A. Rubinstein (1982), "Perfect equilibrium in a bargaining model",
*Econometrica* 50(1), 97–109.
I. Ståhl (1972), *Bargaining Theory*, Stockholm School of Economics.
K. Binmore, A. Rubinstein, A. Wolinsky (1986), "The Nash bargaining solution in
economic modelling", *RAND Journal of Economics* 17(2), 176–188.
K. Binmore, A. Shaked, J. Sutton (1989), "An outside option experiment",
*Quarterly Journal of Economics* 104(4), 753–770.
M. J. Osborne, A. Rubinstein (1990), *Bargaining and Markets*, Academic Press,
ch. 3–5.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from .._validation import as_float_array, check_in_range, check_int
from . import _alternating_kernels as kernels
from ._payment_kernels import LINEAR, LOSS
from .rootfind import RTOL, XTOL, find_root

__all__ = [
    "LINEAR",
    "LOSS",
    "PAYEE",
    "PAYER",
    "AffineGain",
    "AlternatingOffersResult",
    "Evaluator",
    "PaymentTerms",
    "alternating_offers",
]

Array = NDArray[np.float64]
#: ``gain(x, k, c) -> array``: undiscounted gain of agreeing on ``x`` under contract ``c``
#: in period ``k``.
GainFn = Callable[[Array, int, int], Array]

#: Who proposes in a period (``proposer[k]``): the payer (0) or the payee (1).
PAYER, PAYEE = 0, 1


@dataclass(frozen=True)
class Evaluator:
    """A third view of the equilibrium path: gain function, discount, breakdown and terminal values.

    Attributes
    ----------
    gain : callable
        ``gain(x, k, c)``, undiscounted.
    delta : array_like
        Per-period discount factor.
    breakdown : array_like
        Gain if the talks break down (undiscounted).
    terminal : array_like
        Value at the end of the calendar, already discounted to period 0.
    outside : array_like
        Gain if a side opts out (undiscounted).
    """

    gain: GainFn
    delta: ArrayLike
    breakdown: ArrayLike = 0.0
    terminal: ArrayLike = 0.0
    outside: ArrayLike = 0.0


@dataclass(frozen=True)
class AlternatingOffersResult:
    """Equilibrium strategies and values per period (leading axis: period ``k0 … K``).

    Attributes
    ----------
    periods : range
        The periods solved.
    agree : ndarray of bool, (K − k0, n)
        The proposer makes an acceptable offer in period k (and it is accepted).
    opt_out : ndarray of bool, (K − k0, n)
        Without an acceptable offer the responder opts out in period k.
    payment, contract : ndarray, (K − k0, n)
        The offer made in period k (NaN / −1 when ``agree`` is False).
    value_payer, value_payee : ndarray, (K − k0 + 1, n)
        Equilibrium values at the start of each period, discounted to period 0;
        the last row is the terminal value.
    evaluators : dict of str to ndarray, (K − k0 + 1, n)
        The same for each evaluator.
    """

    periods: range
    agree: NDArray[np.bool_]
    opt_out: NDArray[np.bool_]
    payment: Array
    contract: NDArray[np.int64]
    value_payer: Array
    value_payee: Array
    evaluators: dict[str, Array] = field(default_factory=dict)

    def outcome(self, start: int | None = None) -> dict[str, NDArray]:
        """The equilibrium path from period ``start`` (default: the first period).

        Returns ``period`` (first period with an agreement or an opt-out, −1 if
        none before the end), ``agreement`` (bool), ``opt_out`` (bool),
        ``payment`` (NaN without agreement), ``contract`` (−1 without agreement).
        With no period left (``start`` the end of :attr:`periods`, or no periods at
        all) the path is the end of the calendar: no agreement and no opt-out.

        Raises
        ------
        ValueError
            If ``start`` is outside ``periods.start … periods.stop``.
        """
        k0, K = self.periods.start, self.periods.stop
        if start is not None and not k0 <= start <= K:
            raise ValueError(f"start must lie in [{k0}, {K}]; got {start}")
        first = 0 if start is None else start - k0
        events = (self.agree | self.opt_out)[first:]
        n = events.shape[1]
        if events.shape[0] == 0:  # nothing left to decide (argmax over no period fails)
            return {
                "period": np.full(n, -1, dtype=np.int64),
                "agreement": np.zeros(n, dtype=bool),
                "opt_out": np.zeros(n, dtype=bool),
                "payment": np.full(n, np.nan),
                "contract": np.full(n, -1, dtype=np.int64),
            }
        any_event = events.any(axis=0)
        idx = np.where(any_event, np.argmax(events, axis=0), 0) + first
        lanes = np.arange(n)
        agreement = any_event & self.agree[idx, lanes]
        return {
            "period": np.where(any_event, idx + k0, -1),
            "agreement": agreement,
            "opt_out": any_event & ~agreement,
            "payment": np.where(agreement, self.payment[idx, lanes], np.nan),
            "contract": np.where(agreement, self.contract[idx, lanes], -1),
        }


def _offer(
    gain: GainFn,
    k: int,
    c: int,
    need: Array,
    lo: Array,
    hi: Array,
    possible: NDArray[np.bool_],
    *,
    payer_proposes: bool,
) -> tuple[Array, NDArray[np.bool_]]:
    """Best acceptable payment for the proposer (``need``: responder's undiscounted reservation)."""
    g_lo, g_hi = gain(lo, k, c), gain(hi, k, c)
    if payer_proposes:  # responder = payee, gain increasing: the smallest acceptable x
        ok = possible & (g_hi >= need)
        at_end = g_lo >= need
        end = lo
    else:  # responder = payer, gain decreasing: the largest acceptable x
        ok = possible & (g_lo >= need)
        at_end = g_hi >= need
        end = hi
    inner = ok & ~at_end
    x = np.where(ok, end, np.nan)
    solve = getattr(gain, "solve", None)
    if inner.any() and solve is not None:  # the gain inverts itself (e.g. a tabulated inverse)
        # Only the indifferent lanes: elsewhere the target may be out of reach (a one-point
        # interval, lo == hi, has no inverse), and the kernel inverts no other lane either.
        x = np.where(inner, solve(need, k, c, where=inner), x)
    elif inner.any():
        a = np.where(inner, lo, 0.0)
        b = np.where(inner, hi, 0.0)
        fa = np.where(inner, g_lo - need, 0.0)
        fb = np.where(inner, g_hi - need, 0.0)

        def f(z: Array) -> Array:
            return gain(z, k, c) - need

        root = find_root(f, a, b, fa=fa, fb=fb, xtol=XTOL, rtol=RTOL).checked(
            "the offer that leaves the responder indifferent"
        )
        x = np.where(inner, root, x)
    return x, ok


def alternating_offers(
    *,
    periods: range,
    proposer: Sequence[int],
    gain_payer: GainFn,
    gain_payee: GainFn,
    delta_payer: ArrayLike,
    delta_payee: ArrayLike,
    bounds: Callable[[int], tuple[Array, Array]],
    n: int,
    contracts: int = 1,
    breakdown_prob: Callable[[int], ArrayLike] | ArrayLike = 0.0,
    breakdown_payer: ArrayLike = 0.0,
    breakdown_payee: ArrayLike = 0.0,
    outside_payer: ArrayLike | None = None,
    outside_payee: ArrayLike | None = None,
    exit_payer: ArrayLike | None = None,
    exit_payee: ArrayLike | None = None,
    terminal_payer: ArrayLike = 0.0,
    terminal_payee: ArrayLike = 0.0,
    evaluators: Mapping[str, Evaluator] | None = None,
) -> AlternatingOffersResult:
    """Subgame-perfect equilibrium of alternating offers over ``periods`` (module docstring).

    Parameters
    ----------
    periods : range
        Periods ``k0 … K − 1`` (step 1); period ``K`` holds the terminal values.
    proposer : sequence of int
        ``proposer[k]`` is :data:`PAYER` (0) or :data:`PAYEE` (1), indexed by the
        absolute period ``k``.
    gain_payer, gain_payee : callable
        ``gain(x, k, c)``: undiscounted gains, decreasing (payer) and increasing
        (payee) in ``x``; arrays of shape ``(n,)``.
    delta_payer, delta_payee : array_like
        Per-period discount factors in (0, 1].
    bounds : callable
        ``bounds(k) -> (lo, hi)``, admissible payments in period ``k``; ``lo > hi``
        (or NaN) where no agreement is possible.
    n : int
        Number of draws.
    contracts : int
        Number of contracts the proposer chooses among (``c = 0 … contracts − 1``).
    breakdown_prob : callable or array_like
        ``q_k`` (a function of ``k``, or a constant), in [0, 1].
    breakdown_payer, breakdown_payee : array_like
        Undiscounted gains at a breakdown.
    outside_payer, outside_payee : array_like or None
        Undiscounted gains from opting out as the responder (None: no outside option).
    exit_payer, exit_payee : array_like or None
        Undiscounted gain of a side when the *other* side opts out (default: its
        breakdown gain), e.g. the payer's payoff when the payee walks away for good.
    terminal_payer, terminal_payee : array_like
        Values after the last period, discounted to period 0.
    evaluators : mapping of str to Evaluator, optional
        Extra views of the equilibrium path.

    Returns
    -------
    AlternatingOffersResult

    Raises
    ------
    ValueError
        On discount factors outside (0, 1], breakdown probabilities outside
        [0, 1], an unknown proposer, or non-finite inputs.

    Examples
    --------
    Rubinstein's pie (payer's gain 1 − x, payee's gain x, payer proposes first,
    δ = 0.9): the payer keeps (1 − δ)/(1 − δ²) = 1/1.9 as the horizon grows.

    >>> r = alternating_offers(
    ...     periods=range(200), proposer=[k % 2 for k in range(200)],
    ...     gain_payer=lambda x, k, c: 1.0 - x, gain_payee=lambda x, k, c: x,
    ...     delta_payer=0.9, delta_payee=0.9, n=1,
    ...     bounds=lambda k: (np.zeros(1), np.ones(1)))
    >>> round(1.0 - float(r.payment[0, 0]), 6), round(1 / 1.9, 6)
    (0.526316, 0.526316)
    """
    k0, K = periods.start, periods.stop
    if periods.step != 1 or K < k0:
        raise ValueError(f"periods must be a range with step 1; got {periods}")
    if len(proposer) < K:
        raise ValueError(f"proposer needs an entry for every period up to {K - 1}")
    if any(p not in (PAYER, PAYEE) for p in proposer[k0:K]):
        raise ValueError("proposer entries must be PAYER (0) or PAYEE (1)")
    check_int(contracts, "contracts")

    def per_draw(v: ArrayLike, name: str) -> Array:
        arr = as_float_array(v, name)
        return np.broadcast_to(arr, (n,)).astype(np.float64)

    # Naming: the keyword arguments (``delta_payer``, ...) are the caller's raw inputs; the
    # per-draw working arrays put the side first (``payer_delta``, ``payee_value``, ...), with
    # ``prop_*`` / ``resp_*`` for whichever side proposes / responds in the current period and
    # ``ev_*`` (dicts keyed by evaluator name) for the evaluators.
    payer_delta = per_draw(delta_payer, "delta_payer")
    payee_delta = per_draw(delta_payee, "delta_payee")
    for name, d in (("delta_payer", payer_delta), ("delta_payee", payee_delta)):
        check_in_range(d, name, 0.0, 1.0, low_open=True)
    payer_breakdown = per_draw(breakdown_payer, "breakdown_payer")
    payee_breakdown = per_draw(breakdown_payee, "breakdown_payee")
    payer_outside = None if outside_payer is None else per_draw(outside_payer, "outside_payer")
    payee_outside = None if outside_payee is None else per_draw(outside_payee, "outside_payee")
    payer_exit = payer_breakdown if exit_payer is None else per_draw(exit_payer, "exit_payer")
    payee_exit = payee_breakdown if exit_payee is None else per_draw(exit_payee, "exit_payee")
    q_of = breakdown_prob if callable(breakdown_prob) else (lambda k: breakdown_prob)
    evals = dict(evaluators or {})
    ev_delta = {e: per_draw(v.delta, f"{e}.delta") for e, v in evals.items()}
    ev_breakdown = {e: per_draw(v.breakdown, f"{e}.breakdown") for e, v in evals.items()}
    ev_outside = {e: per_draw(v.outside, f"{e}.outside") for e, v in evals.items()}

    if kernels_enabled():
        fast = _fused(
            periods=periods,
            proposer=proposer,
            n=n,
            contracts=contracts,
            gains=(gain_payer, gain_payee, *(ev.gain for ev in evals.values())),
            deltas=(payer_delta, payee_delta, *ev_delta.values()),
            delta_keys=(delta_payer, delta_payee, *(ev.delta for ev in evals.values())),
            q_of=q_of,
            per_draw=per_draw,
            bounds=bounds,
            breakdown=(payer_breakdown, payee_breakdown, *ev_breakdown.values()),
            outside=(payer_outside, payee_outside, *ev_outside.values()),
            exits=(payer_exit, payee_exit),
            terminal=(
                per_draw(terminal_payer, "terminal_payer"),
                per_draw(terminal_payee, "terminal_payee"),
                *(per_draw(ev.terminal, f"{e}.terminal") for e, ev in evals.items()),
            ),
            names=tuple(evals),
        )
        if fast is not None:
            return fast

    m = K - k0
    agree = np.zeros((m, n), dtype=bool)
    opt_out = np.zeros((m, n), dtype=bool)
    payment = np.full((m, n), np.nan)
    contract = np.full((m, n), -1, dtype=np.int64)
    payer_value = np.empty((m + 1, n))
    payee_value = np.empty((m + 1, n))
    payer_value[m] = per_draw(terminal_payer, "terminal_payer")
    payee_value[m] = per_draw(terminal_payee, "terminal_payee")
    ev_value = {e: np.empty((m + 1, n)) for e in evals}
    for e, ev in evals.items():
        ev_value[e][m] = per_draw(ev.terminal, f"{e}.terminal")

    for k in range(K - 1, k0 - 1, -1):
        i = k - k0
        q = per_draw(q_of(k), "breakdown_prob")
        check_in_range(q, "breakdown_prob", 0.0, 1.0)
        # δ^k: the discount from period k to period 0 (values are discounted to period 0).
        payer_disc, payee_disc = payer_delta**k, payee_delta**k
        # C_i(k): the value of a rejection (breakdown, or on to the next period).
        payer_cont = q * payer_delta ** (k + 1) * payer_breakdown + (1 - q) * payer_value[i + 1]
        payee_cont = q * payee_delta ** (k + 1) * payee_breakdown + (1 - q) * payee_value[i + 1]
        lo, hi = (
            v
            if isinstance(v, np.ndarray) and v.shape == (n,) and v.dtype == np.float64
            else np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))
            for v in bounds(k)
        )
        possible = lo <= hi  # False for NaN bounds too
        if possible.all():  # keep the caller's arrays (gains may have tabulated them)
            lo_s, hi_s = lo, hi
        else:
            lo_s, hi_s = np.where(possible, lo, 0.0), np.where(possible, hi, 0.0)
        payer_proposes = proposer[k] == PAYER
        # Responder's reservation (discounted to 0) and its opt-out value.
        if payer_proposes:
            resp_outside = None if payee_outside is None else payee_disc * payee_outside
            resp_cont, resp_disc, resp_gain = payee_cont, payee_disc, gain_payee
            prop_cont, prop_disc, prop_gain = payer_cont, payer_disc, gain_payer
        else:
            resp_outside = None if payer_outside is None else payer_disc * payer_outside
            resp_cont, resp_disc, resp_gain = payer_cont, payer_disc, gain_payer
            prop_cont, prop_disc, prop_gain = payee_cont, payee_disc, gain_payee
        out = np.zeros(n, dtype=bool) if resp_outside is None else resp_outside > resp_cont
        reserve = resp_cont if resp_outside is None else np.maximum(resp_cont, resp_outside)
        need = reserve / resp_disc
        best_val = np.full(n, -np.inf)
        best_x = np.full(n, np.nan)
        best_c = np.full(n, -1, dtype=np.int64)
        for c in range(contracts):
            x, ok = _offer(
                resp_gain, k, c, need, lo_s, hi_s, possible, payer_proposes=payer_proposes
            )
            val = np.where(ok, prop_disc * prop_gain(np.where(ok, x, lo_s), k, c), -np.inf)
            better = val > best_val
            best_val = np.where(better, val, best_val)
            best_x = np.where(better, x, best_x)
            best_c = np.where(better, c, best_c)
        # The proposer's fallback: the responder opts out, or the period passes.
        prop_exit = payer_exit if payer_proposes else payee_exit
        fallback = np.where(out, prop_disc * prop_exit, prop_cont)
        deal = best_val >= fallback
        agree[i], opt_out[i] = deal, ~deal & out
        payment[i] = np.where(deal, best_x, np.nan)
        contract[i] = np.where(deal, best_c, -1)
        x_ok = np.where(deal, best_x, lo_s)
        c_ok = best_c
        payer_deal = _by_contract(gain_payer, x_ok, k, c_ok, contracts)
        payee_deal = _by_contract(gain_payee, x_ok, k, c_ok, contracts)
        # Opting out: the responder gets its outside option, the proposer its exit gain.
        payer_out = (
            payer_disc * payer_outside
            if (not payer_proposes and payer_outside is not None)
            else payer_disc * payer_exit
        )
        payee_out = (
            payee_disc * payee_outside
            if (payer_proposes and payee_outside is not None)
            else payee_disc * payee_exit
        )
        payer_value[i] = np.where(
            deal, payer_disc * payer_deal, np.where(opt_out[i], payer_out, payer_cont)
        )
        payee_value[i] = np.where(
            deal, payee_disc * payee_deal, np.where(opt_out[i], payee_out, payee_cont)
        )
        for e, ev in evals.items():
            ev_d = ev_delta[e]
            ev_cont = q * ev_d ** (k + 1) * ev_breakdown[e] + (1 - q) * ev_value[e][i + 1]
            ev_deal = _by_contract(ev.gain, x_ok, k, c_ok, contracts)
            ev_value[e][i] = np.where(
                deal, ev_d**k * ev_deal, np.where(opt_out[i], ev_d**k * ev_outside[e], ev_cont)
            )
    return AlternatingOffersResult(
        periods=periods,
        agree=agree,
        opt_out=opt_out,
        payment=payment,
        contract=contract,
        value_payer=payer_value,
        value_payee=payee_value,
        evaluators=ev_value,
    )


def _by_contract(gain: GainFn, x: Array, k: int, c: NDArray[np.int64], contracts: int) -> Array:
    """``gain(x, k, c)`` with a per-draw contract index (−1 treated as contract 0)."""
    if contracts == 1:
        return gain(x, k, 0)
    out = gain(x, k, 0)
    for cc in range(1, contracts):
        out = np.where(c == cc, gain(x, k, cc), out)
    return out


# --- The fused kernel (issue #13) --------------------------------------------------------------
#
# Taken when every gain exposes ``affine_form(periods, contracts)`` (an :class:`AffineGain`)
# and the kernels are on (:func:`alliance_sim._jit.kernels_enabled`); the numpy loop above is
# the reference. The kernel itself (:func:`._alternating_kernels.backward`) and what it
# computes are in :mod:`._alternating_kernels`; here are its inputs and the dispatch.


@dataclass(frozen=True)
class PaymentTerms:
    r"""A payment part :math:`\varphi(x) = \sum_j w_j\, u_j(x)` in a form the kernel evaluates.

    .. math::
        u_j(x) = \begin{cases}
            a_j\, x & \text{kind } j = \text{LINEAR} \\
            -a_j\, \max\bigl(0,\ s_j (x - r_j)\bigr)^{p_j} / r_j^{\,p_j - 1}
                & \text{kind } j = \text{LOSS}
        \end{cases}

    summed in the order ``j = 0, 1, …`` from 0 (as
    :meth:`~alliance_sim.players.player.Player.payment_part` sums its terms). The slope
    is :math:`a_j` and :math:`-s_j a_j\, p_j \max(0, s_j(x - r_j))^{p_j - 1} / r_j^{p_j - 1}`
    (for :math:`p_j = 1`: :math:`-s_j a_j \mathbf 1[s_j(x - r_j) > 0]`).

    Attributes
    ----------
    kind : ndarray of int64, (J,)
        :data:`LINEAR` or :data:`LOSS`.
    weight : ndarray, (J,)
        :math:`w_j` (a weight of 1 is not multiplied).
    coef, ref : ndarray, (J, n)
        :math:`a_j` and :math:`r_j` per draw (``ref`` unused for LINEAR).
    power, direction : ndarray, (J,)
        :math:`p_j \ge 1` and :math:`s_j = \pm 1` (unused for LINEAR).
    """

    kind: NDArray[np.int64]
    weight: Array
    coef: Array
    ref: Array
    power: Array
    direction: Array


def stack_payment_terms(parts: Sequence[PaymentTerms], n: int) -> tuple[NDArray, ...]:
    """Several sides' payment parts as the kernels' ``form``: padded to one number of terms.

    Returns ``kind (S, J)`` (−1: no term), ``weight``, ``coef (S, J, n)``, ``ref (S, J, n)``,
    ``power``, ``direction`` for the ``S`` sides, ``J`` the most terms of a side (at least 1).
    """
    sides = len(parts)
    J = max(1, *(p.kind.shape[0] for p in parts))
    kind = np.full((sides, J), -1, dtype=np.int64)
    weight = np.ones((sides, J))
    power = np.ones((sides, J))
    direction = np.ones((sides, J))
    coef = np.zeros((sides, J, n))
    ref = np.ones((sides, J, n))
    for s, p in enumerate(parts):
        j = p.kind.shape[0]
        kind[s, :j] = p.kind
        weight[s, :j] = p.weight
        power[s, :j] = p.power
        direction[s, :j] = p.direction
        coef[s, :j] = p.coef
        ref[s, :j] = p.ref
    return kind, weight, coef, ref, power, direction


@dataclass(frozen=True)
class AffineGain:
    r"""A gain affine in a payment part: :math:`g(x, k, c) = a_c\, \varphi(x) + b_c(k)`.

    What a gain callable returns from ``affine_form(periods, contracts)`` to have
    :func:`alternating_offers` run the fused kernel. ``g`` must equal
    ``share[c] * φ(x) + const[k − k0, c]`` as the callable computes it.

    Attributes
    ----------
    share : ndarray, (contracts,)
        :math:`a_c > 0`.
    const : ndarray, (K − k0, contracts, n)
        :math:`b_c(k)` per period, contract and draw.
    phi : PaymentTerms
        :math:`\varphi`.
    table_x, table_y : ndarray, (n, G) or None
        The inverse the gain's ``solve`` uses: ``solve(t, k, c)`` is
        :math:`\varphi^{-1}((t - b_c(k)) / a_c)`, located in the table (``table_y``:
        :math:`\sigma\varphi` at ``table_x``, increasing along each row), interpolated and
        polished by Newton steps (at most six; then Chandrupatla's bracketing solver on
        the cell), as ``games.offers._Inverse`` does. None for a gain that is never
        inverted (an evaluator's).
    sign : ndarray, (n,) or None
        :math:`\sigma = \pm 1`, the direction of :math:`\varphi`.
    """

    share: Array
    const: Array
    phi: PaymentTerms
    table_x: Array | None = None
    table_y: Array | None = None
    sign: Array | None = None


def _fused(
    *,
    periods: range,
    proposer: Sequence[int],
    n: int,
    contracts: int,
    gains: tuple[GainFn, ...],
    deltas: tuple[Array, ...],
    delta_keys: tuple[object, ...],
    q_of: Callable[[int], ArrayLike],
    per_draw: Callable[[ArrayLike, str], Array],
    bounds: Callable[[int], tuple[Array, Array]],
    breakdown: tuple[Array, ...],
    outside: tuple[Array | None, ...],
    exits: tuple[Array, Array],
    terminal: tuple[Array, ...],
    names: tuple[str, ...],
) -> AlternatingOffersResult | None:
    """:func:`alternating_offers` by the fused kernel, or None when a gain has no affine form.

    Side ``s`` is 0 (payer), 1 (payee), then the evaluators in order. Inputs that the
    reference recomputes every period (``δ^k``, ``q_k``, the bounds) are tabulated once
    per distinct input (the same numpy expressions, so the same values).
    """
    k0, K = periods.start, periods.stop
    m = K - k0
    forms = []
    for gain in gains:
        form_of = getattr(gain, "affine_form", None)
        form = None if form_of is None else form_of(periods, contracts)
        if form is None:
            return None
        forms.append(form)
    for form in forms[:2]:
        if form.table_x is None or form.table_y is None or form.sign is None:
            return None
    sides = len(gains)
    payment_form = stack_payment_terms([f.phi for f in forms], n)
    share = np.empty((sides, contracts))
    for s, f in enumerate(forms):
        share[s] = f.share
        if f.const.shape != (m, contracts, n):
            raise ValueError(f"affine_form: const must have shape {(m, contracts, n)}")
    # δ^k for k = k0 … K, one table per distinct discount factor.
    disc_idx = np.empty(sides, dtype=np.int64)
    seen: dict[int, int] = {}
    for s in range(sides):
        seen.setdefault(id(delta_keys[s]), len(seen))
        disc_idx[s] = seen[id(delta_keys[s])]
    disc = np.empty((len(seen), m + 1, n))
    done: set[int] = set()
    for s in range(sides):
        if disc_idx[s] not in done:
            done.add(int(disc_idx[s]))
            for r in range(m + 1):
                disc[disc_idx[s], r] = deltas[s] ** (k0 + r)

    def tabulate(arrays: list[Array]) -> tuple[Array, NDArray[np.int64]]:
        rows: list[Array] = []
        index = np.zeros(max(m, 1), dtype=np.int64)
        ids: dict[int, int] = {}
        for r, a in enumerate(arrays):
            if id(a) not in ids:
                ids[id(a)] = len(rows)
                rows.append(a)
            index[r] = ids[id(a)]
        if not rows:
            return np.zeros((1, n)), index
        return (np.stack(rows) if len(rows) > 1 else rows[0][None]), index

    raw_q, q_rows = [], []
    lo_rows, hi_rows = [], []
    keep: list[object] = []  # hold the raw inputs, so that their ids stay unique
    q_cache: dict[int, Array] = {}
    for k in range(k0, K):
        raw = q_of(k)
        keep.append(raw)
        if id(raw) not in q_cache:
            q = per_draw(raw, "breakdown_prob")
            check_in_range(q, "breakdown_prob", 0.0, 1.0)
            q_cache[id(raw)] = q
        raw_q.append(raw)
        q_rows.append(q_cache[id(raw)])
        lo, hi = (
            v
            if isinstance(v, np.ndarray) and v.shape == (n,) and v.dtype == np.float64
            else np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))
            for v in bounds(k)
        )
        lo_rows.append(lo)
        hi_rows.append(hi)
    q_tab, q_idx = tabulate(q_rows)
    lo_tab, lo_idx = tabulate(lo_rows)
    hi_tab, hi_idx = tabulate(hi_rows)

    agree = np.empty((m, n), dtype=bool)
    opt_out = np.empty((m, n), dtype=bool)
    payment = np.empty((m, n))
    contract = np.empty((m, n), dtype=np.int64)
    values = np.empty((sides, m + 1, n))
    for s in range(sides):
        values[s, m] = terminal[s]
    has_outside = np.array([o is not None for o in outside], dtype=np.bool_)
    outside_arr = np.stack([np.zeros(n) if o is None else o for o in outside])
    failed = kernels.backward(
        np.asarray([proposer[k] for k in range(k0, K)] or [0], dtype=np.int64),
        q_tab,
        q_idx,
        lo_tab,
        lo_idx,
        hi_tab,
        hi_idx,
        disc,
        disc_idx,
        payment_form,
        share,
        forms[0].const,
        forms[1].const,
        tuple(f.const for f in forms[2:]) or (forms[0].const,),
        (forms[0].table_x, forms[1].table_x),
        (forms[0].table_y, forms[1].table_y),
        np.stack([forms[0].sign, forms[1].sign]),
        np.stack(breakdown),
        outside_arr,
        has_outside,
        np.stack(exits),
        agree,
        opt_out,
        payment,
        contract,
        values,
    )
    if failed:
        return None  # the reference finishes the job (or raises its error)
    return AlternatingOffersResult(
        periods=periods,
        agree=agree,
        opt_out=opt_out,
        payment=payment,
        contract=contract,
        value_payer=values[0],
        value_payee=values[1],
        evaluators={e: values[2 + j] for j, e in enumerate(names)},
    )
