"""Calibration of the talks to the past agreements, and honest forecasting.

* :mod:`~alliance_sim.calibration.abc`: a generic, vectorized ABC-SMC engine
  (Beaumont et al. 2009) with adaptive distances (Prangle 2017) and a rank statistic
  for simulation-based calibration (Talts et al. 2018).
* :mod:`~alliance_sim.calibration.targets`: what each past agreement says (the
  first-year change, a one-year term, a lapse, the years to agreement) and its calendar.
* :mod:`~alliance_sim.calibration.past`: a preset moved to a past agreement's talks.
* :mod:`~alliance_sim.calibration.model`: the calibrated parameters and the simulator.
* :mod:`~alliance_sim.calibration.fit`: :func:`calibrate` and posterior predictions.
* :mod:`~alliance_sim.calibration.backtest`: the rolling backtest with the
  calibration inside the loop, scored with proper scoring rules.
"""

from .abc import NAN_RESIDUAL, ABCResult, Generation, Prior, abc_smc, rank_statistic
from .backtest import SUMMARY_KEYS, RollingBacktest, rolling_backtest, rolling_summary_table
from .fit import Calibration, Predictive, calibrate, history_targets
from .model import SUMMARIES, THETA, PastTalks
from .past import past_scenario
from .targets import TARGETS, agreement_targets

__all__ = [
    "NAN_RESIDUAL",
    "SUMMARIES",
    "SUMMARY_KEYS",
    "TARGETS",
    "THETA",
    "ABCResult",
    "Calibration",
    "Generation",
    "PastTalks",
    "Predictive",
    "Prior",
    "RollingBacktest",
    "abc_smc",
    "agreement_targets",
    "calibrate",
    "history_targets",
    "past_scenario",
    "rank_statistic",
    "rolling_backtest",
    "rolling_summary_table",
]
