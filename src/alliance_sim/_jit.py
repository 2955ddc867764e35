"""Compiled kernels: the numba decorator every kernel uses, and the switch to the numpy reference.

Every hot per-draw loop has two implementations: a numba kernel (compiled to machine
code, one draw at a time, values in registers) and the numpy implementation it
replaced, kept as the reference the tests compare against. :func:`kernels_enabled`
says which one runs; :func:`numpy_reference` switches the kernels off for a block
(tests, benchmarks), and the environment variable ``ALLIANCE_SIM_KERNELS=0`` switches
them off for a process.

Kernels are compiled with

* ``cache=True``: the machine code is cached on disk (beside the module in
  ``__pycache__``, or under ``NUMBA_CACHE_DIR``), so only the first run on a machine
  pays the compile time (``benchmarks/README.md`` measures it);
* ``nogil=True``: a kernel releases the GIL, so Dask's threaded scheduler runs
  chunks on every core at once;
* ``error_model="numpy"``: a division by zero gives ``inf``/``NaN`` as numpy does
  instead of raising, so kernel and reference agree on the edge cases;
* no ``fastmath``: IEEE semantics (no reassociation, NaN and inf honoured), so a
  kernel's result depends only on its draw, never on the chunk or the thread.

The convention is quantecon's (``@njit(cache=True)`` kernels beside a Python API).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numba

__all__ = ["kernels_enabled", "njit", "njit_inline", "numpy_reference"]

F = TypeVar("F", bound=Callable[..., Any])

_ENV = "ALLIANCE_SIM_KERNELS"
_state = threading.local()


def njit(function: F) -> F:
    """Compile ``function`` with the project's settings (module docstring)."""
    # A numba Dispatcher calls like the function it compiles: typed as that function.
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(function))


def njit_inline(function: F) -> F:
    """:func:`njit`, inlined into its callers by numba (``inline="always"``).

    For small helpers called in a kernel's innermost loop with array arguments, where a
    call that LLVM does not inline was measured to cost more than the helper's
    arithmetic (the attrition kernels' hazard integrals: ``solve`` 1.5× faster). Not a
    rule: numba-level inlining also made a helper slower once (the payment part,
    ``_payment_kernels.phi``), and it lengthens the first compilation; measure.
    """
    return cast(
        F, numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(function)
    )


def _default() -> bool:
    value = os.environ.get(_ENV, "1").strip().lower()
    if value in ("1", "true", "yes", "on", ""):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{_ENV} must be 0 or 1; got {value!r}")


_GLOBAL = _default()


def kernels_enabled() -> bool:
    """True if the compiled kernels run (the default), False inside :func:`numpy_reference`."""
    return getattr(_state, "enabled", _GLOBAL)


@contextmanager
def numpy_reference() -> Iterator[None]:
    """Run the numpy reference implementations instead of the kernels in this block.

    The switch is per thread (a Dask worker thread started inside the block still
    runs the kernels); pass ``scheduler="sync"`` to :func:`~alliance_sim.simulate`
    to run a whole simulation on the reference.

    Examples
    --------
    >>> before = kernels_enabled()  # True unless ALLIANCE_SIM_KERNELS=0
    >>> with numpy_reference():
    ...     kernels_enabled()
    False
    >>> kernels_enabled() == before
    True
    """
    before = getattr(_state, "enabled", None)
    _state.enabled = False
    try:
        yield
    finally:
        if before is None:
            del _state.enabled
        else:
            _state.enabled = before
