r"""Split-the-difference: the midpoint of the settlement range in payment terms.

.. math:: x^{S} = \frac{lo + hi}{2}

The conventional focal compromise between two reservation prices (the
:math:`k = 1/2` rule of the Chatterjee–Samuelson double auction); it ignores
the shape of the utilities, so it equals the symmetric Nash and the
Kalai–Smorodinsky solutions only when both are linear and the floor does not bind.

References
----------
K. Chatterjee, W. Samuelson (1983), "Bargaining under incomplete information",
*Operations Research* 31(5), 835–851.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import Array, BargainingLike, Solution, check_range_arrays, finish

__all__ = ["split_linear", "split_solution"]


def split_linear(lo: ArrayLike, hi: ArrayLike) -> Array:
    """Midpoint of ``[lo, hi]``; NaN where ``lo > hi`` (empty range).

    Examples
    --------
    >>> split_linear([100.0, 300.0], [300.0, 100.0]).tolist()
    [200.0, nan]
    """
    lo_a, hi_a = check_range_arrays(lo, hi)
    return np.where(lo_a <= hi_a, 0.5 * (lo_a + hi_a), np.nan)


def split_solution(problem: BargainingLike) -> Solution:
    """Split-the-difference solution of every draw of ``problem``."""
    return finish(problem, split_linear(problem.lo, problem.hi))
