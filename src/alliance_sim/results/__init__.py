"""Results: per-draw arrays and their summaries.

Last stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .result import PAYMENT_OUTPUTS, QUANTILES, SimulationResult

__all__ = ["PAYMENT_OUTPUTS", "QUANTILES", "SimulationResult"]
