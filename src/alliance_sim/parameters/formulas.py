"""The named formulas a derived quantity may use (so that scenario files never hold code).

Each takes arrays (or numbers) and returns an array, elementwise:

* ``product(a, b) = a·b`` (e.g. a dollar amount times the exchange rate);
* ``quotient(a, b) = a/b``;
* ``sum(a, b) = a + b``;
* ``difference(a, b) = a − b``;
* ``less_than(a, b) = 1[a < b]`` (0.0/1.0: an event drawn from a latent uniform);
* ``toward(a, b, s) = a + s·(b − a)`` (the share ``s`` of the way from ``a`` to ``b``:
  a committed posture that holds out for part of an announced rise).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FORMULAS",
    "difference",
    "formula_inputs",
    "less_than",
    "product",
    "quotient",
    "sum_",
    "toward",
]


def product(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """``a·b``."""
    return np.multiply(a, b, dtype=np.float64)


def quotient(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """``a/b``."""
    return np.divide(a, b, dtype=np.float64)


def sum_(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """``a + b``."""
    return np.add(a, b, dtype=np.float64)


def difference(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """``a − b``."""
    return np.subtract(a, b, dtype=np.float64)


def less_than(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """``1[a < b]`` as 0.0/1.0."""
    return np.less(a, b).astype(np.float64)


def toward(a: ArrayLike, b: ArrayLike, s: ArrayLike) -> NDArray[np.float64]:
    """``a + s·(b − a)``."""
    a = np.asarray(a, dtype=np.float64)
    return a + np.multiply(s, np.subtract(b, a), dtype=np.float64)


#: Formula name → function, the only functions a scenario file can name.
FORMULAS: dict[str, Callable[..., NDArray[np.float64]]] = {
    "product": product,
    "quotient": quotient,
    "sum": sum_,
    "difference": difference,
    "less_than": less_than,
    "toward": toward,
}


def formula_inputs(name: str) -> tuple[str, ...]:
    """Names of the inputs the named formula takes, in order (its arity is their number).

    Parameters
    ----------
    name : str
        A key of :data:`FORMULAS`.

    Returns
    -------
    tuple of str

    Raises
    ------
    KeyError
        If ``name`` is not a named formula.

    Examples
    --------
    >>> formula_inputs("toward")
    ('a', 'b', 's')
    """
    if name not in FORMULAS:
        raise KeyError(f"no formula {name!r}; known: {', '.join(FORMULAS)}")
    return tuple(inspect.signature(FORMULAS[name]).parameters)
