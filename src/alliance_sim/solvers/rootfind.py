r"""Vectorized, safeguarded root finding for many independent scalar equations at once.

:func:`find_root` solves :math:`f_i(x_i) = 0` for every lane ``i`` of an array
by Chandrupatla's method: it keeps a bracket :math:`[a_i, b_i]` with a sign
change, tries inverse quadratic interpolation (IQI) through the last three points
when Chandrupatla's test says the function is close enough to quadratic, and
bisects otherwise. Every step stays inside the bracket, so convergence is
guaranteed for any continuous ``f`` with a sign change (and, for a monotone ``f``
with a jump, to the jump). A lane stops when its bracket is no wider than

.. math:: \mathrm{tol}_i = \mathrm{xtol} + \mathrm{rtol}\,|\hat x_i|

and returns the endpoint with the smaller :math:`|f|`, so
:math:`|\hat x_i - x_i^*| \le \mathrm{tol}_i` for a root :math:`x_i^*`. To make
one-sided IQI convergence finish, every trial point is kept at least
``tol/2`` inside the bracket (then a step past a root within ``tol/2`` of an end
collapses the bracket).

All lanes advance together (one call of ``f`` on full arrays per iteration; a
loop over iterations, never over lanes); converged lanes are frozen, so each
lane's result does not depend on the other lanes — results are identical however
the draws are split into chunks.

:func:`split_at_points` narrows each bracket to the smooth piece that holds the
root when ``f`` has known kinks or jumps (e.g. at a reference point), and
returns the kink itself when ``f`` changes sign across it; interpolation then
works on a smooth function.

:func:`bracket_monotone` first widens ``[a, b]`` (geometrically, by a factor
of 3 per step) until it contains the root of a monotone ``f``.

References
----------
T. R. Chandrupatla (1997), "A new hybrid quadratic/bisection algorithm for
finding the zero of a nonlinear function without using derivatives",
*Advances in Engineering Software* 28(3), 145–149.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._jit import kernels_enabled
from . import _rootfind_kernels as kernels

__all__ = ["RootResult", "bracket_monotone", "check_tolerances", "find_root", "split_at_points"]

Array = NDArray[np.float64]
Fn = Callable[[Array], Array]

#: Default absolute tolerance on a root, in payment units (¥ billion: ¥1).
XTOL = 1e-9
#: Default relative tolerance on a root.
RTOL = 1e-12


@dataclass(frozen=True)
class RootResult:
    """Roots of a batch of equations.

    Attributes
    ----------
    x : ndarray
        The roots (``|x − x*| ≤ xtol + rtol·|x|`` where ``converged``).
    converged : ndarray of bool
        Lanes that met the tolerance.
    iterations : int
        Iterations used by the slowest lane.
    """

    x: Array
    converged: NDArray[np.bool_]
    iterations: int

    def checked(self, what: str) -> Array:
        """``x``, or a RuntimeError naming ``what`` and the first lane not converged."""
        if not self.converged.all():
            i = int(np.flatnonzero(~self.converged)[0])
            raise RuntimeError(
                f"{what} did not converge in {self.iterations} iterations "
                f"({int((~self.converged).sum())} lane(s); first: {i}, x = {self.x[i]:.17g})"
            )
        return self.x


def _eval(f: Fn, x: Array, what: str, *, strict: bool = True) -> Array:
    fx = np.asarray(f(x), dtype=np.float64)
    if strict and fx.shape != x.shape:
        fx = np.broadcast_to(fx, x.shape)
    if np.isnan(fx).any():
        bad = np.flatnonzero(np.isnan(fx))
        raise ValueError(
            f"{what} returned NaN for {bad.size} lane(s) (first at index {bad[0]}, "
            f"x={x.ravel()[bad[0]]:g}); the function must be defined on the whole bracket"
        )
    return fx


def check_tolerances(xtol: float, rtol: float) -> None:
    """Refuse tolerances :func:`find_root` cannot meet: ``xtol`` finite > 0, ``rtol`` finite ≥ 0.

    Also called by the solvers that run compiled kernels instead of :func:`find_root`,
    so that both paths refuse the same inputs.
    """
    if not (np.isfinite(xtol) and xtol > 0):
        raise ValueError(f"xtol must be a finite positive number; got {xtol}")
    if not (np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a finite non-negative number; got {rtol}")


def find_root(
    f: Fn,
    a: ArrayLike,
    b: ArrayLike,
    *,
    fa: ArrayLike | None = None,
    fb: ArrayLike | None = None,
    xtol: float = XTOL,
    rtol: float = RTOL,
    maxiter: int = 200,
) -> RootResult:
    """Elementwise root of ``f`` in the brackets ``[a, b]`` (Chandrupatla 1997).

    Parameters
    ----------
    f : callable
        ``f(x) -> array`` of the same shape as ``x``, elementwise (lane ``i`` of
        the output depends only on lane ``i`` of ``x``).
    a, b : array_like
        Bracket ends (either order); ``f(a)`` and ``f(b)`` must not have the
        same strict sign.
    fa, fb : array_like, optional
        ``f(a)``, ``f(b)`` if already known.
    xtol, rtol : float
        Absolute and relative tolerance (see the module docstring); ``xtol > 0``.
    maxiter : int
        Iteration cap; lanes not converged by then have ``converged=False``.

    Returns
    -------
    RootResult

    Raises
    ------
    ValueError
        If a bracket has no sign change, a tolerance is invalid, or ``f``
        returns NaN.

    Examples
    --------
    >>> r = find_root(lambda x: x**3 - np.array([1.0, 8.0, 27.0]), 0.0, 5.0)
    >>> np.round(r.x, 8).tolist(), bool(r.converged.all())
    ([1.0, 2.0, 3.0], True)
    """
    check_tolerances(xtol, rtol)
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    fa = _eval(f, a, "f(a)", strict=False) if fa is None else np.asarray(fa, dtype=np.float64)
    fb = _eval(f, b, "f(b)", strict=False) if fb is None else np.asarray(fb, dtype=np.float64)
    # Scalar brackets broadcast against the lanes that f reveals.
    shape = np.broadcast_shapes(a.shape, fa.shape, fb.shape)
    a, b, fa, fb = (np.array(np.broadcast_to(v, shape), dtype=np.float64) for v in (a, b, fa, fb))
    if np.any(np.sign(fa) * np.sign(fb) > 0):
        bad = np.flatnonzero(np.sign(fa) * np.sign(fb) > 0)
        raise ValueError(
            f"find_root: f has the same sign at both ends of {bad.size} bracket(s) "
            f"(first at index {bad[0]}: f({a.ravel()[bad[0]]:g})={fa.ravel()[bad[0]]:g}, "
            f"f({b.ravel()[bad[0]]:g})={fb.ravel()[bad[0]]:g})"
        )
    use_a = np.abs(fa) <= np.abs(fb)
    x = np.where(use_a, a, b)
    done = (fa == 0) | (fb == 0) | (np.abs(b - a) <= xtol + rtol * np.abs(x))
    t = np.full(a.shape, 0.5)
    if kernels_enabled() and a.size:
        return _find_root_kernel(f, a, b, fa, fb, t, x, done, xtol, rtol, maxiter)
    c, fc = b.copy(), fb.copy()
    it = 0
    # Lanes that have converged keep iterating inside their collapsed bracket (their
    # result x is frozen): masking every update costs more than the spare arithmetic,
    # and an active lane's arithmetic is the same either way.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while it < maxiter and not done.all():
            it += 1
            xt = a + t * (b - a)
            ft = _eval(f, xt, "f")
            same = np.sign(ft) == np.sign(fa)
            # New bracket [xt, a] or [xt, b]; c keeps the point that left the bracket.
            c = np.where(same, a, b)
            fc = np.where(same, fa, fb)
            b = np.where(same, b, a)
            fb = np.where(same, fb, fa)
            a, fa = xt, ft

            use_a = np.abs(fa) < np.abs(fb)
            xm = np.where(use_a, a, b)
            fm = np.where(use_a, fa, fb)
            tol = xtol + rtol * np.abs(xm)
            width = np.abs(b - a)
            stop = ~done & ((fm == 0) | (width <= tol))
            x = np.where(stop, xm, x)
            done |= stop

            xi = (a - b) / (c - b)
            phi = (fa - fb) / (fc - fb)
            iqi = (phi * phi < xi) & ((1.0 - phi) ** 2 < 1.0 - xi)
            t_iqi = (fa / (fb - fa)) * (fc / (fb - fc)) + ((c - a) / (b - a)) * (fa / (fc - fa)) * (
                fb / (fc - fb)
            )
            t_new = np.where(iqi & np.isfinite(t_iqi), t_iqi, 0.5)
            tl = np.minimum(0.5, 0.5 * tol / np.where(width > 0, width, 1.0))
            t = np.clip(t_new, tl, 1.0 - tl)
    return RootResult(x=x, converged=done, iterations=it)


def _find_root_kernel(
    f: Fn,
    a: Array,
    b: Array,
    fa: Array,
    fb: Array,
    t: Array,
    x: Array,
    done: NDArray[np.bool_],
    xtol: float,
    rtol: float,
    maxiter: int,
) -> RootResult:
    """:func:`find_root`'s iterations with the compiled step (the same numbers)."""
    shape = a.shape
    ra, rb, rfa, rfb, rt, rx = (v.reshape(-1) for v in (a, b, fa, fb, t, x))
    rdone = done.reshape(-1)  # the kernel updates these flat arrays in place
    xt = (a + t * (b - a)).reshape(-1)
    it = 0
    all_done = bool(done.all())
    while it < maxiter and not all_done:
        it += 1
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # as the reference
            ft = _eval(f, xt.reshape(shape), "f")
        ft = np.ascontiguousarray(ft, dtype=np.float64).reshape(-1)
        xt, all_done = kernels.chandrupatla_step(
            ra, rb, rfa, rfb, rt, rx, rdone, xt, ft, xtol, rtol
        )
    return RootResult(x=rx.reshape(shape), converged=rdone.reshape(shape), iterations=it)


def bracket_monotone(
    f: Fn,
    a: ArrayLike,
    b: ArrayLike,
    *,
    increasing: bool,
    maxiter: int = 64,
) -> tuple[Array, Array, Array, Array, NDArray[np.bool_]]:
    """Widen ``[a, b]`` lane by lane until it brackets the root of a monotone ``f``.

    A lane whose root lies beyond ``b`` moves to ``[b, b + 2w]`` (``w = b − a``),
    one whose root lies below ``a`` to ``[a − 2w, a]``; the width triples per step.

    Parameters
    ----------
    f : callable
        Elementwise, increasing (``increasing=True``) or decreasing in ``x``.
    a, b : array_like
        Initial brackets with ``a < b``.
    increasing : bool
        Direction of monotonicity.
    maxiter : int
        Widening steps before giving up.

    Returns
    -------
    a, b, fa, fb : ndarray
        Final brackets and ``f`` at their ends.
    ok : ndarray of bool
        Lanes whose bracket holds a sign change.

    Raises
    ------
    ValueError
        If ``f`` is seen to run against the declared direction on a bracket.
    """
    a, b = (np.array(v, dtype=np.float64) for v in np.broadcast_arrays(a, b))
    if np.any(~(a < b)):
        raise ValueError("bracket_monotone needs a < b in every lane")
    fa, fb = _eval(f, a, "f(a)"), _eval(f, b, "f(b)")
    sign = 1.0 if increasing else -1.0
    for _ in range(maxiter):
        up = sign * fb < 0  # root beyond b
        down = sign * fa > 0  # root below a
        wrong = sign * (fb - fa) < 0
        if np.any(wrong):
            bad = np.flatnonzero(wrong)[0]
            raise ValueError(
                f"function is not {'increasing' if increasing else 'decreasing'} on "
                f"[{a[bad]:g}, {b[bad]:g}] (lane {bad}): f(a)={fa[bad]:g}, f(b)={fb[bad]:g}"
            )
        move = up | down
        if not move.any():
            break
        w = b - a
        new_a = np.where(up, b, np.where(down, a - 2.0 * w, a))
        new_b = np.where(up, b + 2.0 * w, np.where(down, a, b))
        f_new_a = np.where(up, fb, np.where(down, _eval(f, new_a, "f"), fa))
        f_new_b = np.where(up, _eval(f, new_b, "f"), np.where(down, fa, fb))
        a, b, fa, fb = new_a, new_b, f_new_a, f_new_b
    ok = np.sign(fa) * np.sign(fb) <= 0
    return a, b, fa, fb, ok


def split_at_points(
    f: Fn,
    a: Array,
    b: Array,
    fa: Array,
    fb: Array,
    points: list[Array],
) -> tuple[Array, Array, Array, Array]:
    """Shrink sign-change brackets ``[a, b]`` to the piece between known kinks that holds the root.

    For each array of points ``k`` (one per lane) strictly inside a bracket, ``f``
    is evaluated one ulp to each side of ``k``. If the sign changes across ``k``
    (``f`` jumps through 0, as the Nash first-order condition does at a kink of
    a utility), the root is ``k`` and the bracket becomes ``[k, k]``; otherwise
    the bracket keeps the side with the sign change.

    Parameters
    ----------
    f : callable
        Elementwise function.
    a, b, fa, fb : ndarray
        Brackets (``a <= b``) and ``f`` at their ends, of opposite signs or zero.
    points : list of ndarray
        Kink locations, each broadcastable to ``a``.

    Returns
    -------
    a, b, fa, fb : ndarray
        The narrowed brackets; ``a == b`` and ``fa == fb == 0`` where a kink is the root.
    """
    a, b, fa, fb = (np.array(v, dtype=np.float64) for v in (a, b, fa, fb))
    for k in points:
        k = np.broadcast_to(np.asarray(k, dtype=np.float64), a.shape)
        inside = (a < k) & (k < b)
        if not inside.any():
            continue
        left = np.where(inside, np.nextafter(k, -np.inf), a)
        right = np.where(inside, np.nextafter(k, np.inf), b)
        f_left, f_right = _eval(f, left, "f"), _eval(f, right, "f")
        s_a = np.sign(fa)
        at_k = inside & ((np.sign(f_left) != np.sign(f_right)) | (f_left == 0) | (f_right == 0))
        go_right = inside & ~at_k & (np.sign(f_right) == s_a)
        go_left = inside & ~at_k & ~go_right
        kf = 0.0  # the sign changes across k: k is the root, exactly
        a_new = np.where(at_k, k, np.where(go_right, right, a))
        fa_new = np.where(at_k, kf, np.where(go_right, f_right, fa))
        b_new = np.where(at_k, k, np.where(go_left, left, b))
        fb_new = np.where(at_k, kf, np.where(go_left, f_left, fb))
        a, fa, b, fb = a_new, fa_new, b_new, fb_new
    return a, b, fa, fb
