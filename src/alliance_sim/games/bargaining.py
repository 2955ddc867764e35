r"""The bargaining problem of each draw: disagreement point, reservation payments, settlement range.

For draw :math:`\theta`, a payer (host, e.g. Tokyo) and a payee (patron, e.g.
Washington) bargain over the annual payment :math:`x`, with term :math:`T` and
signing time :math:`t` fixed by the scenario. With utilities :math:`U_J, U_U`
and no-deal utilities :math:`d_J, d_U` from the players, the gains from agreement
are

.. math:: g_J(x) = U_J(x) - d_J, \qquad g_U(x) = U_U(x) - d_U .

Under the model assumption that :math:`g_J` is strictly decreasing and
:math:`g_U` strictly increasing in :math:`x`:

* the payer's reservation payment (the most it accepts) is the root
  :math:`r_J` of :math:`g_J`, the payee's (the least it accepts) the root
  :math:`r_U` of :math:`g_U`;
* with payments bounded below by a floor :math:`\underline x` (0: the host never
  receives money), the settlement range is

  .. math:: [\,lo, hi\,] = [\max(r_U, \underline x),\ r_J],

  non-empty (``feasible``) iff :math:`lo \le hi`: the zone of agreements both
  sides prefer to no deal (individually rational agreements). Every point of it
  is Pareto efficient among agreements, since the gains move in opposite
  directions.

When every term of a player is affine in :math:`x`, :math:`g(x) = g(0) + g'x`
and :math:`r = -g(0)/g'` in closed form; otherwise :math:`r` comes from
:func:`~alliance_sim.solvers.rootfind.bracket_monotone` and
:func:`~alliance_sim.solvers.rootfind.find_root` (tolerance ``xtol + rtol·|r|``).

References
----------
H. Raiffa (1982), *The Art and Science of Negotiation*, Harvard UP, ch. 4
(reservation prices and the zone of agreement).
M. J. Osborne, A. Rubinstein (1990), *Bargaining and Markets*, Academic Press,
ch. 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from .._validation import as_float_array, check_same_length
from ..players.player import Player
from ..players.terms import FiscalCost, PaymentValue, ReferencePoint
from ..solvers import _bargaining_kernels as kernels
from ..solvers.alternating import LINEAR, LOSS, PaymentTerms, stack_payment_terms
from ..solvers.rootfind import (
    RTOL,
    XTOL,
    bracket_monotone,
    check_tolerances,
    find_root,
    split_at_points,
)

__all__ = ["BargainingProblem", "payment_terms"]

Array = NDArray[np.float64]


class BargainingProblem:
    r"""Per-draw bargaining problem over the annual payment (arrays with a leading draw axis).

    Parameters
    ----------
    payer, payee : Player
        The side that pays (utility decreasing in ``x``) and the side paid.
    draws : mapping of str to ndarray
        Parameter draws (typed parameters already resolved), each of shape ``(n,)``.
    term_years, signing_time : array_like
        ``T`` (years, > 0) and ``t`` (years since talks opened), scalar or ``(n,)``.
    floor : float
        Lowest admissible payment (≥ 0).
    scale : float or ndarray
        A typical payment per draw (e.g. the status quo), used to seed the
        brackets ``[floor, floor + scale]`` of the reservation-payment search.
        Per draw, so that a draw's result never depends on the other draws.
    xtol, rtol : float
        Tolerance of every root found for this problem and its solutions.

    Attributes
    ----------
    n : int
    d_payer, d_payee : ndarray
        No-deal utilities :math:`d_J, d_U`.
    payer_reservation, payee_reservation : ndarray
        :math:`r_J` (most the payer accepts), :math:`r_U` (least the payee accepts).
    lo, hi : ndarray
        Settlement range ends :math:`\\max(r_U, \\underline x)` and :math:`r_J`
        (finite in every draw, also when the range is empty).
    feasible : ndarray of bool
        ``lo <= hi``.
    kernel_form : tuple or None
        What the compiled kernels read (:mod:`alliance_sim.solvers._bargaining_kernels`):
        both payment parts stacked (:func:`payment_terms`) and the offsets
        :math:`U_0 - d`, ``(2, n)``; None when the kernels are off, both players are
        affine (closed forms) or a payment term is not built in (the numpy path runs).

    Raises
    ------
    ValueError
        If a player's gain is not monotone in the required direction, a
        reservation payment cannot be bracketed, or inputs are invalid.
    """

    def __init__(
        self,
        payer: Player,
        payee: Player,
        draws: Mapping[str, Array],
        *,
        term_years: ArrayLike,
        signing_time: ArrayLike,
        floor: float = 0.0,
        scale: float | Array = 1.0,
        xtol: float = XTOL,
        rtol: float = RTOL,
    ) -> None:
        for label, p in (("payer", payer), ("payee", payee)):
            if not isinstance(p, Player):
                raise TypeError(f"{label} must be a Player; got {type(p).__name__}")
        floor_arr = as_float_array(floor, "floor")
        if floor_arr.ndim or floor_arr < 0:
            raise ValueError(
                f"floor must be a scalar >= 0 (payments are non-negative); got {floor}"
            )
        scale_arr = as_float_array(scale, "scale")
        if np.any(scale_arr <= 0):
            raise ValueError("scale must be positive")
        lengths = {np.shape(v)[0] for v in draws.values() if np.ndim(v) == 1}
        if len(lengths) != 1:
            raise ValueError(f"draws must hold 1-D arrays of one length; got lengths {lengths}")
        self.n = lengths.pop()
        check_same_length([("scale", scale_arr)], self.n)
        check_tolerances(xtol, rtol)  # the compiled path never calls find_root
        T = as_float_array(term_years, "term_years")
        if np.any(T <= 0):
            raise ValueError("term_years must be > 0")
        self.term_years = T
        self.signing_time = as_float_array(signing_time, "signing_time")
        self.payer, self.payee, self.draws = payer, payee, draws
        self.floor, self.scale, self.xtol, self.rtol = float(floor), scale_arr, xtol, rtol

        self.d_payer = payer.disagreement(draws, self.n)
        self.d_payee = payee.disagreement(draws, self.n)
        # The terms that do not depend on x, evaluated once: solvers call the gains
        # at many payments (U = varying part + fixed part).
        self._fixed = (
            payer.fixed_part(draws, T, self.signing_time, self.n),
            payee.fixed_part(draws, T, self.signing_time, self.n),
        )
        self._offset = (self._fixed[0] - self.d_payer, self._fixed[1] - self.d_payee)
        self.kernel_form = self._kernel_form()
        fast = self._kernel_reservations()
        if fast is not None:
            self.payer_reservation, self.payee_reservation = fast[0], fast[1]
        else:
            self.payer_reservation = self._reservation(payer, decreasing=True)
            self.payee_reservation = self._reservation(payee, decreasing=False)
        self.lo = np.maximum(self.payee_reservation, self.floor)
        self.hi = self.payer_reservation
        self.feasible = self.lo <= self.hi

    # Gains ------------------------------------------------------------------------
    @property
    def affine(self) -> bool:
        """Both players affine in ``x``: closed-form solutions apply."""
        return self.payer.affine and self.payee.affine

    def utilities(self, x: ArrayLike) -> tuple[Array, Array]:
        """``(U_J(x), U_U(x))``; ``x`` of shape ``(n,)`` or ``(..., n)``."""
        return (self._varying(0, x) + self._fixed[0], self._varying(1, x) + self._fixed[1])

    def gains(self, x: ArrayLike) -> tuple[Array, Array]:
        """``(g_J(x), g_U(x))``, the gains over no deal: ``g(x) = φ(x) + (U_0 − d)``."""
        return self._gain(0, x), self._gain(1, x)

    def _varying(self, side: int, x: ArrayLike) -> Array:
        player = self.payer if side == 0 else self.payee
        return player.varying_part(self.draws, x, self.term_years, self.signing_time)

    def _gain(self, side: int, x: ArrayLike) -> Array:
        return self._varying(side, x) + self._offset[side]

    def gain_slopes(self, x: ArrayLike) -> tuple[Array, Array]:
        """``(g_J'(x), g_U'(x))``."""
        T, t = self.term_years, self.signing_time
        return (
            self.payer.marginal_utility(self.draws, x, T, t),
            self.payee.marginal_utility(self.draws, x, T, t),
        )

    def kinks(self) -> list[Array]:
        """Payments where either player's marginal utility jumps (one array per kink)."""
        return self.payer.kinks(self.draws) + self.payee.kinks(self.draws)

    # Compiled path -----------------------------------------------------------------
    def _kernel_form(self) -> tuple[tuple[NDArray, ...], Array] | None:
        """Both payment parts stacked for the kernels and the offsets ``c = U_0 − d``, ``(2, n)``.

        None when the kernels are off, when both players are affine (closed forms are
        cheaper) or when a term that depends on the payment is not built in.
        """
        if not kernels_enabled() or self.affine:
            return None
        payer = payment_terms(self.payer, self.draws, self.n)
        payee = payment_terms(self.payee, self.draws, self.n)
        if payer is None or payee is None:
            return None
        return stack_payment_terms([payer, payee], self.n), np.stack(self._offset)

    def _kernel_reservations(self) -> Array | None:
        """``(r_J, r_U)`` as ``(2, n)`` from the compiled kernel, or None for the numpy path.

        None also when the kernel meets a draw the reference rejects: the numpy path
        then raises its error, naming the draw.
        """
        if self.kernel_form is None:
            return None
        form, offset = self.kernel_form
        out = np.empty((2, self.n))
        affine = np.array([self.payer.affine, self.payee.affine])
        scale = np.ascontiguousarray(np.broadcast_to(self.scale, (self.n,)), dtype=np.float64)
        status = kernels.reservations(
            form, offset, affine, self.floor, scale, self.xtol, self.rtol, out
        )
        return out if status == kernels.OK else None

    # Reservation payments ---------------------------------------------------------
    def _reservation(self, player: Player, *, decreasing: bool) -> Array:
        T, t = self.term_years, self.signing_time
        direction = "decreasing" if decreasing else "increasing"
        side = 0 if decreasing else 1

        def gain(x: Array) -> Array:
            return self._gain(side, x)

        zero = np.zeros(self.n)
        if player.affine:
            slope = player.marginal_utility(self.draws, zero, T, t)
            level = gain(zero)
            # A NaN slope or level would give a NaN reservation and feasible=False,
            # which reads as an empty settlement range: name it instead.
            broken = ~(np.isfinite(slope) & np.isfinite(level))
            if np.any(broken):
                i = int(np.flatnonzero(broken)[0])
                raise ValueError(
                    f"{player.name}'s utility is not finite in draw {i} (slope {slope[i]:g}, "
                    f"gain at x = 0 {level[i]:g}): check the parameter draws and the terms"
                )
            wrong = slope >= 0 if decreasing else slope <= 0
            if np.any(wrong):
                i = int(np.flatnonzero(wrong)[0])
                raise ValueError(
                    f"{player.name}'s utility must be strictly {direction} in the payment x; "
                    f"its slope is {slope[i]:g} in draw {i} (check the terms' weights)"
                )
            return -level / slope
        a = np.full(self.n, self.floor)
        b = a + self.scale
        a, b, fa, fb, ok = bracket_monotone(gain, a, b, increasing=not decreasing)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(
                f"{player.name}'s gain from agreement never changes sign (draw {i}, searched "
                f"x in [{a[i]:.3g}, {b[i]:.3g}]); its utility must be strictly {direction} "
                f"in x and cross its no-deal utility"
            )
        a, b, fa, fb = split_at_points(gain, a, b, fa, fb, player.kinks(self.draws))
        res = find_root(gain, a, b, fa=fa, fb=fb, xtol=self.xtol, rtol=self.rtol)
        if not res.converged.all():  # pragma: no cover - bisection safeguard makes this unreachable
            raise RuntimeError("reservation payment search did not converge")
        return res.x

    # Frontier ----------------------------------------------------------------------
    def frontier(self, n_points: int = 50) -> dict[str, Array]:
        """Sampled utility possibility frontier of the individually rational agreements.

        Returns payments ``x = lo + (hi − lo)·k/(n_points − 1)`` and the utilities
        ``(U_J(x), U_U(x))`` at them, each of shape ``(n, n_points)``; rows of
        draws with an empty settlement range are NaN (``feasible`` marks them).
        The disagreement point is ``(d_payer, d_payee)``.
        """
        if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
            raise ValueError(f"n_points must be an int >= 2; got {n_points!r}")
        k = np.linspace(0.0, 1.0, n_points)[:, None]
        lo = np.where(self.feasible, self.lo, 0.0)
        hi = np.where(self.feasible, self.hi, 0.0)
        x = lo + (hi - lo) * k  # (n_points, n): the draw axis last broadcasts
        uj, uu = self.utilities(x)
        mask = ~self.feasible
        out = {"payment": x.T.copy(), "payer_utility": uj.T.copy(), "payee_utility": uu.T.copy()}
        for v in out.values():
            v[mask] = np.nan
        return out

    def __repr__(self) -> str:
        return (
            f"BargainingProblem(n={self.n}, payer={self.payer.name!r}, payee={self.payee.name!r}, "
            f"feasible={self.feasible.mean():.3f})"
        )


def payment_terms(player: Player, state: Mapping[str, Array], n: int) -> PaymentTerms | None:
    r"""A player's payment part :math:`\varphi` as :class:`PaymentTerms`, if it has that form.

    The built-in terms that depend on the payment map onto the two kinds:
    :class:`~alliance_sim.players.terms.FiscalCost` (:math:`-(1 + \lambda)\,x`) and
    :class:`~alliance_sim.players.terms.PaymentValue` (:math:`w\,x`) are LINEAR with
    :math:`a = -(1 + \lambda)` and :math:`a = w`;
    :class:`~alliance_sim.players.terms.ReferencePoint` is a LOSS with its strength,
    reference, power and direction. Any other term (a subclass, a researcher's
    :class:`~alliance_sim.players.FunctionTerm`) gives None.

    Parameters
    ----------
    player : Player
        Whose payment part.
    state : mapping of str to ndarray
        Draws resolved as one winner.
    n : int
        Number of draws.

    Returns
    -------
    PaymentTerms or None
    """
    kinds, weights, coefs, refs, powers, directions = [], [], [], [], [], []

    def per_draw(v: Any) -> Array:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)))

    for term, w in player.terms:
        if w == 0.0 or not term.depends_on_x:
            continue
        # (kind, coefficient, reference, power, direction) of the term
        row: tuple[int, Any, Any, float, float]
        if type(term) is FiscalCost:
            row = (LINEAR, -(1.0 + np.asarray(state[term.mcpf], dtype=np.float64)), 1.0, 1.0, 1.0)
        elif type(term) is PaymentValue:
            row = (LINEAR, state[term.weight], 1.0, 1.0, 1.0)
        elif type(term) is ReferencePoint:
            row = (LOSS, state[term.strength], state[term.reference], term.power, term.direction)
        else:
            return None
        kinds.append(row[0])
        coefs.append(per_draw(row[1]))
        refs.append(per_draw(row[2]))
        powers.append(float(row[3]))
        directions.append(float(row[4]))
        weights.append(float(w))
    j = len(kinds)
    return PaymentTerms(
        kind=np.array(kinds, dtype=np.int64),
        weight=np.array(weights, dtype=np.float64),
        coef=np.stack(coefs) if j else np.zeros((0, n)),
        ref=np.stack(refs) if j else np.zeros((0, n)),
        power=np.array(powers, dtype=np.float64),
        direction=np.array(directions, dtype=np.float64),
    )
