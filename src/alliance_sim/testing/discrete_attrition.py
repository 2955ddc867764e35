r"""Brute-force reference: the reputational war of attrition in discrete time (backward induction).

An independent check of :mod:`alliance_sim.solvers.attrition` (and of
:mod:`alliance_sim.solvers.reputation`). It does not use the continuous solver's
hazard formula, jump atoms or synchronization rule: it builds a discrete-time
game from the same primitives (payoff paths, discount rates, collapse hazard,
priors), finds an equilibrium of it from the definition by backward induction
over a grid of public beliefs, then follows the equilibrium path forward from
the priors.

**The discrete game.** Periods :math:`k = 0, 1, \dots, K-1` start at
:math:`t_k = k\Delta`. Moves alternate: with ``first="a"`` side *a* may concede
in even periods and *b* in odd ones (``first="b"``: the reverse). Each side is
*committed* with prior probability :math:`z_i` (it never concedes) or
*rational*. In its period the mover *m* (the other side is *o*) concedes or
holds; its rational type concedes with probability :math:`\sigma`. A concession
at :math:`t_k` ends the game: the mover gets :math:`e^{-r_m t_k}\ell_m(t_k)`,
the other :math:`e^{-r_o t_k} w_o(t_k)`. If the mover holds, the talks
collapse before the next period with probability
:math:`1 - e^{-\int_{t_k}^{t_{k+1}}\eta}` (payoff 0 to both; the integral by
4-point Gauss–Legendre per period, exact for a hazard that is a polynomial of
degree ≤ 7 within each period). If nothing has happened by :math:`t_K = K\Delta`
(the horizon), both get 0.

**State and equilibrium.** The public state at the start of period *k* is
:math:`(\mu_a, \mu_b)`, the probabilities that each side is committed given that
nobody has conceded. If the mover holds, Bayes' rule gives its posterior
:math:`\mu_m' = \mu_m/(1 - (1-\mu_m)\sigma)`; the other's belief is unchanged.
Let :math:`V_i(k, \mu_a, \mu_b)` be the value of *i*'s rational type at the
start of period *k*, in money of :math:`t_k` (current value; both are 0 at
:math:`k = K`), and :math:`\delta_{i,k} = e^{-r_i\Delta - \int_{t_k}^{t_{k+1}}\eta}`.
The mover's value of holding, as a function of its posterior, is
:math:`H_m(\mu') = \delta_{m,k} V_m(k+1, \mu', \mu_o)`; its rational type picks

* :math:`\sigma = 1` (posterior 1) if :math:`\ell_m(t_k) \ge H_m(1)`;
* :math:`\sigma = 0` if :math:`\ell_m(t_k) \le H_m(\mu_m)`;
* otherwise the :math:`\sigma` whose posterior :math:`\mu^*` makes it indifferent,
  :math:`H_m(\mu^*) = \ell_m(t_k)`.

With :math:`H_m` non-decreasing in the mover's reputation (checked: see
``monotonicity_violation``) this is one cutoff :math:`\mu^*_m(k, \mu_o)` per
period and belief of the other: a mover with :math:`\mu_m < \mu^*` concedes with
total probability :math:`c = (1-\mu_m)\sigma = 1 - \mu_m/\mu^*`, which lifts its
reputation to exactly :math:`\mu^*`; one with :math:`\mu_m \ge \mu^*` holds. Then

.. math::
    V_m(k) = \max\bigl(\ell_m(t_k),\ H_m(\mu_m')\bigr), \qquad
    V_o(k) = c\,w_o(t_k) + (1-c)\,\delta_{o,k} V_o(k+1, \mu_m', \mu_o).

**Grid.** Beliefs only rise, so side *i*'s axis is ``grid`` points uniform in
:math:`\ln\mu_i` on :math:`[\ln \min z_i, 0]` (:math:`\mu = 1` is a grid point).
The mover's posterior moves only its own coordinate, so the backward pass needs
values off the grid along the mover's axis only: linear interpolation in
:math:`\ln\mu`, with the indifference :math:`H_m(\mu^*) = \ell_m` solved exactly
on that interpolant (the crossing of a piecewise-linear monotone function, no
bisection), vectorized over the grid; no loop over grid points.

**Outcomes (backward).** Alongside the values, the backward pass carries, on the
same grid and with the same interpolation at the posterior, the probabilities
that *a* / *b* concedes first and that the talks collapse, and
:math:`E[\tau\,\mathbf 1\{\text{agreement}\}]`, all from the start of period *k*
(e.g. for the mover :math:`P_m(k) = c + (1-c)\,e^{-\int\eta}\,P_m(k+1, \mu^*,
\mu_o)`). The outcome probabilities, expected time and values at the priors are
these tables, bilinear in :math:`\ln\mu`. They are consistent with the values
whatever the grid does to the path below.

**Path (forward).** From the priors the path is deterministic until a concession
or a collapse: in period *k* the mover's cutoff is interpolated linearly in the
other's :math:`\ln\mu_o` from the stored cutoffs, it concedes with (unconditional
on its type) probability :math:`c_k = \max(0, 1-\mu_m/\mu^*)` and its belief
becomes :math:`\max(\mu_m, \mu^*)`. This gives the per-period concessions, the
beliefs and the first moves, vectorized over priors.

**Equilibrium check.** A rational type can only deviate by conceding when it
should hold or holding when it should concede; holding is always on the path
(committed types hold), so every continuation after a deviation is the path
itself. The path is therefore an equilibrium of the discrete game iff no rational
mover gains by a one-period deviation, with the continuation values computed
exactly backward along the path (no grid): ``path_regret`` is the largest such
gain. It is of the order of the grid error (≤ 0.2Δ in payoff units in the tests)
when the cutoff functions are smooth enough for the interpolation between grid
columns; when they jump by O(1) (e.g. lapse costs that end the war before the
reputations reach 1) the interpolated path is not an equilibrium, ``path_regret``
is large, and only the backward outcomes should be used.

**Discreteness.** In this game (as in any alternating-move discretization) the
rational types' reputations climb ladders with steps of order :math:`\Delta` in
:math:`\ln\mu`, and the end game (a side within one step of reputation 1 is
conceded to for sure) pins the ladders' rungs. The mover's cutoff therefore
jumps when the other's belief crosses a rung, and the outcome, as a function of
the priors, is a staircase: a lattice-phase error of order :math:`\Delta` that
oscillates in :math:`\ln z_i` with a period of one ladder step. On a belief grid
the jumps are smeared over a cell. Averaging outcomes over a band of priors a few
steps wide (both solvers at the same priors; :func:`prior_band`) removes the
oscillation and leaves the smooth :math:`O(\Delta)` error. The timing is
first-order too: a side's atom at time 0 in continuous time comes in its first
move (at :math:`\Delta` if it moves second), and a deadline atom "just before
:math:`\tau`" needs the conceding side to move in the period just before
:math:`\tau` (if its move falls at :math:`\tau`, the other side's payoffs have
already dropped and the atom converges to a different value).

Cost: :math:`O(K\,n^2)` time and :math:`O(n^2 + Kn)` memory for ``grid = n``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DiscreteAttrition",
    "discrete_war_of_attrition",
    "prior_band",
]

Array = NDArray[np.float64]
Payoff = Callable[[Array], ArrayLike] | float
Hazard = Callable[[Array], ArrayLike] | float

_GL_X, _GL_W = np.polynomial.legendre.leggauss(4)


@dataclass(frozen=True)
class DiscreteAttrition:
    r"""Equilibrium outcome of the discrete war of attrition (module docstring).

    Per-prior results have the broadcast shape ``S`` of ``z_a`` and ``z_b``;
    per-period ones have shape ``(K,) + S``. The outcome probabilities, expected
    time and values come from the backward pass (tables on the belief grid,
    bilinear in :math:`\ln\mu` at the priors); the per-period quantities, beliefs
    and first moves from the forward pass along the path.

    Attributes
    ----------
    dt, horizon : float
        Period length :math:`\Delta` and :math:`K\Delta`.
    first : str
        The side that moves in period 0.
    times : ndarray, (K,)
        Period start times :math:`t_k = k\Delta`.
    mover : ndarray of str, (K,)
        ``"a"`` or ``"b"``: who may concede in each period.
    p_a_concedes, p_b_concedes : ndarray, S
        Probability that the agreement is *a*'s (*b*'s) concession.
    p_collapse : ndarray, S
        Probability that the talks collapse with no deal.
    p_unresolved : ndarray, S
        Probability of reaching the horizon with no event (with no collapse,
        :math:`z_a z_b` up to the grid's interpolation once both reputations reach 1).
    p_no_agreement : ndarray, S
        ``p_collapse + p_unresolved``.
    expected_time : ndarray, S
        Expected time of agreement given agreement (NaN if agreement has probability 0).
    value_a, value_b : ndarray, S
        Rational types' equilibrium values at time 0 (payoff units).
    concede_a, concede_b : ndarray, (K,) + S
        Unconditional probability that the side concedes in period *k* on the path
        (0 when it does not move).
    collapse : ndarray, (K,) + S
        Unconditional probability that the talks collapse after period *k*.
    mu_a, mu_b : ndarray, (K + 1,) + S
        Public beliefs on the path at the start of each period (and after the last).
    first_move_a, first_move_b : ndarray, S
        Unconditional probability that each side concedes in its first period.
    path_regret : ndarray, S
        Largest payoff gain (payoff units, money of :math:`t_k`) a rational mover could
        get by a one-period deviation on the path, with continuation values computed
        exactly along the path (no grid). Holding is always on the path, so this is a
        complete equilibrium check of the path; it is small (of the order of the grid's
        interpolation error) when the path is an equilibrium of the discrete game.
    monotonicity_violation : float
        Largest decrease of a mover's continuation :math:`H_m` between adjacent
        grid points of its own reputation, over all periods and beliefs of the
        other (0 when the cutoff rule is exactly the equilibrium of the gridded game).
    """

    dt: float
    horizon: float
    first: str
    times: Array
    mover: NDArray[np.str_]
    p_a_concedes: Array
    p_b_concedes: Array
    p_collapse: Array
    p_unresolved: Array
    p_no_agreement: Array
    expected_time: Array
    value_a: Array
    value_b: Array
    concede_a: Array
    concede_b: Array
    collapse: Array
    mu_a: Array
    mu_b: Array
    first_move_a: Array
    first_move_b: Array
    path_regret: Array
    monotonicity_violation: float

    def p_concedes_between(self, side: str, start: float, stop: float) -> Array:
        """Probability that ``side`` concedes in a period starting in ``[start, stop)``."""
        if side not in ("a", "b"):
            raise ValueError(f"side must be 'a' or 'b'; got {side!r}")
        inc = self.concede_a if side == "a" else self.concede_b
        sel = (self.times >= start) & (self.times < stop)
        return inc[sel].sum(axis=0)


def prior_band(z: float, half_width: float, n: int = 9) -> tuple[Array, Array]:
    r"""Priors and weights of a smooth (Hann) window in :math:`\ln z` around ``z``.

    Averaging an outcome over :math:`\ln z' \in [\ln z - h, \ln z + h]` with
    weights :math:`\propto \cos^2(\pi u/2)`, :math:`u = (\ln z' - \ln z)/h`,
    removes the discrete game's lattice-phase oscillation when ``h`` spans a few
    ladder steps (module docstring).

    Parameters
    ----------
    z : float
        Centre of the band, in (0, 1).
    half_width : float
        Half-width :math:`h` in :math:`\ln z` (> 0; ``z·e^h`` must stay below 1).
    n : int, optional
        Number of nodes (interior points of the window).

    Returns
    -------
    priors, weights : ndarray, (n,)
        The priors and normalized weights (summing to 1).

    Examples
    --------
    >>> zs, w = prior_band(0.2, 0.1, 5)
    >>> bool(np.isclose(w.sum(), 1.0)), bool(np.isclose(zs[2], 0.2))
    (True, True)
    """
    if not (0.0 < z < 1.0) or not (half_width > 0.0) or z * np.exp(half_width) >= 1.0:
        raise ValueError("need 0 < z, z·exp(half_width) < 1 and half_width > 0")
    if n < 1:
        raise ValueError(f"n must be ≥ 1; got {n}")
    u = np.linspace(-1.0, 1.0, n + 2)[1:-1]
    w = np.cos(0.5 * np.pi * u) ** 2
    return z * np.exp(half_width * u), w / w.sum()


def _on_times(f: Payoff, t: Array, name: str) -> Array:
    """Evaluate a payoff (callable of time or constant) on the period start times."""
    v = f(t) if callable(f) else f
    out = np.broadcast_to(np.asarray(v, dtype=np.float64), t.shape).copy()
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite at every period start")
    return out


def _collapse_integrals(eta: Hazard, t: Array, dt: float) -> Array:
    r""":math:`\int_{t_k}^{t_k+\Delta} \eta` per period (4-point Gauss–Legendre)."""
    if not callable(eta):
        val = float(eta)
        if not np.isfinite(val) or val < 0.0:
            raise ValueError(f"collapse must be finite and ≥ 0; got {val}")
        return np.full(t.shape, val * dt)
    nodes = t[:, None] + 0.5 * dt * (_GL_X[None, :] + 1.0)
    vals = np.broadcast_to(np.asarray(eta(nodes), dtype=np.float64), nodes.shape)
    if not np.all(np.isfinite(vals)) or np.any(vals < 0.0):
        raise ValueError("collapse hazard must be finite and ≥ 0")
    return 0.5 * dt * (vals * _GL_W[None, :]).sum(axis=1)


def _cutoff(h: Array, ell: float, x: Array) -> tuple[Array, NDArray[np.intp], Array]:
    r"""The mover's cutoff per column: where ``h[:, j]`` (non-decreasing in row) crosses ``ell``.

    Parameters
    ----------
    h : ndarray, (n, p)
        Continuation values of holding; rows follow the mover's grid ``x``.
    ell : float
        Value of conceding now.
    x : ndarray, (n,)
        Increasing grid of :math:`\ln\mu`, ending at 0.

    Returns
    -------
    xstar : ndarray, (p,)
        :math:`\ln\mu^*`: the posterior that makes the mover indifferent on the
        interpolant (0 if it concedes for sure; ``x[0]`` if it never concedes).
    lo : ndarray of int, (p,)
        Grid interval ``[x[lo], x[lo + 1]]`` holding ``xstar``.
    frac : ndarray, (p,)
        Position of ``xstar`` in that interval, in [0, 1].
    """
    n, p = h.shape
    above = h >= ell
    # First row where holding is worth at least conceding (n if none).
    idx = np.where(above.any(axis=0), above.argmax(axis=0), n)
    cols = np.arange(p)
    never = idx == 0  # holds even at its lowest reputation
    always = idx == n  # concedes even at posterior 1
    i1 = np.clip(idx, 1, n - 1)
    i0 = i1 - 1
    h0, h1 = h[i0, cols], h[i1, cols]
    gap = h1 - h0
    safe = np.where(gap > 0.0, gap, 1.0)
    frac = np.clip(np.where(gap > 0.0, (ell - h0) / safe, 1.0), 0.0, 1.0)
    frac = np.where(never, 0.0, np.where(always, 1.0, frac))
    lo = np.where(never, 0, np.where(always, n - 2, i0))
    xstar = x[lo] + frac * (x[lo + 1] - x[lo])
    xstar = np.where(always, 0.0, np.where(never, x[0], xstar))
    return xstar, lo, frac


@dataclass(frozen=True)
class _Step:
    """The mover's decision in one period, per grid point (mover's reputation on axis 0)."""

    xstar: Array  # (p,) ln μ*, per column
    lo: NDArray[np.intp]  # (p,) grid interval of the posterior μ*
    frac: Array  # (p,) position in that interval
    hold: NDArray[np.bool_]  # (n, p) rows at or above the cutoff (they hold)
    kept: Array  # (n, p) μ/μ*: probability of no concession there

    def update(self, h: Array, paid: float) -> Array:
        """A table of the other side (or a probability): ``paid`` on concession, else ``h``.

        ``h`` is the continuation (already discounted) at the start of the next period;
        where the mover concedes up to μ* it is taken at the posterior (interpolated).
        """
        cols = np.arange(h.shape[1])
        h_star = h[self.lo, cols] + self.frac * (h[self.lo + 1, cols] - h[self.lo, cols])
        # paid·c + (1 − c)·h(μ*) with 1 − c = kept, in place (this is the hot loop).
        out = np.multiply(self.kept, (h_star - paid)[None, :])
        out += paid
        np.copyto(out, h, where=self.hold)
        return out


def _decide(h_m: Array, ell: float, x: Array) -> tuple[_Step, Array, float]:
    r"""The mover's cutoffs from its continuation ``h_m`` (mover on axis 0).

    Returns the decision, the mover's value :math:`\max(\ell, H_m)` at the start of
    the period, and the largest decrease of ``h_m`` along axis 0.
    """
    drop = float(np.max(h_m[:-1] - h_m[1:], initial=0.0))
    xstar, lo, frac = _cutoff(h_m, ell, x)
    hold = x[:, None] >= xstar[None, :]
    kept = np.multiply.outer(np.exp(x), np.exp(-xstar))
    # max(ℓ, H(μ')): ℓ below the cutoff (there H < ℓ), H above it.
    value = np.maximum(h_m, ell)
    return _Step(xstar, lo, frac, hold, kept), value, max(drop, 0.0)


def _locate(xq: Array, x: Array) -> tuple[NDArray[np.intp], Array]:
    """Interval index and fraction of ``xq`` on the uniform grid ``x`` (clipped to it)."""
    n = x.size
    pos = np.clip((xq - x[0]) / (x[1] - x[0]), 0.0, n - 1.0)
    j = np.minimum(pos.astype(np.intp), n - 2)
    return j, pos - j


def discrete_war_of_attrition(
    concede_a: Payoff,
    win_a: Payoff,
    concede_b: Payoff,
    win_b: Payoff,
    rate_a: float,
    rate_b: float,
    z_a: ArrayLike,
    z_b: ArrayLike,
    *,
    collapse: Hazard = 0.0,
    dt: float,
    horizon: float,
    grid: int = 321,
    first: str = "a",
) -> DiscreteAttrition:
    r"""Solve the discrete-time reputational war of attrition by backward induction.

    The game (module docstring): periods of length ``dt`` up to ``horizon``; side
    ``first`` may concede in periods 0, 2, 4, …, the other in 1, 3, 5, …; a
    concession at :math:`t_k = k\Delta` pays the mover :math:`e^{-r_m t_k}
    \ell_m(t_k)` and the other :math:`e^{-r_o t_k} w_o(t_k)`; between periods the
    talks collapse with probability :math:`1 - e^{-\int_{t_k}^{t_{k+1}}\eta}`
    (payoff 0); committed types (priors :math:`z_i`) never concede; at the
    horizon both get 0. The rational mover concedes with the probability that
    makes it indifferent between conceding and holding at its posterior (or
    concedes / holds for sure when that is strictly better).

    Parameters
    ----------
    concede_a, win_a, concede_b, win_b : callable or float
        :math:`\ell_i(t)` and :math:`w_i(t)`: side *i*'s gain (undiscounted, against
        no deal = 0) from conceding at ``t`` and from the other's concession at
        ``t``. Called once with the array of period start times.
    rate_a, rate_b : float
        Discount rates (> 0) per unit of time.
    z_a, z_b : array_like
        Prior probabilities that each side is committed, in (0, 1); they broadcast,
        and all priors share one backward pass (the grid reaches down to the
        smallest).
    collapse : callable or float, optional
        Hazard :math:`\eta(t) \ge 0` per unit of time of a collapse with no deal;
        a callable is evaluated on an array of times.
    dt : float
        Period length :math:`\Delta` (> 0).
    horizon : float
        Hard end of the game: :math:`K = \mathrm{round}(\text{horizon}/\Delta)`
        periods. Choose it well past the end of the continuous war so that it
        is off the equilibrium path.
    grid : int, optional
        Points per belief axis, uniform in :math:`\ln\mu_i` on
        :math:`[\ln\min z_i, 0]`. The spacing should be well below the ladder
        step (about :math:`2\lambda_i\Delta`).
    first : {"a", "b"}, optional
        The side that moves in period 0.

    Returns
    -------
    DiscreteAttrition
        Outcome probabilities, expected agreement time and the rational types'
        values at 0 (backward tables); per-period concession probabilities, the
        belief path, first moves and the path's equilibrium check (forward pass).

    Raises
    ------
    ValueError
        On a non-positive rate, ``dt`` or ``horizon``, priors outside (0, 1), fewer
        than 3 grid points, a bad ``first``, or non-finite payoffs / negative hazard.

    Examples
    --------
    Constant shares (Abreu & Gul): with no collapse, the talks end unresolved
    when both sides are committed, :math:`z_a z_b` (exactly on the path).

    >>> out = discrete_war_of_attrition(0.4, 0.7, 0.3, 0.6, 1.0, 1.5, 0.1, 0.2,
    ...                                 dt=0.02, horizon=2.0, grid=81)
    >>> round(float(out.p_a_concedes), 2), round(float(out.p_no_agreement), 3)
    (0.7, 0.02)
    >>> round(float(1 - out.concede_a.sum() - out.concede_b.sum()), 12)
    0.02
    """
    if first not in ("a", "b"):
        raise ValueError(f"first must be 'a' or 'b'; got {first!r}")
    for name, v in (("rate_a", rate_a), ("rate_b", rate_b), ("dt", dt), ("horizon", horizon)):
        if not (np.isfinite(v) and v > 0.0):
            raise ValueError(f"{name} must be finite and > 0; got {v}")
    za, zb = np.broadcast_arrays(np.asarray(z_a, np.float64), np.asarray(z_b, np.float64))
    for name, z in (("z_a", za), ("z_b", zb)):
        if not np.all((z > 0.0) & (z < 1.0)):
            raise ValueError(f"{name} must lie in (0, 1)")
    if grid < 3:
        raise ValueError(f"grid must be at least 3; got {grid}")
    n_periods = round(horizon / dt)
    if n_periods < 2:
        raise ValueError("horizon must hold at least two periods")
    t = dt * np.arange(n_periods, dtype=np.float64)
    ell = {"a": _on_times(concede_a, t, "concede_a"), "b": _on_times(concede_b, t, "concede_b")}
    win = {"a": _on_times(win_a, t, "win_a"), "b": _on_times(win_b, t, "win_b")}
    hz = _collapse_integrals(collapse, t, dt)
    rate = {"a": float(rate_a), "b": float(rate_b)}
    x = {
        "a": np.linspace(np.log(za.min()), 0.0, grid),
        "b": np.linspace(np.log(zb.min()), 0.0, grid),
    }
    second = "b" if first == "a" else "a"
    mover = np.array([first if k % 2 == 0 else second for k in range(n_periods)])

    # Backward pass. Tables have axis 0 = ln μ_a, axis 1 = ln μ_b: the rational types'
    # values, and (for the outcome) the probabilities that a / b concedes first and the
    # probability of a collapse and the agreement time × 1{agreement}, all from the start
    # of period k (probabilities are not discounted).
    tables = {name: np.zeros((grid, grid)) for name in ("va", "vb", "pa", "pb", "pc", "tt")}
    cut = np.empty((n_periods, grid))  # mover's ln μ* per grid point of the other
    violation = 0.0
    for k in range(n_periods - 1, -1, -1):
        m = str(mover[k])
        o = "b" if m == "a" else "a"
        # Work with the mover's reputation on axis 0.
        view = {key: (v if m == "a" else v.T) for key, v in tables.items()}
        keep = float(np.exp(-hz[k]))  # no collapse before the next period
        disc = {s: float(np.exp(-rate[s] * dt)) * keep for s in ("a", "b")}
        step, v_m, drop = _decide(disc[m] * view["v" + m], ell[m][k], x[m])
        new = {
            "v" + m: v_m,
            "v" + o: step.update(disc[o] * view["v" + o], win[o][k]),
            "p" + m: step.update(keep * view["p" + m], 1.0),
            "p" + o: step.update(keep * view["p" + o], 0.0),
            "pc": step.update((1.0 - keep) + keep * view["pc"], 0.0),
            "tt": step.update(keep * view["tt"], t[k]),
        }
        tables = {key: (v if m == "a" else v.T) for key, v in new.items()}
        cut[k] = step.xstar
        violation = max(violation, drop)

    # Forward pass along the equilibrium paths (vectorized over priors).
    shape = za.shape
    lmu = {"a": np.log(za.ravel()), "b": np.log(zb.ravel())}
    npri = lmu["a"].size
    path = {s: np.empty((n_periods + 1, npri)) for s in ("a", "b")}
    inc = {s: np.zeros((n_periods, npri)) for s in ("a", "b")}
    col = np.zeros((n_periods, npri))
    cond = np.zeros((n_periods, npri))  # concession probability given period k is reached
    survive = np.ones(npri)
    for k in range(n_periods):
        path["a"][k], path["b"][k] = np.exp(lmu["a"]), np.exp(lmu["b"])
        m = str(mover[k])
        o = "b" if m == "a" else "a"
        j, w = _locate(lmu[o], x[o])
        xstar = (1.0 - w) * cut[k, j] + w * cut[k, j + 1]
        cond[k] = -np.expm1(np.minimum(lmu[m] - xstar, 0.0))
        inc[m][k] = survive * cond[k]
        survive = survive * (1.0 - cond[k])
        lmu[m] = np.maximum(lmu[m], xstar)
        p_col = -np.expm1(-hz[k])
        col[k] = survive * p_col
        survive = survive * (1.0 - p_col)
    path["a"][n_periods], path["b"][n_periods] = np.exp(lmu["a"]), np.exp(lmu["b"])
    regret = _path_regret(mover, cond, path, ell, win, rate, hz, dt)

    # Outcomes from the backward tables: bilinear in (ln μ_a, ln μ_b) at the priors.
    ia, wa = _locate(np.log(za.ravel()), x["a"])
    ib, wb = _locate(np.log(zb.ravel()), x["b"])

    def at_priors(v: Array) -> Array:
        out = (
            (1 - wa) * (1 - wb) * v[ia, ib]
            + wa * (1 - wb) * v[ia + 1, ib]
            + (1 - wa) * wb * v[ia, ib + 1]
            + wa * wb * v[ia + 1, ib + 1]
        )
        return out.reshape(shape)

    def per(v: Array) -> Array:
        return v.reshape(v.shape[:-1] + shape)

    p_a, p_b, p_col = (at_priors(tables[key]) for key in ("pa", "pb", "pc"))
    p_agree = p_a + p_b
    timed = at_priors(tables["tt"])
    with np.errstate(invalid="ignore", divide="ignore"):
        e_time = np.where(p_agree > 0.0, timed / np.where(p_agree > 0.0, p_agree, 1.0), np.nan)
    k_a = 0 if first == "a" else 1
    return DiscreteAttrition(
        dt=float(dt),
        horizon=float(n_periods * dt),
        first=first,
        times=t,
        mover=mover,
        p_a_concedes=p_a,
        p_b_concedes=p_b,
        p_collapse=p_col,
        p_unresolved=np.maximum(1.0 - p_agree - p_col, 0.0),
        p_no_agreement=1.0 - p_agree,
        expected_time=e_time,
        value_a=at_priors(tables["va"]),
        value_b=at_priors(tables["vb"]),
        concede_a=per(inc["a"]),
        concede_b=per(inc["b"]),
        collapse=per(col),
        mu_a=per(path["a"]),
        mu_b=per(path["b"]),
        first_move_a=per(inc["a"][k_a]),
        first_move_b=per(inc["b"][1 - k_a]),
        path_regret=per(regret),
        monotonicity_violation=violation,
    )


def _path_regret(
    mover: NDArray[np.str_],
    cond: Array,
    path: dict[str, Array],
    ell: dict[str, Array],
    win: dict[str, Array],
    rate: dict[str, float],
    hz: Array,
    dt: float,
) -> Array:
    """Largest gain from a one-period deviation of a rational mover on the path, per prior.

    Holding is always on the path (committed types hold), so the rational types'
    continuation values after any hold follow the path: computed backward along it,
    exactly (no grid). Where the mover concedes with positive probability, conceding
    must be at least as good as holding; where it holds with positive probability
    (and still has rational mass), the reverse.
    """
    n_periods, npri = cond.shape
    v = {"a": np.zeros(npri), "b": np.zeros(npri)}
    worst = np.zeros(npri)
    for k in range(n_periods - 1, -1, -1):
        m = str(mover[k])
        o = "b" if m == "a" else "a"
        mu = path[m][k]
        rational = mu < 1.0 - 1e-12
        sigma = np.where(rational, cond[k] / np.where(rational, 1.0 - mu, 1.0), 0.0)
        hold_m = np.exp(-rate[m] * dt - hz[k]) * v[m]
        hold_o = np.exp(-rate[o] * dt - hz[k]) * v[o]
        concedes = rational & (sigma > 1e-9)
        holds = rational & (sigma < 1.0 - 1e-9)
        loss = np.maximum(
            np.where(concedes, hold_m - ell[m][k], 0.0), np.where(holds, ell[m][k] - hold_m, 0.0)
        )
        worst = np.maximum(worst, loss)
        v[m] = np.where(
            rational, sigma * ell[m][k] + (1.0 - sigma) * hold_m, np.maximum(ell[m][k], hold_m)
        )
        v[o] = cond[k] * win[o][k] + (1.0 - cond[k]) * hold_o
    return worst
