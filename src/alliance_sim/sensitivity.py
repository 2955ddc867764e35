r"""Which parameter drives an output: Sobol' indices (SALib) and rank correlations.

**Sobol' indices** (Sobol' 2001) decompose the variance of an output
:math:`Y = f(\theta_1, \dots, \theta_d)` over independent parameters: the
first-order index :math:`S_j = \operatorname{Var}(E[Y \mid \theta_j]) /
\operatorname{Var}(Y)` is the share of variance that :math:`\theta_j` explains
alone, the total index :math:`S_{T,j} = E[\operatorname{Var}(Y \mid
\theta_{-j})] / \operatorname{Var}(Y)` the share it explains with all its
interactions. :func:`sobol_indices` builds Saltelli's design in the unit cube
(``SALib.sample.sobol``: :math:`N(d + 2)` points for base size :math:`N`), maps it
through each random parameter's quantile function
(:meth:`~alliance_sim.parameters.ParameterSpace.transform`), evaluates the whole
design with the vectorized pipeline in one pass (chunked only to bound memory),
and estimates the indices with Saltelli et al. (2010) for :math:`S_j` and Jansen
(1999) for :math:`S_{T,j}`, with bootstrap confidence intervals
(``SALib.analyze.sobol``). Derived quantities are functions of the random
parameters and carry no index of their own; fixed parameters have none.

**Rank correlations** (:func:`rank_correlations`): Spearman's :math:`\rho` between
each random parameter and the output over the draws of a result — a quick
ranking from a run you already have; it misses non-monotone effects and
interactions.

**Beliefs and latent variates.** Some random parameters are not beliefs about the world
but *latent variates* (:data:`~alliance_sim.parameters.LATENT_UNIT`): uniforms that draw
a discrete event from other parameters, such as ``election_u``, which makes the
challenger win when ``election_u < p_challenger``. Their index measures how much the
output depends on the event's outcome (who won), while the belief behind it
(``p_challenger``) has its own. Both functions rank the beliefs first and then list the
latent variates, each with what it draws (column ``role``), so neither is read as a
driver next to the beliefs without saying what it is.

References
----------
I. M. Sobol' (2001), "Global sensitivity indices for nonlinear mathematical models
and their Monte Carlo estimates", *Mathematics and Computers in Simulation* 55,
271–280.
A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010),
"Variance based sensitivity analysis of model output. Design and estimator for the
total sensitivity index", *Computer Physics Communications* 181(2), 259–270.
M. J. W. Jansen (1999), "Analysis of variance designs for model output",
*Computer Physics Communications* 117, 35–43.
J. Herman, W. Usher (2017), "SALib: An open-source Python library for sensitivity
analysis", *Journal of Open Source Software* 2(9), 97.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ._rng import SeedLike, child_generator, seed_sequence
from ._validation import check_int
from .parameters.sampling import is_power_of_two, warn_sobol_size
from .sweep.chunks import CHUNK, evaluate_unit

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .results import SimulationResult
    from .scenarios import Scenario

__all__ = ["rank_correlations", "saltelli_indices", "sobol_indices"]

# Stream keys of the Saltelli design and of the bootstrap (distinct from block indices).
_DESIGN_KEY = 2**32 + 11
_BOOTSTRAP_KEY = 2**32 + 12
_EDGE = 2.0**-53

Model = Callable[[NDArray[np.float64]], NDArray[np.float64] | Mapping[str, NDArray[np.float64]]]


def saltelli_indices(
    model: Model,
    d: int,
    n: int,
    *,
    names: Sequence[str] | None = None,
    seed: SeedLike = None,
    conf_level: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of a vectorized model on the unit cube.

    Parameters
    ----------
    model : callable
        ``model(U)`` with ``U`` of shape ``(m, d)`` (points in ``(0, 1)^d``) returns
        one output array of shape ``(m,)`` or a mapping of named ones. Outputs must
        be finite.
    d : int
        Number of independent uniform inputs.
    n : int
        Base sample size :math:`N` (a power of two; the model sees ``N(d + 2)`` points).
    names : sequence of str, optional
        Input names (default ``x1 … xd``).
    seed : int, SeedSequence or None
        Seeds the scrambled design and the bootstrap.
    conf_level : float
        Confidence level of the bootstrap intervals, in (0, 1).
    num_resamples : int
        Bootstrap resamples.

    Returns
    -------
    pandas.DataFrame
        Index ``(output, parameter)``; columns ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (``*_conf``: half-width of the interval).

    Examples
    --------
    >>> f = lambda u: u[:, 0] + 0.1 * u[:, 1]   # x1 explains 99% of the variance
    >>> t = saltelli_indices(f, 2, 1024, seed=1)
    >>> round(float(t.loc[("y", "x1"), "S1"]), 2), round(float(t.loc[("y", "x2"), "ST"]), 2)
    (0.99, 0.01)
    """
    import pandas as pd

    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError as exc:
        raise ImportError(
            "Sobol' indices need SALib; install the sensitivity extra: "
            'pip install "alliance_sim[sensitivity]"'
        ) from exc

    for label, v in (("d", d), ("n", n), ("num_resamples", num_resamples)):
        check_int(v, label)
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must be in (0, 1); got {conf_level!r}")
    if not is_power_of_two(int(n)):
        warn_sobol_size(int(n))
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    if len(names) != d:
        raise ValueError(f"need {d} names; got {len(names)}")
    root = seed_sequence(seed)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    U = sample.sample(
        problem, int(n), calc_second_order=False, seed=child_generator(root, _DESIGN_KEY)
    )
    np.clip(U, _EDGE, 1.0 - _EDGE, out=U)
    raw = model(U)
    outputs = raw if isinstance(raw, Mapping) else {"y": raw}
    # SALib falls back to numpy's global generator when seed is 0 or None: never pass those.
    boot = int(child_generator(root, _BOOTSTRAP_KEY).integers(1, 2**31 - 1))
    rows = []
    for name, y in outputs.items():
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (U.shape[0],):
            raise ValueError(f"output {name!r} has shape {y.shape}; expected ({U.shape[0]},)")
        bad = ~np.isfinite(y)
        if bad.any():
            raise ValueError(
                f"output {name!r} is NaN or infinite at {int(bad.sum())} of {y.size} design "
                "points; Sobol' indices need an output defined everywhere (e.g. condition "
                "it: np.where(o['feasible'], o['nash_payment'], o['status_quo']))"
            )
        if np.ptp(y) == 0.0:
            raise ValueError(f"output {name!r} is constant: its variance has nothing to split")
        si = analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=int(num_resamples),
            conf_level=conf_level,
            seed=boot,
        )
        for j, par in enumerate(names):
            rows.append((name, par, si["S1"][j], si["S1_conf"][j], si["ST"][j], si["ST_conf"][j]))
    frame = pd.DataFrame(rows, columns=["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
    return frame.set_index(["output", "parameter"])


def sobol_indices(
    scenario: Scenario,
    outputs: str | Sequence[str] = "hi",
    n: int = 1024,
    *,
    seed: SeedLike = None,
    conf_level: float = 0.95,
    num_resamples: int = 200,
    stances: bool = False,
    talks: bool = False,
    chunk_size: int = CHUNK,
) -> pd.DataFrame:
    """Sobol' first-order and total indices of scenario outputs over its random parameters.

    Parameters
    ----------
    scenario : Scenario
    outputs : str or sequence of str
        Per-draw outputs, each finite on every draw (e.g. ``"lo"``, ``"hi"``,
        ``"feasible"``, ``"nash_payment"`` when every draw is feasible).
    n : int
        Base sample size :math:`N` (a power of two); the pipeline runs on
        ``N(d + 2)`` draws for ``d`` random parameters.
    seed : int, SeedSequence or None
    conf_level : float
        Level of the bootstrap confidence intervals.
    num_resamples : int
        Bootstrap resamples.
    stances, talks : bool
        Also solve the stance game / the talks (needed for their outputs).
    chunk_size : int
        Draws evaluated at a time.

    Returns
    -------
    pandas.DataFrame
        Index ``(output, parameter)``, columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        and ``role`` (empty for a belief; for a latent variate, what it draws). Within
        each output the beliefs come first, sorted by ``ST`` (largest first), then the
        latent variates, sorted the same way (module docstring).
    """
    names = list(scenario.parameters.random_names)
    wanted = [outputs] if isinstance(outputs, str) else list(outputs)
    if not names:
        raise ValueError(f"scenario {scenario.name!r} has no random parameter")
    check_int(chunk_size, "chunk_size")

    def model(U: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        parts: dict[str, list[NDArray]] = {k: [] for k in wanted}
        for a in range(0, U.shape[0], chunk_size):
            piece = U[a : a + chunk_size]
            out, _, _ = evaluate_unit(
                scenario, list(piece.T), piece.shape[0], stances=stances, talks=talks
            )
            missing = [k for k in wanted if k not in out]
            if missing:
                raise ValueError(
                    f"no output {missing[0]!r} (outputs: {', '.join(out)}; the stance and "
                    "talks outputs need stances=True / talks=True)"
                )
            for k in wanted:
                parts[k].append(np.asarray(out[k], dtype=np.float64))
        return {k: np.concatenate(v) for k, v in parts.items()}

    table = saltelli_indices(
        model,
        len(names),
        n,
        names=names,
        seed=seed,
        conf_level=conf_level,
        num_resamples=num_resamples,
    )
    space = scenario.parameters
    frame = table.reset_index()
    frame["role"] = [space.latent_role(p) for p in frame["parameter"]]
    frame["_latent"] = frame["parameter"].isin(space.latent_names)
    order = frame.sort_values(
        ["output", "_latent", "ST"], ascending=[True, True, False], kind="stable"
    )
    return order.drop(columns="_latent").set_index(["output", "parameter"]).loc[wanted]


def rank_correlations(
    result: SimulationResult,
    output: str = "nash_payment",
    *,
    feasible_only: bool = True,
    latent: bool = False,
) -> pd.Series:
    r"""Spearman rank correlation of each belief with an output, largest ``|ρ|`` first.

    :math:`\rho_j` is Pearson's correlation of the average ranks of
    :math:`\theta_j` and of the output over the draws (those with a non-empty
    settlement range and a finite output when ``feasible_only``); a constant
    parameter gets 0. The latent variates (module docstring) are left out unless
    ``latent``; then they follow the beliefs, and ``attrs["roles"]`` of the result
    maps each to what it draws.

    Parameters
    ----------
    result : SimulationResult
        A run that kept its per-draw outputs.
    output : str
        An output or parameter name.
    feasible_only : bool
        Restrict to draws with a non-empty settlement range.
    latent : bool
        Also rank the latent variates, after the beliefs.

    Returns
    -------
    pandas.Series
        ``rho`` indexed by parameter name.

    Raises
    ------
    ValueError
        With fewer than 3 qualifying draws or a constant output.
    """
    import pandas as pd
    from scipy.stats import rankdata

    y = np.asarray(result[output], dtype=np.float64)
    space = result.scenario.parameters
    hidden = () if latent else space.latent_names
    names = [k for k in space.random_names if k in result.parameters and k not in hidden]
    keep = np.isfinite(y)
    if feasible_only:
        keep &= result["feasible"]
    if int(keep.sum()) < 3 or not names:
        raise ValueError(
            f"need at least 3 draws with a finite {output!r} and a random parameter; "
            f"got {int(keep.sum())} draws and {len(names)} random parameters"
        )
    X = np.column_stack([result.parameters[k][keep] for k in names] + [y[keep]])
    ranks = rankdata(X, axis=0)
    ranks -= ranks.mean(axis=0)
    scale = np.sqrt(np.sum(ranks * ranks, axis=0))
    if scale[-1] == 0.0:
        raise ValueError(f"{output!r} is constant over the draws: no rank correlation")
    constant = scale[:-1] == 0.0
    rho = (ranks[:, :-1] * ranks[:, -1:]).sum(axis=0) / np.where(constant, 1.0, scale[:-1])
    rho = np.where(constant, 0.0, rho / scale[-1])
    is_latent = np.isin(names, space.latent_names)
    order = np.lexsort((-np.abs(rho), is_latent))  # beliefs first, each by |rho|
    series = pd.Series(rho[order], index=[names[j] for j in order], name="rho")
    series.attrs["roles"] = {names[j]: space.latent_role(names[j]) for j in order[is_latent[order]]}
    return series
