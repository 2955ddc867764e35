"""Players: utility terms, their weighted sums, and Washington's election timing.

Second stage of the pipeline ``parameters → players → games → solvers → sweep →
results``.
"""

from .defaults import tokyo, washington
from .election import ElectionTiming
from .player import Player
from .terms import (
    Constant,
    DeadlinePressure,
    Domain,
    DrawdownOption,
    FiscalCost,
    FunctionTerm,
    LapseCost,
    NoDealCost,
    PaymentValue,
    ReferencePoint,
    SecurityValue,
    UtilityTerm,
)

__all__ = [
    "Constant",
    "DeadlinePressure",
    "Domain",
    "DrawdownOption",
    "ElectionTiming",
    "FiscalCost",
    "FunctionTerm",
    "LapseCost",
    "NoDealCost",
    "PaymentValue",
    "Player",
    "ReferencePoint",
    "SecurityValue",
    "UtilityTerm",
    "tokyo",
    "washington",
]
