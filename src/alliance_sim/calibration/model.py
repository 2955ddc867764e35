r"""The calibrated parameters and the vectorized simulator of the past agreements.

Calibrated parameters
---------------------
:data:`THETA` names the unit-free parameters the history informs, one value shared
by every agreement (the same structural model governs all talks; what differs
between agreements is the payment in force, the calendar, the administration and
the draws of every other parameter):

``posture_challenger_ratio``
    The payment a committed ordinary administration insists on, as a multiple of
    the payment in force (which side's posture prevails decides the change).
``z_host``
    The prior probability that the host is committed to its posture
    (``z_J`` in the Japan preset, ``z_K`` in the Korea preset).
``z_challenger``
    The same for an ordinary administration.
``hold_share``
    How far a committed incumbent-type administration's posture moves toward its
    stated demand.
``collapse_rate``
    The hazard that talks past the expiry collapse (years⁻¹).
``rounds``
    The years of technical rounds before either side can settle.

Their prior is the distribution the base presets give them (they must agree:
:func:`prior`). Every other parameter keeps its preset distribution and is drawn
afresh for each agreement and each simulation.

Simulator
---------
For parameter vectors :math:`\theta_1 … \theta_n` and agreements :math:`1 … R`,
:meth:`PastTalks.simulate` draws, for each agreement :math:`r`, one realization of
the talks (:func:`~alliance_sim.games.talks.talks_equilibrium` on the agreement's
scenario, :func:`~alliance_sim.calibration.past.past_scenario`) per parameter vector
and returns the statistics matrix of shape :math:`(n, 4R)`: for each agreement the
realized change :math:`x/x_0 - 1` of the agreed payment, 1 if the term is one
year, 1 if it lapsed, the years to agreement (NaN where the talks end without an
agreement: a mismatch, since every past talk ended in one). The loop runs over the
agreements; each is one vectorized call over the parameter vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats.distributions import rv_frozen

from .._rng import SeedLike, child_generator, name_key, seed_sequence
from ..games.talks import talks_equilibrium
from ..parameters import Parameter
from ..scenarios import Scenario
from .abc import Prior
from .past import base_for, past_scenario
from .targets import TARGETS

__all__ = ["SUMMARIES", "THETA", "PastTalks", "parameter_name", "prior", "talks_at"]

#: The calibrated parameters (module docstring), by their generic names.
THETA = (
    "posture_challenger_ratio",
    "z_host",
    "z_challenger",
    "hold_share",
    "collapse_rate",
    "rounds",
)


#: The summary statistics (target, where): means over the agreements observed there.
SUMMARIES: tuple[tuple[str, str], ...] = (
    ("change", "Japan"),
    ("change", "South Korea"),
    ("abs_change", "all"),
    ("one_year", "all"),
    ("lapse", "Japan"),
    ("lapse", "South Korea"),
    ("delay", "all"),
    ("no_deal", "all"),
)


def parameter_name(scn: Scenario, generic: str) -> str:
    """The scenario's name of a calibrated parameter (``z_host`` → ``z_J`` or ``z_K``)."""
    if generic == "z_host":
        if scn.talks is None:
            raise ValueError(f"{scn.name}: no talks calendar, so no host commitment")
        return scn.talks.payer_commitment
    return generic


def talks_at(
    scn: Scenario, theta: NDArray[np.float64], names: Sequence[str], seed: SeedLike
) -> dict[str, NDArray]:
    """Talks outputs of ``scn`` with the calibrated parameters set per draw to ``theta``.

    Every other parameter is drawn from ``scn`` (seed ``seed``); the quantities derived
    from the calibrated ones follow (:meth:`ParameterSpace.rederive`).
    """
    draws = scn.parameters.sample(theta.shape[0], seed=seed)
    fixed = {parameter_name(scn, g): theta[:, j] for j, g in enumerate(names)}
    draws = scn.parameters.rederive(draws.replace(**fixed), keep=tuple(fixed))
    return talks_equilibrium(scn, draws)


def _describe(dist: float | rv_frozen) -> tuple:
    if isinstance(dist, int | float):
        return ("fixed", float(dist))
    return (dist.dist.name, tuple(dist.args), tuple(sorted(dist.kwds.items())))


def prior(bases: Sequence[Scenario], names: Sequence[str] = THETA) -> Prior:
    """The prior of the calibrated parameters: their distributions in the base presets.

    Raises
    ------
    ValueError
        If a parameter is fixed (nothing to calibrate) or the bases disagree on it.
    """
    if not bases:
        raise ValueError("prior needs at least one base scenario")
    dists = []
    for g in names:
        found = [b.parameters[parameter_name(b, g)] for b in bases]
        laws: list[rv_frozen] = []
        for b, p in zip(bases, found, strict=True):
            if not isinstance(p, Parameter) or not isinstance(p.value, rv_frozen):
                raise ValueError(f"{b.name}: {p.name!r} is not random: nothing to calibrate")
            laws.append(p.value)
        first = _describe(laws[0])
        for b, law in zip(bases[1:], laws[1:], strict=True):
            if _describe(law) != first:
                raise ValueError(
                    f"the base presets disagree on the prior of {g!r}: {bases[0].name} "
                    f"{first} vs {b.name} {_describe(law)}"
                )
        d = laws[0]
        dists.append(d.dist(*d.args, **d.kwds))
    return Prior(list(names), dists)


@dataclass
class PastTalks:
    """The talks of past agreements as one vectorized simulator (module docstring).

    Parameters
    ----------
    facts : pandas.DataFrame
        Rows of :func:`~alliance_sim.calibration.targets.agreement_targets`.
    bases : dict of str to Scenario, optional
        Base preset per country (default :data:`~alliance_sim.calibration.past.BASES`).
    names : sequence of str
        The calibrated parameters (default :data:`THETA`).
    """

    facts: pd.DataFrame
    bases: dict[str, Scenario] | None = None
    names: Sequence[str] = THETA

    def __post_init__(self) -> None:
        if len(self.facts) == 0:
            raise ValueError("facts is empty: no agreement to simulate")
        self.scenarios = {
            name: past_scenario(row, base_for(row["country"], self.bases))
            for name, row in self.facts.iterrows()
        }

    @property
    def observed_targets(self) -> NDArray[np.float64]:
        """The observed targets, agreement by agreement, :data:`TARGETS` each (NaN: none)."""
        return self.facts[list(TARGETS)].to_numpy(dtype=np.float64).ravel()

    @property
    def observed(self) -> NDArray[np.float64]:
        """The observed summaries (:meth:`summaries` of the observed targets)."""
        out = self.summaries(self.observed_targets[None, :])[0]
        out[SUMMARIES.index(("no_deal", "all"))] = 0.0  # every past talk ended in agreement
        return out

    def summaries(self, stats: NDArray[np.float64]) -> NDArray[np.float64]:
        r"""The summary statistics the calibration compares (:data:`SUMMARIES`).

        Each is the mean, over the agreements whose target is *observed*, of the
        simulated target (NaN draws, talks without agreement, left out of the mean;
        NaN if none is left); ``|change|`` is the mean absolute change; ``no deal`` the
        share of the agreements without one (observed: 0). Per-agreement binary
        outcomes are too noisy to compare one by one (one simulation per agreement
        and parameter vector); their shares keep what the data say about the rates.
        """
        r = len(self.facts)
        sims = np.asarray(stats, dtype=np.float64).reshape(stats.shape[0], r, len(TARGETS))
        observed = ~np.isnan(self.observed_targets.reshape(r, len(TARGETS)))
        country = self.facts["country"].to_numpy()
        out = []
        for target, where in SUMMARIES:
            if target == "no_deal":
                # The term is NaN exactly where the talks ended without agreement.
                out.append(np.isnan(sims[:, :, TARGETS.index("one_year")]).mean(axis=1))
                continue
            j = TARGETS.index("change" if target == "abs_change" else target)
            rows = observed[:, j] & ((country == where) if where != "all" else True)
            vals = sims[:, rows, j]
            if target == "abs_change":
                vals = np.abs(vals)
            with np.errstate(invalid="ignore"):
                count = (~np.isnan(vals)).sum(axis=1)
                total = np.nansum(vals, axis=1)
                out.append(np.where(count > 0, total / np.maximum(count, 1), np.nan))
        return np.column_stack(out)

    def prior(self) -> Prior:
        """The prior of :data:`THETA` from the agreements' base presets (:func:`prior`)."""
        return prior(list(self.scenarios.values()), self.names)

    def outputs(
        self, theta: NDArray[np.float64], seed: int | np.random.SeedSequence
    ) -> dict[str, dict[str, NDArray]]:
        """Talks outputs of every agreement for each row of ``theta`` (one draw each).

        The draws of agreement ``r`` come from the stream ``(seed, name_key(r))``, so
        an agreement's numbers do not depend on which other agreements are simulated.
        """
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim != 2 or theta.shape[1] != len(self.names):
            raise ValueError(f"theta must have shape (n, {len(self.names)}); got {theta.shape}")
        root = seed_sequence(seed)
        out = {}
        for name, scn in self.scenarios.items():  # a loop over agreements, not draws
            rng = child_generator(root, name_key(str(name)))
            seed_r = np.random.SeedSequence(rng.integers(0, 2**63 - 1, size=4).tolist())
            out[str(name)] = talks_at(scn, theta, self.names, seed_r)
        return out

    def statistics(self, outputs: dict[str, dict[str, NDArray]]) -> NDArray[np.float64]:
        """The ``(n, 4R)`` statistics matrix of :meth:`outputs` (module docstring)."""
        cols = []
        for name in self.facts.index:
            o = outputs[str(name)]
            deal = ~o["no_deal"].astype(bool)
            scn = self.scenarios[name]
            x0 = float(scn.parameters.parameter(scn.status_quo).value)
            cols += [
                np.where(deal, o["spe_payment"] / x0 - 1.0, np.nan),
                np.where(deal, (o["term_years"] == 1.0).astype(np.float64), np.nan),
                o["lapse"].astype(np.float64),
                np.where(deal, o["agreement_time"], np.nan),
            ]
        return np.column_stack(cols)

    def simulate(self, theta: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.float64]:
        """The simulator of :func:`~alliance_sim.calibration.abc.abc_smc`."""
        seed = np.random.SeedSequence(rng.integers(0, 2**63 - 1, size=4).tolist())
        return self.summaries(self.statistics(self.outputs(theta, seed)))
