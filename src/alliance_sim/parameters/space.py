"""Named model parameters with units, bounds and provenance, and the space that samples them."""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats.distributions import rv_frozen

from .._rng import SeedLike, seed_sequence
from .._validation import check_int, format_range
from .draws import Draws
from .inverse_cdf import inverse_cdf
from .laws import describe_distribution
from .sampling import Sampler, is_power_of_two, unit_design, warn_sobol_size

__all__ = [
    "LATENT_UNIT",
    "Derived",
    "Parameter",
    "ParameterSpace",
    "describe_distribution",
]  # the last re-exported from .laws

#: The unit of a *latent variate*: a uniform(0, 1) parameter that is not a belief about
#: the world but the randomness of a discrete event the model draws from other
#: parameters (the election winner: ``election_u < p_challenger``; the realized path of
#: the talks; who proposes first). Its sensitivity index measures how much the output
#: depends on that event's outcome, not on any belief; sensitivity output lists such
#: variates after the beliefs and says what each one draws.
LATENT_UNIT = "uniform variate"


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"parameter name must be a Python identifier string; got {name!r}")
    return name


@dataclass(frozen=True)
class Parameter:
    """One named model input: a fixed number or a frozen ``scipy.stats`` distribution.

    Parameters
    ----------
    name : str
        A Python identifier; the key of the parameter in `Draws`.
    value : float or scipy.stats frozen distribution
        Fixed value, or the law each draw is sampled from (by its ``ppf``).
    unit : str
        Unit of measurement, e.g. ``"¥ billion per year"`` or ``"probability"``.
    provenance : str
        Where the number comes from: a fact with its source, or
        ``"assumption: <reason>"``.
    bounds : (float, float)
        Closed interval the parameter must lie in; the distribution's support
        must lie inside it. Defaults to the real line.
    description : str
        What the parameter means, in one sentence.

    Raises
    ------
    TypeError
        If ``value`` is neither a real number nor a frozen scipy distribution.
    ValueError
        If the name is not an identifier, the bounds are not an interval, a
        fixed value is NaN/inf or outside the bounds, the distribution's
        parameters are invalid, or its support exceeds the bounds.

    Examples
    --------
    >>> from scipy import stats
    >>> Parameter("rho", stats.beta(2, 6), "share", "assumption: partial drawdown",
    ...           bounds=(0, 1)).is_fixed
    False
    """

    name: str
    value: float | rv_frozen
    unit: str
    provenance: str
    bounds: tuple[float, float] = (-math.inf, math.inf)
    description: str = ""

    def __post_init__(self) -> None:
        _check_name(self.name)
        low, high = (float(b) for b in self.bounds)
        if math.isnan(low) or math.isnan(high) or low > high:
            raise ValueError(
                f"parameter {self.name!r}: bounds must be (low, high) with low <= high"
            )
        object.__setattr__(self, "bounds", (low, high))
        rng = format_range(low, high)
        if isinstance(self.value, rv_frozen):
            a, b = (float(s) for s in self.value.support())
            if math.isnan(a) or math.isnan(b) or not np.isfinite(self.value.ppf(0.5)):
                raise ValueError(
                    f"parameter {self.name!r}: invalid distribution "
                    f"{describe_distribution(self.value)} (scipy reports no support)"
                )
            if a < low or b > high:
                raise ValueError(
                    f"parameter {self.name!r}: distribution {describe_distribution(self.value)} "
                    f"has support [{a:g}, {b:g}], which exceeds the allowed range {rng}"
                )
        elif isinstance(self.value, bool) or not isinstance(self.value, int | float | np.number):
            raise TypeError(
                f"parameter {self.name!r}: value must be a real number or a frozen "
                f"scipy.stats distribution; got {type(self.value).__name__}"
            )
        else:
            v = float(self.value)
            if not math.isfinite(v):
                raise ValueError(f"parameter {self.name!r}: value must be finite; got {v}")
            if not low <= v <= high:
                raise ValueError(
                    f"parameter {self.name!r}: value {v:g} lies outside the allowed range {rng}"
                )
            object.__setattr__(self, "value", v)

    @property
    def is_fixed(self) -> bool:
        """True when the parameter is a fixed number."""
        return not isinstance(self.value, rv_frozen)

    def support(self) -> tuple[float, float]:
        """Smallest interval holding every draw."""
        if not isinstance(self.value, rv_frozen):  # fixed
            return (float(self.value), float(self.value))
        a, b = self.value.support()
        return (float(a), float(b))

    def summary(self) -> str:
        """Value or distribution with its mean and central 90% interval."""
        if self.is_fixed:
            return f"fixed {self.value:g}"
        d: Any = self.value
        q05, q95 = d.ppf([0.05, 0.95])
        return f"{describe_distribution(d)}: mean {d.mean():.4g}, 90% [{q05:.4g}, {q95:.4g}]"


@dataclass(frozen=True)
class Derived:
    """A quantity computed from other parameters after sampling, e.g. a currency conversion.

    Parameters
    ----------
    name : str
        Key of the result in `Draws`.
    inputs : sequence of str or float
        Names it reads (parameters or earlier derived quantities), or constants.
    function : callable
        ``function(*arrays) -> array``; must be vectorized (elementwise).
    formula : str
        The formula in words or symbols, shown when the space is printed.
    unit, provenance, description : str
        As for `Parameter`.

    Raises
    ------
    TypeError
        If ``function`` is not callable.
    ValueError
        If the name is not an identifier, or ``function`` cannot be called with
        as many arguments as there are ``inputs`` (checked from its signature, so
        that a wrong arity fails when the space is built, not when it is sampled).
    """

    name: str
    inputs: tuple[str | float, ...]
    function: Callable[..., NDArray[np.float64]]
    formula: str
    unit: str
    provenance: str
    description: str = ""

    def __post_init__(self) -> None:
        _check_name(self.name)
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if not callable(self.function):
            raise TypeError(f"derived {self.name!r}: function must be callable")
        try:
            signature = inspect.signature(self.function)
        except (TypeError, ValueError):  # builtins and ufuncs may have none: checked when run
            return
        try:
            signature.bind(*self.inputs)
        except TypeError:
            label = getattr(self.function, "__name__", type(self.function).__name__)
            params = ", ".join(
                str(q.replace(annotation=q.empty)) for q in signature.parameters.values()
            )
            raise ValueError(
                f"derived {self.name!r}: its function {label}({params}) cannot take the "
                f"{len(self.inputs)} input(s) {self.inputs}"
            ) from None

    def summary(self) -> str:
        """The formula."""
        return f"= {self.formula}"


Entry = Parameter | Derived


class ParameterSpace(Mapping[str, Entry]):
    """An ordered set of named parameters (and derived quantities) that samples `Draws`.

    Parameters
    ----------
    entries : iterable of Parameter or Derived
        Names must be unique; a `Derived` entry may only read names defined before it.

    Examples
    --------
    >>> from scipy import stats
    >>> space = ParameterSpace([
    ...     Parameter("x0", 200.0, "¥bn/yr", "fact"),
    ...     Parameter("growth", stats.uniform(0.0, 0.1), "share", "assumption: test"),
    ...     Derived("x1", ("x0", "growth"), lambda a, g: a * (1 + g), "x0·(1 + growth)",
    ...             "¥bn/yr", "definition"),
    ... ])
    >>> draws = space.sample(4, seed=1)
    >>> bool(np.all((draws["x1"] >= 200) & (draws["x1"] <= 220)))
    True
    """

    __slots__ = ("_index", "entries")

    def __init__(self, entries: Iterable[Entry]) -> None:
        items = tuple(entries)
        seen: set[str] = set()
        for e in items:
            if not isinstance(e, Parameter | Derived):
                raise TypeError(f"entries must be Parameter or Derived; got {type(e).__name__}")
            if e.name in seen:
                raise ValueError(f"duplicate parameter name {e.name!r}")
            if isinstance(e, Derived):
                missing = [i for i in e.inputs if isinstance(i, str) and i not in seen]
                if missing:
                    raise ValueError(
                        f"derived {e.name!r} reads {missing}, which are not defined before it"
                    )
            seen.add(e.name)
        self.entries: tuple[Entry, ...] = items
        self._index: dict[str, Entry] = {e.name: e for e in items}

    # Mapping interface -------------------------------------------------------------
    def __getitem__(self, name: str) -> Entry:
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"no parameter {name!r}; known: {', '.join(self)}") from None

    def __iter__(self) -> Iterator[str]:
        return (e.name for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def parameter(self, name: str) -> Parameter:
        """The `Parameter` called ``name`` (``space[name]`` when it is not derived).

        Raises
        ------
        KeyError
            If the space defines no ``name``.
        TypeError
            If ``name`` is a `Derived` quantity (it has no value or distribution).

        Examples
        --------
        >>> ParameterSpace([Parameter("a", 1.0, "u", "fact")]).parameter("a").value
        1.0
        """
        entry = self[name]
        if not isinstance(entry, Parameter):
            raise TypeError(
                f"{name!r} is derived from {entry.inputs}, not a parameter with a value"
            )
        return entry

    @property
    def random_names(self) -> tuple[str, ...]:
        """Names of the parameters that have a distribution, in sampling order."""
        return tuple(e.name for e in self.entries if isinstance(e, Parameter) and not e.is_fixed)

    @property
    def latent_names(self) -> tuple[str, ...]:
        """The random parameters that are latent variates (unit :data:`LATENT_UNIT`)."""
        return tuple(
            e.name
            for e in self.entries
            if isinstance(e, Parameter) and not e.is_fixed and e.unit == LATENT_UNIT
        )

    def latent_role(self, name: str) -> str:
        """What latent variate ``name`` draws, in words ("" for a belief).

        Its description, else its provenance without the ``definition:`` prefix, and the
        derived quantities that read it when the text does not name them.

        Examples
        --------
        >>> from alliance_sim.scenarios import japan_us_2020
        >>> japan_us_2020().parameters.latent_role("election_u")
        'draws the election winner: challenger_wins = election_u < p_challenger'
        >>> japan_us_2020().parameters.latent_role("p_challenger")
        ''
        """
        if name not in self.latent_names:
            return ""
        e = self.parameter(name)
        role = e.description or e.provenance.removeprefix("definition:").strip()
        readers = [
            d.name for d in self.entries if name in getattr(d, "inputs", ()) and d.name not in role
        ]
        return f"{role} (feeds {', '.join(readers)})" if readers else role

    # Editing -----------------------------------------------------------------------
    def replace(self, name: str, **changes: Any) -> ParameterSpace:
        """New space with fields of parameter ``name`` changed (validated again).

        Examples
        --------
        >>> space = ParameterSpace([Parameter("a", 1.0, "u", "fact")])
        >>> space.replace("a", value=2.0)["a"].value
        2.0
        """
        old = self[name]
        return ParameterSpace(replace(old, **changes) if e is old else e for e in self.entries)

    def fix(self, **values: float) -> ParameterSpace:
        """New space with the named parameters fixed at the given values."""
        space = self
        for name, v in values.items():
            entry = space[name]
            if isinstance(entry, Derived):
                raise ValueError(f"{name!r} is derived from {entry.inputs}; fix its inputs")
            space = space.replace(name, value=v)
        return space

    def add(self, *entries: Entry) -> ParameterSpace:
        """New space with ``entries`` appended."""
        return ParameterSpace((*self.entries, *entries))

    # Sampling ----------------------------------------------------------------------
    def sample(
        self,
        n: int,
        *,
        seed: SeedLike = None,
        sampler: Sampler = "random",
        start: int = 0,
    ) -> Draws:
        """Draw ``n`` parameter vectors.

        Each random parameter ``θ_j`` with CDF ``F_j`` is ``θ_j = F_j⁻¹(u_j)`` with
        ``u`` from the unit design of ``sampler`` (inverse-transform sampling);
        fixed parameters are broadcast; derived quantities are computed last.

        Parameters
        ----------
        n : int
            Number of draws (non-negative).
        seed : int, numpy.random.SeedSequence or None
            Root of all randomness (see :func:`alliance_sim._rng.seed_sequence`).
        sampler : {"random", "sobol", "lhs"}
            Monte Carlo, scrambled Sobol' (warns when ``start`` is 0 and ``n`` is
            not a power of two), or Latin hypercube.
        start : int
            Index of the first draw: ``sample(n, start=s)`` equals rows
            ``s … s + n − 1`` of ``sample(s + n)`` bit for bit (not for ``"lhs"``).

        Returns
        -------
        Draws
        """
        for label, v in (("n", n), ("start", start)):
            check_int(v, label, minimum=0)
        if sampler == "sobol" and start == 0 and not is_power_of_two(int(n)):
            warn_sobol_size(int(n), stacklevel=3)
        root = seed_sequence(seed)
        u = unit_design(self.random_names, int(n), root=root, sampler=sampler, start=int(start))
        return self.transform(u, int(n))

    def transform(self, u: Sequence[NDArray[np.float64]], n: int) -> Draws:
        """Map points of the unit cube to parameter draws (``θ_j = F_j⁻¹(u_j)``).

        The quantile functions are :func:`~alliance_sim.parameters.inverse_cdf.inverse_cdf`
        (scipy's formulas without ``rv_frozen`` overhead; a faster Beta quantile).

        Parameters
        ----------
        u : sequence of ndarray
            One column of ``n`` points in ``(0, 1)`` per random parameter, in the
            order of :attr:`random_names` (e.g. from
            :func:`~alliance_sim.parameters.sampling.unit_design`).
        n : int
            Number of draws.

        Returns
        -------
        Draws
        """
        names = self.random_names
        if len(u) != len(names):
            raise ValueError(
                f"need {len(names)} unit columns (one per random parameter); got {len(u)}"
            )
        arrays: dict[str, NDArray[np.float64]] = {}
        column = {name: j for j, name in enumerate(names)}
        for e in self.entries:
            if isinstance(e, Derived):
                args = (arrays[i] if isinstance(i, str) else float(i) for i in e.inputs)
                out = np.asarray(e.function(*args), dtype=np.float64)
                arrays[e.name] = np.broadcast_to(out, (n,))
            elif not isinstance(e.value, rv_frozen):  # fixed
                arrays[e.name] = np.broadcast_to(np.float64(e.value), (n,))
            else:
                arrays[e.name] = inverse_cdf(e.value, u[column[e.name]])
        return Draws(arrays, n=n)

    def rederive(self, draws: Draws, *, keep: Sequence[str] = ()) -> Draws:
        """``draws`` with every derived quantity recomputed from the others (in order).

        After changing a parameter by hand (a comparative static), the quantities
        derived from it follow; names in ``keep`` are left as they are.
        """
        arrays = {k: draws[k] for k in draws}
        n = draws.n
        for e in self.entries:
            if isinstance(e, Derived) and e.name not in keep:
                args = (arrays[i] if isinstance(i, str) else float(i) for i in e.inputs)
                out = np.asarray(e.function(*args), dtype=np.float64)
                arrays[e.name] = np.broadcast_to(out, (n,))
        return Draws(arrays, n=n)

    # Display -----------------------------------------------------------------------
    def table(self, width: int = 100) -> str:
        """Aligned text table: name, value or distribution, unit, provenance."""
        lines = []
        for e in self.entries:
            lines.append(f"  {e.name:<16} {e.summary():<56} [{e.unit}]")
            text = e.provenance if not e.description else f"{e.description}. {e.provenance}"
            lines += textwrap.wrap(
                text, width=width, initial_indent=" " * 19, subsequent_indent=" " * 19
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return f"ParameterSpace with {len(self)} entries:\n{self.table()}"

    def names_matching(self, names: Sequence[str]) -> list[str]:
        """The subset of ``names`` this space defines."""
        return [n for n in names if n in self._index]
