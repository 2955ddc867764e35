r"""Utility terms: pure, vectorized pieces of a player's utility.

A player's utility from an agreement on annual payment ``x`` (¥ billion a year,
paid by the host to the patron), term ``T`` (years) and signing time ``t``
(years since talks opened) is a weighted sum of terms,

.. math:: U_i(x, T, t) = \sum_k w_k\, u_k(\theta, x, T, t),

and its utility without an agreement is :math:`d_i = \sum_k w_k\, \bar u_k(\theta)`,
with :math:`\theta` the parameter draws. Each term implements

* ``value(draws, x, T, t)``  — :math:`u_k`, its contribution to an agreement;
* ``slope(draws, x, T, t)``  — :math:`\partial u_k / \partial x` (a one-sided
  derivative at a kink);
* ``disagreement(draws)``    — :math:`\bar u_k`, its contribution without a deal.

All are elementwise in the draw axis: ``draws[name]`` has shape ``(n,)`` and
``x`` may have shape ``(n,)`` or ``(..., n)`` (numpy broadcasting), so the engine
never loops over draws. A term lists the draw names it reads with their allowed
domains (:meth:`UtilityTerm.parameters`); scenarios check them before computing.

Model assumption the solvers rely on: the host's total utility is strictly
decreasing and concave in ``x`` and the patron's strictly increasing and concave.
Every built-in term respects it for parameters in its domain.
"""

from __future__ import annotations

import abc
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_in_range, format_range

__all__ = [
    "Constant",
    "DeadlinePressure",
    "Domain",
    "DrawdownOption",
    "FiscalCost",
    "FunctionTerm",
    "LapseCost",
    "NoDealCost",
    "PaymentValue",
    "ReferencePoint",
    "SecurityValue",
    "UtilityTerm",
]

Array = NDArray[np.float64]
#: The term ``T`` and the signing time ``t``: per-draw arrays or one number for all draws.
ArrayOrFloat = Array | float
DrawsLike = Mapping[str, Array]


@dataclass(frozen=True)
class Domain:
    """Allowed values of a parameter read by a term: an interval, open or closed at each end."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def __str__(self) -> str:
        return format_range(self.low, self.high, self.low_open, self.high_open)

    def contains(self, a: float, b: float) -> bool:
        """True when the closed interval ``[a, b]`` lies inside the domain."""
        lo_ok = a > self.low if self.low_open else a >= self.low
        hi_ok = b < self.high if self.high_open else b <= self.high
        return bool(lo_ok and hi_ok)

    def check(self, values: Array, name: str) -> None:
        """Raise ``ValueError`` naming ``name`` if a value lies outside the domain."""
        check_in_range(
            values, name, self.low, self.high, low_open=self.low_open, high_open=self.high_open
        )


REAL = Domain()
NONNEGATIVE = Domain(0.0)
POSITIVE = Domain(0.0, low_open=True)
UNIT = Domain(0.0, 1.0)


class UtilityTerm(abc.ABC):
    """Base class of utility terms (see the module docstring for the contract).

    Subclasses set ``name`` and ``affine`` (True when ``value`` is affine in ``x``
    with a slope that does not depend on ``x``; the engine then uses closed forms)
    and implement :meth:`value`, :meth:`parameters` and, where it is not zero,
    :meth:`disagreement`. :meth:`slope` defaults to a central difference.
    """

    name: str = "term"
    affine: bool = False
    #: False when ``value`` does not depend on ``x`` (its slope is 0 everywhere).
    depends_on_x: bool = True
    #: False when ``value`` depends neither on the signing time ``t`` nor on the term ``T``.
    depends_on_t: bool = True

    @abc.abstractmethod
    def parameters(self) -> dict[str, Domain]:
        """Draw names this term reads, with their allowed domains."""

    @abc.abstractmethod
    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:
        """Contribution to the utility of an agreement on ``(x, T, t)``."""

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:
        """Derivative of :meth:`value` in ``x``.

        The default is the central difference ``(u(x + h) − u(x − h)) / 2h`` with
        ``h = 6e-6·max(1, |x|)`` (≈ eps^(1/3) scaled; truncation and rounding error
        both ≈ 1e-10 relative for smooth terms). Override it with the exact
        derivative where one is known.
        """
        h = 6e-6 * np.maximum(1.0, np.abs(x))
        up = np.asarray(self.value(draws, x + h, T, t), dtype=np.float64)
        down = np.asarray(self.value(draws, x - h, T, t), dtype=np.float64)
        return (up - down) / (2.0 * h)

    def disagreement(self, draws: DrawsLike) -> ArrayLike:
        """Contribution to the utility of no agreement (default 0)."""
        return 0.0

    #: Constructor argument → attribute holding it, where the names differ (see :meth:`spec`).
    _spec_attrs: ClassVar[dict[str, str]] = {}

    def spec(self) -> dict[str, object]:
        """Constructor arguments that rebuild this term: ``type(self)(**term.spec())``.

        Used to write scenario files; a term built from code (``FunctionTerm``)
        has no such description and raises ``TypeError``.
        """
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {p: getattr(self, self._spec_attrs.get(p, p)) for p in names}

    def kinks(self, draws: DrawsLike) -> list[Array]:
        """Payments (one array per kink, shape ``(n,)``) where :meth:`slope` jumps.

        Solvers split their brackets at these points so that they only ever
        interpolate on smooth pieces; a term with no kinks returns ``[]``.
        """
        return []

    def time_knots(self, draws: DrawsLike, T: float) -> list[Array]:
        """Signing times (arrays of shape ``(n,)``) where ``value`` kinks or jumps in ``t``.

        Between these times the value must be linear in ``t`` for a term of length
        ``T``: the reputational talks (:mod:`alliance_sim.games.talks`) treat payoffs
        as piecewise linear in time between the knots of both players' terms. A
        term that does not depend on ``t`` returns ``[]``.
        """
        return []

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class SecurityValue(UtilityTerm):
    r"""Security value of the alliance, part of which a drawdown puts at risk.

    .. math::
        u = S, \qquad \bar u = S\,(1 - \pi\,\rho)

    ``S`` (¥bn/yr) is what the US presence is worth to this side, ``π`` the
    probability that Washington really draws down without a deal (the
    credibility of the threat) and ``ρ`` the share of ``S`` lost if it does.
    Affine (constant) in ``x``.

    References
    ----------
    G. H. Snyder (1984), "The security dilemma in alliance politics",
    *World Politics* 36(4), 461–495 (abandonment risk).
    M. Olson, R. Zeckhauser (1966), "An economic theory of alliances",
    *Review of Economics and Statistics* 48(3), 266–279.
    """

    depends_on_t = False
    affine = True
    depends_on_x = False
    _spec_attrs: ClassVar[dict[str, str]] = {"value": "value_name"}

    def __init__(
        self,
        value: str = "S_J",
        loss_share: str = "rho_J",
        drawdown_prob: str = "pi_drawdown",
        name: str = "security_value",
    ) -> None:
        self.value_name, self.loss_share, self.drawdown_prob, self.name = (
            value,
            loss_share,
            drawdown_prob,
            name,
        )

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.value_name: NONNEGATIVE, self.loss_share: UNIT, self.drawdown_prob: UNIT}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return draws[self.value_name]

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def disagreement(self, draws: DrawsLike) -> ArrayLike:  # noqa: D102
        s = draws[self.value_name]
        return s * (1.0 - draws[self.drawdown_prob] * draws[self.loss_share])


class FiscalCost(UtilityTerm):
    r"""Fiscal pressure on the payer: each yen costs ``1 + λ`` yen of welfare.

    .. math:: u = -(1 + \lambda)\,x, \qquad \bar u = 0

    ``λ`` is the marginal cost of public funds (the deadweight loss of raising
    one more yen of tax or debt service); it rises with fiscal strain, which is
    how Japan's gross debt of about 266% of GDP enters. Requires ``λ > −1``.

    References
    ----------
    B. Dahlby (2008), *The Marginal Cost of Public Funds: Theory and
    Applications*, MIT Press.
    E. K. Browning (1976), "The marginal cost of public funds",
    *Journal of Political Economy* 84(2), 283–298.
    """

    depends_on_t = False
    affine = True

    def __init__(self, mcpf: str = "mcpf_J", name: str = "fiscal_cost") -> None:
        self.mcpf, self.name = mcpf, name

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.mcpf: Domain(-1.0, low_open=True)}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return -(1.0 + draws[self.mcpf]) * x

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return -(1.0 + draws[self.mcpf])


class PaymentValue(UtilityTerm):
    r"""What a payment is worth to the patron against its own basing costs.

    .. math:: u = w\,x, \qquad \bar u = 0

    ``w > 0`` converts a yen of host-nation support into the patron's utility: 1
    when it simply offsets a yen of its own basing budget, more for a
    transactional administration that counts the payment as a political win.

    References
    ----------
    M. Olson, R. Zeckhauser (1966), "An economic theory of alliances",
    *Review of Economics and Statistics* 48(3), 266–279 (burden sharing).
    """

    depends_on_t = False
    affine = True

    def __init__(self, weight: str = "w_US", name: str = "payment_value") -> None:
        self.weight, self.name = weight, name

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.weight: POSITIVE}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return draws[self.weight] * x

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return draws[self.weight]


class ReferencePoint(UtilityTerm):
    r"""Reference point / audience cost: a loss for moving the wrong way from the status quo.

    .. math::
        u = -\kappa\, \frac{\max(0,\ s\,(x - r))^{p}}{r^{\,p-1}}, \qquad \bar u = 0

    with reference ``r`` (the status quo payment, ¥bn/yr), strength ``κ ≥ 0``,
    direction ``s = +1`` for the payer (paying more than ``r`` is a loss at home)
    and ``s = −1`` for the patron (receiving less than ``r`` is a loss), and
    exponent ``p ≥ 1``: ``p = 1`` is linear loss aversion (a kink at ``r``;
    ``κ`` is the extra weight on losses), ``p = 2`` a smooth convex audience cost
    (at ``x = 2r`` it costs ``κ·r``). Dividing by ``r^(p−1)`` keeps ``κ``
    unit-free. Concave in ``x`` for ``p ≥ 1``; at the kink of ``p = 1``
    (``x = r``) the slope returned is that of the no-loss side, 0.

    References
    ----------
    D. Kahneman, A. Tversky (1979), "Prospect theory: an analysis of decision
    under risk", *Econometrica* 47(2), 263–291.
    A. Tversky, D. Kahneman (1991), "Loss aversion in riskless choice: a
    reference-dependent model", *Quarterly Journal of Economics* 106(4), 1039–1061.
    J. D. Fearon (1994), "Domestic political audiences and the escalation of
    international disputes", *American Political Science Review* 88(3), 577–592.
    """

    def __init__(
        self,
        strength: str = "kappa_J",
        reference: str = "status_quo",
        direction: int = 1,
        power: float = 2.0,
        name: str = "reference_point",
    ) -> None:
        if direction not in (1, -1):
            raise ValueError(f"direction must be +1 (payer) or -1 (patron); got {direction!r}")
        power = float(power)
        if not (math.isfinite(power) and power >= 1.0):
            raise ValueError(f"power must be a finite number >= 1 (concavity); got {power}")
        self.strength, self.reference, self.direction, self.power, self.name = (
            strength,
            reference,
            direction,
            power,
            name,
        )

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.strength: NONNEGATIVE, self.reference: POSITIVE}

    def _excess(self, draws: DrawsLike, x: Array) -> Array:
        # direction·(x − r) without the product: fl(r − x) = −fl(x − r) exactly.
        r = draws[self.reference]
        return np.maximum(0.0, x - r if self.direction == 1 else r - x)

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        r = draws[self.reference]
        e = self._excess(draws, x)
        if self.power == 1.0:
            return -draws[self.strength] * e
        if self.power == 2.0:
            return -draws[self.strength] * (e * e) / r
        return -draws[self.strength] * e**self.power / r ** (self.power - 1.0)

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        r = draws[self.reference]
        e = self._excess(draws, x)
        k = draws[self.strength] * self.direction
        if self.power == 1.0:
            return -k * (e > 0.0)
        if self.power == 2.0:
            return -k * 2.0 * e / r
        return -k * self.power * e ** (self.power - 1.0) / r ** (self.power - 1.0)

    def kinks(self, draws: DrawsLike) -> list[Array]:  # noqa: D102
        return [draws[self.reference]] if self.power == 1.0 else []


class NoDealCost(UtilityTerm):
    r"""A cost borne only if the talks end without agreement.

    .. math:: u = 0, \qquad \bar u = -c

    For the host, ``c`` is the cost of a lapse (base workers' wages that can no
    longer be paid, alliance damage; Japan's agreement lapsed for a month in
    2008, Korea's from January 2020). For the patron it is the audience cost of
    walking away from an ally. ``c`` may be negative (a side that gains from
    walking away).

    References
    ----------
    J. D. Fearon (1994), "Domestic political audiences and the escalation of
    international disputes", *American Political Science Review* 88(3), 577–592.
    R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of
    two-level games", *International Organization* 42(3), 427–460.
    """

    depends_on_t = False
    depends_on_t = False
    affine = True
    depends_on_x = False

    def __init__(self, cost: str = "c_J", name: str = "no_deal_cost") -> None:
        self.cost, self.name = cost, name

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.cost: REAL}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def disagreement(self, draws: DrawsLike) -> ArrayLike:  # noqa: D102
        return -draws[self.cost]


class DrawdownOption(UtilityTerm):
    r"""The patron's outside option: without a deal it may draw down and save costs.

    .. math:: u = 0, \qquad \bar u = \pi\, s\, C

    ``C`` is its annual basing cost (¥bn/yr), ``s`` the share a drawdown saves,
    ``π`` the probability it really draws down. (The security value it loses by
    drawing down is in :class:`SecurityValue`.)

    References
    ----------
    A. Muthoo (1999), *Bargaining Theory with Applications*, Cambridge UP,
    ch. 5 (outside options).
    """

    depends_on_t = False
    affine = True
    depends_on_x = False

    def __init__(
        self,
        saving_share: str = "s_U",
        basing_cost: str = "C_U",
        drawdown_prob: str = "pi_drawdown",
        name: str = "drawdown_option",
    ) -> None:
        self.saving_share, self.basing_cost, self.drawdown_prob, self.name = (
            saving_share,
            basing_cost,
            drawdown_prob,
            name,
        )

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {self.saving_share: UNIT, self.basing_cost: NONNEGATIVE, self.drawdown_prob: UNIT}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def disagreement(self, draws: DrawsLike) -> ArrayLike:  # noqa: D102
        return draws[self.drawdown_prob] * draws[self.saving_share] * draws[self.basing_cost]


class _SigningTimeCost(UtilityTerm):
    """A cost of signing late, ``−c·exposure(t, τ)/T``: constant in ``x``, spread over the term."""

    affine = True
    depends_on_x = False

    def __init__(self, cost: str, date: str, name: str) -> None:
        self.cost, self.date, self.name = cost, date, name

    @staticmethod
    def exposure(t: Array, date: Array) -> Array:
        """How much of the cost signing at ``t`` incurs (0 before ``date``)."""
        raise NotImplementedError

    def parameters(self) -> dict[str, Domain]:
        return {self.cost: NONNEGATIVE, self.date: REAL}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:
        return -draws[self.cost] * self.exposure(np.asarray(t), draws[self.date]) / T

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:
        return 0.0

    def time_knots(self, draws: DrawsLike, T: float) -> list[Array]:
        return [np.asarray(draws[self.date], dtype=np.float64)]


class DeadlinePressure(_SigningTimeCost):
    r"""A one-off cost of signing after a deadline, spread over the agreement's term.

    .. math:: u = -\frac{c\ \mathbf 1[t > \tau]}{T}, \qquad \bar u = 0

    For Tokyo, ``τ`` is the cabinet's budget draft (a deal signed later forces
    the budget to be reworked) and ``c`` (¥bn) that one-off cost, annualized
    over the ``T``-year term. Affine (constant) in ``x``.

    References
    ----------
    C. Fershtman, D. J. Seidmann (1993), "Deadline effects and inefficient delay
    in bargaining with endogenous commitment", *Journal of Economic Theory*
    60(2), 306–321.
    """

    _spec_attrs: ClassVar[dict[str, str]] = {"deadline": "date"}

    def __init__(
        self, cost: str = "c_budget", deadline: str = "t_budget", name: str = "deadline_pressure"
    ) -> None:
        super().__init__(cost, deadline, name)

    @staticmethod
    def exposure(t: Array, date: Array) -> Array:  # noqa: D102
        return (t > date).astype(np.float64)


class LapseCost(_SigningTimeCost):
    r"""The cost of a lapse: the old agreement expired before the new one takes effect.

    .. math::
        u = -\frac{\ell\, \max(0,\ e(T, t) - \tau_E)}{T}, \qquad \bar u = 0,

    .. math::
        e(T, t) = \begin{cases}
            \max(t, t_R) + L & T \ge T_F \text{ (a full agreement)} \\
            t + L_X & T < T_F \text{ (a short extension)}
        \end{cases}

    ``ℓ`` (¥bn per year of lapse) accrues from the expiry ``τ_E`` until the
    agreement signed at ``t`` takes effect at ``e``, and is spread over the
    ``T``-year term, as :class:`DeadlinePressure` spreads its one-off cost. A full
    agreement needs the ratification lead time ``L`` (the Diet must approve it;
    the cabinet books it in the budget) and cannot start before ``t_R``, when a new
    administration has finished reviewing its policy; a short extension of the old
    agreement needs only ``L_X``. Without lead-time parameters ``e = t`` (the lapse
    runs to the signing). Japan's agreement lapsed for a month in 2008 and Korea's
    from January 2020 (the past-agreements dataset, ``alliance_sim/data``). Affine
    (constant) in ``x``.

    Parameters
    ----------
    rate, expiry : str
        Draw names of ``ℓ`` and ``τ_E``.
    lead, lead_extension, ready : str or None
        Draw names of ``L``, ``L_X`` and ``t_R`` (None: 0, 0 and no review).
    full_term : float
        ``T_F``: terms of at least this many years are full agreements.
    name : str
        Name of the term.

    References
    ----------
    C. Fershtman, D. J. Seidmann (1993), "Deadline effects and inefficient delay
    in bargaining with endogenous commitment", *Journal of Economic Theory*
    60(2), 306–321.
    R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
    games", *International Organization* 42(3), 427–460 (ratification).
    """

    _spec_attrs: ClassVar[dict[str, str]] = {"rate": "cost", "expiry": "date"}

    def __init__(
        self,
        rate: str = "lapse_J",
        expiry: str = "t_expiry",
        name: str = "lapse_cost",
        lead: str | None = None,
        lead_extension: str | None = None,
        ready: str | None = None,
        full_term: float = 5.0,
    ) -> None:
        super().__init__(rate, expiry, name)
        full_term = float(full_term)
        if not (math.isfinite(full_term) and full_term > 0):
            raise ValueError(f"full_term must be a positive number of years; got {full_term}")
        self.lead, self.lead_extension, self.ready = lead, lead_extension, ready
        self.full_term = full_term

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        out = super().parameters()
        for name in (self.lead, self.lead_extension):
            if name is not None:
                out[name] = NONNEGATIVE
        if self.ready is not None:
            out[self.ready] = REAL
        return out

    def effective(self, draws: DrawsLike, T: ArrayLike, t: ArrayLike) -> Array:
        """``e(T, t)``: when an agreement of ``T`` years signed at ``t`` takes effect."""
        t = np.asarray(t, dtype=np.float64)
        full = np.asarray(T) >= self.full_term
        start = t if self.ready is None else np.maximum(t, draws[self.ready])
        lead = 0.0 if self.lead is None else draws[self.lead]
        short = 0.0 if self.lead_extension is None else draws[self.lead_extension]
        if full.ndim:
            return np.where(full, start + lead, t + short)
        # One term for every draw (the usual call): compute only its branch; np.where
        # with a 0-d condition costs about 10x the arithmetic.
        shape = np.broadcast_shapes(np.shape(start), np.shape(lead), t.shape, np.shape(short))
        out = np.asarray(start + lead if full else t + short, dtype=np.float64)
        return out if out.shape == shape else np.array(np.broadcast_to(out, shape))

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        lapse = np.maximum(0.0, self.effective(draws, T, t) - draws[self.date])
        return -draws[self.cost] * lapse / T

    def time_knots(self, draws: DrawsLike, T: float) -> list[Array]:  # noqa: D102
        expiry = np.asarray(draws[self.date], dtype=np.float64)
        if T >= self.full_term:
            lead = 0.0 if self.lead is None else draws[self.lead]
            out = [expiry - lead]
            if self.ready is not None:
                out.append(np.asarray(draws[self.ready], dtype=np.float64))
            return [np.broadcast_to(v, np.shape(expiry)) for v in out]
        short = 0.0 if self.lead_extension is None else draws[self.lead_extension]
        return [expiry - short]

    @staticmethod
    def exposure(t: Array, date: Array) -> Array:  # noqa: D102
        return np.maximum(0.0, t - date)


class Constant(UtilityTerm):
    r"""A constant added to both the agreement and the no-deal utility.

    .. math:: u = \bar u = b

    Utility is cardinal only up to positive affine maps, so ``Player.scaled``
    uses this term to represent ``a·U + b``; solutions must not change.
    """

    depends_on_t = False
    affine = True
    depends_on_x = False

    def __init__(self, amount: float, name: str = "constant") -> None:
        amount = float(amount)
        if not math.isfinite(amount):
            raise ValueError(f"amount must be finite; got {amount}")
        self.amount, self.name = amount, name

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return {}

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return self.amount

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return 0.0

    def disagreement(self, draws: DrawsLike) -> ArrayLike:  # noqa: D102
        return self.amount


ValueFn = Callable[[DrawsLike, Array, ArrayOrFloat, ArrayOrFloat], ArrayLike]


class FunctionTerm(UtilityTerm):
    """A researcher's own term from plain vectorized functions.

    Parameters
    ----------
    name : str
        Name of the term within its player.
    value : callable
        ``value(draws, x, T, t) -> array``, elementwise in the draw axis.
    slope : callable, optional
        ``slope(draws, x, T, t)``, the derivative in ``x``; a central difference
        of ``value`` when omitted.
    disagreement : callable, optional
        ``disagreement(draws) -> array``; 0 when omitted.
    affine : bool
        Declare that ``value`` is affine in ``x`` (enables closed forms). Only
        declare it when true.
    kinks : callable, optional
        ``kinks(draws) -> list of arrays``: payments where the slope jumps.
    parameters : mapping of str to Domain, optional
        Draw names read, with domains to validate.
    depends_on_x : bool
        Declare False when ``value`` does not read ``x`` (e.g. a cost of signing late).
    depends_on_t : bool
        Declare False when ``value`` reads neither ``T`` nor ``t``.
    time_knots : callable, optional
        ``time_knots(draws, T) -> list of arrays``: signing times where ``value``
        kinks or jumps in ``t`` (between them it must be linear in ``t``).

    Examples
    --------
    A war-weariness term that makes the patron value payments less above ¥300bn:

    >>> import numpy as np
    >>> term = FunctionTerm(
    ...     "weariness", lambda d, x, T, t: -0.5 * np.maximum(0.0, x - 300.0))
    >>> round(float(term.slope({}, np.array([400.0]), 5.0, 0.0)[0]), 9)  # central difference
    -0.5
    """

    def __init__(
        self,
        name: str,
        value: ValueFn,
        slope: ValueFn | None = None,
        disagreement: Callable[[DrawsLike], ArrayLike] | None = None,
        *,
        affine: bool = False,
        parameters: Mapping[str, Domain] | None = None,
        kinks: Callable[[DrawsLike], list[Array]] | None = None,
        depends_on_x: bool = True,
        depends_on_t: bool = True,
        time_knots: Callable[[DrawsLike, float], list[Array]] | None = None,
    ) -> None:
        for label, fn in (
            ("value", value),
            ("slope", slope),
            ("disagreement", disagreement),
            ("kinks", kinks),
            ("time_knots", time_knots),
        ):
            if fn is not None and not callable(fn):
                raise TypeError(f"FunctionTerm {name!r}: {label} must be callable")
        self.name, self._value, self._slope, self._disagreement = name, value, slope, disagreement
        self.affine = bool(affine)
        self._parameters = dict(parameters or {})
        self._kinks = kinks
        self.depends_on_x = bool(depends_on_x)
        self.depends_on_t = bool(depends_on_t)
        self._time_knots = time_knots

    def parameters(self) -> dict[str, Domain]:  # noqa: D102
        return dict(self._parameters)

    def value(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        return self._value(draws, x, T, t)

    def slope(self, draws: DrawsLike, x: Array, T: ArrayOrFloat, t: ArrayOrFloat) -> ArrayLike:  # noqa: D102
        if self._slope is None:
            return super().slope(draws, x, T, t)
        return self._slope(draws, x, T, t)

    def disagreement(self, draws: DrawsLike) -> ArrayLike:  # noqa: D102
        return 0.0 if self._disagreement is None else self._disagreement(draws)

    def kinks(self, draws: DrawsLike) -> list[Array]:  # noqa: D102
        return [] if self._kinks is None else list(self._kinks(draws))

    def time_knots(self, draws: DrawsLike, T: float) -> list[Array]:  # noqa: D102
        return [] if self._time_knots is None else list(self._time_knots(draws, T))

    def spec(self) -> dict[str, object]:
        """Not available: a term made of code cannot be written to a scenario file."""
        raise TypeError(
            f"FunctionTerm {self.name!r} is code, and a scenario file never holds code; "
            f"write a built-in term instead"
        )

    def __repr__(self) -> str:
        return f"FunctionTerm(name={self.name!r}, affine={self.affine})"
