r"""A player: a weighted set of utility terms.

.. math::
    U(x, T, t) = \sum_k w_k\, u_k(\theta, x, T, t), \qquad
    d = \sum_k w_k\, \bar u_k(\theta), \qquad g(x) = U(x) - d

``g`` is the player's gain from agreeing on ``x`` rather than having no deal;
its zero is the player's reservation payment. Players are immutable: the editing
methods return new players, so a researcher can swap, reweight or add a term and
pass the result to the same engine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .terms import ArrayOrFloat, Constant, Domain, UtilityTerm

__all__ = ["Player"]

Array = NDArray[np.float64]
DrawsLike = Mapping[str, Array]


def _as_pair(item: UtilityTerm | tuple[UtilityTerm, float]) -> tuple[UtilityTerm, float]:
    term, weight = item if isinstance(item, tuple) else (item, 1.0)
    if not isinstance(term, UtilityTerm):
        raise TypeError(
            f"a player's terms must be UtilityTerm instances; got {type(term).__name__}"
        )
    if isinstance(weight, bool) or not isinstance(weight, int | float | np.number):
        raise TypeError(f"weight of term {term.name!r} must be a real number; got {weight!r}")
    weight = float(weight)
    if not math.isfinite(weight):
        raise ValueError(f"weight of term {term.name!r} must be finite; got {weight}")
    return term, weight


class Player:
    """A bargaining side whose utility is a weighted sum of `UtilityTerm` objects.

    Parameters
    ----------
    name : str
        Display name, e.g. ``"Tokyo"``.
    terms : iterable of UtilityTerm or (UtilityTerm, float)
        The terms, each with an optional weight (default 1). Term names must be
        unique within the player.

    Examples
    --------
    >>> from alliance_sim.players.terms import FiscalCost, SecurityValue
    >>> p = Player("Tokyo", [SecurityValue(), FiscalCost()])
    >>> p.term_names
    ('security_value', 'fiscal_cost')
    >>> p.reweight("fiscal_cost", 2.0).weights["fiscal_cost"]
    2.0
    """

    __slots__ = ("_terms", "name")

    def __init__(self, name: str, terms: Iterable[UtilityTerm | tuple[UtilityTerm, float]]) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"player name must be a non-empty string; got {name!r}")
        pairs = tuple(_as_pair(item) for item in terms)
        names = [t.name for t, _ in pairs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"player {name!r}: duplicate term names {dupes}; rename one")
        self.name = name
        self._terms = pairs

    # Inspection --------------------------------------------------------------------
    @property
    def terms(self) -> tuple[tuple[UtilityTerm, float], ...]:
        """The ``(term, weight)`` pairs."""
        return self._terms

    @property
    def term_names(self) -> tuple[str, ...]:
        """Names of the terms, in order."""
        return tuple(t.name for t, _ in self._terms)

    @property
    def weights(self) -> dict[str, float]:
        """Weight of each term by name."""
        return {t.name: w for t, w in self._terms}

    @property
    def affine(self) -> bool:
        """True when every weighted term is affine in ``x`` (closed forms apply)."""
        return all(t.affine or w == 0.0 for t, w in self._terms)

    def parameters(self) -> dict[str, Domain]:
        """Every draw name the terms read, with its domain (first term's domain wins)."""
        out: dict[str, Domain] = {}
        for t, _ in self._terms:
            for k, dom in t.parameters().items():
                out.setdefault(k, dom)
        return out

    def __getitem__(self, name: str) -> UtilityTerm:
        for t, _ in self._terms:
            if t.name == name:
                return t
        raise KeyError(f"player {self.name!r} has no term {name!r}; terms: {self.term_names}")

    def __iter__(self) -> Iterator[UtilityTerm]:
        return (t for t, _ in self._terms)

    def __repr__(self) -> str:
        body = ", ".join(f"{t.name}×{w:g}" for t, w in self._terms)
        return f"Player({self.name!r}: {body})"

    # Editing -----------------------------------------------------------------------
    def with_term(self, term: UtilityTerm, weight: float = 1.0) -> Player:
        """New player with ``term`` added (or replacing the term of the same name)."""
        kept = [(t, w) for t, w in self._terms if t.name != term.name]
        return Player(self.name, [*kept, (term, weight)])

    def without(self, name: str) -> Player:
        """New player without the term called ``name``."""
        self[name]  # raises KeyError naming the terms when absent
        return Player(self.name, [(t, w) for t, w in self._terms if t.name != name])

    def reweight(self, name: str, weight: float) -> Player:
        """New player with the weight of term ``name`` set to ``weight``."""
        self[name]
        return Player(self.name, [(t, weight if t.name == name else w) for t, w in self._terms])

    def scaled(self, a: float, b: float = 0.0) -> Player:
        """The positive affine transform ``a·U + b`` (same preferences, other units).

        Raises
        ------
        ValueError
            If ``a`` is not a finite positive number.
        """
        if not (isinstance(a, int | float | np.number) and math.isfinite(a) and a > 0):
            raise ValueError(f"a must be a finite positive number; got {a!r}")
        terms: list[tuple[UtilityTerm, float]] = [(t, w * a) for t, w in self._terms]
        if b != 0.0:
            terms.append((Constant(b, name=f"constant_{len(terms)}"), 1.0))
        return Player(self.name, terms)

    # Evaluation --------------------------------------------------------------------
    def _sum(self, parts: Iterable[ArrayLike], shape: tuple[int, ...]) -> Array:
        # In term order: the same sums as ``total = total + part``, in place when the
        # part broadcasts to the running total (it always does for x of the draws' shape).
        total = np.zeros(shape)
        for part in parts:
            part = np.asarray(part)
            fits = part.ndim <= total.ndim
            if fits and np.broadcast_shapes(part.shape, total.shape) == total.shape:
                np.add(total, part, out=total)
            else:
                total = total + part
        return total

    def _weighted(
        self,
        draws: DrawsLike,
        x: Array,
        T: ArrayOrFloat,
        t: ArrayOrFloat,
        *,
        slope: bool = False,
        on_x: bool | None = None,
        on_t: bool | None = None,
    ) -> Iterator[ArrayLike]:
        """``w·u`` (or ``w·u'``) of the weighted terms.

        ``on_x`` and ``on_t`` select by ``depends_on_x`` and ``depends_on_t`` (None: all).
        """
        for term, w in self._terms:
            if w == 0.0 or (on_x is not None and term.depends_on_x != on_x):
                continue
            if on_t is not None and term.depends_on_t != on_t:
                continue
            v = term.slope(draws, x, T, t) if slope else term.value(draws, x, T, t)
            yield v if w == 1.0 else w * np.asarray(v)  # 1·v is v: skip the product

    def utility(self, draws: DrawsLike, x: ArrayLike, T: ArrayOrFloat, t: ArrayOrFloat) -> Array:
        """``U(x, T, t)``; ``x`` has shape ``(n,)`` or ``(..., n)`` (draw axis last)."""
        x = np.asarray(x, dtype=np.float64)
        return self._sum(self._weighted(draws, x, T, t), x.shape)

    def marginal_utility(
        self, draws: DrawsLike, x: ArrayLike, T: ArrayOrFloat, t: ArrayOrFloat
    ) -> Array:
        """``∂U/∂x`` at ``(x, T, t)`` (terms that do not depend on ``x`` contribute 0)."""
        x = np.asarray(x, dtype=np.float64)
        return self._sum(self._weighted(draws, x, T, t, slope=True, on_x=True), x.shape)

    def varying_part(
        self, draws: DrawsLike, x: ArrayLike, T: ArrayOrFloat, t: ArrayOrFloat
    ) -> Array:
        """The weighted terms that depend on ``x``, at ``(x, T, t)``.

        ``U(x, T, t) = varying_part(x, T, t) + fixed_part(T, t)`` (up to rounding);
        solvers that evaluate ``U`` at many ``x`` for the same ``(T, t)`` compute
        :meth:`fixed_part` once.
        """
        x = np.asarray(x, dtype=np.float64)
        return self._sum(self._weighted(draws, x, T, t, on_x=True), x.shape)

    def payment_part(self, draws: DrawsLike, x: ArrayLike, slope: bool = False) -> Array:
        """``φ(x)``: the sum of the weighted terms that depend on ``x`` (or its slope).

        With every such term independent of ``T`` and ``t`` (see :meth:`separable`),
        ``U(x, T, t) = φ(x) + U_0(T, t)`` where ``U_0`` collects the other terms.
        """
        x = np.asarray(x, dtype=np.float64)
        T = t = np.zeros(())
        return self._sum(self._weighted(draws, x, T, t, slope=slope, on_x=True), x.shape)

    def fixed_part(self, draws: DrawsLike, T: ArrayOrFloat, t: ArrayOrFloat, n: int) -> Array:
        """``U_0(T, t)``: the sum of the weighted terms that do not depend on ``x``."""
        zero = np.zeros(n)
        return self._sum(self._weighted(draws, zero, T, t, on_x=False), (n,))

    def timeless_part(self, draws: DrawsLike, T: ArrayOrFloat, n: int) -> Array:
        """The weighted terms that depend on neither ``x`` nor the time (``depends_on_t``).

        What an agreement is worth beyond its payment when it costs no delay: the
        renewal of a payment after a short deal (:mod:`alliance_sim.games.talks`).
        """
        zero = np.zeros(n)
        parts = (
            w * np.asarray(term.value(draws, zero, T, 0.0))
            for term, w in self._terms
            if w != 0.0 and not term.depends_on_x and not term.depends_on_t
        )
        return self._sum(parts, (n,))

    def timed_part(self, draws: DrawsLike, T: ArrayOrFloat, t: ArrayOrFloat, n: int) -> Array:
        """The weighted terms that depend on the time but not on ``x``.

        ``fixed_part(T, t) = timeless_part(T) + timed_part(T, t)`` up to rounding: a
        solver that evaluates the fixed part at many signing times computes the
        timeless part once (:class:`~alliance_sim.games.talks.Gains`).
        """
        zero = np.zeros(n)
        return self._sum(self._weighted(draws, zero, T, t, on_x=False, on_t=True), (n,))

    def time_knots(self, draws: DrawsLike, T: float) -> list[Array]:
        """Signing times where some weighted term kinks or jumps in ``t`` (term ``T``)."""
        return [k for term, w in self._terms if w != 0.0 for k in term.time_knots(draws, T)]

    def separable(self, draws: DrawsLike, probes: ArrayLike) -> bool:
        """True when every ``x``-dependent term is the same at two different ``(T, t)``.

        Checked at the payments ``probes`` (shape ``(n,)`` or ``(m, n)``); a term of
        the researcher's own that mixes ``x`` with ``T`` or ``t`` makes this False.
        """
        x = np.asarray(probes, dtype=np.float64)
        for term, w in self._terms:
            if w == 0.0 or not term.depends_on_x:
                continue
            a = np.asarray(term.value(draws, x, np.float64(1.0), np.float64(0.0)))
            b = np.asarray(term.value(draws, x, np.float64(7.0), np.float64(3.0)))
            if not np.allclose(a, b, rtol=1e-12, atol=1e-12):
                return False
        return True

    def kinks(self, draws: DrawsLike) -> list[Array]:
        """Payments where some weighted term's slope jumps (one array per kink)."""
        return [k for term, w in self._terms if w != 0.0 for k in term.kinks(draws)]

    def disagreement(self, draws: DrawsLike, n: int) -> Array:
        """``d``, the utility of no agreement, shape ``(n,)``."""
        return self._sum(
            (w * np.asarray(term.disagreement(draws)) for term, w in self._terms if w != 0.0), (n,)
        )
