"""Results: per-draw arrays and their summaries.

Last stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .result import PAYMENT_OUTPUTS, QUANTILES, SimulationResult
from .sketch import QuantileSketch
from .store import load_result, save_result

__all__ = [
    "PAYMENT_OUTPUTS",
    "QUANTILES",
    "QuantileSketch",
    "SimulationResult",
    "load_result",
    "save_result",
]
