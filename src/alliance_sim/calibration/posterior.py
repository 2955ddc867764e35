r"""The shipped posterior, and presets whose calibrated parameters come from it.

The file ``alliance_sim/data/posterior_talks.csv`` holds the particles and weights of
:func:`~alliance_sim.calibration.fit.calibrate` on the agreements before FY2020 (all
rows of the dataset: the last, Korea's 10th SMA, was signed in March 2019, before the
Korea talks of autumn 2019 and the Japan talks of 2020), with the settings in ``#``
header lines. It is regenerated, bit for bit on the same platform and library
versions, by the command in its header::

    alliance-sim calibrate --before 2020 --particles 1000 --generations 8 --seed 2020 \
        --out src/alliance_sim/data/posterior_talks.csv

**Calibrated presets.** A preset's calibrated parameters
(:data:`~alliance_sim.calibration.model.THETA`) get, in place of their hand-set
prior, a Beta distribution on the prior's support :math:`[a, b]` with the
posterior's weighted mean :math:`m` and variance :math:`v` (method of moments on
:math:`y = (\theta - a)/(b - a)`):

.. math:: \alpha = \bar m\,c,\quad \beta = (1 - \bar m)\,c,\quad
          c = \frac{\bar m (1 - \bar m)}{\bar v} - 1,

with :math:`\bar m = (m - a)/(b - a)`, :math:`\bar v = v/(b - a)^2`. The parameters
are then drawn independently: the posterior's correlations are dropped (they are
reported in ``docs/explanation/calibration.md``), a simplification a preset's independent
parameters need. :func:`~alliance_sim.calibration.fit.Calibration.predict` keeps
them, from the particles.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..scenarios import Scenario
from .abc import Generation
from .fit import Calibration
from .model import parameter_name, prior

__all__ = [
    "POSTERIOR_FILE",
    "beta_on_support",
    "calibrated_preset",
    "read_posterior",
    "write_posterior",
]

#: The shipped posterior (package data of :mod:`alliance_sim.data`).
POSTERIOR_FILE = "posterior_talks.csv"


def write_posterior(cal: Calibration, path: str | Path, *, command: str = "") -> Path:
    """Write the particles and weights of ``cal`` with its settings as ``#`` lines."""
    r = cal.result
    last: Generation = r.history[-1]
    meta = {
        "what": "ABC-SMC posterior of the talks' calibrated parameters (alliance_sim)",
        "before": "" if cal.before is None else cal.before,
        "agreements": "; ".join(str(a) for a in cal.facts.index),
        "particles": r.particles.shape[0],
        "generations": len(r.history),
        "stop_reason": r.stop_reason,
        "simulations": r.n_simulations,
        "epsilon": f"{last.epsilon:.6g}",
        "ess": f"{r.ess:.1f}",
        "seed": "" if cal.seed is None else cal.seed,
        "command": command,
    }
    frame = r.to_frame()
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        for k, v in meta.items():
            f.write(f"# {k}: {v}\n")
        frame.to_csv(f, index=False, float_format="%.17g")
    return path


def read_posterior(path: str | Path | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Particles (with a ``weight`` column) and the ``#`` header of a posterior file.

    ``path`` None reads the shipped file (:data:`POSTERIOR_FILE`).
    """
    if path is None:
        text = resources.files("alliance_sim.data").joinpath(POSTERIOR_FILE).read_text("utf-8")
        source = f"alliance_sim/data/{POSTERIOR_FILE}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    meta = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        meta[key.strip()] = value.strip()
    from io import StringIO

    frame = pd.read_csv(StringIO(text), comment="#")
    if "weight" not in frame or len(frame) < 2:
        raise ValueError(f"{source}: not a posterior file (needs particles and a weight column)")
    w = frame["weight"].to_numpy()
    if np.any(~np.isfinite(w)) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"{source}: weights must be non-negative and sum to 1")
    meta["source"] = source
    return frame, meta


def beta_on_support(
    values: np.ndarray, weights: np.ndarray, low: float, high: float
) -> stats.rv_continuous:
    """Beta on ``[low, high]`` with the weighted mean and variance of ``values`` (docstring)."""
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"a bounded support is needed; got [{low}, {high}]")
    y = (np.asarray(values, dtype=np.float64) - low) / (high - low)
    w = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    m = float(np.sum(w * y))
    v = float(np.sum(w * (y - m) ** 2))
    if not (0.0 < m < 1.0) or v <= 0.0 or v >= m * (1.0 - m):
        raise ValueError(f"cannot fit a Beta to mean {m:g} and variance {v:g} on [0, 1]")
    c = m * (1.0 - m) / v - 1.0
    return stats.beta(m * c, (1.0 - m) * c, loc=low, scale=high - low)


def calibrated_preset(
    scenario: Scenario, target_fy: int, *, path: str | Path | None = None
) -> Scenario:
    """``scenario`` with its calibrated parameters fitted to the posterior (module docstring).

    Parameters
    ----------
    scenario : Scenario
        The uncalibrated preset.
    target_fy : int
        First fiscal year of the agreement the preset models; the posterior must have
        been fitted on rows before it (no peeking).
    path : str or Path, optional
        A posterior file (default: the shipped one).

    Raises
    ------
    ValueError
        If the posterior reads rows not dated before ``target_fy`` or lacks a header.
    """
    frame, meta = read_posterior(path)
    before = meta.get("before", "")
    if not before or int(before) > int(target_fy):
        raise ValueError(
            f"{scenario.name}: the posterior ({meta['source']}, rows before FY{before or '?'}) "
            f"is not dated before the preset's agreement (FY{target_fy}): it would peek"
        )
    names = [c for c in frame.columns if c != "weight"]
    pri = prior([scenario], names)
    low, high = pri.support()
    w = frame["weight"].to_numpy()
    n_rows = len([a for a in meta.get("agreements", "").split(";") if a.strip()])
    space = scenario.parameters
    for j, g in enumerate(names):
        dist = beta_on_support(frame[g].to_numpy(), w, float(low[j]), float(high[j]))
        name = parameter_name(scenario, g)
        a, b = dist.args[:2]
        space = space.replace(
            name,
            value=dist,
            provenance=(
                f"calibrated on the {n_rows} past agreements with a target before FY{before} "
                f"(ABC-SMC, seed {meta.get('seed', '?')}; docs/explanation/calibration.md): "
                f"Beta({a:.3g}, {b:.3g}) on [{low[j]:g}, {high[j]:g}] with the posterior's "
                f"mean and variance. Uncalibrated prior: {space[name].provenance}"
            ),
        )
    return dataclasses.replace(scenario, parameters=space)
