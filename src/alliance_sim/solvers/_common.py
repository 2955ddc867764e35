"""What the axiomatic solvers share: the problem interface, the result type, input checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from .._validation import as_float_array, check_in_range, check_same_length
from . import _bargaining_kernels as kernels

Array = NDArray[np.float64]


class BargainingLike(Protocol):
    """What a solver needs of a bargaining problem (see `alliance_sim.games.BargainingProblem`)."""

    n: int
    lo: Array
    hi: Array
    feasible: NDArray[np.bool_]
    payer_reservation: Array
    payee_reservation: Array
    floor: float
    xtol: float
    rtol: float

    @property
    def affine(self) -> bool: ...

    def gains(self, x: ArrayLike) -> tuple[Array, Array]: ...

    def gain_slopes(self, x: ArrayLike) -> tuple[Array, Array]: ...

    def kinks(self) -> list[Array]: ...


@dataclass(frozen=True)
class Solution:
    """A bargaining solution per draw.

    Attributes
    ----------
    payment : ndarray
        Agreed annual payment; NaN exactly where ``feasible`` is False (no
        agreement is individually rational there: the draw is marked, and
        summaries condition on ``feasible``).
    feasible : ndarray of bool
        The settlement range is non-empty.
    payer_gain, payee_gain : ndarray
        Gains over no deal at ``payment`` (NaN where infeasible).
    """

    payment: Array
    feasible: NDArray[np.bool_]
    payer_gain: Array
    payee_gain: Array


def finish(problem: BargainingLike, payment: Array) -> Solution:
    """Mark infeasible draws and attach the gains at the solution."""
    x = np.where(problem.feasible, payment, np.nan)
    gj, gu = problem.gains(np.where(problem.feasible, payment, problem.lo))
    nan = np.nan
    return Solution(
        payment=x,
        feasible=problem.feasible,
        payer_gain=np.where(problem.feasible, gj, nan),
        payee_gain=np.where(problem.feasible, gu, nan),
    )


def compiled_root(
    problem: BargainingLike, solution: str, power: Array | None, *, maxiter: int
) -> Array | None:
    """The payment a solver's first-order condition gives, from the compiled kernel, or None.

    ``solution`` is ``"nash"`` (with ``power``) or ``"ks"``. The kernel runs when the
    problem carries a ``kernel_form`` (a :class:`~alliance_sim.games.BargainingProblem`
    whose payment parts are built-in terms, built with the kernels on) and the
    kernels are on; None sends the solver to its numpy reference, also when the kernel
    meets a draw the reference rejects (which then raises its error).
    """
    form = getattr(problem, "kernel_form", None)
    if form is None or not kernels_enabled():
        return None
    payment_form, offset = form
    n = problem.n
    out = np.empty(n)
    lo, hi = (np.ascontiguousarray(v, dtype=np.float64) for v in (problem.lo, problem.hi))
    feasible = np.ascontiguousarray(problem.feasible, dtype=np.bool_)
    tol = (problem.xtol, problem.rtol, maxiter)
    if solution == "nash" and power is not None:
        beta = np.ascontiguousarray(np.broadcast_to(power, (n,)), dtype=np.float64)
        status = kernels.nash_roots(payment_form, offset, beta, lo, hi, feasible, *tol, out)
    elif solution == "ks":
        status = kernels.ks_roots(payment_form, offset, lo, hi, feasible, *tol, out)
    else:
        raise ValueError(f"solution must be 'nash' (with a power) or 'ks'; got {solution!r}")
    return out if status == kernels.OK else None


def check_power(power: ArrayLike, n: int, name: str = "power") -> Array:
    """Bargaining power: finite, in [0, 1], a scalar or one value per draw."""
    arr = as_float_array(power, name)
    check_same_length([(name, arr)], n)
    check_in_range(arr, name, 0.0, 1.0)
    return arr


def check_range_arrays(lo: ArrayLike, hi: ArrayLike) -> tuple[Array, Array]:
    """Settlement-range ends: finite, equal shapes."""
    lo_a, hi_a = as_float_array(lo, "lo"), as_float_array(hi, "hi")
    if lo_a.shape != hi_a.shape:
        raise ValueError(f"lo and hi must have the same shape; got {lo_a.shape} and {hi_a.shape}")
    return lo_a, hi_a
