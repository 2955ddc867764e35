"""`SimulationResult`: per-draw outputs by name, summaries, conditional results, files."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..parameters import BLOCK
from .glossary import explain_rows
from .summary import (
    PAYMENT_OUTPUTS,
    QUANTILES,
    Category,
    Grouping,
    Key,
    Stat,
    SummaryAccumulator,
    check_quantiles,
    quantile_labels,
    summary_stats,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr

    from ..scenarios import Scenario
    from ..solvers import Equilibria

__all__ = ["DEFAULT_BY", "PAYMENT_OUTPUTS", "QUANTILES", "SimulationResult"]

#: Output that splits summaries into columns by default (when the run has it).
DEFAULT_BY = "challenger_wins"
_DEFAULT: Any = object()


def default_by(names: Collection[str]) -> str | None:
    """The default grouping output of a run with these outputs."""
    return DEFAULT_BY if DEFAULT_BY in names else None


def result_stats(scenario: Scenario, names: Collection[str]) -> list[Stat]:
    """Rows of the summary of a run of ``scenario`` with outputs ``names``."""
    from ..games import TOKYO_STANCES, WASHINGTON_STANCES
    from ..sweep.pipeline import stance_names

    labels = [lab for labs in stance_names(scenario).values() for lab in labs]
    cells = [f"{t} / {w}" for t in TOKYO_STANCES for w in WASHINGTON_STANCES]
    return summary_stats(names, labels, cells)


def _without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the group columns that hold no draw (``all`` always stays).

    After ``res.where("challenger_in_office")`` the ``incumbent wins`` column would be
    zeros and NaNs only.
    """
    counts = frame.loc[[("draws", "count")]].to_numpy(dtype=float)[0]
    keep = [c for c, k in zip(frame.columns, counts, strict=True) if c == "all" or k > 0]
    return frame[keep]


class SimulationResult(Mapping[str, NDArray]):
    """The outcome of :func:`~alliance_sim.simulate`: per-draw arrays and summaries.

    ``res["nash_payment"]`` is a 1-D numpy array with one value per draw.
    Solution payments are NaN exactly where ``res["feasible"]`` is False (no
    agreement both sides prefer to no deal); summaries condition on
    ``feasible`` and report its probability, so no NaN leaks into a statistic.

    A run with ``keep=False`` holds no per-draw arrays, only its streamed
    summary (:attr:`streamed`); indexing it raises ``KeyError``.

    Attributes
    ----------
    scenario : Scenario
    outputs : dict of str to ndarray
        Model outputs (see :data:`alliance_sim.sweep.OUTPUTS`); empty if not kept.
    parameters : dict of str to ndarray
        The sampled parameters (fixed ones are zero-copy broadcast views).
    seed : numpy.random.SeedSequence
        The root sequence; ``seed.entropy`` reproduces the run.
    sampler : str
        Sampling design (``"random"``, ``"sobol"`` or ``"lhs"``).
    n : int
        Number of draws.
    stance_equilibria : Equilibria or None
        Every (extreme) equilibrium of every draw's stance game, in the flat layout
        of :class:`~alliance_sim.solvers.Equilibria` (game index = draw index).
    streamed : SummaryAccumulator or None
        The summary reduced while the run streamed (``keep=False``).
    store : pathlib.Path or None
        Where the per-draw outputs were streamed to disk (``simulate(..., store=…)``).
    """

    def __init__(
        self,
        scenario: Scenario,
        outputs: Mapping[str, NDArray],
        parameters: Mapping[str, NDArray],
        seed: np.random.SeedSequence,
        sampler: str,
        stance_equilibria: Equilibria | None = None,
        *,
        n: int | None = None,
        streamed: SummaryAccumulator | None = None,
        store: Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.stance_equilibria = stance_equilibria
        self.outputs = dict(outputs)
        self.parameters = dict(parameters)
        self.seed = seed
        self.sampler = sampler
        self.streamed = streamed
        self.store = store
        lengths = {v.shape[0] for v in (*self.outputs.values(), *self.parameters.values())}
        if len(lengths) > 1:
            raise ValueError(f"all per-draw arrays must have one length; got {sorted(lengths)}")
        if lengths and n is not None and lengths != {n}:
            raise ValueError(f"n={n} but the per-draw arrays have length {lengths.pop()}")
        self.n = lengths.pop() if lengths else int(n or 0)

    @property
    def kept(self) -> bool:
        """True when the per-draw outputs are held (``simulate(..., keep=True)``)."""
        return bool(self.outputs) or self.streamed is None

    # Mapping interface ---------------------------------------------------------------
    def __getitem__(self, name: str) -> NDArray:
        if name in self.outputs:
            return self.outputs[name]
        if name in self.parameters:
            return self.parameters[name]
        if not self.kept:
            where = f" (they were streamed to {self.store})" if self.store else ""
            raise KeyError(
                f"{name!r}: this run kept no per-draw outputs (simulate(..., keep=False))"
                f"{where}; use summary(), or re-run with keep=True"
            )
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
        kept = "" if self.kept else ", keep=False"
        return (
            f"SimulationResult(scenario={self.scenario.name!r}, n={self.n}, "
            f"sampler={self.sampler!r}, seed={self.seed.entropy}{kept})"
        )

    def _require_kept(self, what: str) -> None:
        if not self.kept:
            raise ValueError(
                f"{what} needs the per-draw outputs, which this run did not keep "
                f"(simulate(..., keep=False)); re-run with keep=True"
                + (f" or load the streamed store {self.store}" if self.store else "")
            )

    # Subsets -------------------------------------------------------------------------
    def where(self, mask: NDArray[np.bool_] | str) -> SimulationResult:
        """The draws where ``mask`` (a boolean array or the name of a boolean output) holds."""
        self._require_kept("where()")
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
            self.sampler,
            eq.take(m) if eq is not None else None,
            n=int(m.sum()),
        )

    def conditional(self, by: str) -> dict[str, SimulationResult]:
        """The draws split by the categories of a boolean or integer output.

        Parameters
        ----------
        by : str
            E.g. ``"challenger_wins"`` (election winner), ``"spe_agreement"``
            (agreement reached), ``"one_year_deal"`` (term chosen),
            ``"stance_outcome"`` (selected stance cell).

        Returns
        -------
        dict of str to SimulationResult
            One subset per category, keyed by the column labels of
            ``summary(by=by)`` (booleans: both categories, possibly empty).
        """
        self._require_kept("conditional()")
        grouping = Grouping(by)
        masks = dict(grouping.masks({by: self[by]})[1:])
        cats = grouping.categories(masks, np.asarray(self[by]).dtype.kind)[1:]
        return {grouping.label(c): self.where(masks[c]) for c in cats}

    def groups(self) -> dict[str, NDArray[np.bool_]]:
        """Masks of the default summary columns: all draws, then by election winner."""
        self._require_kept("groups()")
        grouping = Grouping(default_by(self.outputs))
        return {grouping.label(c): m for c, m in grouping.masks(self.outputs)}

    # Summaries -----------------------------------------------------------------------
    def summary(
        self, quantiles: Sequence[float] = QUANTILES, by: str | None = _DEFAULT
    ) -> pd.DataFrame:
        """Summary table: probabilities, means, sds and quantiles, overall and by group.

        Rows (a MultiIndex ``(quantity, statistic)``):

        * ``draws``: count and share of draws in the group;
        * ``settlement range``: P(non-empty) = mean of ``feasible``;
        * ``demand``: P(the payee's reported demand lies inside the range);
        * ``lo``, ``hi``: quantiles over all draws of the group;
        * ``nash_payment``, ``ks_payment``, ``split_payment``: quantiles, mean and
          standard deviation over the group's draws with a non-empty range, and
          P(payment above the status quo) among them;
        * when the talks were solved: ``talks`` (P(agreement), P(before election),
          P(before budget draft), P(one-year deal), P(lapse), P(no deal), P(payer /
          payee concedes), P(regular)), ``agreement week`` and ``lapse days``
          (quantiles and mean over agreements), ``spe_payment`` (quantiles, mean and
          sd over agreements) and ``forecast (ex ante)`` (means of the per-draw
          ``p_agreement``, ``p_before_election``, ``p_one_year``, ``p_lapse``,
          ``expected_delay``, ``expected_payment``); with the ``offers`` stage,
          ``offers`` and ``offers_payment``;
        * when the stance game was solved: ``stance game`` (mean number of
          equilibria, P(degenerate)); for each stance of each side (e.g.
          ``tokyo: wait``) the probability that it is played in every / in some
          equilibrium and its mean probability in the selected equilibrium; and
          ``selected outcome``: the share of draws whose selected equilibrium is
          each pure cell, or mixed.

        Columns: ``all``, then one per category of ``by``. Counts, probabilities,
        means and sds are reduced block by block
        (:mod:`alliance_sim.results.summary`), so they are bit-identical however the
        run was chunked and whether or not its outputs were kept. Quantiles are
        exact for kept outputs and streamed estimates (relative error ≤ 1e-4,
        :mod:`alliance_sim.results.sketch`) otherwise. A statistic over an empty
        set is NaN; the count and probability rows show when that happens. A group
        with no draws at all (the ``incumbent wins`` column of
        ``res.where("challenger_in_office")``) is left out.

        Parameters
        ----------
        quantiles : sequence of float
            Probabilities in [0, 1].
        by : str or None
            A boolean or integer output to split the columns by (e.g.
            ``"spe_agreement"``, ``"stance_outcome"``); default: the election
            winner when there is one. A streamed run can only be summarized by the
            grouping it streamed (``simulate(..., by=…)``).

        Returns
        -------
        pandas.DataFrame
        """
        if self.streamed is not None and not self.outputs:
            acc = self.streamed
            if by is not _DEFAULT and by != acc.grouping.by:
                raise ValueError(
                    f"this run streamed its summary grouped by {acc.grouping.by!r}; re-run "
                    f"with simulate(..., by={by!r}) or keep=True to group by {by!r}"
                )
            return _without_empty_columns(acc.frame(quantiles))
        if by is _DEFAULT:
            by = default_by(self.outputs)
        if by is not None and by not in self.outputs:
            raise ValueError(f"by must name a boolean or integer output; got {by!r}")
        acc = self.accumulate(by, sketch=False)
        masks = dict(Grouping(by).masks(self.outputs))

        def exact(category: Category, key: Key, qs: NDArray[np.float64]) -> NDArray[np.float64]:
            m = masks.get(category)
            var, where = key[0], key[1]
            if m is None:
                return np.full(qs.shape, np.nan)
            if where is not None:
                m = m & self.outputs[where]
            x = self.outputs[var][m]
            return np.quantile(x, qs) if x.size else np.full(qs.shape, np.nan)

        return _without_empty_columns(acc.frame(quantiles, exact=exact))

    def explain(
        self, quantity: str, statistic: str | None = None, quantiles: Sequence[float] = QUANTILES
    ) -> str:
        """What the summary rows of ``quantity`` mean, in plain words.

        Built from each row's definition (which output, over which draws) and the
        output's description (:data:`alliance_sim.sweep.OUTPUTS`), with a note on how
        to read the rows that need one (:data:`alliance_sim.results.glossary.READING`).

        Parameters
        ----------
        quantity : str
            First level of the summary's row index, e.g. ``"agreement week"``
            (case ignored).
        statistic : str, optional
            Second level, e.g. ``"q50"`` or ``"P(degenerate)"``; default all rows.
        quantiles : sequence of float
            The quantiles the summary was asked for (their rows are ``q05``, ...).

        Raises
        ------
        KeyError
            If the run's summary has no such row; the message names the closest.

        Examples
        --------
        >>> import alliance_sim as asim
        >>> res = asim.simulate(asim.scenarios.japan_us_2020(), 100, seed=1)
        >>> print(res.explain("stance game", "P(degenerate)"))  # doctest: +ELLIPSIS
        stance game: The one-shot game of negotiating stances priced by the bargaining ...
          P(degenerate): Share of the column's draws in which stance_degenerate: the ...
            The share of draws whose stance game is degenerate: some best responses tie, ...
        """
        from ..sweep.pipeline import OUTPUTS

        if self.streamed is not None and not self.outputs:
            stats = self.streamed.stats
        else:
            stats = result_stats(self.scenario, self.outputs)
        labels = quantile_labels(check_quantiles(quantiles))
        return explain_rows(stats, labels, OUTPUTS, quantity, statistic)

    def accumulate(self, by: str | None, *, sketch: bool = True) -> SummaryAccumulator:
        """Reduce the kept outputs block by block, as a streamed run would."""
        self._require_kept("accumulate()")
        acc = SummaryAccumulator(
            result_stats(self.scenario, self.outputs), Grouping(by), sketch=sketch
        )
        needed = acc.variables
        for start in range(0, self.n, BLOCK):
            acc.update({k: self.outputs[k][start : start + BLOCK] for k in needed})
        return acc

    def to_frame(self, parameters: bool = False) -> pd.DataFrame:
        """Per-draw outputs (and, optionally, parameters) as a pandas DataFrame."""
        import pandas as pd

        self._require_kept("to_frame()")
        data: dict[str, Any] = dict(self.outputs)
        if parameters:
            data.update({k: v for k, v in self.parameters.items() if k not in data})
        return pd.DataFrame(data)

    # xarray and files ----------------------------------------------------------------
    def to_xarray(self) -> xr.Dataset:
        """Per-draw outputs and parameters as an :class:`xarray.Dataset` (zero-copy).

        Dimension ``draw``; outputs and random parameters are variables over it,
        fixed parameters 0-d variables; the scenario (TOML), seed, sampler and
        package version are attributes. See :mod:`alliance_sim.results.store`.
        """
        from .store import to_dataset

        self._require_kept("to_xarray()")
        return to_dataset(self)

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the per-draw data and the scenario to a new Zarr store (see :meth:`load`).

        ``path`` must not exist or be an empty folder; an alliance_sim store there is
        replaced only with ``overwrite=True``; anything else is refused
        (:func:`~alliance_sim.results.store.prepare_target`).
        """
        from .store import save_result

        self._require_kept("save()")
        return save_result(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | Path, *, verify: bool = True) -> SimulationResult:
        """Read a result written by :meth:`save` or streamed by ``simulate(..., store=…)``.

        ``verify`` checks the store's checksums first (a damaged store is an error).
        """
        from .store import load_result

        return load_result(path, verify=verify)
