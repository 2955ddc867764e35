"""Parameters: named inputs with units and provenance, sampled into `Draws`.

First stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from . import formulas
from .draws import Draws
from .sampling import BLOCK, SAMPLERS, unit_design
from .space import Derived, Parameter, ParameterSpace, describe_distribution

__all__ = [
    "BLOCK",
    "SAMPLERS",
    "Derived",
    "Draws",
    "Parameter",
    "ParameterSpace",
    "describe_distribution",
    "formulas",
    "unit_design",
]
