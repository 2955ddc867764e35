r"""Proper scoring rules for probabilistic forecasts (lower is better).

The rolling backtest scores forecasts given as samples (the predictive draws of the
next agreed payment change, of a one-year term, of a lapse) against what happened:

* :func:`crps_sample` — the continuous ranked probability score [1]_ of a (weighted)
  empirical distribution, exact and :math:`O(m \log m)`;
  :func:`crps_point` and :func:`crps_normal` [2]_ — the point-forecast and Gaussian cases;
* :func:`log_score_sample` — the ignorance (negative log density) of a Gaussian kernel
  density estimate of the samples, bandwidth :func:`silverman_bandwidth` [4]_ by default;
* :func:`brier_score` [5]_ — for probability forecasts of a binary event;
* :func:`interval_hit`, :func:`weighted_quantile` and :func:`pit` — calibration checks
  [3]_ (central-interval coverage and the mid probability integral transform).

Every sample argument is a 1-D array of draws (a scalar counts as one draw); ``weights``,
where accepted, are non-negative numbers (not all zero) of the same length, normalised
internally, so integer weights act as replication counts. Invalid input raises
``ValueError`` (``TypeError`` for non-numeric input) naming the argument.

References
----------
.. [1] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction,
   and estimation. *Journal of the American Statistical Association* 102(477), 359-378.
.. [2] Gneiting, T., Raftery, A. E., Westveld, A. H. and Goldman, T. (2005). Calibrated
   probabilistic forecasting using ensemble model output statistics and minimum CRPS
   estimation. *Monthly Weather Review* 133(5), 1098-1118.
.. [3] Gneiting, T., Balabdaoui, F. and Raftery, A. E. (2007). Probabilistic forecasts,
   calibration and sharpness. *Journal of the Royal Statistical Society B* 69(2), 243-268.
.. [4] Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*.
   Chapman & Hall, London.
.. [5] Brier, G. W. (1950). Verification of forecasts expressed in terms of probability.
   *Monthly Weather Review* 78(1), 1-3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erf, logsumexp

from alliance_sim._validation import as_float_array, check_in_range

__all__ = [
    "brier_score",
    "crps_normal",
    "crps_point",
    "crps_sample",
    "interval_hit",
    "log_score_sample",
    "pit",
    "silverman_bandwidth",
    "weighted_quantile",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
#: Relative bandwidth floor of :func:`silverman_bandwidth` (times ``1 + |median|``).
_BANDWIDTH_FLOOR = 1e-6


# --- Validation helpers -------------------------------------------------------------------


def _samples(samples: ArrayLike) -> NDArray[np.float64]:
    """Finite 1-D float array of at least one draw (a scalar is one draw)."""
    x = as_float_array(samples, "samples")
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1:
        raise ValueError(f"samples must be a 1-D array of draws; got shape {x.shape}")
    if x.size == 0:
        raise ValueError("samples must not be empty (need at least one draw)")
    return x


def _scalar(value: ArrayLike, name: str) -> float:
    """A finite scalar."""
    arr = as_float_array(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar; got shape {arr.shape}")
    return float(arr)


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    """Non-negative finite weights of length ``n``, not all zero (``None`` passes through).

    The weights are returned unscaled (so integer weights stay exact integers) unless
    their sum overflows, in which case they are divided by their maximum.
    """
    if weights is None:
        return None
    w = as_float_array(weights, "weights")
    if w.shape != (n,):
        raise ValueError(
            f"weights must be a 1-D array with one weight per sample ({n}); got shape {w.shape}"
        )
    check_in_range(w, "weights", 0.0, math.inf)
    if not np.any(w > 0):
        raise ValueError("weights must not all be zero")
    with np.errstate(over="ignore"):
        total = w.sum()
    if not math.isfinite(total):
        w = w / w.max()
    return w


def _as_output(arr: NDArray[np.float64]) -> float | NDArray[np.float64]:
    """A Python float for a 0-d result, else the array."""
    return float(arr) if arr.ndim == 0 else arr


# --- CRPS ---------------------------------------------------------------------------------


def crps_sample(samples: ArrayLike, observation: float, weights: ArrayLike | None = None) -> float:
    r"""CRPS of the (weighted) empirical distribution of ``samples`` at one observation.

    The continuous ranked probability score ([1]_, eq. 21)

    .. math::

        \mathrm{CRPS}(F, y) = \int_{-\infty}^{\infty} (F(x) - \mathbf 1\{x \ge y\})^2\,dx
        = \mathrm{E}|X - y| - \tfrac12\,\mathrm{E}|X - X'|,

    with :math:`X, X'` independent draws from :math:`F`, computed exactly for the
    empirical distribution :math:`F = \sum_i w_i \delta_{x_i}` in :math:`O(m \log m)`.

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws of the predictive distribution (finite; a scalar is one draw).
    observation : float
        The realised value :math:`y`.
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero (normalised to sum to one); equal if omitted.

    Returns
    -------
    float
        The score, :math:`\ge 0`, in the units of the samples.

    Raises
    ------
    ValueError
        Empty or non-finite ``samples``, non-scalar ``observation``, negative, all-zero
        or wrongly shaped ``weights``.

    See Also
    --------
    crps_point : The one-draw case, :math:`|x - y|`.
    crps_normal : Closed form for a normal predictive distribution.

    Notes
    -----
    Sort the draws, :math:`x_{(1)} \le \dots \le x_{(m)}`, carry their normalised weights
    :math:`w_i` along and let :math:`W_i = \sum_{j \le i} w_j` (:math:`W_0 = 0`,
    :math:`W_m = 1`). :math:`F` equals :math:`W_i` on :math:`[x_{(i)}, x_{(i+1)})`, so the
    integral is a finite sum over the gaps, each split at :math:`y` into the part left of
    it, :math:`L_i = \operatorname{clip}(y, x_{(i)}, x_{(i+1)}) - x_{(i)}`, and the part
    right of it, :math:`R_i = x_{(i+1)} - x_{(i)} - L_i`:

    .. math::

        \mathrm{CRPS} = \sum_{i=1}^{m-1} \bigl(W_i^2 L_i + (1 - W_i)^2 R_i\bigr)
        + (x_{(1)} - y)_+ + (y - x_{(m)})_+ .

    This is the kernel form term by term: the same split gives
    :math:`\mathrm{E}|X - y| = \sum_i (W_i L_i + (1 - W_i) R_i) + (x_{(1)} - y)_+
    + (y - x_{(m)})_+`, and, since :math:`W(1-W)` vanishes at :math:`W_0` and
    :math:`W_m`, summation by parts gives

    .. math::

        \mathrm{E}|X - X'| = 2 \sum_{i=1}^{m-1} W_i (1 - W_i) (x_{(i+1)} - x_{(i)})
        = 2 \sum_{i=1}^{m} w_i\, x_{(i)}\, (2 W_i - w_i - 1),

    and :math:`W_i - W_i(1 - W_i) = W_i^2`, :math:`(1 - W_i) - W_i(1 - W_i) = (1 - W_i)^2`.
    The sum of non-negative terms is used because it does not cancel: a point mass scores
    exactly :math:`|x - y|`, and the score does not lose digits when the draws share a
    large offset. :math:`1 - W_i` is accumulated from the right, not subtracted from one.
    Ties need no special care (their gaps are zero). With equal weights this is the
    familiar :math:`\frac1m \sum_i |x_i - y| - \frac1{m^2} \sum_i x_{(i)}(2i - m - 1)`.

    References
    ----------
    .. [1] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules,
       prediction, and estimation. *JASA* 102(477), 359-378.

    Examples
    --------
    >>> float(crps_sample([1.0, 2.0, 3.0], 2.0))
    0.2222222222222222
    >>> float(crps_sample([4.0, 4.0], 1.5))  # a point mass: the absolute error
    2.5
    >>> float(crps_sample([0.0, 1.0], 0.0, weights=[3, 1]))
    0.0625
    """
    x = _samples(samples)
    y = _scalar(observation, "observation")
    w = _weights(weights, x.size)
    if w is None:
        x = np.sort(x)
        m = x.size
        ranks = np.arange(1, m, dtype=np.float64)
        below, above = ranks / m, (m - ranks) / m
    else:
        order = np.argsort(x, kind="stable")
        x, w = x[order], w[order]
        total = w.sum()
        below = np.cumsum(w)[:-1] / total
        above = np.cumsum(w[::-1])[::-1][1:] / total
    left_end, right_end = x[:-1], x[1:]
    split = np.clip(y, left_end, right_end)
    inner = np.sum(below**2 * (split - left_end)) + np.sum(above**2 * (right_end - split))
    outer = max(x[0] - y, 0.0) + max(y - x[-1], 0.0)
    return float(inner + outer)


def crps_point(prediction: ArrayLike, observation: ArrayLike) -> float | NDArray[np.float64]:
    r"""CRPS of a point forecast: the absolute error :math:`|x - y|`.

    A point forecast is the predictive distribution :math:`\delta_x`, for which
    :math:`\mathrm{CRPS}(\delta_x, y) = |x - y|` ([1]_, section 4.2), so CRPS values of
    point and probabilistic forecasts are comparable.

    Parameters
    ----------
    prediction : array_like
        The point forecasts :math:`x` (finite).
    observation : array_like
        The realised values :math:`y` (finite), broadcast against ``prediction``.

    Returns
    -------
    float or ndarray
        The scores; a float when both inputs are scalars.

    Raises
    ------
    ValueError
        Non-finite input, or shapes that do not broadcast.

    References
    ----------
    .. [1] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules,
       prediction, and estimation. *JASA* 102(477), 359-378.

    Examples
    --------
    >>> crps_point(1.5, 4.0)
    2.5
    >>> crps_point([1.0, 2.0], 1.5).tolist()
    [0.5, 0.5]
    """
    x = as_float_array(prediction, "prediction")
    y = as_float_array(observation, "observation")
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError as exc:
        raise ValueError(
            f"prediction (shape {x.shape}) and observation (shape {y.shape}) do not broadcast"
        ) from exc
    out = np.abs(np.broadcast_to(x, shape) - np.broadcast_to(y, shape))
    return _as_output(out)


def crps_normal(
    mu: ArrayLike, sigma: ArrayLike, observation: ArrayLike
) -> float | NDArray[np.float64]:
    r"""CRPS of a normal predictive distribution :math:`N(\mu, \sigma^2)`, closed form.

    .. math::

        \mathrm{CRPS}(N(\mu, \sigma^2), y)
        = \sigma \Bigl[ z\,(2\Phi(z) - 1) + 2\varphi(z) - \tfrac{1}{\sqrt\pi} \Bigr],
        \qquad z = \frac{y - \mu}{\sigma},

    ([1]_, eq. 5), with :math:`\Phi` and :math:`\varphi` the standard normal distribution
    and density. It is evaluated as :math:`(y - \mu)\operatorname{erf}(z/\sqrt2) +
    \sigma(2\varphi(z) - 1/\sqrt\pi)`, which is accurate in the tails; ``sigma = 0``
    gives the point-forecast limit :math:`|y - \mu|`.

    Parameters
    ----------
    mu : array_like
        Means (finite).
    sigma : array_like
        Standard deviations, :math:`\ge 0`.
    observation : array_like
        Realised values. All three arguments broadcast together.

    Returns
    -------
    float or ndarray
        The scores; a float when all inputs are scalars.

    Raises
    ------
    ValueError
        Non-finite input, negative ``sigma``, or shapes that do not broadcast.

    References
    ----------
    .. [1] Gneiting, T., Raftery, A. E., Westveld, A. H. and Goldman, T. (2005).
       Calibrated probabilistic forecasting using ensemble model output statistics and
       minimum CRPS estimation. *Monthly Weather Review* 133(5), 1098-1118.

    Examples
    --------
    >>> round(crps_normal(0.0, 1.0, 0.0), 10)  # 2 phi(0) - 1/sqrt(pi)
    0.2336949773
    >>> crps_normal(1.0, [0.0, 2.0], 3.0).round(6).tolist()
    [2.0, 1.204883]
    """
    m = as_float_array(mu, "mu")
    s = as_float_array(sigma, "sigma")
    y = as_float_array(observation, "observation")
    check_in_range(s, "sigma", 0.0, math.inf)
    try:
        m, s, y = np.broadcast_arrays(m, s, y)
    except ValueError as exc:
        raise ValueError(
            f"mu (shape {m.shape}), sigma (shape {s.shape}) and observation "
            f"(shape {y.shape}) do not broadcast"
        ) from exc
    diff = y - m
    positive = s > 0
    scale = np.where(positive, s, 1.0)
    with np.errstate(over="ignore"):
        z = diff / scale
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    value = diff * erf(z / math.sqrt(2.0)) + scale * (2.0 * pdf - _INV_SQRT_PI)
    out = np.where(positive, value, np.abs(diff))
    return _as_output(out)


# --- Log score ----------------------------------------------------------------------------


def _quantile(
    x: NDArray[np.float64], q: NDArray[np.float64], w: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """:func:`weighted_quantile` on validated input (``q`` already checked)."""
    if w is None:
        return np.asarray(np.quantile(x, q), dtype=np.float64)
    keep = w > 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = np.cumsum(w)
    positions = (cum - 0.5 * w) / cum[-1]
    return np.asarray(np.interp(q, positions, x), dtype=np.float64)


def _silverman(x: NDArray[np.float64], w: NDArray[np.float64] | None) -> float:
    """:func:`silverman_bandwidth` on validated input."""
    if w is None:
        n_eff = float(x.size)
        sd = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    else:
        keep = w > 0
        x, w = x[keep], w[keep] / w[keep].max()
        total = w.sum()
        n_eff = total**2 / np.sum(w * w)
        mean = np.sum(w * x) / total
        var = np.sum(w * (x - mean) ** 2) / total
        # Reliability-weight correction n_eff / (n_eff - 1): ddof=1 for equal weights.
        sd = math.sqrt(var * n_eff / (n_eff - 1.0)) if n_eff > 1.0 + 1e-12 else 0.0
    q25, median, q75 = _quantile(x, np.array([0.25, 0.5, 0.75]), w)
    iqr_sd = (q75 - q25) / 1.34
    spread = min(sd, iqr_sd)
    if spread <= 0.0:
        spread = max(sd, iqr_sd)
    h = 0.9 * spread * n_eff ** (-0.2)
    return max(float(h), _BANDWIDTH_FLOOR * (1.0 + abs(float(median))))


def silverman_bandwidth(samples: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Silverman's rule-of-thumb bandwidth for a Gaussian kernel, with a floor.

    .. math::

        h = \max\Bigl(0.9\,\min\bigl(s, \tfrac{\mathrm{IQR}}{1.34}\bigr)\,n^{-1/5},\;
        10^{-6}\,(1 + |\mathrm{median}|)\Bigr)

    ([1]_, section 3.4.2, eq. 3.31). :math:`s` is the sample standard deviation
    (``ddof=1``) and IQR and median use :func:`weighted_quantile`. With weights,
    :math:`n` is the effective sample size :math:`(\sum w)^2 / \sum w^2`, :math:`s^2` the
    weighted variance times :math:`n / (n - 1)` (reliability weights; ``ddof=1`` when the
    weights are equal), and the quantiles are weighted. If the minimum is zero (e.g. more
    than half the draws tie, so the IQR is zero) the other, non-zero measure is used, as
    in R's ``bw.nrd0``.

    The floor matters when the spread is zero (a point mass, or a single draw): without
    it :math:`h = 0`, the density estimate is a Dirac measure and the log score is
    :math:`-\infty` at the atom and :math:`+\infty` anywhere else. With it the score is
    finite: a large penalty :math:`\tfrac12 ((y - x)/h)^2` for a miss, and a bounded
    reward :math:`\log(h\sqrt{2\pi}) \approx -12.9 + \log(1 + |x|)` for a hit. The floor
    is relative to the magnitude of the draws (and absolute near zero) so it does not
    depend on the units and stays far above their floating-point spacing
    (:math:`2.2 \times 10^{-16}\,|x|`).

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws (finite; a scalar is one draw).
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero; equal if omitted.

    Returns
    -------
    float
        The bandwidth, :math:`> 0`.

    Raises
    ------
    ValueError
        Empty or non-finite ``samples``; negative, all-zero or wrongly shaped ``weights``.

    References
    ----------
    .. [1] Silverman, B. W. (1986). *Density Estimation for Statistics and Data
       Analysis*. Chapman & Hall, London.

    Examples
    --------
    >>> round(silverman_bandwidth([0.0, 1.0, 2.0, 3.0, 4.0]), 6)
    0.973585
    >>> silverman_bandwidth([5.0, 5.0])  # the floor, 1e-6 * (1 + 5)
    6e-06
    """
    x = _samples(samples)
    return _silverman(x, _weights(weights, x.size))


def log_score_sample(
    samples: ArrayLike,
    observation: float,
    weights: ArrayLike | None = None,
    bandwidth: float | None = None,
) -> float:
    r"""Log score (ignorance) of a Gaussian kernel density estimate of ``samples``.

    .. math::

        \mathrm{LogS}(\hat f, y) = -\log \hat f(y), \qquad
        \hat f(y) = \sum_{i=1}^m \frac{w_i}{h}\,\varphi\Bigl(\frac{y - x_i}{h}\Bigr),

    the negative log predictive density ([1]_, section 4.1; lower is better) of the
    kernel density estimate with normalised weights :math:`w_i` and bandwidth :math:`h`
    ([2]_, section 3.4.2). The log density is evaluated with a log-sum-exp,
    :math:`\log \hat f(y) = \operatorname{logsumexp}_i(-u_i^2/2 + \log w_i) - \log h -
    \tfrac12 \log 2\pi` with :math:`u_i = (y - x_i)/h`, so it stays finite far in the
    tails where every kernel term underflows.

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws of the predictive distribution (finite; a scalar is one draw).
    observation : float
        The realised value :math:`y`.
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero; equal if omitted.
    bandwidth : float, optional
        Kernel standard deviation :math:`h > 0`; default :func:`silverman_bandwidth`
        (Silverman's rule, with a floor that keeps a point mass's score finite).

    Returns
    -------
    float
        The score in nats (can be negative: a density above one scores below zero).
        ``inf`` only if :math:`(y - x_i)/h` overflows.

    Raises
    ------
    ValueError
        Empty or non-finite ``samples``, non-scalar ``observation``, bad ``weights``, or
        a ``bandwidth`` that is not a positive finite scalar.

    References
    ----------
    .. [1] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules,
       prediction, and estimation. *JASA* 102(477), 359-378.
    .. [2] Silverman, B. W. (1986). *Density Estimation for Statistics and Data
       Analysis*. Chapman & Hall, London.

    Examples
    --------
    >>> # two kernels one unit away: -log phi(1) = 1/2 + log(2 pi)/2
    >>> round(log_score_sample([0.0, 2.0], 1.0, bandwidth=1.0), 10)
    1.4189385332
    >>> round(log_score_sample([3.0, 3.0], 3.0), 4)  # point mass, floored bandwidth
    -11.5103
    """
    x = _samples(samples)
    y = _scalar(observation, "observation")
    w = _weights(weights, x.size)
    if bandwidth is None:
        h = _silverman(x, w)
    else:
        h = _scalar(bandwidth, "bandwidth")
        check_in_range(np.asarray(h), "bandwidth", 0.0, math.inf, low_open=True)
    if w is not None:
        keep = w > 0
        x, w = x[keep], w[keep]
    with np.errstate(over="ignore", divide="ignore"):
        u = (y - x) / h
        exponents = -0.5 * u * u
        if w is None:
            log_mix = logsumexp(exponents) - math.log(x.size)
        else:
            log_mix = logsumexp(exponents + np.log(w)) - math.log(w.sum())
    return float(-(log_mix - math.log(h) - _LOG_SQRT_2PI))


# --- Binary events ------------------------------------------------------------------------


def brier_score(probability: ArrayLike, outcome: ArrayLike) -> float | NDArray[np.float64]:
    r"""Brier score :math:`(p - o)^2` of a probability forecast of a binary event.

    Parameters
    ----------
    probability : array_like
        Forecast probabilities :math:`p \in [0, 1]`.
    outcome : array_like
        What happened, :math:`o \in \{0, 1\}` (bools or the numbers 0 and 1), broadcast
        against ``probability``.

    Returns
    -------
    float or ndarray
        The scores in :math:`[0, 1]`; a float when both inputs are scalars. Average them
        for the mean Brier score of [1]_.

    Raises
    ------
    ValueError
        ``probability`` outside :math:`[0, 1]` or non-finite, ``outcome`` not 0/1, or
        shapes that do not broadcast.

    References
    ----------
    .. [1] Brier, G. W. (1950). Verification of forecasts expressed in terms of
       probability. *Monthly Weather Review* 78(1), 1-3.

    Examples
    --------
    >>> round(brier_score(0.7, 1), 12)
    0.09
    >>> brier_score([0.0, 0.5, 1.0], [True, False, True]).tolist()
    [1.0, 0.25, 0.0]
    """
    p = as_float_array(probability, "probability")
    o = as_float_array(outcome, "outcome")
    check_in_range(p, "probability", 0.0, 1.0)
    bad = (o != 0.0) & (o != 1.0)
    if np.any(bad):
        idx = np.flatnonzero(bad)
        raise ValueError(
            f"outcome must be 0/1 (or bool); {idx.size} value(s) are not "
            f"(first at flat index {idx[0]}: {np.ravel(o)[idx[0]]:g})"
        )
    try:
        shape = np.broadcast_shapes(p.shape, o.shape)
    except ValueError as exc:
        raise ValueError(
            f"probability (shape {p.shape}) and outcome (shape {o.shape}) do not broadcast"
        ) from exc
    out = (np.broadcast_to(p, shape) - np.broadcast_to(o, shape)) ** 2
    return _as_output(out)


# --- Calibration --------------------------------------------------------------------------


@overload
def weighted_quantile(samples: ArrayLike, q: float, weights: ArrayLike | None = None) -> float: ...
@overload
def weighted_quantile(
    samples: ArrayLike, q: Sequence[float], weights: ArrayLike | None = None
) -> NDArray[np.float64]: ...
@overload
def weighted_quantile(
    samples: ArrayLike, q: ArrayLike, weights: ArrayLike | None = None
) -> float | NDArray[np.float64]: ...
def weighted_quantile(
    samples: ArrayLike, q: ArrayLike, weights: ArrayLike | None = None
) -> float | NDArray[np.float64]:
    r"""Quantiles of the (weighted) empirical distribution of ``samples``.

    Without weights this is exactly ``numpy.quantile(samples, q)`` (the default
    ``"linear"`` method, Hyndman & Fan type 7: linear interpolation between the order
    statistics placed at :math:`p_i = (i - 1)/(m - 1)`).

    With weights, sort the draws, keep those of positive weight, normalise the weights
    and give draw :math:`i` the midpoint plotting position

    .. math::

        p_i = \frac{W_i - w_i / 2}{W_m}, \qquad W_i = \sum_{j \le i} w_j,

    (the middle of its step of the weighted empirical CDF); the quantile is the
    piecewise-linear interpolation of :math:`(p_i, x_{(i)})` at :math:`q`, clamped to
    :math:`x_{(1)}` below :math:`p_1` and to :math:`x_{(m)}` above :math:`p_m`. For equal
    weights this is ``numpy.quantile(..., method="hazen")`` (type 5,
    :math:`p_i = (i - \tfrac12)/m`), **not** the unweighted default, so ``weights=None``
    and ``weights=np.ones(m)`` give slightly different quantiles (they agree as
    :math:`m \to \infty`). Zero weights act as if the draw were absent. Integer weights
    are not the same as replicated draws here (replicated draws get several plotting
    positions); the CDF-based functions (:func:`crps_sample`, :func:`pit`,
    :func:`log_score_sample`) do have that property.

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws (finite; a scalar is one draw).
    q : array_like
        Probabilities in :math:`[0, 1]`.
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero.

    Returns
    -------
    float or ndarray
        The quantiles, shaped like ``q``; a float when ``q`` is a scalar.

    Raises
    ------
    ValueError
        Empty or non-finite ``samples``, ``q`` outside :math:`[0, 1]`, bad ``weights``.

    Examples
    --------
    >>> weighted_quantile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    >>> # p = (1/3, 5/6): halfway between the plotting positions is 1/3 of the way up
    >>> round(weighted_quantile([0.0, 1.0], 0.5, weights=[2, 1]), 12)
    0.333333333333
    """
    x = _samples(samples)
    qa = as_float_array(q, "q")
    check_in_range(qa, "q", 0.0, 1.0)
    return _as_output(_quantile(x, qa, _weights(weights, x.size)))


def interval_hit(
    samples: ArrayLike,
    observation: float,
    level: float,
    weights: ArrayLike | None = None,
) -> bool:
    r"""Whether ``observation`` lies in the central ``level`` interval of the samples.

    The interval is :math:`[q_{(1-\alpha)/2},\, q_{(1+\alpha)/2}]` (closed) for
    :math:`\alpha` = ``level``, with the quantiles of :func:`weighted_quantile` (so with
    weights the quantile definition differs slightly from the unweighted one). The
    frequency of hits over many forecasts estimates the interval's coverage, which is
    ``level`` for a calibrated forecaster ([1]_).

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws of the predictive distribution (finite; a scalar is one draw).
    observation : float
        The realised value.
    level : float
        Nominal coverage in the open interval :math:`(0, 1)`, e.g. ``0.9``.
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero.

    Returns
    -------
    bool
        ``True`` if :math:`q_{(1-\alpha)/2} \le y \le q_{(1+\alpha)/2}`.

    Raises
    ------
    ValueError
        Bad ``samples``, ``observation`` or ``weights``, or ``level`` outside ``(0, 1)``.

    References
    ----------
    .. [1] Gneiting, T., Balabdaoui, F. and Raftery, A. E. (2007). Probabilistic
       forecasts, calibration and sharpness. *JRSS B* 69(2), 243-268.

    Examples
    --------
    >>> interval_hit([1.0, 2.0, 3.0, 4.0, 5.0], 4.0, level=0.5)  # interval [2, 4]
    True
    >>> interval_hit([1.0, 2.0, 3.0, 4.0, 5.0], 4.5, level=0.5)
    False
    """
    x = _samples(samples)
    y = _scalar(observation, "observation")
    alpha = _scalar(level, "level")
    check_in_range(np.asarray(alpha), "level", 0.0, 1.0, low_open=True, high_open=True)
    w = _weights(weights, x.size)
    lo, hi = _quantile(x, np.array([(1.0 - alpha) / 2.0, (1.0 + alpha) / 2.0]), w)
    return bool(lo <= y <= hi)


def pit(samples: ArrayLike, observation: float, weights: ArrayLike | None = None) -> float:
    r"""Mid probability integral transform of ``observation`` under the samples.

    .. math::

        \mathrm{PIT}(y) = \tfrac12 \bigl( P(X < y) + P(X \le y) \bigr)
        = \frac{\sum_{x_i < y} w_i + \tfrac12 \sum_{x_i = y} w_i}{\sum_i w_i},

    the probability integral transform of the (weighted) empirical distribution with
    the jump at a tie split in half ([1]_). Over many forecasts it is uniform on
    :math:`[0, 1]` for a calibrated forecaster (up to the discreteness of the samples).

    Parameters
    ----------
    samples : array_like, shape (m,)
        Draws of the predictive distribution (finite; a scalar is one draw).
    observation : float
        The realised value :math:`y`.
    weights : array_like, shape (m,), optional
        Non-negative weights, not all zero; equal if omitted.

    Returns
    -------
    float
        The mid-PIT in :math:`[0, 1]`.

    Raises
    ------
    ValueError
        Empty or non-finite ``samples``, non-scalar ``observation``, bad ``weights``.

    References
    ----------
    .. [1] Gneiting, T., Balabdaoui, F. and Raftery, A. E. (2007). Probabilistic
       forecasts, calibration and sharpness. *JRSS B* 69(2), 243-268.

    Examples
    --------
    >>> pit([1.0, 2.0, 2.0, 2.0, 3.0], 2.0)  # (1 + 4) / 2 / 5
    0.5
    >>> pit([1.0, 2.0, 3.0], 2.5, weights=[1, 1, 2])
    0.5
    """
    x = _samples(samples)
    y = _scalar(observation, "observation")
    w = _weights(weights, x.size)
    below, at_most = x < y, x <= y
    if w is None:
        return float((np.count_nonzero(below) + np.count_nonzero(at_most)) / (2 * x.size))
    return float((w[below].sum() + w[at_most].sum()) / (2.0 * w.sum()))
