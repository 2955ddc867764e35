"""Figures of a calibration: posterior against prior, predictive checks, diagnostics.

* :func:`posterior_marginals`: each calibrated parameter's posterior (weighted
  histogram of the particles) over its prior density;
* :func:`predictive_check`: for each summary statistic, its distribution under the
  prior and under the posterior (one simulation of every past agreement per
  parameter vector), against the observed value (Gelman et al. 2013, ch. 6);
* :func:`diagnostics`: tolerance, acceptance rate and effective sample size per
  generation;
* :func:`save_calibration_figures`: the three as PNG files.

Matplotlib is optional (``pip install "alliance_sim[plot]"``); figures are plain
:class:`matplotlib.figure.Figure` objects (no pyplot state), as in
:mod:`alliance_sim.results.plots`.

References
----------
A. Gelman, J. B. Carlin, H. S. Stern, D. B. Dunson, A. Vehtari, D. B. Rubin (2013),
*Bayesian Data Analysis*, 3rd ed., CRC Press, ch. 6 (posterior predictive checking).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..parameters.laws import describe_distribution
from ..results.plots import _require_matplotlib
from .fit import Calibration
from .model import SUMMARIES, PastTalks

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["diagnostics", "posterior_marginals", "predictive_check", "save_calibration_figures"]

_LABELS = {
    ("change", "Japan"): "mean change, Japan",
    ("change", "South Korea"): "mean change, Korea",
    ("abs_change", "all"): "mean |change|",
    ("one_year", "all"): "share of one-year terms",
    ("lapse", "Japan"): "share of lapses, Japan",
    ("lapse", "South Korea"): "share of lapses, Korea",
    ("delay", "all"): "mean years to agreement",
    ("no_deal", "all"): "share without agreement",
}


def _figure(n_panels: int, cols: int = 3) -> tuple[Figure, list]:
    _require_matplotlib()
    from matplotlib.figure import Figure

    rows = math.ceil(n_panels / cols)
    fig = Figure(figsize=(4.0 * cols, 2.8 * rows), layout="constrained")
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n_panels)]
    return fig, axes


def posterior_marginals(cal: Calibration) -> Figure:
    """Weighted histograms of the posterior particles over the prior densities."""
    r = cal.result
    prior = PastTalks(cal.facts.iloc[:1], cal.bases, cal.names).prior()
    lo, hi = prior.support()
    fig, axes = _figure(len(cal.names))
    for j, (ax, name) in enumerate(zip(axes, cal.names, strict=True)):
        edges = np.linspace(lo[j], hi[j], 31)
        ax.hist(
            r.particles[:, j],
            bins=edges,
            weights=r.weights,
            density=True,
            alpha=0.6,
            color="tab:blue",
            label="posterior",
        )
        grid = np.linspace(lo[j], hi[j], 200)
        ax.plot(
            grid,
            prior.dists[j].pdf(grid),
            color="0.3",
            lw=1.2,
            label=f"prior: {describe_distribution(prior.dists[j])}",
        )
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=8)
    before = "all rows" if cal.before is None else f"agreements before FY{cal.before}"
    fig.suptitle(
        f"Calibrated parameters: posterior ({before}, {r.particles.shape[0]} particles, "
        f"ESS {r.ess:.0f}) and prior",
        fontsize=11,
    )
    return fig


def predictive_check(cal: Calibration, n: int = 2000, seed: int = 0) -> Figure:
    """Prior and posterior predictive distributions of each summary, with the observed value."""
    talks = PastTalks(cal.facts, cal.bases, cal.names)
    rng = np.random.default_rng(seed)
    prior_sims = talks.simulate(talks.prior().sample(n, rng), rng)
    post_sims = talks.simulate(cal.result.sample(n, rng), rng)
    observed = talks.observed
    fig, axes = _figure(len(SUMMARIES), cols=4)
    for j, (ax, key) in enumerate(zip(axes, SUMMARIES, strict=True)):
        a, b = prior_sims[:, j], post_sims[:, j]
        both = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
        if np.isfinite(observed[j]):
            both = np.append(both, observed[j])
        if both.size == 0:
            ax.set_visible(False)
            continue
        edges = np.linspace(both.min(), both.max() + 1e-12, 31)
        ax.hist(
            a[np.isfinite(a)],
            bins=edges,
            density=True,
            alpha=0.45,
            color="0.5",
            label="prior predictive",
        )
        ax.hist(
            b[np.isfinite(b)],
            bins=edges,
            density=True,
            alpha=0.6,
            color="tab:blue",
            label="posterior predictive",
        )
        if np.isfinite(observed[j]):
            ax.axvline(observed[j], color="tab:red", lw=2, label="observed")
            p = float(np.mean(b[np.isfinite(b)] >= observed[j]))
            ax.set_title(f"{_LABELS.get(key, key)}\nP(sim ≥ obs) = {p:.2f}", fontsize=9)
        else:
            ax.set_title(_LABELS.get(key, str(key)), fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle(
        f"Posterior predictive check: {len(cal.facts)} past agreements, {n} parameter draws",
        fontsize=11,
    )
    return fig


def diagnostics(cal: Calibration) -> Figure:
    """Tolerance, acceptance rate and effective sample size per generation."""
    hist = cal.result.history
    g = np.arange(len(hist))
    fig, axes = _figure(3)
    eps = [h.epsilon for h in hist]
    axes[0].plot(g[1:], eps[1:], "o-")
    axes[0].set_title("tolerance ε (scaled distance)", fontsize=10)
    axes[1].plot(g, [h.acceptance_rate for h in hist], "o-")
    axes[1].set_title("acceptance rate", fontsize=10)
    axes[2].plot(g, [h.ess for h in hist], "o-")
    axes[2].set_title(f"effective sample size (of {cal.result.particles.shape[0]})", fontsize=10)
    for ax in axes:
        ax.set_xlabel("generation", fontsize=9)
        ax.tick_params(labelsize=8)
    fig.suptitle("ABC-SMC diagnostics", fontsize=11)
    return fig


def save_calibration_figures(
    cal: Calibration, directory: str | Path, *, dpi: int = 120
) -> list[Path]:
    """Write the three figures as ``calibration_*.png`` in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fig in (
        ("calibration_posterior", posterior_marginals(cal)),
        ("calibration_predictive_check", predictive_check(cal)),
        ("calibration_diagnostics", diagnostics(cal)),
    ):
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        out.append(path)
    return out
