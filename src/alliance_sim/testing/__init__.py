"""Public hypothesis strategies, property checkers and slow references (needs the ``test`` extra).

* :mod:`alliance_sim.testing.strategies` — hypothesis strategies;
* :mod:`alliance_sim.testing.checkers` — property checkers for a researcher's own tests
  (also importable from here: ``from alliance_sim.testing import check_monotone``);
* :mod:`alliance_sim.testing.reference` — slow per-draw reference implementations;
* :mod:`alliance_sim.testing.discrete_attrition` — a discrete-time war of attrition
  solved by backward induction on a belief grid (the reference of the reputational
  solvers).

The strategies import hypothesis, so they load only when asked for; the checkers need
only the core package.
"""

from .checkers import (
    check_individual_rationality,
    check_monotone,
    check_pareto_efficiency,
    check_rescaling_invariance,
)

__all__ = [
    "check_individual_rationality",
    "check_monotone",
    "check_pareto_efficiency",
    "check_rescaling_invariance",
]
