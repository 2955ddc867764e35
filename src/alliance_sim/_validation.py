"""Input checks shared by every module: fail early, name the parameter and the range."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "as_float_array",
    "check_bool",
    "check_in_range",
    "check_int",
    "check_same_length",
    "format_range",
]


@overload
def check_int(
    value: object, name: str, *, minimum: int = ..., none: Literal[False] = ...
) -> int: ...
@overload
def check_int(
    value: object, name: str, *, minimum: int = ..., none: Literal[True]
) -> int | None: ...
def check_int(value: object, name: str, *, minimum: int = 1, none: bool = False) -> int | None:
    """``value`` as a Python int, or a ValueError naming ``name``.

    Accepts ``int`` and numpy integers (not ``bool``) at least ``minimum``; with
    ``none=True`` also None (returned as is).

    Examples
    --------
    >>> check_int(np.int64(3), "workers")
    3
    >>> check_int(0, "n")
    Traceback (most recent call last):
    ...
    ValueError: n must be a positive int; got 0
    """
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        kind = {1: "a positive int", 0: "a non-negative int"}.get(minimum, f"an int >= {minimum}")
        raise ValueError(f"{name} must be {kind}{' or None' if none else ''}; got {value!r}")
    return int(value)


@overload
def check_bool(value: object, name: str, *, none: Literal[False] = ...) -> bool: ...
@overload
def check_bool(value: object, name: str, *, none: Literal[True]) -> bool | None: ...
def check_bool(value: object, name: str, *, none: bool = False) -> bool | None:
    """``value`` if it is a ``bool`` (or numpy bool), else a ValueError naming ``name``.

    A string such as ``"no"`` is truthy in Python; as a switch it is an error.
    ``none=True`` also lets None through (an automatic default).
    """
    if none and value is None:
        return None
    if not isinstance(value, bool | np.bool_):
        alternatives = "True, False or None" if none else "True or False"
        raise ValueError(f"{name} must be {alternatives}; got {value!r}")
    return bool(value)


def format_range(low: float, high: float, low_open: bool = False, high_open: bool = False) -> str:
    """Interval notation, e.g. ``[0, 1]`` or ``(-1, inf)``."""
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"{left}{low:g}, {high:g}{right}"


def as_float_array(value: ArrayLike, name: str, *, allow_nan: bool = False) -> NDArray[np.float64]:
    """Convert ``value`` to a float64 array and reject NaN/inf.

    Parameters
    ----------
    value : array_like
        Numbers (bools are accepted and become 0.0/1.0).
    name : str
        The parameter name used in error messages.
    allow_nan : bool
        Accept NaN (never inf).

    Raises
    ------
    TypeError
        If ``value`` is not numeric.
    ValueError
        If it holds NaN or infinite values.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many types here
        raise TypeError(f"{name} must be numeric; could not convert: {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric (float or int); got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if allow_nan:
        bad &= ~np.isnan(arr)
    if bad.any():
        idx = np.flatnonzero(bad)
        raise ValueError(
            f"{name} must be finite; {idx.size} value(s) are NaN or infinite "
            f"(first at flat index {idx[0]}: {arr.ravel()[idx[0]]})"
        )
    return arr


def check_in_range(
    arr: NDArray[np.float64],
    name: str,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise ``ValueError`` naming ``name`` if any value lies outside the interval."""
    below = arr <= low if low_open else arr < low
    above = arr >= high if high_open else arr > high
    bad = below | above
    if np.any(bad):
        idx = np.flatnonzero(bad)
        rng = format_range(low, high, low_open, high_open)
        raise ValueError(
            f"{name} must lie in {rng}; {idx.size} value(s) outside "
            f"(first at flat index {idx[0]}: {np.ravel(arr)[idx[0]]:g})"
        )


def check_same_length(arrays: Iterable[tuple[str, NDArray[np.float64]]], n: int) -> None:
    """Raise ``ValueError`` unless every named array is 1-D of length ``n`` or a scalar."""
    for name, arr in arrays:
        if arr.ndim == 0:
            continue
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(
                f"{name} must be a scalar or a 1-D array of length {n} (one value per draw); "
                f"got shape {arr.shape}"
            )
