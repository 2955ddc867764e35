"""Scenarios: presets and the `Scenario` container.

* :func:`japan_us_2020` — the autumn-2020 Japan–US host-nation support talks.
"""

from .calendar import TalksCalendar
from .japan_us_2020 import japan_us_2020
from .scenario import Scenario, years_between

__all__ = ["Scenario", "TalksCalendar", "japan_us_2020", "years_between"]
