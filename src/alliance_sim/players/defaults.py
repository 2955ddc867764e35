r"""Default Tokyo and Washington players (the composition used by the Japan–US preset).

Tokyo (the payer):

.. math::
    U_J = S_J - (1 + \lambda_J)\,x - \kappa_J \frac{\max(0, x - x_0)^2}{x_0}
          - \frac{c_B\,\mathbf 1[t > t_B]}{T} - \frac{\ell_J \max(0, e(T, t) - t_E)}{T},
    \qquad d_J = S_J\,(1 - \pi\,\rho_J) - c_J

Washington (the patron), with the typed parameters ``w``, ``π``, ``a``
resolved by :class:`~alliance_sim.players.election.ElectionTiming`:

.. math::
    U_U = S_U + w\,x - \kappa_U \max(0, x_0 - x) - \frac{\ell_U \max(0, e(T, t) - t_E)}{T},
    \qquad d_U = S_U\,(1 - \pi\,\rho_U) + \pi\, s_U\, C_U - a

with :math:`e(T, t)` the agreement's entry into force: the signing time plus the
ratification lead time (``lead_full`` for a full agreement, after the new
administration's review ``t_ready``; ``lead_extension`` for a short extension;
:class:`~alliance_sim.players.terms.LapseCost`; without these names, ``e = t``).

Terms in order: Tokyo — security value, fiscal cost, reference point
(quadratic audience cost above the status quo), no-deal (lapse) cost, budget
deadline pressure, lapse cost of a late agreement; Washington — security value,
payment value, reference point (linear loss aversion below the status quo),
no-deal (audience) cost, drawdown option, lapse cost of a late agreement. Keyword
arguments rename the draw names each term reads, so the same compositions serve
other dyads (e.g. Seoul–Washington).
"""

from __future__ import annotations

from .player import Player
from .terms import (
    DeadlinePressure,
    DrawdownOption,
    FiscalCost,
    LapseCost,
    NoDealCost,
    PaymentValue,
    ReferencePoint,
    SecurityValue,
)

__all__ = ["tokyo", "washington"]


def tokyo(
    *,
    name: str = "Tokyo",
    security: str = "S_J",
    loss_share: str = "rho_J",
    drawdown_prob: str = "pi_drawdown",
    mcpf: str = "mcpf_J",
    audience: str = "kappa_J",
    status_quo: str = "status_quo",
    lapse_cost: str = "c_J",
    budget_cost: str = "c_budget",
    budget_deadline: str = "t_budget",
    lapse_rate: str = "lapse_J",
    expiry: str = "t_expiry",
    lead: str | None = None,
    lead_extension: str | None = None,
    ready: str | None = None,
) -> Player:
    """The host (payer) player with the default terms; see the module docstring."""
    return Player(
        name,
        [
            SecurityValue(security, loss_share, drawdown_prob),
            FiscalCost(mcpf),
            ReferencePoint(audience, status_quo, direction=1, power=2.0),
            NoDealCost(lapse_cost),
            DeadlinePressure(budget_cost, budget_deadline),
            LapseCost(lapse_rate, expiry, lead=lead, lead_extension=lead_extension, ready=ready),
        ],
    )


def washington(
    *,
    name: str = "Washington",
    security: str = "S_U",
    loss_share: str = "rho_U",
    drawdown_prob: str = "pi_drawdown",
    payment_weight: str = "w_US",
    loss_aversion: str = "kappa_U",
    status_quo: str = "status_quo",
    walk_away_cost: str = "a_US",
    saving_share: str = "s_U",
    basing_cost: str = "C_U",
    lapse_rate: str = "lapse_U",
    expiry: str = "t_expiry",
    lead: str | None = None,
    lead_extension: str | None = None,
    ready: str | None = None,
) -> Player:
    """The patron (payee) player with the default terms; see the module docstring."""
    return Player(
        name,
        [
            SecurityValue(security, loss_share, drawdown_prob),
            PaymentValue(payment_weight),
            ReferencePoint(loss_aversion, status_quo, direction=-1, power=1.0),
            NoDealCost(walk_away_cost),
            DrawdownOption(saving_share, basing_cost, drawdown_prob),
            LapseCost(lapse_rate, expiry, lead=lead, lead_extension=lead_extension, ready=ready),
        ],
    )
