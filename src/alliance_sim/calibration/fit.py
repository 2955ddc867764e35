r"""Calibrate the talks to the past agreements, and predict an agreement from the posterior.

:func:`calibrate` runs :func:`~alliance_sim.calibration.abc.abc_smc` with the simulator
of :class:`~alliance_sim.calibration.model.PastTalks` on the agreements of the
dataset dated before a cut-off, and returns a :class:`Calibration`: the posterior
particles of :data:`~alliance_sim.calibration.model.THETA` with their weights and
the run's diagnostics.

:meth:`Calibration.predict` gives the posterior predictive of one agreement (past
or new): ``n`` parameter vectors resampled from the posterior (weights), each with
fresh draws of every other parameter, through the talks stage on that agreement's
scenario. :class:`Predictive` holds the realized changes, terms, lapses and times
of the draws that reached an agreement, and the ex-ante probabilities per draw.

No peeking: the targets of a row come from that row and earlier rows only
(:func:`~alliance_sim.calibration.targets.agreement_targets`), and
:func:`calibrate` with ``before=y`` reads only rows with ``start_fy < y``; the tests
corrupt later rows and check the posterior does not move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._rng import SeedLike, child_generator, seed_sequence
from ..data import agreements
from ..scenarios import Scenario
from .abc import ABCResult, abc_smc
from .model import THETA, PastTalks
from .past import BASES, lead_years
from .targets import TARGETS, agreement_targets

__all__ = ["Calibration", "Predictive", "calibrate", "history_targets"]


def history_targets(
    df: pd.DataFrame | None = None, *, bases: dict[str, Scenario] | None = None
) -> pd.DataFrame:
    """:func:`~alliance_sim.calibration.targets.agreement_targets` with the bases' leads."""
    df = agreements() if df is None else df
    bases = {c: f() for c, f in BASES.items()} if bases is None else bases
    return agreement_targets(df, lead_years={c: lead_years(b) for c, b in bases.items()})


@dataclass(frozen=True)
class Predictive:
    """The posterior predictive of one agreement (module docstring).

    Attributes
    ----------
    agreement : str
    change, term, lapse, time : ndarray
        Realized change :math:`x/x_0 - 1`, term (years), lapse (bool) and years to
        agreement, of the draws that reached an agreement.
    p_agreement, p_one_year, p_lapse : ndarray
        Ex-ante probabilities per draw (over the talks' own randomness).
    """

    agreement: str
    change: NDArray[np.float64]
    term: NDArray[np.float64]
    lapse: NDArray[np.bool_]
    time: NDArray[np.float64]
    p_agreement: NDArray[np.float64]
    p_one_year: NDArray[np.float64]
    p_lapse: NDArray[np.float64]

    @property
    def prob_one_year(self) -> float:
        """P(one-year term | agreement): the mean ``p_one_year`` over the mean ``p_agreement``."""
        return float(self.p_one_year.mean() / self.p_agreement.mean())

    @property
    def prob_lapse(self) -> float:
        """P(no agreement in force at the expiry), a no-deal included."""
        return float(self.p_lapse.mean())


@dataclass(frozen=True)
class Calibration:
    """A fitted posterior of :data:`~alliance_sim.calibration.model.THETA` (module docstring).

    Attributes
    ----------
    result : ABCResult
        Particles, weights, generations and diagnostics.
    facts : pandas.DataFrame
        The agreements (and their targets) the posterior was fitted on.
    before : int or None
        The cut-off first fiscal year (rows with ``start_fy < before``), if any.
    bases : dict of str to Scenario
    seed : int or None
    """

    result: ABCResult
    facts: pd.DataFrame
    before: int | None
    bases: dict[str, Scenario] = field(repr=False)
    seed: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The calibrated parameters."""
        return tuple(self.result.names)

    def summary(self) -> pd.DataFrame:
        """Posterior mean, sd and 5/50/95% quantiles per parameter, with the prior's."""
        r = self.result
        prior = PastTalks(self.facts.iloc[:1], self.bases, self.names).prior()
        q = r.quantile([0.05, 0.5, 0.95])
        rows = {}
        for j, name in enumerate(self.names):
            d = prior.dists[j]
            rows[name] = {
                "prior mean": float(d.mean()),
                "prior 5%": float(d.ppf(0.05)),
                "prior 95%": float(d.ppf(0.95)),
                "mean": float(r.mean()[j]),
                "sd": float(r.std()[j]),
                "5%": float(q[0, j]),
                "50%": float(q[1, j]),
                "95%": float(q[2, j]),
            }
        return pd.DataFrame(rows).T

    def predict(
        self,
        facts: pd.DataFrame | pd.Series,
        *,
        n: int = 4000,
        seed: SeedLike = None,
        scenario: Scenario | None = None,
    ) -> Predictive:
        """Posterior predictive of one agreement (module docstring).

        Parameters
        ----------
        facts : pandas.Series or one-row DataFrame
            A row of :func:`history_targets` (the target's identity and calendar).
        n : int
            Predictive draws.
        seed : int, SeedSequence or None
        scenario : Scenario, optional
            Use this scenario instead of the past-agreement one (the 2020 talks with
            their election): the posterior replaces the calibrated parameters.
        """
        row = facts.to_frame().T if isinstance(facts, pd.Series) else facts
        if len(row) != 1:
            raise ValueError(f"predict needs one agreement; got {len(row)}")
        root = seed_sequence(seed)
        theta = self.result.sample(n, child_generator(root, 0))
        talks = PastTalks(row, self.bases, self.names)
        if scenario is not None:
            talks.scenarios = {row.index[0]: scenario}
        out = talks.outputs(
            theta, np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, 1))
        )
        o = out[str(row.index[0])]
        deal = ~o["no_deal"].astype(bool)
        scn = talks.scenarios[row.index[0]]
        x0 = float(scn.parameters.parameter(scn.status_quo).value)
        return Predictive(
            agreement=str(row.index[0]),
            change=o["spe_payment"][deal] / x0 - 1.0,
            term=o["term_years"][deal],
            lapse=o["lapse"][deal].astype(bool),
            time=o["agreement_time"][deal],
            p_agreement=o["p_agreement"],
            p_one_year=o["p_one_year"],
            p_lapse=o["p_lapse"],
        )


def calibrate(
    df: pd.DataFrame | None = None,
    *,
    before: int | None = None,
    bases: dict[str, Scenario] | None = None,
    names: Sequence[str] = THETA,
    n_particles: int = 1000,
    generations: int = 8,
    alpha: float = 0.5,
    min_acceptance: float = 0.02,
    max_simulations: int = 2_000_000,
    seed: int | None = 2020,
    progress: bool = False,
) -> Calibration:
    """Fit the posterior of ``names`` to the agreements before ``before`` (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Agreements (default: :func:`alliance_sim.data.agreements`).
    before : int, optional
        Use rows with ``start_fy < before`` only (default: all rows).
    bases : dict of str to Scenario, optional
        Base preset per country (default :data:`~alliance_sim.calibration.past.BASES`).
    names : sequence of str
        Calibrated parameters (default :data:`~alliance_sim.calibration.model.THETA`).
    n_particles, generations, alpha, min_acceptance, max_simulations, seed, progress
        Passed to :func:`~alliance_sim.calibration.abc.abc_smc`.

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        If no row before the cut-off states a target (empty history).
    """
    bases = {c: f() for c, f in BASES.items()} if bases is None else bases
    df = agreements() if df is None else df
    if before is not None:
        df = df[df["start_fy"] < before]
    facts = history_targets(df, bases=bases)
    facts = facts[facts[list(TARGETS)].notna().any(axis=1)]
    if facts.empty:
        cut = "" if before is None else f" before FY{before}"
        raise ValueError(f"empty history: no agreement{cut} states a calibration target")
    talks = PastTalks(facts, bases, names)
    result = abc_smc(
        talks.simulate,
        talks.prior(),
        talks.observed,
        n_particles=n_particles,
        generations=generations,
        alpha=alpha,
        min_acceptance=min_acceptance,
        max_simulations=max_simulations,
        seed=seed,
        progress=progress,
    )
    return Calibration(result=result, facts=facts, before=before, bases=bases, seed=seed)
