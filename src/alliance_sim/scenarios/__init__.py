"""Scenarios: presets and the `Scenario` container.

* :func:`japan_us_2020` — the autumn-2020 Japan–US host-nation support talks;
* :func:`korea_us_2019` — the Korea–US talks after the 10th SMA expired (end of 2019);
* :func:`load_scenario` / :func:`save_scenario` — scenario files (TOML).
"""

from .calendar import TalksCalendar
from .files import ScenarioFileError, dump_scenario, load_scenario, save_scenario
from .japan_us_2020 import japan_us_2020
from .korea_us_2019 import korea_us_2019
from .scenario import Scenario, years_between

#: The presets by name.
PRESETS = {"japan_us_2020": japan_us_2020, "korea_us_2019": korea_us_2019}

__all__ = [
    "PRESETS",
    "Scenario",
    "ScenarioFileError",
    "TalksCalendar",
    "dump_scenario",
    "japan_us_2020",
    "korea_us_2019",
    "load_scenario",
    "save_scenario",
    "years_between",
]
