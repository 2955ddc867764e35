"""The presets: scenario files shipped with the package, read like any other.

Each preset is written once, as a scenario file in ``alliance_sim/scenarios/preset_files/``
(the layout of :mod:`~alliance_sim.scenarios.files`): every parameter with its unit and
provenance — a fact with its public source (``docs/reference/sources.md``) or ``"assumption: …"``
with its reason — and the file's leading comments give the arguments several
assumptions share. :func:`japan_us_2020` and :func:`korea_us_2019` read their file and,
by default, replace the calibrated parameters by the posterior fitted on the agreements
dated before the one under talks (:func:`~alliance_sim.calibration.posterior.calibrated_preset`).

To change a preset, export it (``alliance-sim export japan_us_2020 --out mine.toml`` or
:func:`preset_file`), edit the copy and run it; the shipped files are read-only data.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from .files import scenario_from_toml
from .scenario import Scenario

__all__ = ["PRESETS", "TARGET_FY", "japan_us_2020", "korea_us_2019", "preset_file"]

#: First fiscal year of the agreement each preset's talks were about: the calibrated
#: preset reads only the agreements dated before it (no peeking).
TARGET_FY: dict[str, int] = {"japan_us_2020": 2021, "korea_us_2019": 2020}


def preset_file(name: str) -> Traversable:
    """The shipped scenario file of preset ``name`` (read it with ``.read_text()``).

    Raises
    ------
    KeyError
        If ``name`` is not a preset (the message lists them).
    """
    if name not in TARGET_FY:
        raise KeyError(f"no preset {name!r}; the presets are {', '.join(TARGET_FY)}")
    return resources.files(__package__).joinpath("preset_files", f"{name}.toml")


def _preset(name: str, calibrated: bool) -> Scenario:
    text = preset_file(name).read_text(encoding="utf-8")
    scenario = scenario_from_toml(text, source=f"alliance_sim/scenarios/preset_files/{name}.toml")
    if not calibrated:
        return scenario
    from ..calibration.posterior import calibrated_preset  # (the calibration reads presets)

    return calibrated_preset(scenario, TARGET_FY[name])


def japan_us_2020(*, calibrated: bool = True) -> Scenario:
    """The autumn-2020 Japan–US talks on host-nation support for FY2021–2025.

    Tokyo pays; Washington is paid. Washington's type (incumbent or challenger)
    is drawn with the election probability and takes office on 20 January
    2021; the agreement is assumed signed on 15 February 2021, so the winner's
    preferences apply. Results are reported overall and by election winner.
    The numbers are those of ``preset_files/japan_us_2020.toml``
    (:func:`preset_file`); ``docs/explanation/model/presets.md`` explains them.

    Parameters
    ----------
    calibrated : bool
        True (the default): the calibrated parameters
        (:data:`alliance_sim.calibration.THETA`) follow the posterior fitted on the past
        agreements before FY2021 (:func:`alliance_sim.calibration.posterior.calibrated_preset`,
        ``docs/explanation/calibration.md``). False: the hand-set assumptions of the file.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> scn = japan_us_2020()
    >>> scn.parameters["status_quo"].value
    199.3
    >>> scn.opened
    datetime.date(2020, 10, 15)
    """
    return _preset("japan_us_2020", calibrated)


def korea_us_2019(*, calibrated: bool = True) -> Scenario:
    """The Korea–US talks on host-nation support after the 10th SMA (₩1.0389 trillion, 2019).

    The same model as :func:`japan_us_2020` with Seoul as the payer (its parameters end
    in ``_K``) and money in ₩ billion a year; parameters whose reasoning carries over
    from the Japan preset say so in their provenance. The numbers are those of
    ``preset_files/korea_us_2019.toml`` (:func:`preset_file`); ``docs/explanation/model/presets.md``
    explains them.

    Parameters
    ----------
    calibrated : bool
        True (the default): the calibrated parameters
        (:data:`alliance_sim.calibration.THETA`) follow the posterior fitted on the past
        agreements before 2020 (:func:`alliance_sim.calibration.posterior.calibrated_preset`,
        ``docs/explanation/calibration.md``). False: the hand-set assumptions of the file.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> scn = korea_us_2019()
    >>> scn.payer.name, scn.parameters["status_quo"].value
    ('Seoul', 1038.9)
    """
    return _preset("korea_us_2019", calibrated)


#: The presets by name.
PRESETS = {"japan_us_2020": japan_us_2020, "korea_us_2019": korea_us_2019}
