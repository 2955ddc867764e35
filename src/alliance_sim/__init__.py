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

import importlib
from typing import Any

__version__ = "0.1.0"

# Submodules and names load on first use (PEP 562), so `import alliance_sim` and the
# command line start fast; `alliance_sim.simulate` etc. work as usual.
_SUBMODULES = (
    "backtest",
    "calibration",
    "data",
    "games",
    "parameters",
    "players",
    "results",
    "scenarios",
    "scoring",
    "sensitivity",
    "solvers",
    "sweep",
    "testing",
)
_NAMES = {
    "BargainingProblem": "games",
    "Derived": "parameters",
    "Draws": "parameters",
    "Parameter": "parameters",
    "ParameterSpace": "parameters",
    "ElectionTiming": "players",
    "Player": "players",
    "SimulationResult": "results",
    "load_result": "results",
    "Scenario": "scenarios",
    "load_scenario": "scenarios",
    "save_scenario": "scenarios",
    "evaluate": "sweep",
    "simulate": "sweep",
}

__all__ = ["__version__", *sorted(_NAMES), *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
