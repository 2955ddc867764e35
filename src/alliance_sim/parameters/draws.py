"""`Draws`: a struct of arrays, one read-only 1-D float64 array per parameter name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, check_int

__all__ = ["Draws"]


class Draws(Mapping[str, NDArray[np.float64]]):
    """Parameter draws as a struct of arrays with a leading (and only) draw axis.

    Every value is a read-only float64 array of shape ``(n,)``; fixed parameters
    are broadcast views (no memory per draw). Indicators such as
    ``challenger_wins`` are stored as 0.0/1.0.

    Parameters
    ----------
    arrays : mapping of str to array_like
        One entry per name: a scalar (broadcast to ``n``) or a 1-D array of
        length ``n``. Values must be finite.
    n : int, optional
        Number of draws; inferred from the first 1-D array when omitted.

    Raises
    ------
    ValueError
        If lengths differ, an array is not 1-D, a value is NaN or infinite, or
        ``n`` cannot be inferred.

    Examples
    --------
    >>> d = Draws({"a": [1.0, 2.0], "b": 3.0})
    >>> d.n, d["b"].tolist()
    (2, [3.0, 3.0])
    """

    __slots__ = ("_arrays", "_n")

    def __init__(self, arrays: Mapping[str, ArrayLike], n: int | None = None) -> None:
        converted = {name: as_float_array(v, f"draws[{name!r}]") for name, v in arrays.items()}
        if n is None:
            lengths = [a.shape[0] for a in converted.values() if a.ndim == 1]
            if not lengths:
                raise ValueError("n must be given when every value is a scalar")
            n = lengths[0]
        check_int(n, "n", minimum=0)
        self._n = int(n)
        self._arrays: dict[str, NDArray[np.float64]] = {}
        for name, arr in converted.items():
            if arr.ndim == 0:
                arr = np.broadcast_to(arr, (self._n,))
            elif arr.ndim != 1 or arr.shape[0] != self._n:
                raise ValueError(
                    f"draws[{name!r}] must be a scalar or a 1-D array of length {self._n}; "
                    f"got shape {arr.shape}"
                )
            else:
                arr = arr.view()
                arr.flags.writeable = False
            self._arrays[name] = arr

    @property
    def n(self) -> int:
        """Number of draws."""
        return self._n

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        try:
            return self._arrays[name]
        except KeyError:
            known = ", ".join(sorted(self._arrays)) or "(none)"
            raise KeyError(f"no parameter {name!r} in these draws; known: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def replace(self, **arrays: ArrayLike) -> Draws:
        """New `Draws` with the given names added or replaced (the rest shared, not copied)."""
        merged: dict[str, ArrayLike] = dict(self._arrays)
        merged.update(arrays)
        return Draws(merged, n=self._n)

    def take(self, index: slice | NDArray[np.integer] | NDArray[np.bool_]) -> Draws:
        """The draws selected by a slice, an integer index or a boolean mask."""
        sub = {k: v[index] for k, v in self._arrays.items()}
        n = len(range(self._n)[index]) if isinstance(index, slice) else None
        if n is None:
            idx = np.asarray(index)
            n = int(idx.sum()) if idx.dtype == bool else idx.shape[0]
        return Draws(sub, n=n)

    def __repr__(self) -> str:
        names = ", ".join(self._arrays)
        return f"Draws(n={self._n}, names=[{names}])"
