"""`SimulationResult`: per-draw outputs by name, summaries, and conditional results."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..scenarios import Scenario
    from ..solvers import Equilibria

__all__ = ["PAYMENT_OUTPUTS", "QUANTILES", "SimulationResult"]

#: Quantiles reported by :meth:`SimulationResult.summary`.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Solution payments, defined only where the settlement range is non-empty.
PAYMENT_OUTPUTS: tuple[str, ...] = ("nash_payment", "ks_payment", "split_payment")


class SimulationResult(Mapping[str, NDArray]):
    """Per-draw arrays of a simulation, by output or parameter name, with summaries.

    ``res["nash_payment"]`` is a 1-D numpy array with one value per draw.
    Solution payments are NaN exactly where ``res["feasible"]`` is False (no
    agreement both sides prefer to no deal); summaries condition on
    ``feasible`` and report its probability, so no NaN leaks into a statistic.

    Attributes
    ----------
    scenario : Scenario
    outputs : dict of str to ndarray
        Model outputs (see :data:`alliance_sim.sweep.OUTPUTS`).
    parameters : dict of str to ndarray
        The sampled parameters.
    seed : numpy.random.SeedSequence
        The root sequence; ``seed.entropy`` reproduces the run.
    method : str
        Sampling design.
    stance_equilibria : Equilibria or None
        Every (extreme) equilibrium of every draw's stance game, in the flat layout
        of :class:`~alliance_sim.solvers.Equilibria` (game index = draw index).
    """

    def __init__(
        self,
        scenario: Scenario,
        outputs: Mapping[str, NDArray],
        parameters: Mapping[str, NDArray],
        seed: np.random.SeedSequence,
        method: str,
        stance_equilibria: Equilibria | None = None,
    ) -> None:
        self.scenario = scenario
        self.stance_equilibria = stance_equilibria
        self.outputs = dict(outputs)
        self.parameters = dict(parameters)
        self.seed = seed
        self.method = method
        lengths = {v.shape[0] for v in (*self.outputs.values(), *self.parameters.values())}
        if len(lengths) > 1:
            raise ValueError(f"all per-draw arrays must have one length; got {sorted(lengths)}")
        self.n = lengths.pop() if lengths else 0

    # Mapping interface ---------------------------------------------------------------
    def __getitem__(self, name: str) -> NDArray:
        if name in self.outputs:
            return self.outputs[name]
        if name in self.parameters:
            return self.parameters[name]
        raise KeyError(
            f"no output or parameter {name!r}; outputs: {', '.join(self.outputs)}; "
            f"parameters: {', '.join(self.parameters)}"
        )

    def __iter__(self) -> Iterator[str]:
        yield from self.outputs
        yield from (k for k in self.parameters if k not in self.outputs)

    def __len__(self) -> int:
        return len(set(self.outputs) | set(self.parameters))

    def __repr__(self) -> str:
        return (
            f"SimulationResult(scenario={self.scenario.name!r}, n={self.n}, method={self.method!r},"
            f" seed={self.seed.entropy})"
        )

    # Subsets -------------------------------------------------------------------------
    def where(self, mask: NDArray[np.bool_] | str) -> SimulationResult:
        """The draws where ``mask`` (a boolean array or the name of a boolean output) holds."""
        m = np.asarray(self[mask] if isinstance(mask, str) else mask)
        if m.dtype != bool or m.shape != (self.n,):
            raise ValueError(
                f"mask must be a boolean array of shape ({self.n},); got "
                f"dtype {m.dtype}, shape {m.shape}"
            )
        eq = self.stance_equilibria
        return SimulationResult(
            self.scenario,
            {k: v[m] for k, v in self.outputs.items()},
            {k: v[m] for k, v in self.parameters.items()},
            self.seed,
            self.method,
            eq.take(m) if eq is not None else None,
        )

    def groups(self) -> dict[str, NDArray[np.bool_]]:
        """Masks of the reported groups: all draws, then by election winner if there is one."""
        out = {"all": np.ones(self.n, dtype=bool)}
        if "challenger_wins" in self.outputs:
            chal = self.outputs["challenger_wins"]
            out["incumbent wins"] = ~chal
            out["challenger wins"] = chal
        return out

    # Summaries -----------------------------------------------------------------------
    def summary(self, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Summary table: probabilities and payment quantiles, overall and by election winner.

        Rows (a MultiIndex ``(quantity, statistic)``):

        * ``draws``: count and share of draws in the group;
        * ``settlement range``: P(non-empty) = mean of ``feasible``;
        * ``demand``: P(the payee's reported demand lies inside the range);
        * ``lo``, ``hi``: quantiles over all draws of the group;
        * ``nash_payment``, ``ks_payment``, ``split_payment``: quantiles and mean
          over the group's draws with a non-empty range, and P(payment above the
          status quo) among them.

        * when the talks were solved: ``talks`` (P(agreement), P(before the budget
          draft), P(lapse), P(one-year deal), P(drawdown exit), mean probability of
          a shock breakdown), ``agreement week`` (quantiles and mean of the period
          of agreement) and ``spe_payment`` (quantiles and mean over agreements);
        * when the stance game was solved: ``stance game`` (mean number of
          equilibria, P(degenerate)); for each stance of each side (e.g.
          ``tokyo: wait``) the probability that it is played in every / in some
          equilibrium and its mean probability in the selected equilibrium; and
          ``selected outcome``: the share of draws whose selected equilibrium is
          each pure cell, or mixed.

        Columns: ``all``, and ``incumbent wins`` / ``challenger wins`` when the
        scenario has an election. A statistic over an empty set is NaN; the
        count and probability rows show when that happens.

        Parameters
        ----------
        quantiles : sequence of float
            Probabilities in [0, 1].

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        qs = np.asarray(quantiles, dtype=np.float64)
        if qs.ndim != 1 or np.any(~np.isfinite(qs)) or np.any((qs < 0) | (qs > 1)):
            raise ValueError(
                f"quantiles must be a 1-D sequence of numbers in [0, 1]; got {quantiles}"
            )
        columns: dict[str, dict[tuple[str, str], float]] = {}
        for label, mask in self.groups().items():
            columns[label] = self._group_stats(mask, qs)
        frame = pd.DataFrame(columns)
        frame.index = pd.MultiIndex.from_tuples(frame.index, names=["quantity", "statistic"])
        return frame

    def _group_stats(
        self, mask: NDArray[np.bool_], qs: NDArray[np.float64]
    ) -> dict[tuple[str, str], float]:
        o = self.outputs
        n = int(mask.sum())
        feas = o["feasible"][mask]
        stats: dict[tuple[str, str], float] = {
            ("draws", "count"): float(n),
            ("draws", "share"): n / self.n if self.n else np.nan,
            ("settlement range", "P(non-empty)"): _mean(feas),
        }
        if "demand_in_range" in o:
            stats[("demand", "P(inside range)")] = _mean(o["demand_in_range"][mask])
        qnames = [f"q{round(q * 100):02d}" for q in qs]
        for name in ("lo", "hi"):
            vals = _quantiles(o[name][mask], qs)
            stats.update({(name, qn): v for qn, v in zip(qnames, vals, strict=True)})
        sq = o["status_quo"][mask][feas]
        for name in PAYMENT_OUTPUTS:
            x = o[name][mask][feas]  # finite: NaN only where not feasible
            vals = _quantiles(x, qs)
            stats.update({(name, qn): v for qn, v in zip(qnames, vals, strict=True)})
            stats[(name, "mean")] = _mean(x)
            stats[(name, "P(above status quo)")] = _mean(x > sq)
        if "spe_agreement" in o:
            stats.update(self._talks_stats(mask, qs, qnames))
        if "n_equilibria" in o:
            stats.update(self._stance_stats(mask))
        return stats

    def _talks_stats(
        self, mask: NDArray[np.bool_], qs: NDArray[np.float64], qnames: list[str]
    ) -> dict[tuple[str, str], float]:
        o = self.outputs
        agree = o["spe_agreement"][mask]
        stats: dict[tuple[str, str], float] = {
            ("talks", "P(agreement)"): _mean(agree),
            ("talks", "P(before budget draft)"): _mean(o["before_budget"][mask]),
            ("talks", "P(lapse)"): _mean(o["lapse"][mask]),
            ("talks", "P(one-year deal)"): _mean(o["one_year_deal"][mask]),
            ("talks", "P(drawdown exit)"): _mean(o["drawdown_exit"][mask]),
            ("talks", "mean P(shock breakdown)"): _mean(o["breakdown_prob"][mask]),
        }
        weeks = o["agreement_period"][mask][agree].astype(np.float64)
        stats.update(
            {("agreement week", qn): v for qn, v in zip(qnames, _quantiles(weeks, qs), strict=True)}
        )
        stats[("agreement week", "mean")] = _mean(weeks)
        x = o["spe_payment"][mask][agree]
        stats.update(
            {("spe_payment", qn): v for qn, v in zip(qnames, _quantiles(x, qs), strict=True)}
        )
        stats[("spe_payment", "mean")] = _mean(x)
        return stats

    def _stance_stats(self, mask: NDArray[np.bool_]) -> dict[tuple[str, str], float]:
        from ..games import TOKYO_STANCES, WASHINGTON_STANCES
        from ..sweep.pipeline import stance_names

        o = self.outputs
        stats: dict[tuple[str, str], float] = {
            ("stance game", "mean equilibria"): _mean(o["n_equilibria"][mask]),
            ("stance game", "P(degenerate)"): _mean(o["stance_degenerate"][mask]),
        }
        for labels in stance_names(self.scenario).values():
            for label in labels:
                row = label.replace("_", ": ", 1)
                stats[(row, "P(in every equilibrium)")] = _mean(o[f"{label}_in_every_eq"][mask])
                stats[(row, "P(in some equilibrium)")] = _mean(o[f"{label}_in_some_eq"][mask])
                stats[(row, "mean prob. (selected)")] = _mean(o[f"{label}_prob"][mask])
        outcome = o["stance_outcome"][mask]
        for r, tokyo in enumerate(TOKYO_STANCES):
            for c, wash in enumerate(WASHINGTON_STANCES):
                stats[("selected outcome", f"{tokyo} / {wash}")] = _mean(outcome == 3 * r + c)
        stats[("selected outcome", "mixed")] = _mean(outcome == -1)
        return stats

    def to_frame(self, parameters: bool = False) -> pd.DataFrame:
        """Per-draw outputs (and, optionally, parameters) as a pandas DataFrame."""
        import pandas as pd

        data: dict[str, Any] = dict(self.outputs)
        if parameters:
            data.update({k: v for k, v in self.parameters.items() if k not in data})
        return pd.DataFrame(data)


def _mean(x: NDArray) -> float:
    return float(np.mean(x)) if x.size else float("nan")


def _quantiles(x: NDArray[np.float64], qs: NDArray[np.float64]) -> list[float]:
    if x.size == 0:
        return [float("nan")] * qs.size
    return [float(v) for v in np.quantile(x, qs)]
