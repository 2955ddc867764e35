"""Sweep: evaluate the pipeline over many draws, in chunks, from one seed.

Fifth stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .chunks import CHUNK, ChunkError
from .execution import DASK_CONFIG
from .pipeline import (
    OUTPUTS,
    bargaining_problem,
    evaluate,
    evaluate_offers,
    evaluate_stances,
    evaluate_talks,
    has_offers,
    has_stance_game,
    has_talks,
    stance_names,
)
from .simulate import simulate

__all__ = [
    "CHUNK",
    "DASK_CONFIG",
    "OUTPUTS",
    "ChunkError",
    "bargaining_problem",
    "evaluate",
    "evaluate_offers",
    "evaluate_stances",
    "evaluate_talks",
    "has_offers",
    "has_stance_game",
    "has_talks",
    "simulate",
    "stance_names",
]
