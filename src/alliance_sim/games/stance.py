r"""Stance games: one 3×3 strategic-form game per draw, built from the player models.

Before the election, Tokyo (rows) and the incumbent administration in Washington
(columns) choose stances at the same time:

* Tokyo: **accept** Washington's demand now, **counter** with the status quo
  :math:`x_0`, or **wait** until after the election;
* Washington: a **moderate** demand, the **hardline** demand (the reported
  $8 billion), or the hardline demand backed by a **threat** to draw down.

Every cell is an outcome the bargaining model prices (utilities from the
players' terms, ¥ billion a year equivalents). With ``now`` the talks' opening
(``t = 0``), ``post`` the assumed signing date after the inauguration, ``I``/``C``
the incumbent/challenger types and :math:`p` the probability that the challenger
wins (:class:`~alliance_sim.players.election.ElectionTiming`):

* moderate demand :math:`D_m = \max(x_0,\ x^N_I(\text{now}))`, the generalized
  Nash payment of the incumbent's bargaining problem now, but never a cut
  (:math:`x_0` if that range is empty);
  hardline demand :math:`D_h` (the scenario's ``demand``);
* the **value of waiting** for the election — the winner's Nash settlement signed
  at ``post`` (or no deal if its range is empty), expected over the winner:

  .. math::
      V_J = (1-p)\,W_J^I + p\,W_J^C,\quad
      W_J^\theta = \begin{cases} U_J(x^N_\theta, \text{post}) & \text{range non-empty}\\
                                 d_J^\theta & \text{otherwise,}\end{cases}

  and :math:`V_U` likewise with the incumbent's utility :math:`U_U^I` (it is the
  incumbent administration that chooses the stance, and it evaluates its
  successor's deal with its own preferences) and no-deal utility :math:`d_U^I`;
* an **executed threat** ends the talks with a certain drawdown: payoffs
  :math:`\bar d_J = d_J|_{\pi=1}`, :math:`\bar d_U = d_U^I|_{\pi=1}`; a threat that
  is ignored is executed with the incumbent's credibility :math:`\pi_I`, otherwise
  the talks wait for the election:
  :math:`T_i = \pi_I \bar d_i + (1 - \pi_I) V_i`.

Payoffs (Tokyo, Washington), with :math:`U(x) = (U_J(x, \text{now}),\ U_U^I(x))`
and :math:`m = (x_0 + D_m)/2`, the split between demand and counter-offer:

* accept: moderate → :math:`U(D_m)`; hardline → :math:`U(D_h)`; threaten →
  :math:`U(D_h)`;
* counter: moderate → :math:`U(m)`; hardline → :math:`U(x_0)` if
  :math:`U_U^I(x_0) \ge V_U`, else :math:`(V_J, V_U)`; threaten → :math:`U(x_0)` if
  :math:`U_U^I(x_0) \ge T_U`, else :math:`(T_J, T_U)`;
* wait: moderate → :math:`(V_J, V_U)`; hardline → :math:`(V_J, V_U)`; threaten →
  :math:`(T_J, T_U)`.

(A counter-offer to a hardline demand gives Washington the option to take :math:`x_0` now, which it
does when that beats the alternative.) Accepting under a threat or without one
is the same outcome, and so is waiting against a moderate or a hardline demand:
the stance games are **degenerate by construction**, and
:func:`~alliance_sim.solvers.bimatrix.bimatrix_equilibria` returns the extreme
equilibria of their equilibrium components.

References
----------
T. C. Schelling (1960), *The Strategy of Conflict*, Harvard UP (threats and
commitment).
J. D. Fearon (1994), "Domestic political audiences and the escalation of
international disputes", *American Political Science Review* 88(3), 577–592.
R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
games", *International Organization* 42(3), 427–460.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..parameters import Draws
from ..solvers import nash_solution
from .bargaining import BargainingProblem

if TYPE_CHECKING:  # pragma: no cover
    from ..scenarios import Scenario

__all__ = ["TOKYO_STANCES", "WASHINGTON_STANCES", "StanceGame", "stance_game"]

#: Row player's (the payer's) stances, in row order.
TOKYO_STANCES: tuple[str, ...] = ("accept", "counter", "wait")
#: Column player's (the payee's) stances, in column order.
WASHINGTON_STANCES: tuple[str, ...] = ("moderate", "hardline", "threaten")

Array = NDArray[np.float64]


@dataclass(frozen=True)
class StanceGame:
    r"""The stance game of every draw: payoff arrays and the quantities they are built from.

    Attributes
    ----------
    A, B : ndarray, shape (n, 3, 3)
        Payer's (Tokyo's) and payee's (Washington's) payoffs; rows
        :data:`TOKYO_STANCES`, columns :data:`WASHINGTON_STANCES`.
    moderate_demand, hardline_demand, counter_offer : ndarray, shape (n,)
        :math:`D_m`, :math:`D_h`, :math:`x_0`.
    wait_payer, wait_payee : ndarray
        :math:`V_J`, :math:`V_U`, the value of waiting for the election.
    threat_payer, threat_payee : ndarray
        :math:`T_J`, :math:`T_U`, the value of an ignored threat.
    threat_prob : ndarray
        :math:`\pi_I`, the incumbent's drawdown credibility.
    """

    A: Array
    B: Array
    moderate_demand: Array
    hardline_demand: Array
    counter_offer: Array
    wait_payer: Array
    wait_payee: Array
    threat_payer: Array
    threat_payee: Array
    threat_prob: Array


def stance_game(
    scenario: Scenario,
    draws: Draws,
    *,
    settled: tuple[NDArray[np.bool_], NDArray[np.bool_], Array] | None = None,
) -> StanceGame:
    """Build the stance game of every draw of ``scenario`` (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Needs an ``election``, a ``demand`` and a ``drawdown`` name.
    draws : Draws
        Sampled parameters (not yet resolved by election type).
    settled : (ndarray, ndarray, ndarray), optional
        What the static core found at the signing time for the administration in
        office in each draw: ``challenger_in_office``, ``feasible`` and the Nash
        payment (:func:`~alliance_sim.sweep.pipeline.evaluate`'s outputs of those
        names). With it, only the *other* administration's problem at ``post`` is
        solved; the result is the same, bit for bit, as solving both.

    Returns
    -------
    StanceGame

    Raises
    ------
    ValueError
        If the scenario has no election, demand or drawdown probability.
    """
    election = getattr(scenario, "election", None)
    demand = getattr(scenario, "demand", None)
    drawdown = getattr(scenario, "drawdown", None)
    if election is None or demand is None or drawdown is None:
        raise ValueError(
            "a stance game needs a scenario with an election, a demand and a drawdown "
            "probability (Scenario.election, .demand, .drawdown)"
        )
    payer, payee = scenario.payer, scenario.payee
    n = draws.n
    T = draws[scenario.term_years]
    post = draws[scenario.signing_time]
    now = np.zeros(n)
    x0 = np.asarray(draws[scenario.status_quo], dtype=np.float64)
    beta = draws[scenario.power]
    floor = scenario.payment_floor
    inc = election.resolve_as(draws, challenger=False)
    chal = election.resolve_as(draws, challenger=True)

    def settle(state: Draws, t: Array) -> tuple[BargainingProblem, Array]:
        pb = BargainingProblem(
            payer, payee, state, term_years=T, signing_time=t, floor=floor, scale=x0
        )
        return pb, nash_solution(pb, beta).payment

    pb_now, x_now = settle(inc, now)
    # A demand is never a cut: below the status quo the moderate demand is x0 itself.
    d_m = np.maximum(np.where(pb_now.feasible, x_now, x0), x0)
    d_h = np.asarray(draws[demand], dtype=np.float64)

    def u_payer(x: Array, t: Array, state: Draws = inc) -> Array:
        # The administration that signs sets the deal's entry into force (its review).
        return payer.utility(state, x, T, t)

    def u_payee(x: Array) -> Array:  # the incumbent administration's preferences
        return payee.utility(inc, x, T, now)

    d_payee_inc = payee.disagreement(inc, n)
    # Each administration's settlement at post: (feasible, Nash payment).
    if settled is None:
        at_post = [(pb.feasible, x) for pb, x in (settle(state, post) for state in (inc, chal))]
    else:
        # The core solved the problem of the administration in office (per draw, the
        # same inputs as inc's or chal's problem here); solve the other one only.
        in_office, feasible_core, x_core = settled
        pb_other, x_other = settle(election.resolve_as(draws, ~in_office), post)
        at_post = [
            (
                np.where(in_office, pb_other.feasible, feasible_core),
                np.where(in_office, x_other, x_core),
            ),
            (
                np.where(in_office, feasible_core, pb_other.feasible),
                np.where(in_office, x_core, x_other),
            ),
        ]
    w_payer, w_payee = [], []
    for state, (feasible, x) in zip((inc, chal), at_post, strict=True):
        x_ok = np.where(feasible, x, x0)
        w_payer.append(np.where(feasible, u_payer(x_ok, post, state), payer.disagreement(state, n)))
        w_payee.append(np.where(feasible, u_payee(x_ok), d_payee_inc))
    p = draws[election.probability]
    v_j = (1.0 - p) * w_payer[0] + p * w_payer[1]
    v_u = (1.0 - p) * w_payee[0] + p * w_payee[1]

    certain = inc.replace(**{drawdown: 1.0})
    pi = inc[drawdown]
    t_j = pi * payer.disagreement(certain, n) + (1.0 - pi) * v_j
    t_u = pi * payee.disagreement(certain, n) + (1.0 - pi) * v_u

    mid = 0.5 * (x0 + d_m)
    counter_j, counter_u = u_payer(x0, now), u_payee(x0)
    take_h = counter_u >= v_u  # Washington takes the counter-offer rather than deadlock
    take_t = counter_u >= t_u
    A = np.empty((n, 3, 3))
    B = np.empty((n, 3, 3))
    A[:, 0, 0], B[:, 0, 0] = u_payer(d_m, now), u_payee(d_m)
    A[:, 0, 1], B[:, 0, 1] = u_payer(d_h, now), u_payee(d_h)
    A[:, 0, 2], B[:, 0, 2] = A[:, 0, 1], B[:, 0, 1]
    A[:, 1, 0], B[:, 1, 0] = u_payer(mid, now), u_payee(mid)
    A[:, 1, 1] = np.where(take_h, counter_j, v_j)
    B[:, 1, 1] = np.where(take_h, counter_u, v_u)
    A[:, 1, 2] = np.where(take_t, counter_j, t_j)
    B[:, 1, 2] = np.where(take_t, counter_u, t_u)
    A[:, 2, 0], B[:, 2, 0] = v_j, v_u
    A[:, 2, 1], B[:, 2, 1] = v_j, v_u
    A[:, 2, 2], B[:, 2, 2] = t_j, t_u
    return StanceGame(
        A=A,
        B=B,
        moderate_demand=d_m,
        hardline_demand=d_h,
        counter_offer=x0,
        wait_payer=v_j,
        wait_payee=v_u,
        threat_payer=t_j,
        threat_payee=t_u,
        threat_prob=np.asarray(pi, dtype=np.float64),
    )
