"""alliance_sim: vectorized bargaining models of alliance cost-sharing talks.

Data flows one way: ``parameters → players → games → solvers → sweep → results``.

>>> import alliance_sim as asim
>>> scn = asim.scenarios.japan_us_2020()
>>> res = asim.simulate(scn, n=2_000, seed=7)
>>> table = res.summary()
>>> float(table.loc[("settlement range", "P(non-empty)"), "all"])
1.0
>>> res["nash_payment"].shape
(2000,)
"""

from . import games, parameters, players, results, scenarios, solvers, sweep
from .games import BargainingProblem
from .parameters import Derived, Draws, Parameter, ParameterSpace
from .players import ElectionTiming, Player
from .results import SimulationResult
from .scenarios import Scenario
from .sweep import evaluate, simulate

__version__ = "0.1.0"

__all__ = [
    "BargainingProblem",
    "Derived",
    "Draws",
    "ElectionTiming",
    "Parameter",
    "ParameterSpace",
    "Player",
    "Scenario",
    "SimulationResult",
    "__version__",
    "evaluate",
    "games",
    "parameters",
    "players",
    "results",
    "scenarios",
    "simulate",
    "solvers",
    "sweep",
]
