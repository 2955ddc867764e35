"""The one path from a user's ``seed``/``rng`` to numpy random streams.

Every random number in alliance_sim comes from a :class:`numpy.random.SeedSequence`
made here, never from numpy's global state. Streams for independent pieces of
work are *derived* from that sequence by a ``spawn_key`` that names the piece
(for example the logical block of draws and the parameter), so the numbers a
piece receives do not depend on how many other pieces exist or in which order
they are computed. This is what makes results bit-identical however a run is
chunked (O'Neill 2014; numpy's ``SeedSequence`` documentation).

References
----------
M. E. O'Neill (2014), "PCG: A family of simple fast space-efficient
statistically good algorithms for random number generation", HMC-CS-2014-0905.
"""

from __future__ import annotations

import zlib

import numpy as np

SeedLike = int | np.random.SeedSequence | None

__all__ = ["SeedLike", "child_generator", "name_key", "seed_sequence"]


def seed_sequence(seed: SeedLike = None) -> np.random.SeedSequence:
    """Turn ``seed`` into a :class:`numpy.random.SeedSequence`.

    Parameters
    ----------
    seed : int, SeedSequence or None
        A non-negative integer, an existing sequence (returned as is), or None
        for fresh OS entropy (the entropy is kept on the sequence, so the run
        can be repeated by passing ``SeedSequence(entropy)`` back).

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    TypeError
        If ``seed`` is a bool, a float or another type.
    ValueError
        If ``seed`` is a negative integer.

    Examples
    --------
    >>> seed_sequence(7).entropy
    7
    """
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed if seed is not None else np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"seed must be a non-negative int, a numpy.random.SeedSequence or None; "
            f"got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int; got {seed}")
    return np.random.SeedSequence(int(seed))


def name_key(name: str) -> int:
    """Stable 32-bit key for a name (CRC-32), used inside a ``spawn_key``.

    Python's ``hash`` is salted per process, so it cannot be used here.
    """
    return zlib.crc32(name.encode("utf-8"))


def child_generator(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """Generator for the piece of work named by ``key`` under ``root``.

    The child is ``SeedSequence(root.entropy, spawn_key=root.spawn_key + key)``:
    the same key always gives the same stream, and distinct keys give
    statistically independent streams (numpy's SeedSequence hashing).

    Parameters
    ----------
    root : numpy.random.SeedSequence
        The run's sequence from :func:`seed_sequence`.
    *key : int
        Non-negative integers naming the piece (e.g. block index, parameter key).

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator.
    """
    child = np.random.SeedSequence(
        root.entropy, spawn_key=tuple(root.spawn_key) + tuple(int(k) for k in key)
    )
    return np.random.Generator(np.random.PCG64(child))
