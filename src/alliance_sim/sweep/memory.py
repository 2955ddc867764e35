"""Memory a sweep needs, checked against what the machine (or a worker) has, up front.

A run holds, at any time, a window of ``in_flight`` tasks, each with the model's
temporaries for one evaluation chunk (:func:`work_bytes_per_draw` per draw)
and its per-draw outputs and parameters (``draw_bytes`` per draw, twice: the
pieces and their concatenation); plus, when outputs are kept, ``n·draw_bytes``
for the result, and for a Latin hypercube the ``8·n·d`` bytes of the design
(built whole). :func:`check_memory` raises a ``ValueError`` that says what to
change when that exceeds the available memory, before any task runs.
"""

from __future__ import annotations

import os

__all__ = ["WORK_BYTES", "available_memory", "check_memory", "peak_rss", "work_bytes_per_draw"]

#: Peak bytes of temporaries per evaluated draw, by pipeline stage. Measured with
#: tracemalloc on the presets (core 0.9 kB; + stances 3.0 kB since the bimatrix solver
#: rescales each game and refines near-singular lanes; + offers 10.8 kB for the Korea
#: preset's calendar); ``tests/test_memory.py`` keeps them upper bounds.
WORK_BYTES: dict[str, int] = {"core": 1024, "stances": 3072, "talks": 12288, "offers": 12288}


def work_bytes_per_draw(stances: bool, talks: bool, offers: bool = False) -> int:
    """Upper bound on the temporaries of one evaluated draw for these stages."""
    return (
        WORK_BYTES["core"]
        + WORK_BYTES["stances"] * stances
        + WORK_BYTES["talks"] * talks
        + WORK_BYTES["offers"] * offers
    )


def _proc_kilobytes(path: str, field: str) -> int | None:
    """Bytes in a ``<field>: <n> kB`` line of a Linux ``/proc`` file, or None."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def available_memory() -> int | None:
    """Bytes of memory available to new allocations (Linux ``MemAvailable``), or None."""
    available = _proc_kilobytes("/proc/meminfo", "MemAvailable")
    if available is not None:
        return available
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return None


def peak_rss() -> int:
    """Peak resident memory of this process in bytes (Linux ``VmHWM``).

    ``resource.getrusage(...).ru_maxrss`` is not used on Linux: it survives
    ``fork`` + ``exec``, so a fresh child of a large process (pytest, a benchmark
    driver) reports its parent's peak. ``VmHWM`` belongs to the new address space.
    Elsewhere ``ru_maxrss`` is the fallback (kilobytes on Linux/BSD, bytes on macOS).
    """
    peak = _proc_kilobytes("/proc/self/status", "VmHWM")
    if peak is not None:
        return peak
    import resource
    import sys

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(maxrss if sys.platform == "darwin" else maxrss * 1024)


def _gb(x: float) -> str:
    return f"{x / 2**30:.2f} GiB"


def check_memory(
    *,
    n: int,
    chunk_size: int,
    task_draws: int,
    in_flight: int,
    draw_bytes: int,
    keep: bool,
    work_bytes: int = WORK_BYTES["core"],
    lhs_columns: int = 0,
    worker_memory: int | None = None,
    available: int | None = None,
) -> None:
    """Raise ``ValueError`` if the run cannot fit in memory (see the module docstring).

    Parameters
    ----------
    n, chunk_size, task_draws : int
        Draws in the run, per evaluation chunk, per task.
    in_flight : int
        Tasks held at once on this machine (threads), or per worker (cluster).
    draw_bytes : int
        Bytes of per-draw outputs and parameters for one draw.
    work_bytes : int
        Temporaries per evaluated draw (:func:`work_bytes_per_draw`).
    keep : bool
        The per-draw outputs are kept.
    lhs_columns : int
        Random parameters of a Latin-hypercube design (0 for other samplers).
    worker_memory : int, optional
        Memory limit of a cluster worker (tasks are checked against it, not locally).
    available : int, optional
        Local memory (default: :func:`available_memory`).
    """
    available = available_memory() if available is None else available
    task = chunk_size * work_bytes + 2 * task_draws * draw_bytes
    if worker_memory is not None and task > worker_memory:
        raise ValueError(
            f"chunk_size={chunk_size} needs about {_gb(task)} per task but a worker has "
            f"{_gb(worker_memory)}; use a chunk_size of at most "
            f"{max(1, worker_memory // (work_bytes + 2 * draw_bytes))}"
        )
    if available is None:
        return
    local = (task * in_flight if worker_memory is None else 0) + 2 * n * lhs_columns * 8
    kept = n * draw_bytes if keep else 0
    if local + kept <= available:
        return
    hints = []
    if kept:
        hints.append(
            f"keeping {n} draws needs {_gb(kept)}: use keep=False (streamed summaries), "
            f"optionally with store=path"
        )
    if task * in_flight > available / 2:
        hints.append(
            f"chunk_size={chunk_size} with {in_flight} task(s) in flight needs "
            f"{_gb(task * in_flight)}: use a smaller chunk_size"
        )
    if lhs_columns:
        hints.append(f"the Latin hypercube needs {_gb(2 * n * lhs_columns * 8)}: use 'sobol'")
    raise ValueError(
        f"this run needs about {_gb(local + kept)} but {_gb(available)} is available; "
        + "; ".join(hints or ["use keep=False or a smaller chunk_size"])
    )
