"""Games: the per-draw bargaining problem built from players and draws.

Third stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .bargaining import BargainingProblem

__all__ = ["BargainingProblem"]
