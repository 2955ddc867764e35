r"""Probability laws in the parameterization papers use, and their scipy equivalents.

``scipy.stats`` writes every continuous law as a standard shape moved by ``loc`` and
stretched by ``scale``: ``stats.uniform(250, 250)`` is the uniform law on
:math:`[250, 500]`, not on :math:`[250, 250]`, and ``stats.truncnorm``'s ``a``, ``b`` are
bounds in standard deviations from ``loc``. Written that way in a scenario file or a
printout, a law is easy to misread — ``args = [250, 500]`` meaning "250 to 500" silently
samples 250 to 750. This module names each law by the parameters a paper would state:

============  ==============================  =========================================
law           papers' parameters              scipy's
============  ==============================  =========================================
uniform       ``low``, ``high``               ``loc = low``, ``scale = high − low``
norm          ``mean``, ``sd``                ``loc = mean``, ``scale = sd``
truncnorm     ``mean``, ``sd``, ``low``,      ``a = (low − mean)/sd``,
              ``high``                        ``b = (high − mean)/sd``, ``loc``, ``scale``
beta          ``a``, ``b``, ``low = 0``,      ``a``, ``b``, ``loc = low``,
              ``high = 1``                    ``scale = high − low``
lognorm       ``median``, ``sigma``           ``s = sigma``, ``scale = median``
gamma         ``shape``, ``rate``             ``a = shape``, ``scale = 1/rate``
triang        ``low``, ``mode``, ``high``     ``c = (mode − low)/(high − low)``,
                                              ``loc = low``, ``scale = high − low``
expon         ``rate``                        ``scale = 1/rate``
bernoulli     ``p``                           ``p``
============  ==============================  =========================================

(``norm(mean, sd)`` is :math:`N(\mu, \sigma^2)` with :math:`\sigma` = ``sd``; ``lognorm``
is the law of :math:`e^{X}`, :math:`X \sim N(\log \text{median}, \text{sigma}^2)`;
``gamma`` has density :math:`\propto x^{\text{shape}-1} e^{-\text{rate}\,x}`.)

:func:`law` builds the frozen scipy law from papers' parameters; :func:`papers_form`
gives them back, choosing, among the decimal neighbours of the converted values, the
shortest that converts back to the *same* scipy arguments bit for bit, so a law written
in papers' form and read again samples exactly the same numbers. A law that has no such
form (a ``loc`` on a lognormal, say) keeps scipy's form, named explicitly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats.distributions import rv_frozen

from .inverse_cdf import distribution_arguments

__all__ = [
    "LAWS",
    "Law",
    "beta",
    "describe_distribution",
    "law",
    "lognormal",
    "normal",
    "papers_form",
    "scipy_form",
    "uniform",
    "without_defaults",
]

#: ``(shapes, loc, scale)`` as :func:`~.inverse_cdf.distribution_arguments` returns them.
ScipyArgs = tuple[dict[str, float], float, float]


@dataclass(frozen=True)
class Law:
    """One law: its papers' parameters and the maps to and from scipy's arguments.

    Attributes
    ----------
    name : str
        The ``scipy.stats`` name.
    parameters : tuple of str
        The papers' parameter names, in the order they are written.
    defaults : mapping
        Papers' parameters that may be left out, with their values.
    to_scipy : callable
        ``papers -> (shapes, loc, scale)``.
    from_scipy : callable
        ``(shapes, loc, scale) -> papers``, or None when the law has no papers' form
        with these arguments (e.g. a lognormal with a ``loc``).
    derived : tuple of str
        The papers' parameters :attr:`from_scipy` computes rather than copies; only
        these can miss an exact round trip by rounding (see :func:`papers_form`).
    checks : tuple of (callable, str)
        Conditions on the papers' parameters, with the message when one fails.
    """

    name: str
    parameters: tuple[str, ...]
    to_scipy: Callable[[Mapping[str, float]], ScipyArgs]
    from_scipy: Callable[[dict[str, float], float, float], dict[str, float] | None]
    derived: tuple[str, ...] = ()
    defaults: Mapping[str, float] = field(default_factory=dict)
    checks: tuple[tuple[Callable[[Mapping[str, float]], bool], str], ...] = ()

    @property
    def usage(self) -> str:
        """``uniform(low, high)``, with defaults shown as ``low=0``."""
        parts = [
            p if p not in self.defaults else f"{p}={self.defaults[p]:g}" for p in self.parameters
        ]
        return f"{self.name}({', '.join(parts)})"


def _no_loc(loc: float) -> bool:
    return loc == 0.0


#: The laws by ``scipy.stats`` name, in papers' parameters (the table above).
LAWS: dict[str, Law] = {
    law_.name: law_
    for law_ in (
        Law(
            "uniform",
            ("low", "high"),
            lambda p: ({}, p["low"], p["high"] - p["low"]),
            lambda s, loc, scale: {"low": loc, "high": loc + scale},
            derived=("high",),
            checks=((lambda p: p["low"] < p["high"], "needs low < high"),),
        ),
        Law(
            "norm",
            ("mean", "sd"),
            lambda p: ({}, p["mean"], p["sd"]),
            lambda s, loc, scale: {"mean": loc, "sd": scale},
            checks=((lambda p: p["sd"] > 0, "needs sd > 0"),),
        ),
        Law(
            "truncnorm",
            ("mean", "sd", "low", "high"),
            lambda p: (
                {"a": (p["low"] - p["mean"]) / p["sd"], "b": (p["high"] - p["mean"]) / p["sd"]},
                p["mean"],
                p["sd"],
            ),
            lambda s, loc, scale: {
                "mean": loc,
                "sd": scale,
                "low": loc + s["a"] * scale,
                "high": loc + s["b"] * scale,
            },
            derived=("low", "high"),
            checks=(
                (lambda p: p["sd"] > 0, "needs sd > 0"),
                (lambda p: p["low"] < p["high"], "needs low < high"),
            ),
        ),
        Law(
            "beta",
            ("a", "b", "low", "high"),
            lambda p: ({"a": p["a"], "b": p["b"]}, p["low"], p["high"] - p["low"]),
            lambda s, loc, scale: {"a": s["a"], "b": s["b"], "low": loc, "high": loc + scale},
            derived=("high",),
            defaults={"low": 0.0, "high": 1.0},
            checks=(
                (lambda p: p["a"] > 0 and p["b"] > 0, "needs a > 0 and b > 0"),
                (lambda p: p["low"] < p["high"], "needs low < high"),
            ),
        ),
        Law(
            "lognorm",
            ("median", "sigma"),
            lambda p: ({"s": p["sigma"]}, 0.0, p["median"]),
            lambda s, loc, scale: {"median": scale, "sigma": s["s"]} if _no_loc(loc) else None,
            checks=(
                (lambda p: p["median"] > 0, "needs median > 0"),
                (lambda p: p["sigma"] > 0, "needs sigma > 0"),
            ),
        ),
        Law(
            "gamma",
            ("shape", "rate"),
            lambda p: ({"a": p["shape"]}, 0.0, 1.0 / p["rate"]),
            lambda s, loc, scale: {"shape": s["a"], "rate": 1.0 / scale} if _no_loc(loc) else None,
            derived=("rate",),
            checks=((lambda p: p["shape"] > 0 and p["rate"] > 0, "needs shape > 0 and rate > 0"),),
        ),
        Law(
            "triang",
            ("low", "mode", "high"),
            lambda p: (
                {"c": (p["mode"] - p["low"]) / (p["high"] - p["low"])},
                p["low"],
                p["high"] - p["low"],
            ),
            lambda s, loc, scale: {"low": loc, "mode": loc + s["c"] * scale, "high": loc + scale},
            derived=("mode", "high"),
            checks=(
                (lambda p: p["low"] < p["high"], "needs low < high"),
                (lambda p: p["low"] <= p["mode"] <= p["high"], "needs low <= mode <= high"),
            ),
        ),
        Law(
            "expon",
            ("rate",),
            lambda p: ({}, 0.0, 1.0 / p["rate"]),
            lambda s, loc, scale: {"rate": 1.0 / scale} if _no_loc(loc) else None,
            derived=("rate",),
            checks=((lambda p: p["rate"] > 0, "needs rate > 0"),),
        ),
        Law(
            "bernoulli",
            ("p",),
            lambda p: ({"p": p["p"]}, 0.0, 1.0),
            lambda s, loc, scale: {"p": s["p"]} if _no_loc(loc) else None,
            checks=((lambda p: 0 <= p["p"] <= 1, "needs 0 <= p <= 1"),),
        ),
    )
}


def _law(name: str) -> Law:
    try:
        return LAWS[name]
    except KeyError:
        raise ValueError(f"unknown law {name!r}; the laws are {', '.join(LAWS)}") from None


def check_papers(name: str, params: Mapping[str, Any]) -> tuple[dict[str, float], list[str]]:
    """Papers' parameters of law ``name`` with defaults filled, and every problem with them.

    A problem is a missing or unknown parameter, a value that is not a finite real
    number, or a failed condition (``low < high``, ``sd > 0``, ...).
    """
    lw = _law(name)
    problems: list[str] = []
    unknown = [k for k in params if k not in lw.parameters]
    if unknown:
        problems.append(f"{lw.name} takes {lw.usage}; unknown: {', '.join(unknown)}")
    missing = [k for k in lw.parameters if k not in params and k not in lw.defaults]
    if missing:
        problems.append(f"{lw.name} takes {lw.usage}; missing: {', '.join(missing)}")
    values: dict[str, float] = dict(lw.defaults)
    for k, v in params.items():
        if k not in lw.parameters:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            problems.append(f"{lw.name}: {k} must be a number; got {v!r}")
        elif not math.isfinite(float(v)):
            problems.append(f"{lw.name}: {k} must be finite; got {float(v)}")
        else:
            values[k] = float(v)
    if not problems:
        problems += [
            f"{lw.usage} {why}; got {_show(values, lw)}" for ok, why in lw.checks if not ok(values)
        ]
    return values, problems


def _show(values: Mapping[str, float], lw: Law) -> str:
    return ", ".join(f"{k}={values[k]!r}" for k in lw.parameters)


def _freeze(name: str, args: ScipyArgs) -> rv_frozen:
    """``stats.<name>(*shapes, loc=..., scale=...)``, loc and scale only where not 0 and 1.

    (Shapes positional and the defaults left out, as one would write the law by hand:
    code that reads ``dist.args`` sees the shapes.)
    """
    shapes, loc, scale = args
    kwds = {k: v for k, v, default in (("loc", loc, 0.0), ("scale", scale, 1.0)) if v != default}
    if isinstance(getattr(stats, name), stats.rv_discrete):
        kwds.pop("scale", None)
    return getattr(stats, name)(*shapes.values(), **kwds)


def law(name: str, **params: float) -> rv_frozen:
    """The frozen ``scipy.stats`` law ``name`` from papers' parameters (module table).

    Raises
    ------
    ValueError
        If the law is unknown, a parameter is missing, unknown or not a finite
        number, or a condition fails (``low < high``, ``sd > 0``, ...); the message
        lists every problem and the law's parameters.

    Examples
    --------
    >>> d = law("uniform", low=250.0, high=500.0)
    >>> [float(x) for x in d.support()]
    [250.0, 500.0]
    >>> describe_distribution(law("beta", a=2, b=6, low=0.15, high=0.45))
    'beta(a=2, b=6, low=0.15, high=0.45)'
    """
    values, problems = check_papers(name, params)
    if problems:
        raise ValueError("; ".join(problems))
    return _freeze(name, LAWS[name].to_scipy(values))


def uniform(low: float, high: float) -> rv_frozen:
    """The uniform law on ``[low, high]`` (``law("uniform", low=low, high=high)``)."""
    return law("uniform", low=low, high=high)


def normal(mean: float, sd: float) -> rv_frozen:
    """The normal law with mean ``mean`` and standard deviation ``sd``."""
    return law("norm", mean=mean, sd=sd)


def beta(a: float, b: float, low: float = 0.0, high: float = 1.0) -> rv_frozen:
    """The Beta(a, b) law stretched onto ``[low, high]``."""
    return law("beta", a=a, b=b, low=low, high=high)


def lognormal(median: float, sigma: float) -> rv_frozen:
    """The law of ``exp(X)``, ``X ~ N(log median, sigma²)``."""
    return law("lognorm", median=median, sigma=sigma)


def scipy_form(dist: rv_frozen) -> tuple[str, dict[str, float]]:
    """``(name, {shape..., loc, scale})``: scipy's arguments of a frozen law, all named."""
    shapes, loc, scale = distribution_arguments(dist)
    out = {**shapes, "loc": loc}
    if not isinstance(dist.dist, stats.rv_discrete):
        out["scale"] = scale
    return dist.dist.name, out


def _neighbours(x: float, k: int = 3) -> list[float]:
    """``x`` and its ``k`` floats either side, then the short decimals among nearby values."""
    out = [x]
    up = down = x
    for _ in range(k):
        up, down = float(np.nextafter(up, math.inf)), float(np.nextafter(down, -math.inf))
        out += [up, down]
    for digits in range(1, 17):  # short decimals close to x: 0.6 for 0.6000000000000001
        r = float(f"{x:.{digits}g}")
        if abs(r - x) <= 4 * math.ulp(x) and r not in out:
            out.append(r)
            break
    return out


def _same(a: ScipyArgs, b: ScipyArgs) -> bool:
    return a[0] == b[0] and a[1] == b[1] and a[2] == b[2]


def papers_form(dist: rv_frozen) -> tuple[str, dict[str, float]] | None:
    """Papers' parameters of a frozen law that convert back to it bit for bit, or None.

    The converted values (``high = loc + scale``, ...) can miss the original scipy
    arguments by rounding. Among each derived parameter's float neighbours and the short
    decimals next to it, the combination with the shortest text that reproduces
    ``(shapes, loc, scale)`` exactly is returned; None when there is none, or the law
    has no papers' form with these arguments (e.g. ``lognorm`` with ``loc != 0``).

    Examples
    --------
    >>> papers_form(uniform(0.2, 0.6))
    ('uniform', {'low': 0.2, 'high': 0.6})
    >>> papers_form(stats.uniform(0.2, 0.4)) is None  # no high with high - 0.2 == 0.4
    True
    """
    name = dist.dist.name
    if name not in LAWS:
        return None
    lw = LAWS[name]
    args = distribution_arguments(dist)
    nominal = lw.from_scipy(*args)
    if nominal is None or not all(math.isfinite(v) for v in nominal.values()):
        return None
    options = [_neighbours(nominal[k]) if k in lw.derived else [nominal[k]] for k in lw.parameters]
    best: dict[str, float] | None = None
    best_len = math.inf
    for combo in product(*options):
        cand = dict(zip(lw.parameters, combo, strict=True))
        try:
            back = lw.to_scipy(cand)
        except ZeroDivisionError:
            continue
        if not _same(back, args):
            continue
        length = sum(len(repr(v)) for v in combo)
        if length < best_len:
            best, best_len = cand, length
    return None if best is None else (name, best)


def without_defaults(name: str, params: Mapping[str, float]) -> dict[str, float]:
    """Papers' parameters as written, in order, those at their default left out.

    Examples
    --------
    >>> without_defaults("beta", {"a": 2.0, "b": 6.0, "low": 0.0, "high": 1.0})
    {'a': 2.0, 'b': 6.0}
    """
    lw = _law(name)
    return {
        k: params[k]
        for k in lw.parameters
        if k in params and not (k in lw.defaults and params[k] == lw.defaults[k])
    }


def describe_distribution(dist: rv_frozen) -> str:
    """Short text for a frozen scipy law in papers' parameters, e.g. ``uniform(low=250, high=500)``.

    Values print with ``%g``; a law without a papers' form prints scipy's arguments,
    named and marked ``scipy:``.

    Examples
    --------
    >>> describe_distribution(uniform(0.2, 0.6))
    'uniform(low=0.2, high=0.6)'
    >>> describe_distribution(stats.lognorm(0.5, loc=1.0, scale=4200.0))
    'scipy:lognorm(s=0.5, loc=1, scale=4200)'
    """
    name = dist.dist.name
    if name in LAWS:
        nominal = LAWS[name].from_scipy(*distribution_arguments(dist))
        if nominal is not None:
            shown = without_defaults(name, nominal)
            return f"{name}({', '.join(f'{k}={v:g}' for k, v in shown.items())})"
    name, named = scipy_form(dist)
    return f"scipy:{name}({', '.join(f'{k}={v:g}' for k, v in named.items())})"
