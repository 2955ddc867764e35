"""Scenarios: presets and the `Scenario` container.

* :func:`japan_us_2020` — the autumn-2020 Japan–US host-nation support talks;
* :func:`korea_us_2019` — the Korea–US talks after the 10th SMA expired (end of 2019);
* :func:`load_scenario` / :func:`save_scenario` — scenario files (TOML); the presets are
  such files shipped with the package (:func:`preset_file`).
"""

from .calendar import TalksCalendar
from .files import ScenarioFileError, dump_scenario, load_scenario, save_scenario
from .presets import PRESETS, japan_us_2020, korea_us_2019, preset_file
from .scenario import SINCE_OPENED, Scenario, years_between

__all__ = [
    "PRESETS",
    "SINCE_OPENED",
    "Scenario",
    "ScenarioFileError",
    "TalksCalendar",
    "dump_scenario",
    "japan_us_2020",
    "korea_us_2019",
    "load_scenario",
    "preset_file",
    "save_scenario",
    "years_between",
]
