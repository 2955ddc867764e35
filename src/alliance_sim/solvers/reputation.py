r"""Reputational bargaining: the Abreu–Gul (2000) war of attrition in continuous time.

Two sides, *a* and *b*, bargain over a surplus normalized to 1. Each announces a
demand, :math:`\alpha_a` and :math:`\alpha_b`, with :math:`\alpha_a + \alpha_b > 1`
(incompatible). With prior probability :math:`z_i` side *i* is *obstinate*: it
never accepts less than its demand. The rational type discounts at rate
:math:`r_i` and imitates the obstinate demand; the talks then become a war of
attrition in which conceding means accepting the other's demand: if *b* concedes
at :math:`t`, *a* gets :math:`e^{-r_a t}\alpha_a` and *b* gets
:math:`e^{-r_b t}(1-\alpha_a)`; with no concession ever both get 0.

**Equilibrium** (Abreu & Gul 2000, Proposition 1 and §4). It is unique. Each
rational type concedes at a constant Poisson rate chosen to keep the *other*
indifferent between conceding now and a moment later,
:math:`r_b (1-\alpha_a) = \lambda_a (\alpha_b - (1-\alpha_a))`:

.. math::
    \lambda_a = \frac{r_b\,(1-\alpha_a)}{\alpha_a+\alpha_b-1}, \qquad
    \lambda_b = \frac{r_a\,(1-\alpha_b)}{\alpha_a+\alpha_b-1}.

:math:`\lambda_i` is the hazard of *i*'s concession as the other sees it (the
rational type's own hazard is :math:`\lambda_i/(1-\mu_i(t))`). Without a
concession, *i*'s reputation grows as :math:`\mu_i(t) = \mu_i(0^+)\,e^{\lambda_i t}`
and would reach 1 at :math:`T_i = -\ln z_i / \lambda_i`. Both must reach 1 at the
same time :math:`T_0 = \min(T_a, T_b)` (a side known to be obstinate is conceded to
at once), so the *weaker* side — the one with the larger :math:`T_i` — concedes
with an atom at time 0:

.. math::
    c_i = 1 - z_i\, e^{\lambda_i T_0}\ \ (\text{0 for the stronger side}), \qquad
    F_i(t) = 1 - (1-c_i)\,e^{-\lambda_i \min(t, T_0)},

with :math:`F_i` the (unconditional) probability that *i* has conceded by
:math:`t`; after :math:`T_0` only obstinate types remain and nobody concedes.
The agreement time :math:`\tau = \min(\tau_a, \tau_b)` (concession times drawn
independently from :math:`F_a, F_b`) has

.. math::
    P(\tau > t) = (1-c_a)(1-c_b)\,e^{-(\lambda_a+\lambda_b)\min(t, T_0)},
    \qquad P(\tau = \infty) = z_a z_b,

.. math::
    P(a \text{ concedes first}) = c_a + (1-c_a)(1-c_b)\,
        \frac{\lambda_a}{\lambda_a+\lambda_b}\bigl(1-e^{-(\lambda_a+\lambda_b)T_0}\bigr),

.. math::
    E[\tau \mid \tau < \infty] = \frac{(1-c_a)(1-c_b)\bigl(1-e^{-\Lambda T_0}\bigr)/\Lambda
        - z_a z_b T_0}{1 - z_a z_b}, \qquad \Lambda = \lambda_a + \lambda_b,

(:math:`\int_0^{T_0} (P(\tau>t) - z_a z_b)\,dt`, conditioned on agreement). A
rational side's equilibrium payoff is the weaker side's atom times its own
demand plus the rest times its concession payoff — the stronger side collects
the atom, after which both are indifferent: :math:`v_a = c_b\alpha_a + (1-c_b)(1-\alpha_b)`.

**Limits.** As :math:`z_a, z_b \to 0` at a fixed ratio with
:math:`\lambda_a \ne \lambda_b`, the weaker side's atom tends to 1 and the delay to
0: immediate agreement, as in Rubinstein's game. (With :math:`\lambda_a = \lambda_b`
and :math:`z_a = z_b` — a knife edge — there is no atom and the delay tends to
:math:`1/(2\lambda)`.) **Compatible demands**, :math:`\alpha_a + \alpha_b \le 1`:
agreement at time 0 with no concession; this is not an error
(``compatible`` is True, the rates are :math:`+\infty`, the atoms, delay and
impasse probability 0).

The generalization to payoffs that change with time (deadlines, lapse costs) and
to an uncertain deadline is :mod:`alliance_sim.solvers.attrition`.

References
----------
D. Abreu, F. Gul (2000), "Bargaining and reputation", *Econometrica* 68(1), 85–117.
J. Fanning (2016), "Reputational bargaining and deadlines", *Econometrica* 84(3),
1131–1179.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, check_in_range

__all__ = ["AbreuGul", "abreu_gul"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class AbreuGul:
    r"""The war-of-attrition equilibrium of :func:`abreu_gul`, per draw (arrays broadcast).

    Attributes
    ----------
    alpha_a, alpha_b, z_a, z_b, r_a, r_b : ndarray
        The inputs, broadcast to a common shape.
    compatible : ndarray of bool
        ``alpha_a + alpha_b <= 1``: immediate agreement without concession.
    rate_a, rate_b : ndarray
        :math:`\lambda_a, \lambda_b`, the concession hazards (per unit of time) as
        the other side sees them; :math:`+\infty` for compatible demands.
    p_concede_now_a, p_concede_now_b : ndarray
        :math:`c_a, c_b`, the probabilities of conceding at time 0 (at most one is
        positive).
    t_max : ndarray
        :math:`T_0`, when both reputations reach 1 (0 for compatible demands).
    p_a_concedes, p_b_concedes : ndarray
        Probabilities that the agreement is *a*'s concession (at *b*'s demand), or
        *b*'s.
    p_impasse : ndarray
        :math:`z_a z_b`: both obstinate, no agreement ever.
    expected_delay : ndarray
        :math:`E[\tau \mid \tau < \infty]`, the expected time of agreement
        given agreement.
    value_a, value_b : ndarray
        Rational types' equilibrium payoffs (shares of the surplus, discounted to 0).
    """

    alpha_a: Array
    alpha_b: Array
    z_a: Array
    z_b: Array
    r_a: Array
    r_b: Array
    compatible: NDArray[np.bool_]
    rate_a: Array
    rate_b: Array
    p_concede_now_a: Array
    p_concede_now_b: Array
    t_max: Array
    p_a_concedes: Array
    p_b_concedes: Array
    p_impasse: Array
    expected_delay: Array
    value_a: Array
    value_b: Array

    def concession_cdf(self, side: str, t: ArrayLike) -> Array:
        """:math:`F_i(t)`, the probability that side ``"a"`` or ``"b"`` has conceded by ``t``.

        ``t`` broadcasts against the draws (e.g. shape ``(k, 1)`` for ``k`` times).
        """
        if side not in ("a", "b"):
            raise ValueError(f"side must be 'a' or 'b'; got {side!r}")
        tt = np.asarray(t, dtype=np.float64)
        c, lam = (
            (self.p_concede_now_a, self.rate_a)
            if side == "a"
            else (self.p_concede_now_b, self.rate_b)
        )
        with np.errstate(invalid="ignore"):
            f = 1.0 - (1.0 - c) * np.exp(-lam * np.clip(tt, 0.0, self.t_max))
        f = np.where(self.compatible, 0.0, f)
        return np.where(tt < 0.0, 0.0, f)

    def agreement_cdf(self, t: ArrayLike) -> Array:
        r""":math:`P(\tau \le t)`, the probability of agreement by time ``t``.

        It rises from the time-0 atom to :math:`1 - z_a z_b` at :math:`T_0`; for
        compatible demands it is 1 from time 0. ``t`` broadcasts against the draws.

        Examples
        --------
        >>> ag = abreu_gul(0.6, 0.6, 0.1, 0.1, 1.0, 1.0)
        >>> float(ag.agreement_cdf(0.0)), round(float(ag.agreement_cdf(1e9)), 6)
        (0.0, 0.99)
        """
        tt = np.asarray(t, dtype=np.float64)
        lam = self.rate_a + self.rate_b
        with np.errstate(invalid="ignore"):
            survive = (
                (1.0 - self.p_concede_now_a)
                * (1.0 - self.p_concede_now_b)
                * np.exp(-lam * np.clip(tt, 0.0, self.t_max))
            )
        cdf = np.where(self.compatible, 1.0, 1.0 - survive)
        return np.where(tt < 0.0, 0.0, cdf)


def _check_open_unit(v: ArrayLike, name: str) -> Array:
    arr = as_float_array(v, name)
    check_in_range(arr, name, 0.0, 1.0, low_open=True, high_open=True)
    return arr


def abreu_gul(
    alpha_a: ArrayLike,
    alpha_b: ArrayLike,
    z_a: ArrayLike,
    z_b: ArrayLike,
    r_a: ArrayLike,
    r_b: ArrayLike,
) -> AbreuGul:
    """Unique equilibrium of Abreu & Gul's continuous-time war of attrition (module docstring).

    Parameters
    ----------
    alpha_a, alpha_b : array_like
        Demands, shares of the surplus in (0, 1). Demands summing to at most 1 are
        compatible: immediate agreement (``compatible`` True), not an error.
    z_a, z_b : array_like
        Prior probabilities that each side is obstinate, in (0, 1).
    r_a, r_b : array_like
        Discount rates of the rational types, > 0 (per unit of time; the times
        returned are in the same unit).

    Returns
    -------
    AbreuGul
        Per-draw rates, atoms, :math:`T_0`, outcome probabilities, expected delay
        and values; ``agreement_cdf(t)`` and ``concession_cdf(side, t)``.

    Raises
    ------
    ValueError
        If an argument is NaN or infinite, a demand or prior lies outside (0, 1),
        or a rate is not positive (the message names the argument).

    Examples
    --------
    Symmetric sides concede symmetrically, with no atom:

    >>> ag = abreu_gul(0.6, 0.6, 0.1, 0.1, 1.0, 1.0)
    >>> round(float(ag.rate_a), 12), float(ag.p_concede_now_a), round(float(ag.p_a_concedes), 6)
    (2.0, 0.0, 0.495)

    A more patient side is stronger: the impatient side concedes at once with
    positive probability.

    >>> ag = abreu_gul(0.6, 0.6, 0.1, 0.1, 1.0, 2.0)
    >>> round(float(ag.p_concede_now_b), 4), float(ag.p_concede_now_a)
    (0.6838, 0.0)
    """
    names = ("alpha_a", "alpha_b", "z_a", "z_b", "r_a", "r_b")
    values = (alpha_a, alpha_b, z_a, z_b, r_a, r_b)
    arrays = [_check_open_unit(v, k) for k, v in zip(names[:4], values[:4], strict=True)]
    for k, v in zip(names[4:], values[4:], strict=True):
        arr = as_float_array(v, k)
        check_in_range(arr, k, 0.0, np.inf, low_open=True)
        arrays.append(arr)
    aa, ab, za, zb, ra, rb = np.broadcast_arrays(*arrays)
    excess = aa + ab - 1.0
    compatible = excess <= 0.0
    any_compatible = bool(compatible.any())
    if any_compatible:  # placeholders there; their outputs are overwritten below
        excess = np.where(compatible, 1.0, excess)
    lam_a = rb * (1.0 - aa) / excess
    lam_b = ra * (1.0 - ab) / excess
    t_a = -np.log(za) / lam_a
    t_b = -np.log(zb) / lam_b
    t0 = np.minimum(t_a, t_b)
    # The weaker side (larger T_i) concedes at once with what makes it reach 1 at T0:
    # c_i = 1 − z_i e^{λ_i T0} = 1 − e^{λ_i (T0 − T_i)}, exactly 0 for the stronger side
    # (T0 is the same float as its T_i).
    c_a = 0.0 - np.expm1(lam_a * (t0 - t_a))  # 0.0 − 0.0 is +0.0 (−expm1(0) would be −0.0)
    c_b = 0.0 - np.expm1(lam_b * (t0 - t_b))
    lam = lam_a + lam_b
    both = (1.0 - c_a - c_b) * -np.expm1(-lam * t0) / lam  # (1−c_a)(1−c_b)(1−e^{−ΛT0})/Λ
    p_a = c_a + both * lam_a
    p_b = c_b + both * lam_b
    impasse = za * zb
    delay = (both - impasse * t0) / (1.0 - impasse)
    value_a = c_b * aa + (1.0 - c_b) * (1.0 - ab)
    value_b = c_a * ab + (1.0 - c_a) * (1.0 - aa)
    if any_compatible:
        zero = np.zeros_like(aa)
        lam_a = np.where(compatible, np.inf, lam_a)
        lam_b = np.where(compatible, np.inf, lam_b)
        c_a, c_b, t0, p_a, p_b, impasse, delay = (
            np.where(compatible, zero, v) for v in (c_a, c_b, t0, p_a, p_b, impasse, delay)
        )
        value_a = np.where(compatible, aa, value_a)
        value_b = np.where(compatible, ab, value_b)
    return AbreuGul(
        alpha_a=aa,
        alpha_b=ab,
        z_a=za,
        z_b=zb,
        r_a=ra,
        r_b=rb,
        compatible=compatible,
        rate_a=lam_a,
        rate_b=lam_b,
        p_concede_now_a=c_a,
        p_concede_now_b=c_b,
        t_max=t0,
        p_a_concedes=p_a,
        p_b_concedes=p_b,
        p_impasse=impasse,
        expected_delay=np.maximum(delay, 0.0),
        value_a=value_a,
        value_b=value_b,
    )
