r"""Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), vectorized.

The engine calibrates a few scalar parameters :math:`\theta \in \mathbb{R}^k` of a
simulator to observed summary statistics :math:`s^{obs} \in \mathbb{R}^d` without a
likelihood (Sisson, Fan & Tanaka 2007; Beaumont, Cornuet, Marin & Robert 2009). It is
model-agnostic: it needs a :class:`Prior`, a vectorized ``simulate(theta (n, k), rng)
-> (n, d)`` and the observed statistics. Every simulation batch is ONE call of
``simulate``; there is no Python loop over particles or draws.

Algorithm
---------
:math:`N` particles, generations :math:`t = 0, 1, \dots, T-1`.

1. **Generation 0** is rejection from the prior with :math:`\varepsilon_0 = \infty`:
   :math:`N` draws :math:`\theta_i \sim \pi` (inverse CDF, ``ppf`` of uniforms), all
   accepted, weights :math:`w_i^{(0)} = 1/N`.
2. **Distance.** Observed entries that are NaN are dropped (the statistic is "not
   observed"). The default distance is the weighted Euclidean distance

   .. math:: d_t(s, s^{obs}) = \Big(\sum_{j:\, s^{obs}_j \ne \mathrm{NaN}}
             \big((s_j - s^{obs}_j) / \sigma_{t,j}\big)^2\Big)^{1/2}

   with per-statistic scales :math:`\sigma_{t,j} = \operatorname{MAD}_j`, the median
   absolute deviation :math:`\operatorname{median}_i |s_{ij} - \operatorname{median}_i
   s_{ij}|` of **all** simulations (accepted and rejected) of generation
   :math:`t-1` (Prangle 2017, algorithm 4; generation 0 uses its own simulations).
   A scale that is 0 or undefined falls back to the mean absolute deviation, then to 1.
   ``distance="fixed"`` keeps the generation-0 (prior-predictive) scales for all
   generations; a callable ``distance(sim (n, d'), obs (d',)) -> (n,)`` replaces the
   rule (it receives only the observed columns, ``d'`` of them).
3. **Tolerance schedule**, adaptive as in Del Moral, Doucet & Jasra (2012), who pick
   :math:`\varepsilon_t` so that the ESS falls by a set factor; here the simpler
   quantile rule used with ABC-PMC by Beaumont et al. (2009) and Prangle (2017): for
   :math:`t \ge 1`

   .. math:: \varepsilon_t = \max\big(q_\alpha\{d_t(s_i^{(t-1)}, s^{obs})\}_{i=1}^N,\;
             \varepsilon_{\min}\big),

   the (unweighted, ``method="lower"``) :math:`\alpha`-quantile of the previous
   population's distances, re-measured with the distance :math:`d_t` of the new
   generation. With a fixed distance (``"fixed"`` or a callable) the sequence
   :math:`\varepsilon_t` is non-increasing; with the adaptive default each
   :math:`\varepsilon_t` is in the units of its own scales :math:`\sigma_t` and may
   go up when the scales shrink.
4. **Proposal.** Pick an ancestor :math:`j` with probability :math:`w_j^{(t-1)}` and
   perturb it with the Gaussian kernel :math:`K_t(\theta \mid \theta_j) =
   \mathcal{N}(\theta;\, \theta_j,\, \Sigma_t)`, :math:`\Sigma_t = 2\,
   \widehat{\operatorname{Cov}}_w(\theta^{(t-1)})` (twice the weighted empirical
   covariance, Beaumont et al. 2009), drawn as :math:`\theta_j + L_t z`,
   :math:`L_t L_t^\top = \Sigma_t`. Candidates with :math:`\pi(\theta) = 0` (outside
   the prior support) are discarded before simulation and cost no simulation.
5. **Acceptance.** Simulate a batch, accept :math:`d_t(s, s^{obs}) \le \varepsilon_t`,
   repeat until :math:`N` are accepted; the first :math:`N` accepted in proposal order
   form the population.
6. **Importance weights** (Beaumont et al. 2009)

   .. math:: w_i^{(t)} \propto \frac{\pi(\theta_i^{(t)})}
             {\sum_{j=1}^N w_j^{(t-1)} K_t(\theta_i^{(t)} \mid \theta_j^{(t-1)})},

   computed on the log scale: :math:`\log K_t = -\tfrac12 \lVert L_t^{-1}(\theta_i -
   \theta_j)\rVert^2 - \log\det L_t - \tfrac k2 \log 2\pi` (the squared norm
   expanded into a matrix product of the whitened points) and a log-sum-exp over
   :math:`j`; then normalized to :math:`\sum_i w_i = 1`.
7. **Effective sample size** :math:`\mathrm{ESS}_t = (\sum_i w_i)^2 / \sum_i w_i^2`
   (:math:`\le N`).
8. **Stopping.** After a complete generation :math:`t` the run stops when
   :math:`t + 1 =` ``generations``, when :math:`\varepsilon_t \le` ``epsilon_min``, or
   when the acceptance rate (accepted / simulated) is below ``min_acceptance``. A
   generation is abandoned (and the previous one returned) once it has made
   :math:`\lceil N / \text{min\_acceptance} \rceil` simulations without :math:`N`
   acceptances (its rate would be below ``min_acceptance``) or when the budget
   ``max_simulations`` is used up; ``ABCResult.stop_reason`` tells which rule ended
   the run.

Design rules
------------
* **NaN statistics.** A NaN entry of ``observed`` is not observed and is ignored
  (results are bit-identical to dropping that column from ``simulate``). A NaN or
  infinite *simulated* entry where the observation exists means "the model did not
  produce this target": with the built-in distances its scaled residual is the fixed
  cost :data:`NAN_RESIDUAL` (= 10 scale units, i.e. about 6.7 standard deviations
  for normal noise), so such draws lose to any draw that matches within 10 scale
  units but the tolerance quantile stays finite. Scales are computed from the
  non-NaN simulations. A callable distance sees the NaN itself; a NaN distance it
  returns counts as :math:`+\infty` (never accepted after generation 0).
* **Batches.** A batch proposes :math:`b = \max(2 m, \lceil 1.2\, m / \hat r\rceil)`
  candidates, :math:`m` the acceptances still needed and :math:`\hat r` the acceptance
  rate per proposal (previous generation's for the first batch, the running estimate
  :math:`(a + 1)/(p + 1)` after), capped at ``max(100_000, 2 N)``, at the remaining
  budget and at the ``min_acceptance`` limit; generation 0 proposes exactly the
  :math:`m` it needs. Each (generation, batch) has its own streams
  ``child_generator(root, KEY, t, batch, 0)`` (proposals) and ``(…, 1)`` (passed to
  ``simulate``), so the same seed and the same arguments give bit-identical results.
  The batch boundaries (hence which random numbers each candidate gets) depend on
  ``n_particles``, ``alpha``, the acceptance history, ``min_acceptance`` and
  ``max_simulations``; changing any of them changes the draws, not their law.
* **Budget.** ``n_simulations`` never exceeds ``max_simulations``: batches are
  truncated to the remaining budget; a generation that cannot be completed is
  dropped and the last complete generation is returned with ``stop_reason =
  "max_simulations"`` (its simulations still count in ``n_simulations``). Generation
  0 needs exactly ``n_particles`` simulations, so ``max_simulations < n_particles``
  is a ``ValueError``.

Results
-------
:class:`ABCResult` holds the last population (``particles``, normalized ``weights``,
``distances``), the ``history`` of :class:`Generation` records and ``stop_reason``;
``mean()``, ``std()`` and ``quantile(q)`` return arrays whose last axis follows
``names`` (``to_frame()`` gives a named table). :func:`rank_statistic` gives the
weighted posterior rank of a true value for simulation-based calibration (Talts et al.
2018): for :math:`\theta^* \sim \pi` and data simulated from it, the ranks of a
calibrated method are uniform on [0, 1]. ``epsilon_min`` is in the units of the
distance (with the adaptive default, scale units of the generation concerned).

References
----------
S. A. Sisson, Y. Fan, M. M. Tanaka (2007), "Sequential Monte Carlo without
likelihoods", *PNAS* 104(6), 1760–1765.
M. A. Beaumont, J.-M. Cornuet, J.-M. Marin, C. P. Robert (2009), "Adaptive approximate
Bayesian computation", *Biometrika* 96(4), 983–990.
P. Del Moral, A. Doucet, A. Jasra (2012), "An adaptive sequential Monte Carlo method
for approximate Bayesian computation", *Statistics and Computing* 22(5), 1009–1020.
D. Prangle (2017), "Adapting the ABC distance function", *Bayesian Analysis* 12(1),
289–309.
S. Talts, M. Betancourt, D. Simpson, A. Vehtari, A. Gelman (2018), "Validating
Bayesian inference algorithms with simulation-based calibration", arXiv:1804.06788.

Examples
--------
>>> import numpy as np
>>> from scipy import stats
>>> prior = Prior(["mu"], [stats.norm(0.0, 2.0)])
>>> def simulate(theta, rng):
...     return theta + rng.normal(0.0, 0.5, size=theta.shape)
>>> res = abc_smc(simulate, prior, np.array([1.0]), n_particles=300, generations=4, seed=1)
>>> res.particles.shape, len(res.history), res.stop_reason
((300, 1), 4, 'generations')
>>> bool(0.5 < res.mean()[0] < 1.4)
True
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg
from scipy.stats import rv_continuous
from scipy.stats.distributions import rv_frozen

from .._rng import SeedLike, child_generator, seed_sequence
from ..parameters.laws import describe_distribution

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "NAN_RESIDUAL",
    "ABCResult",
    "DistanceFn",
    "Generation",
    "Prior",
    "SimulateFn",
    "abc_smc",
    "rank_statistic",
]

#: Scaled residual charged for a simulated statistic that is NaN/inf where the
#: observation exists (built-in distances only).
NAN_RESIDUAL = 10.0

#: ``simulate(theta, rng) -> stats``: the simulator :func:`abc_smc` calls (its docstring).
SimulateFn = Callable[[NDArray[np.float64], np.random.Generator], ArrayLike]
#: ``distance(sim, obs) -> (n,)``: a fixed distance on the observed columns.
DistanceFn = Callable[[NDArray[np.float64], NDArray[np.float64]], ArrayLike]

# Key of the ABC streams under the run's root (large: never equal to a block index).
_ABC_KEY = 2**32 + 21
# Keep uniforms strictly inside (0, 1): ppf(0) is infinite for unbounded laws.
_EDGE = 2.0**-53
# Smallest cap on the number of proposals in one batch.
_MAX_BATCH = 100_000
# At most this many simulations per generation are kept to estimate the MAD scales.
_SCALE_ROWS = 100_000
# Upper bound on the elements of the (rows, N) kernel block of the weight step.
_WEIGHT_BLOCK = 2**22
# Consecutive batches without a candidate inside the prior support before giving up.
_MAX_EMPTY_BATCHES = 50
# Quantile probes used to check a prior (no randomness).
_PROBES = np.linspace(0.0005, 0.9995, 1999)


# --------------------------------------------------------------------------- prior
class Prior:
    """Independent priors on named parameters, one frozen scipy distribution each.

    Parameters
    ----------
    names : sequence of str
        Unique, non-empty parameter names (the columns of ``theta``).
    dists : sequence of frozen continuous scipy distributions
        ``dists[j]`` is the prior of ``names[j]``, e.g. ``scipy.stats.norm(0, 2)``.

    Raises
    ------
    ValueError
        If the names are empty, repeated or not strings, the lengths differ, a
        distribution is not a frozen continuous scipy distribution, or its support is
        impossible (empty, NaN quantiles, or zero density at every probed quantile).

    Examples
    --------
    >>> from scipy import stats
    >>> p = Prior(["a", "b"], [stats.norm(0, 1), stats.uniform(0, 2)])
    >>> p.k, p.names
    (2, ('a', 'b'))
    >>> p.support()
    (array([-inf,   0.]), array([inf,  2.]))
    >>> p.logpdf(np.array([[0.0, 1.0], [0.0, 3.0]]))
    array([-1.61208571,        -inf])
    """

    def __init__(self, names: Sequence[str], dists: Sequence[rv_frozen]) -> None:
        if isinstance(names, str):
            raise ValueError("names must be a sequence of strings, not a single string")
        names = tuple(names)
        dists = tuple(dists)
        if len(names) == 0:
            raise ValueError("names must hold at least one parameter name")
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name:
                raise ValueError(f"names[{i}] must be a non-empty string; got {name!r}")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"names must be unique; {name!r} appears more than once")
            seen.add(name)
        if len(dists) != len(names):
            raise ValueError(
                f"dists must have one distribution per name: {len(names)} names, {len(dists)} dists"
            )
        lo = np.empty(len(names))
        hi = np.empty(len(names))
        for j, (name, dist) in enumerate(zip(names, dists, strict=True)):
            lo[j], hi[j] = _check_dist(name, j, dist)
        self._names = names
        self._dists = dists
        self._lo = lo
        self._hi = hi

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in column order."""
        return self._names

    @property
    def dists(self) -> tuple[rv_frozen, ...]:
        """The frozen distributions, in column order."""
        return self._dists

    @property
    def k(self) -> int:
        """Number of parameters."""
        return len(self._names)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{n}~{describe_distribution(d)}" for n, d in zip(self._names, self._dists, strict=True)
        )
        return f"Prior({parts})"

    def support(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Lower and upper ends of each parameter's support, arrays of shape ``(k,)``."""
        return self._lo.copy(), self._hi.copy()

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """Draw ``n`` parameter vectors by inverse CDF, ``dist.ppf(u)``.

        Parameters
        ----------
        n : int
            Number of draws (>= 0).
        rng : numpy.random.Generator
            Source of the uniforms ``u`` (shape ``(n, k)``, kept inside ``(0, 1)``).

        Returns
        -------
        ndarray, shape (n, k)
        """
        n = _check_int(n, "n", 0)
        u = np.clip(rng.random((n, self.k)), _EDGE, 1.0 - _EDGE)
        theta = np.empty((n, self.k))
        for j, dist in enumerate(self._dists):  # loop over parameters, not draws
            theta[:, j] = dist.ppf(u[:, j])
        return theta

    def logpdf(self, theta: ArrayLike) -> NDArray[np.float64]:
        """Joint log density ``sum_j log pi_j(theta_j)``; ``-inf`` outside the support.

        Parameters
        ----------
        theta : array_like, shape (n, k)

        Returns
        -------
        ndarray, shape (n,)
        """
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim != 2 or theta.shape[1] != self.k:
            raise ValueError(f"theta must have shape (n, {self.k}); got {theta.shape}")
        out = np.zeros(theta.shape[0])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            for j, dist in enumerate(self._dists):  # loop over parameters, not draws
                out += dist.logpdf(theta[:, j])
        outside = np.isnan(theta).any(axis=1)
        outside |= ((theta < self._lo) | (theta > self._hi)).any(axis=1)
        out[outside | np.isnan(out)] = -np.inf
        return out


def _check_dist(name: str, j: int, dist: object) -> tuple[float, float]:
    """Validate one prior distribution; return its support."""
    label = f"dists[{j}] (prior of {name!r})"
    if not isinstance(dist, rv_frozen) or not isinstance(
        getattr(dist, "dist", None), rv_continuous
    ):
        raise ValueError(
            f"{label} must be a frozen continuous scipy.stats distribution such as "
            f"scipy.stats.norm(0, 1); got {type(dist).__name__}"
        )
    with np.errstate(all="ignore"):
        lo, hi = (float(v) for v in dist.support())
        q = np.asarray(dist.ppf(_PROBES), dtype=np.float64)
        pdf = np.asarray(dist.pdf(q), dtype=np.float64)
    if not (lo < hi) or not np.isfinite(q).all() or not (np.nan_to_num(pdf) > 0).any():
        raise ValueError(
            f"{label} has an impossible support: support ({lo:g}, {hi:g}), its ppf gives "
            f"{int((~np.isfinite(q)).sum())} non-finite value(s) of {q.size} probes and its "
            f"density is positive at {int((np.nan_to_num(pdf) > 0).sum())} of them"
        )
    return lo, hi


# ------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Generation:
    """One population of the ABC-SMC run.

    Attributes
    ----------
    index : int
        Generation number ``t`` (0 = rejection from the prior).
    epsilon : float
        Tolerance ``eps_t`` (``inf`` for generation 0), in the units of ``scales``.
    acceptance_rate : float
        Accepted / simulated in this generation (all acceptances, also those beyond
        the ``N`` kept).
    n_simulated : int
        Simulations made in this generation.
    n_proposed : int
        Candidates proposed (``n_simulated`` plus those outside the prior support).
    ess : float
        Effective sample size ``(sum w)^2 / sum w^2``.
    particles : ndarray, shape (N, k)
    weights : ndarray, shape (N,)
        Normalized importance weights.
    distances : ndarray, shape (N,)
        Distances of the particles under this generation's distance.
    scales : ndarray or None
        Per-statistic scales of the built-in distance (NaN for unobserved statistics);
        None for a user distance.
    """

    index: int
    epsilon: float
    acceptance_rate: float
    n_simulated: int
    n_proposed: int
    ess: float
    particles: NDArray[np.float64] = field(repr=False)
    weights: NDArray[np.float64] = field(repr=False)
    distances: NDArray[np.float64] = field(repr=False)
    scales: NDArray[np.float64] | None = field(repr=False, default=None)


@dataclass(frozen=True, eq=False)
class ABCResult:
    """Outcome of :func:`abc_smc`: the last population and the history of the run.

    Summaries (:meth:`mean`, :meth:`std`, :meth:`quantile`) return arrays whose last
    axis follows ``names``; :meth:`to_frame` gives a name-indexed table.

    Attributes
    ----------
    names : tuple of str
    particles : ndarray, shape (N, k)
        Particles of the last complete generation.
    weights : ndarray, shape (N,)
        Their normalized importance weights.
    distances : ndarray, shape (N,)
    history : list of Generation
        Every complete generation, generation 0 first.
    n_simulations : int
        Simulations made in total (including an abandoned last generation).
    stop_reason : str
        ``"generations"``, ``"epsilon_min"``, ``"min_acceptance"`` or
        ``"max_simulations"``.
    """

    names: tuple[str, ...]
    particles: NDArray[np.float64] = field(repr=False)
    weights: NDArray[np.float64] = field(repr=False)
    distances: NDArray[np.float64] = field(repr=False)
    history: list[Generation] = field(repr=False)
    n_simulations: int
    stop_reason: str = "generations"

    def __post_init__(self) -> None:
        p = np.asarray(self.particles, dtype=np.float64)
        w = np.asarray(self.weights, dtype=np.float64)
        for name, value in (("particles", p), ("weights", w)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "distances", np.asarray(self.distances, dtype=np.float64))
        object.__setattr__(self, "names", tuple(self.names))
        if p.ndim != 2 or p.shape[1] != len(self.names) or w.shape != (p.shape[0],):
            raise ValueError(
                f"particles must be (N, {len(self.names)}) and weights (N,); got "
                f"{p.shape} and {w.shape}"
            )

    @property
    def epsilon(self) -> float:
        """Tolerance of the last generation (``inf`` if only generation 0 ran)."""
        return self.history[-1].epsilon if self.history else math.inf

    @property
    def ess(self) -> float:
        """Effective sample size ``(sum w)^2 / sum w^2`` of the last generation."""
        return _ess(self.weights)

    def mean(self) -> NDArray[np.float64]:
        """Weighted posterior mean, shape ``(k,)`` in the order of ``names``."""
        return self.weights @ self.particles

    def std(self) -> NDArray[np.float64]:
        """Weighted posterior standard deviation (``sum w (x - mean)^2``), shape ``(k,)``."""
        dev = self.particles - self.mean()
        return np.sqrt(self.weights @ (dev * dev))

    def quantile(self, q: ArrayLike) -> NDArray[np.float64]:
        """Weighted posterior quantiles (inverse of the weighted empirical CDF).

        The ``q``-quantile of parameter ``j`` is the smallest particle value whose
        cumulative weight reaches ``q``.

        Parameters
        ----------
        q : float or array_like in [0, 1]

        Returns
        -------
        ndarray
            Shape ``(k,)`` for a scalar ``q``, ``q.shape + (k,)`` otherwise.
        """
        qa = np.asarray(q, dtype=np.float64)
        if np.isnan(qa).any() or (qa < 0).any() or (qa > 1).any():
            raise ValueError(f"q must lie in [0, 1]; got {q!r}")
        order = np.argsort(self.particles, axis=0, kind="stable")
        xs = np.take_along_axis(self.particles, order, axis=0)
        cw = np.cumsum(self.weights[order], axis=0)  # (N, k)
        cw /= cw[-1]
        n = xs.shape[0]
        flat = qa.reshape(-1)
        # index of the first cumulative weight >= q, per parameter (searchsorted is 1-D)
        idx = (cw[None, :, :] < flat[:, None, None]).sum(axis=1)  # (m, k)
        idx = np.minimum(idx, n - 1)
        out = np.take_along_axis(xs, idx, axis=0) if flat.size else np.empty((0, xs.shape[1]))
        return out.reshape((*qa.shape, xs.shape[1]))

    def sample(self, n: int, rng: np.random.Generator | SeedLike = None) -> NDArray[np.float64]:
        """Weighted resampling of the particles (multinomial, with replacement).

        Parameters
        ----------
        n : int
            Number of draws.
        rng : numpy.random.Generator, int, SeedSequence or None
            A generator, or a seed turned into one by :mod:`alliance_sim._rng`.

        Returns
        -------
        ndarray, shape (n, k)
        """
        n = _check_int(n, "n", 0)
        gen = rng if isinstance(rng, np.random.Generator) else child_generator(seed_sequence(rng))
        idx = gen.choice(self.weights.size, size=n, p=self.weights)
        return self.particles[idx]

    def to_frame(self) -> pd.DataFrame:
        """Particles (one column per name) and a ``weight`` column, as a DataFrame."""
        import pandas as pd

        frame = pd.DataFrame(self.particles, columns=list(self.names))
        frame["weight"] = self.weights
        return frame


def rank_statistic(result: ABCResult, theta_true: ArrayLike) -> NDArray[np.float64]:
    """Weighted posterior rank of a true parameter vector (simulation-based calibration).

    For each parameter, the posterior mass strictly below ``theta_true`` plus half the
    mass equal to it: ``sum_i w_i [1(theta_i < x) + 0.5 * 1(theta_i == x)]``. If the
    inference is calibrated and ``theta_true`` is drawn from the prior with the data
    simulated from it, these ranks are uniform on [0, 1] (Talts et al. 2018).

    Parameters
    ----------
    result : ABCResult
    theta_true : array_like, shape (k,)

    Returns
    -------
    ndarray, shape (k,)
        Values in [0, 1], non-decreasing in each ``theta_true[j]``.

    Examples
    --------
    >>> res = ABCResult(("a",), np.array([[0.0], [1.0], [2.0], [3.0]]),
    ...                 np.full(4, 0.25), np.zeros(4), [], 4)
    >>> rank_statistic(res, [1.5]), rank_statistic(res, [1.0])
    (array([0.5]), array([0.375]))
    """
    x = np.asarray(theta_true, dtype=np.float64)
    k = len(result.names)
    if x.shape != (k,):
        raise ValueError(f"theta_true must have shape ({k},); got {x.shape}")
    if np.isnan(x).any():
        raise ValueError("theta_true must not hold NaN")
    below = (result.particles < x).astype(np.float64)
    below += 0.5 * (result.particles == x)
    return np.clip(result.weights @ below, 0.0, 1.0)


# ------------------------------------------------------------------------- helpers
def _check_int(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value}")
    return int(value)


def _check_real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a real number; got {value!r}")
    return float(value)


def _ess(weights: NDArray[np.float64]) -> float:
    s = float(weights.sum())
    return s * s / float(weights @ weights)


def _mad_scales(sims: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-column MAD of the finite values; fallback mean absolute deviation, then 1."""
    scales = np.ones(sims.shape[1])
    for j in range(sims.shape[1]):  # loop over statistics, not draws
        col = sims[:, j]
        col = col[np.isfinite(col)]
        if col.size == 0:
            continue
        dev = np.abs(col - np.median(col))
        s = float(np.median(dev))
        if not (s > 0 and math.isfinite(s)):
            s = float(dev.mean())
        if s > 0 and math.isfinite(s):
            scales[j] = s
    return scales


def _scaled_distance(
    sims: NDArray[np.float64], obs: NDArray[np.float64], scales: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Weighted Euclidean distance; NaN simulated entries cost ``NAN_RESIDUAL``."""
    r = (sims - obs) / scales
    r[np.isnan(r)] = NAN_RESIDUAL
    return np.sqrt(np.sum(r * r, axis=1))


def _call_simulate(
    simulate: SimulateFn, theta: NDArray[np.float64], rng: np.random.Generator, d: int
) -> NDArray[np.float64]:
    m = theta.shape[0]
    out = np.asarray(simulate(theta, rng))
    if out.dtype.kind not in "biuf":
        raise ValueError(f"simulate must return numbers; got dtype {out.dtype}")
    if out.ndim != 2 or out.shape[0] != m:
        raise ValueError(
            f"simulate must return an array of shape (n, d) = ({m}, {d}) for theta of "
            f"shape {theta.shape}; got shape {out.shape}"
        )
    if out.shape[1] != d:
        raise ValueError(
            f"observed has {d} statistics but simulate returned {out.shape[1]} per row; "
            f"observed and simulate must agree"
        )
    out = out.astype(np.float64)  # a copy: the caller's array is never modified
    out[~np.isfinite(out)] = np.nan
    return out


def _weighted_cholesky(
    particles: NDArray[np.float64], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Lower Cholesky factor of 2 x the weighted covariance (jittered if singular)."""
    mu = weights @ particles
    dev = particles - mu
    cov = 2.0 * (dev.T @ (dev * weights[:, None]))
    k = cov.shape[0]
    level = max(float(np.trace(cov)) / k, 1e-300)
    jitter = 0.0
    for _ in range(30):
        try:
            return linalg.cholesky(cov + jitter * np.eye(k), lower=True)
        except linalg.LinAlgError:
            jitter = level * 1e-12 if jitter == 0.0 else jitter * 100.0
    raise RuntimeError(  # pragma: no cover
        "the weighted covariance of the population is not usable"
    )


def _log_weights(
    new: NDArray[np.float64],
    prior_logpdf: NDArray[np.float64],
    old: NDArray[np.float64],
    old_weights: NDArray[np.float64],
    chol: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``log pi(new_i) - log sum_j w_j K(new_i | old_j)``, blocked over ``new``.

    With whitened, centred points ``y = L^{-1}(theta - c)``,
    ``-0.5 |y_i - y_j|^2 = -0.5 |y_i|^2 + (y_i . y_j - 0.5 |y_j|^2)``: the sum over
    ``j`` is a log-sum-exp of a matrix product.
    """
    k = new.shape[1]
    n_old = old.shape[0]
    log_w_old = np.full(n_old, -np.inf)
    np.log(old_weights, out=log_w_old, where=old_weights > 0)
    log_norm = float(np.log(np.diag(chol)).sum()) + 0.5 * k * math.log(2.0 * math.pi)
    centre = old_weights @ old
    y_new = linalg.solve_triangular(chol, (new - centre).T, lower=True).T
    y_old = linalg.solve_triangular(chol, (old - centre).T, lower=True).T
    c_old = log_w_old - 0.5 * np.einsum("ij,ij->i", y_old, y_old)
    half_new = 0.5 * np.einsum("ij,ij->i", y_new, y_new)
    rows = max(1, _WEIGHT_BLOCK // n_old)
    out = np.empty(new.shape[0])
    for start in range(0, new.shape[0], rows):  # blocks bound memory: (rows, N)
        g = y_new[start : start + rows] @ y_old.T
        g += c_old
        top = g.max(axis=1)
        g -= top[:, None]
        np.exp(g, out=g)
        out[start : start + rows] = top + np.log(g.sum(axis=1))
    return prior_logpdf + half_new + log_norm - out


def _normalize_log(logw: NDArray[np.float64]) -> NDArray[np.float64]:
    w = np.exp(logw - logw.max())
    return w / w.sum()


@dataclass
class _Batches:
    """What one generation's batch loop produced."""

    theta: NDArray[np.float64]
    sims: NDArray[np.float64]
    dist: NDArray[np.float64]
    scale_sims: NDArray[np.float64]
    n_simulated: int
    n_proposed: int
    n_accepted_all: int
    complete: bool
    reason: str = ""


# ---------------------------------------------------------------------------- main
def abc_smc(
    simulate: SimulateFn,
    prior: Prior,
    observed: ArrayLike,
    *,
    n_particles: int = 1000,
    generations: int = 10,
    alpha: float = 0.5,
    min_acceptance: float = 0.02,
    epsilon_min: float = 0.0,
    max_simulations: int = 10**7,
    distance: DistanceFn | Literal["adaptive", "fixed"] | None = None,
    seed: SeedLike = None,
    progress: bool = False,
) -> ABCResult:
    """Calibrate ``prior`` to ``observed`` statistics by ABC-SMC (population Monte Carlo).

    See the module docstring for the algorithm, the NaN rule, the batching rule and
    the budget behaviour.

    Parameters
    ----------
    simulate : callable
        ``simulate(theta, rng) -> stats``: ``theta`` of shape ``(n, k)`` (columns as in
        ``prior.names``), ``rng`` a :class:`numpy.random.Generator` to draw all noise
        from, ``stats`` of shape ``(n, d)``; NaN marks a target the model does not
        produce for that row.
    prior : Prior
    observed : array_like, shape (d,)
        Observed statistics; NaN = not observed (ignored). At least one must be given.
    n_particles : int
        Population size ``N`` (>= 2).
    generations : int
        Maximum number of populations, generation 0 included (>= 1).
    alpha : float
        Quantile in (0, 1) of the previous distances that sets the next tolerance.
    min_acceptance : float
        Stop when a generation's acceptance rate falls below this, in [0, 1).
    epsilon_min : float
        Final tolerance (>= 0): stop once a generation ran with ``eps <= epsilon_min``.
    max_simulations : int
        Budget of simulations in total (>= ``n_particles``).
    distance : None, "adaptive", "fixed" or callable
        None/"adaptive": MAD-scaled Euclidean distance with scales from the previous
        generation (Prangle 2017); "fixed": scales from generation 0 only; a callable
        ``distance(sim (n, d'), obs (d',)) -> (n,)`` on the observed columns.
    seed : int, numpy.random.SeedSequence or None
        Root of all random streams (:func:`alliance_sim._rng.seed_sequence`).
    progress : bool
        Show a tqdm bar per generation on stderr.

    Returns
    -------
    ABCResult

    Raises
    ------
    ValueError
        For invalid arguments (the message names the argument), or when ``simulate``
        returns an array of the wrong shape.
    TypeError
        If ``prior`` is not a :class:`Prior` or ``simulate``/``distance`` is not callable.
    RuntimeError
        If generation 0 cannot be completed, or proposals keep falling outside the
        prior support.
    """
    if not isinstance(prior, Prior):
        raise TypeError(f"prior must be an alliance_sim.calibration.Prior; got {type(prior)}")
    if not callable(simulate):
        raise TypeError("simulate must be callable: simulate(theta (n, k), rng) -> (n, d)")
    n = _check_int(n_particles, "n_particles", 2)
    generations = _check_int(generations, "generations", 1)
    alpha = _check_real(alpha, "alpha")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1); got {alpha}")
    min_acceptance = _check_real(min_acceptance, "min_acceptance")
    if not 0.0 <= min_acceptance < 1.0:
        raise ValueError(f"min_acceptance must lie in [0, 1); got {min_acceptance}")
    epsilon_min = _check_real(epsilon_min, "epsilon_min")
    if not (epsilon_min >= 0.0 and math.isfinite(epsilon_min)):
        raise ValueError(f"epsilon_min must be a finite number >= 0; got {epsilon_min}")
    max_simulations = _check_int(max_simulations, "max_simulations", 1)
    if max_simulations < n:
        raise ValueError(
            f"max_simulations ({max_simulations}) must be at least n_particles ({n}): "
            f"generation 0 simulates every particle once"
        )
    if distance is None:
        distance = "adaptive"
    if isinstance(distance, str):
        if distance not in ("adaptive", "fixed"):
            raise ValueError(
                f"distance must be 'adaptive', 'fixed' or a callable; got {distance!r}"
            )
    elif not callable(distance):
        raise TypeError("distance must be None, 'adaptive', 'fixed' or a callable")

    obs_all = np.asarray(observed)
    if obs_all.dtype.kind not in "biuf" or obs_all.ndim != 1:
        raise ValueError(
            f"observed must be a 1-D numeric array of statistics; got dtype {obs_all.dtype}, "
            f"shape {obs_all.shape}"
        )
    obs_all = obs_all.astype(np.float64)
    if np.isinf(obs_all).any():
        raise ValueError("observed must not hold infinite values (NaN = not observed)")
    cols = np.flatnonzero(~np.isnan(obs_all))
    if cols.size == 0:
        raise ValueError(
            "observed is empty: every entry is NaN (not observed), nothing to calibrate on"
        )
    d_all = obs_all.size
    obs = obs_all[cols]

    root = seed_sequence(seed)
    abort_limit = math.ceil(n / min_acceptance) if min_acceptance > 0 else math.inf
    max_batch = max(_MAX_BATCH, 2 * n)

    history: list[Generation] = []
    n_total = 0
    stop_reason = "generations"
    scales: NDArray[np.float64] | None = None  # built-in distances: scales of generation t
    prev_rate = 1.0  # acceptances per proposal of the previous generation
    prev_sims = np.empty((0, cols.size))  # simulations of the previous population
    scale_sims = np.empty((0, cols.size))  # simulations of the previous generation (scales)

    for t in range(generations):
        epsilon = math.inf
        chol: NDArray[np.float64] | None = None
        if t > 0:
            last = history[-1]
            if distance == "adaptive":
                scales = _mad_scales(scale_sims)
                prev_d = _scaled_distance(prev_sims, obs, scales)
            else:
                prev_d = last.distances
            epsilon = max(float(np.quantile(prev_d, alpha, method="lower")), epsilon_min)
            chol = _weighted_cholesky(last.particles, last.weights)
        propose = _kernel_proposal(history[-1], chol) if t > 0 else prior.sample
        if t == 0 and isinstance(distance, str):
            # eps_0 = inf accepts everything; distances follow once the scales are known
            measure: Callable[[NDArray[np.float64]], NDArray[np.float64]] = _zeros
        elif isinstance(distance, str):
            assert scales is not None  # set by generation 0 for the built-in distances
            measure = functools.partial(_scaled_distance, obs=obs, scales=scales)
        else:
            measure = functools.partial(_user_distance, distance, obs=obs)

        out = _run_batches(
            t=t,
            n=n,
            d_all=d_all,
            cols=cols,
            epsilon=epsilon,
            prev_rate=prev_rate,
            budget=max_simulations - n_total,
            abort_limit=abort_limit,
            max_batch=max_batch,
            root=root,
            prior=prior,
            simulate=simulate,
            propose=propose,
            measure=measure,
            progress=progress,
        )
        n_total += out.n_simulated
        if not out.complete:
            if t == 0:
                raise RuntimeError(
                    f"generation 0 could not be completed: {out.n_simulated} simulations, "
                    f"{out.theta.shape[0]} of {n} particles ({out.reason})"
                )
            stop_reason = out.reason
            break

        if t == 0:
            if isinstance(distance, str):
                scales = _mad_scales(out.scale_sims)
                out.dist = _scaled_distance(out.sims, obs, scales)
            weights = np.full(n, 1.0 / n)
        else:
            last = history[-1]
            assert chol is not None
            logw = _log_weights(
                out.theta, prior.logpdf(out.theta), last.particles, last.weights, chol
            )
            weights = _normalize_log(logw)

        rate = out.n_accepted_all / out.n_simulated
        gen_scales = None
        if scales is not None:
            gen_scales = np.full(d_all, np.nan)
            gen_scales[cols] = scales
        for arr in (out.theta, weights, out.dist, gen_scales):
            if arr is not None:
                arr.setflags(write=False)
        history.append(
            Generation(
                index=t,
                epsilon=epsilon,
                acceptance_rate=rate,
                n_simulated=out.n_simulated,
                n_proposed=out.n_proposed,
                ess=_ess(weights),
                particles=out.theta,
                weights=weights,
                distances=out.dist,
                scales=gen_scales,
            )
        )
        prev_rate = out.n_accepted_all / out.n_proposed
        prev_sims = out.sims
        scale_sims = out.scale_sims
        if t > 0 and epsilon <= epsilon_min:
            stop_reason = "epsilon_min"
            break
        if rate < min_acceptance:
            stop_reason = "min_acceptance"
            break

    last = history[-1]
    return ABCResult(
        names=prior.names,
        particles=last.particles,
        weights=last.weights,
        distances=last.distances,
        history=history,
        n_simulations=n_total,
        stop_reason=stop_reason,
    )


def _zeros(sims: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.zeros(sims.shape[0])


def _user_distance(
    distance: DistanceFn, sims: NDArray[np.float64], obs: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Call a user distance, check its shape; NaN counts as +inf."""
    dist = np.asarray(distance(sims, obs), dtype=np.float64)
    if dist.shape != (sims.shape[0],):
        raise ValueError(
            f"distance must return shape ({sims.shape[0]},) for sim of shape {sims.shape}; "
            f"got {dist.shape}"
        )
    return np.where(np.isnan(dist), np.inf, dist)


def _kernel_proposal(
    last: Generation, chol: NDArray[np.float64] | None
) -> Callable[[int, np.random.Generator], NDArray[np.float64]]:
    """Sampler of ``theta_j + L z`` with ancestors ``j`` drawn by weight."""
    assert chol is not None

    def propose(m: int, rng: np.random.Generator) -> NDArray[np.float64]:
        anc = rng.choice(last.weights.size, size=m, p=last.weights)
        z = rng.standard_normal((m, chol.shape[0]))
        return last.particles[anc] + z @ chol.T

    return propose


def _run_batches(
    *,
    t: int,
    n: int,
    d_all: int,
    cols: NDArray[np.intp],
    epsilon: float,
    prev_rate: float,
    budget: int,
    abort_limit: float,
    max_batch: int,
    root: np.random.SeedSequence,
    prior: Prior,
    simulate: SimulateFn,
    propose: Callable[[int, np.random.Generator], NDArray[np.float64]],
    measure: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    progress: bool,
) -> _Batches:
    """Propose, simulate and accept in batches until ``n`` particles are accepted."""
    from tqdm import tqdm

    thetas: list[NDArray[np.float64]] = []
    sims_kept: list[NDArray[np.float64]] = []
    dists: list[NDArray[np.float64]] = []
    scale_rows: list[NDArray[np.float64]] = []
    n_scale = 0
    accepted = accepted_all = simulated = proposed = 0
    batch = empty = 0
    reason = ""
    bar = tqdm(
        total=n,
        desc=f"ABC-SMC generation {t}",
        file=sys.stderr,
        disable=not progress,
        leave=True,
    )
    bar.set_postfix(eps=f"{epsilon:.4g}")
    try:
        while accepted < n:
            needed = n - accepted
            if simulated >= budget:
                reason = "max_simulations"
                break
            if simulated >= abort_limit:
                reason = "min_acceptance"
                break
            if math.isinf(epsilon):
                size = needed
            else:
                rate = prev_rate if batch == 0 else (accepted_all + 1) / (proposed + 1)
                size = max(2 * needed, math.ceil(1.2 * needed / max(rate, 1e-12)))
            size = int(min(size, max_batch, budget - simulated, abort_limit - simulated))
            theta = propose(size, child_generator(root, _ABC_KEY, t, batch, 0))
            proposed += size
            theta = theta[np.isfinite(prior.logpdf(theta))]
            if theta.shape[0] == 0:
                empty += 1
                if empty >= _MAX_EMPTY_BATCHES:
                    raise RuntimeError(
                        f"generation {t}: {empty} batches in a row proposed no candidate "
                        f"inside the prior support"
                    )
                batch += 1
                continue
            empty = 0
            sims = _call_simulate(
                simulate, theta, child_generator(root, _ABC_KEY, t, batch, 1), d_all
            )[:, cols]
            simulated += theta.shape[0]
            if n_scale < _SCALE_ROWS:
                scale_rows.append(sims[: _SCALE_ROWS - n_scale])
                n_scale += scale_rows[-1].shape[0]
            dist = measure(sims)
            ok = np.flatnonzero(dist <= epsilon)
            accepted_all += ok.size
            take = ok[:needed]
            thetas.append(theta[take])
            sims_kept.append(sims[take])
            dists.append(dist[take])
            accepted += take.size
            bar.update(take.size)
            batch += 1
    finally:
        bar.close()
    k = prior.k
    return _Batches(
        theta=np.concatenate(thetas) if thetas else np.empty((0, k)),
        sims=np.concatenate(sims_kept) if sims_kept else np.empty((0, cols.size)),
        dist=np.concatenate(dists) if dists else np.empty(0),
        scale_sims=np.concatenate(scale_rows) if scale_rows else np.empty((0, cols.size)),
        n_simulated=simulated,
        n_proposed=proposed,
        n_accepted_all=accepted_all,
        complete=accepted >= n,
        reason=reason,
    )
