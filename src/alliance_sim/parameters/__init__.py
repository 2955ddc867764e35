"""Parameters: named inputs with units and provenance, sampled into `Draws`.

First stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from . import formulas, laws
from .draws import Draws
from .laws import describe_distribution, law
from .sampling import BLOCK, SAMPLERS, unit_design
from .space import LATENT_UNIT, Derived, Parameter, ParameterSpace

__all__ = [
    "BLOCK",
    "LATENT_UNIT",
    "SAMPLERS",
    "Derived",
    "Draws",
    "Parameter",
    "ParameterSpace",
    "describe_distribution",
    "formulas",
    "law",
    "laws",
    "unit_design",
]
