"""Solvers: pure, vectorized solution concepts (array in, array out; no loop over draws).

Fourth stage of the pipeline ``parameters → players → games → solvers → sweep →
results``. One solution concept per module:

* :mod:`~alliance_sim.solvers.nash` — generalized (asymmetric) Nash bargaining;
* :mod:`~alliance_sim.solvers.kalai_smorodinsky` — Kalai–Smorodinsky;
* :mod:`~alliance_sim.solvers.split` — split-the-difference;
* :mod:`~alliance_sim.solvers.bimatrix` — all Nash equilibria of batches of bimatrix games;
* :mod:`~alliance_sim.solvers.selection` — payoff- and risk-dominance selection;
* :mod:`~alliance_sim.solvers.alternating` — alternating offers by backward induction;
* :mod:`~alliance_sim.solvers.screening` — two-period screening under one-sided
  incomplete information;
* :mod:`~alliance_sim.solvers.rootfind` — the vectorized bracketing root finder.
"""

from ._common import BargainingLike, Solution
from .bimatrix import Equilibria, bimatrix_equilibria
from .kalai_smorodinsky import ks_linear, ks_solution
from .nash import nash_linear, nash_solution
from .rootfind import RootResult, bracket_monotone, find_root, split_at_points
from .screening import screening_cutoff, two_period_screening
from .selection import (
    pareto_undominated,
    payoff_dominant,
    risk_dominant_2x2,
    select_equilibrium,
)
from .split import split_linear, split_solution

__all__ = [
    "BargainingLike",
    "Equilibria",
    "RootResult",
    "Solution",
    "bimatrix_equilibria",
    "bracket_monotone",
    "find_root",
    "ks_linear",
    "ks_solution",
    "nash_linear",
    "nash_solution",
    "pareto_undominated",
    "payoff_dominant",
    "risk_dominant_2x2",
    "screening_cutoff",
    "select_equilibrium",
    "split_at_points",
    "split_linear",
    "split_solution",
    "two_period_screening",
]
