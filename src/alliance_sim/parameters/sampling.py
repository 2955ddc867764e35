"""Uniform designs on the unit hypercube: plain Monte Carlo, Sobol' and Latin hypercube.

Each design returns the ``d`` coordinates of points in the cube ``(0, 1)^d`` for
draws ``start, …, start + n − 1``; `ParameterSpace.sample` maps coordinate
``j`` through the ``ppf`` of the ``j``-th random parameter
(inverse-transform sampling; Devroye 1986, ch. 2).

Reproducibility (see :mod:`alliance_sim._rng`):

* ``"random"``: the stream for draw ``i`` of parameter ``name`` comes from the
  generator keyed by ``(i // BLOCK, crc32(name))``, so a draw's value does not
  depend on ``n``, on ``start`` or on the other parameters (common random numbers
  across scenario variants that add, drop or redistribute a parameter).
* ``"sobol"``: one scrambled Sobol' sequence (Owen 1998; Joe & Kuo 2008
  direction numbers, via :class:`scipy.stats.qmc.Sobol`), points taken by index
  with ``fast_forward(start)``; columns follow the order of the random parameters.
* ``"lhs"``: a Latin hypercube (McKay, Beckman & Conover 1979) depends on ``n`` as a
  whole, so it cannot be taken by index: ``start`` must be 0.

References
----------
L. Devroye (1986), *Non-Uniform Random Variate Generation*, Springer.
A. B. Owen (1998), "Scrambling Sobol' and Niederreiter–Xing points",
*Journal of Complexity* 14(4), 466–489.
M. D. McKay, R. J. Beckman, W. J. Conover (1979), "A comparison of three methods
for selecting values of input variables in the analysis of output from a computer
code", *Technometrics* 21(2), 239–245.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

from .._rng import child_generator, name_key

__all__ = [
    "BLOCK",
    "MAX_POINTS",
    "SAMPLERS",
    "Sampler",
    "check_design_size",
    "is_power_of_two",
    "unit_design",
    "warn_sobol_size",
]

#: A sampling design: Monte Carlo, scrambled Sobol' or Latin hypercube.
Sampler = Literal["random", "sobol", "lhs"]
#: The sampling designs, in that order.
SAMPLERS: tuple[str, ...] = ("random", "sobol", "lhs")

#: Draws per logical seed block of the ``"random"`` design (2**16).
BLOCK = 65_536
# Keys that name the QMC designs' scrambling streams; large so they never equal a block index.
_SOBOL_KEY = 2**32 + 1
_LHS_KEY = 2**32 + 2
# Keep points strictly inside (0, 1): ppf(0) or ppf(1) is infinite for unbounded laws.
_EDGE = 2.0**-53

#: Most draws a design can index: a Sobol' sequence of 32-bit points holds 2**32 (scipy
#: 1.17's ``fast_forward`` fails for ``bits > 32``); every other draw is indexed by an
#: int64 (the global game index of the stance equilibria, store offsets).
MAX_POINTS: dict[str, int] = {"random": 2**63 - 1, "sobol": 2**32, "lhs": 2**63 - 1}
_WHY = {
    "sobol": "a scrambled Sobol' sequence of 32-bit points holds 2**32 points",
    "random": "draw indices are int64",
    "lhs": "draw indices are int64",
}


def check_design_size(n: int, sampler: str, *, start: int = 0) -> None:
    """Raise ``ValueError`` if draws ``start … start + n − 1`` exceed the design's size.

    Called by :func:`~alliance_sim.simulate` before any draw is evaluated, so an
    impossible run fails at once rather than in its last task, hours in.

    Parameters
    ----------
    n : int
        Number of draws.
    sampler : {"random", "sobol", "lhs"}
        The design (limits in :data:`MAX_POINTS`).
    start : int
        Index of the first draw.

    Raises
    ------
    ValueError
        If ``start + n`` exceeds ``MAX_POINTS[sampler]``; the message names ``n`` and
        the limit.
    """
    limit = MAX_POINTS[sampler]
    if start + n > limit:
        first = f" from draw {start:,}" if start else ""
        raise ValueError(
            f"n={n:,} draws{first} exceed the {sampler!r} design's limit of {limit:,} "
            f"draws ({_WHY[sampler]}); use n <= {max(limit - start, 0):,}"
            + (" or sampler='random'" if sampler == "sobol" else "")
        )


def _random_design(
    names: Sequence[str], n: int, start: int, root: np.random.SeedSequence
) -> list[NDArray[np.float64]]:
    out = []
    first, last = start // BLOCK, (start + n - 1) // BLOCK
    for name in names:
        key = name_key(name)
        column = np.empty(n)  # contiguous per parameter: the ppf reads it without striding
        for b in range(first, last + 1):
            lo = max(start, b * BLOCK)
            hi = min(start + n, (b + 1) * BLOCK)
            block = child_generator(root, b, key).random(hi - b * BLOCK)
            column[lo - start : hi - start] = block[lo - b * BLOCK :]
        out.append(column)
    return out


def is_power_of_two(n: int) -> bool:
    """True when ``n`` is a power of two (1, 2, 4, 8, …)."""
    return n > 0 and n & (n - 1) == 0


def warn_sobol_size(n: int, stacklevel: int = 2) -> None:
    """Warn that a Sobol' design of ``n`` points (not a power of two) loses its balance."""
    warnings.warn(
        f"a Sobol' design of n={n} points is not balanced (n is not a power of two; "
        f"nearest: {1 << max(n.bit_length() - 1, 0)} or {1 << n.bit_length()}); "
        "its integration error may be larger than for a power of two",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def unit_design(
    names: Sequence[str],
    n: int,
    *,
    root: np.random.SeedSequence,
    sampler: Sampler = "random",
    start: int = 0,
) -> list[NDArray[np.float64]]:
    """Points in ``(0, 1)^d`` for draws ``start … start + n − 1``, one column per name.

    Parameters
    ----------
    names : sequence of str
        The random parameters, one column each, in order.
    n : int
        Number of points.
    root : numpy.random.SeedSequence
        The run's seed sequence.
    sampler : {"random", "sobol", "lhs"}
        The design (see the module docstring). No warning is issued here for a
        Sobol' size that is not a power of two (callers warn once per run).
    start : int
        Index of the first draw (``"lhs"`` requires 0).

    Returns
    -------
    list of numpy.ndarray
        ``len(names)`` contiguous arrays of shape ``(n,)``, clipped to
        ``[2**-53, 1 − 2**-53]`` so that every ``ppf`` is finite.

    Raises
    ------
    ValueError
        On an unknown sampler, a ``start`` other than 0 for ``"lhs"``, or more points
        than the design holds (:func:`check_design_size`).
    """
    d = len(names)
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}")
    if d == 0 or n == 0:
        if sampler == "lhs" and start != 0:
            raise ValueError(f"start must be 0 for sampler='lhs'; got {start}")
        return [np.empty(n) for _ in range(d)]
    if sampler == "random":
        columns = _random_design(names, n, start, root)
    elif sampler == "sobol":
        check_design_size(n, sampler, start=start)  # bits=32: 2**32 points
        engine = qmc.Sobol(d, scramble=True, bits=32, rng=child_generator(root, _SOBOL_KEY))
        if start:
            engine.fast_forward(start)
            points = engine.random(n)
        else:  # the same points as random(n), without scipy's per-call size warning
            points = np.concatenate([engine.random(1), engine.random(n - 1)])
        columns = list(points.T.copy())
    elif sampler == "lhs":
        if start != 0:
            raise ValueError(
                f"start must be 0 for sampler='lhs' (a Latin hypercube depends on n as a "
                f"whole and cannot be taken by index); got {start}"
            )
        columns = list(
            qmc.LatinHypercube(d, rng=child_generator(root, _LHS_KEY)).random(n).T.copy()
        )
    for column in columns:
        np.clip(column, _EDGE, 1.0 - _EDGE, out=column)
    return columns
