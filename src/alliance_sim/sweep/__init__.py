"""Sweep: evaluate the pipeline over many draws, in chunks, from one seed.

Fifth stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .pipeline import OUTPUTS, evaluate
from .simulate import simulate

__all__ = ["OUTPUTS", "evaluate", "simulate"]
