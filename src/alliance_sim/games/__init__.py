"""Games: the per-draw bargaining problem and stance game built from players and draws.

Third stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .bargaining import BargainingProblem
from .stance import TOKYO_STANCES, WASHINGTON_STANCES, StanceGame, stance_game

__all__ = ["TOKYO_STANCES", "WASHINGTON_STANCES", "BargainingProblem", "StanceGame", "stance_game"]
