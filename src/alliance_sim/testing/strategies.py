"""Hypothesis strategies for the core engine's objects (needs the ``test`` extra).

* :func:`default_player_draws` — `Draws` for the default Tokyo/Washington players
  (typed parameters already resolved), over wide but valid ranges, including
  draws whose settlement range is empty;
* :func:`linear_ranges` — reservation payments and bargaining power for the
  closed-form solvers, with ties and empty ranges among them.

* :func:`parameter_spaces` — spaces of fixed and random parameters with bounds;
* :func:`players` — the default players with random weights and, optionally, a
  concave term of the researcher's own (a :class:`~alliance_sim.players.FunctionTerm`);
* :func:`scenarios` — the Japan–US preset with some parameters fixed at random values;
* :func:`bimatrix_games` — batches of games, degenerate ones common;
* :func:`attrition_wars` — wars of attrition on a calendar (deadlines, lapses,
  collapse), and :func:`deadline_war`, a worked example of one.

They are themselves tested in ``tests/test_strategies.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from ..games import BargainingProblem
from ..parameters import Draws, Parameter, ParameterSpace
from ..players import FunctionTerm, Player, tokyo, washington
from ..scenarios import Scenario, japan_us_2020
from ..solvers.attrition import Piecewise

__all__ = [
    "DEFAULT_RANGES",
    "attrition_wars",
    "bimatrix_games",
    "deadline_war",
    "default_player_draws",
    "default_problem",
    "linear_ranges",
    "parameter_spaces",
    "players",
    "scenarios",
]

#: Ranges (low, high) of every parameter the default players read, in the preset's units.
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "S_J": (0.0, 20_000.0),
    "rho_J": (0.0, 1.0),
    "pi_drawdown": (0.0, 1.0),
    "mcpf_J": (0.0, 1.0),
    "kappa_J": (0.0, 5.0),
    "status_quo": (10.0, 1_000.0),
    "c_J": (-100.0, 800.0),
    "c_budget": (0.0, 50.0),
    "t_budget": (0.0, 0.5),
    "t_signing": (0.0, 0.8),
    "t_expiry": (0.3, 0.6),
    "lapse_J": (0.0, 500.0),
    "lapse_U": (0.0, 500.0),
    "term_years": (1.0, 5.0),
    "S_U": (0.0, 5_000.0),
    "rho_U": (0.0, 1.0),
    "w_US": (0.2, 2.0),
    "kappa_U": (0.0, 3.0),
    "a_US": (-100.0, 500.0),
    "s_U": (0.0, 1.0),
    "C_U": (0.0, 1_000.0),
}


def _value(low: float, high: float) -> st.SearchStrategy[float]:
    # Endpoints and round values reach the edge cases (no drawdown, no audience cost, ...).
    return st.one_of(
        st.sampled_from([low, high]),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


@st.composite
def default_player_draws(draw: Any, min_size: int = 1, max_size: int = 8) -> Draws:
    """`Draws` for the default players, every parameter inside its domain.

    The players are :func:`~alliance_sim.players.tokyo` and
    :func:`~alliance_sim.players.washington`; 1–8 draws by default.
    """
    n = draw(st.integers(min_size, max_size))
    cols = {
        name: [draw(_value(lo, hi)) for _ in range(n)] for name, (lo, hi) in DEFAULT_RANGES.items()
    }
    return Draws({k: np.array(v) for k, v in cols.items()}, n=n)


def default_problem(draws: Draws, **overrides: Any) -> BargainingProblem:
    """The bargaining problem of the default players on ``draws``."""
    kw: dict[str, Any] = dict(
        term_years=draws["term_years"], signing_time=draws["t_signing"], scale=draws["status_quo"]
    )
    kw.update(overrides)
    return BargainingProblem(tokyo(), washington(), draws, **kw)


@st.composite
def linear_ranges(draw: Any, max_size: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(payee_reservation, payer_reservation, power)`` arrays for the closed-form solvers.

    Mixes ordinary ranges, ties ``r_U == r_J``, empty ranges ``r_U > r_J``,
    negative payee reservations (the payment floor binds) and powers 0 and 1.
    """
    n = draw(st.integers(1, max_size))
    money = st.floats(-1_000.0, 1_000.0, allow_nan=False, allow_infinity=False)
    r_u, r_j, beta = [], [], []
    for _ in range(n):
        a = draw(money)
        kind = draw(st.sampled_from(["range", "tie", "empty"]))
        if kind == "range":
            b = a + draw(st.floats(0.0, 1_000.0, allow_nan=False))
        elif kind == "tie":
            b = a
        else:
            b = a - draw(st.floats(1e-6, 1_000.0, allow_nan=False))
        r_u.append(a)
        r_j.append(b)
        beta.append(draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0))))
    return np.array(r_u), np.array(r_j), np.array(beta)


@st.composite
def bimatrix_games(
    draw: Any,
    max_games: int = 6,
    max_strategies: int = 4,
    integer: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A batch ``(A, B)`` of shape ``(n, m, k)`` of bimatrix games.

    Integer payoffs in ``{−2, …, 2}`` (``integer=True``) make degenerate games —
    ties, duplicated strategies, all-zero games — common; float payoffs
    (``integer=False``) are generic. ``None`` draws either.
    """
    n = draw(st.integers(1, max_games))
    m = draw(st.integers(1, max_strategies))
    k = draw(st.integers(1, max_strategies))
    if integer is None:
        integer = draw(st.booleans())
    if integer:
        values = st.integers(-2, 2).map(float)
    else:
        values = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
    shape = (n, m, k)
    cells = n * m * k
    a = np.array(draw(st.lists(values, min_size=cells, max_size=cells))).reshape(shape)
    b = np.array(draw(st.lists(values, min_size=cells, max_size=cells))).reshape(shape)
    return a, b


@st.composite
def parameter_spaces(draw: Any, max_size: int = 6) -> ParameterSpace:
    """A space of 1–``max_size`` parameters: fixed values and uniform, beta or lognormal laws."""
    size = draw(st.integers(1, max_size))
    entries = []
    for j in range(size):
        kind = draw(st.sampled_from(["fixed", "uniform", "beta", "lognorm"]))
        name = f"p{j}"
        if kind == "fixed":
            value: Any = draw(st.floats(-1e3, 1e3, allow_nan=False))
            bounds = (-np.inf, np.inf)
        elif kind == "uniform":
            loc = draw(st.floats(-1e3, 1e3, allow_nan=False))
            value = stats.uniform(loc, draw(st.floats(1e-3, 1e3)))
            bounds = (-np.inf, np.inf)
        elif kind == "beta":
            value = stats.beta(draw(st.floats(0.5, 10)), draw(st.floats(0.5, 10)))
            bounds = (0.0, 1.0)
        else:
            value = stats.lognorm(draw(st.floats(0.05, 1.5)), scale=draw(st.floats(0.1, 1e4)))
            bounds = (0.0, np.inf)
        entries.append(
            Parameter(name, value, "unit", f"assumption: generated ({kind})", bounds=bounds)
        )
    return ParameterSpace(entries)


def _quadratic_term(side: str, strength: float) -> FunctionTerm:
    """A concave term of the researcher's own: −s·x²/scale, sign-correct for the side."""
    sign = 1.0 if side == "payer" else -1.0

    def value(d: Any, x: Any, T: Any, t: Any) -> Any:
        # Payer: a cost rising with x (decreasing, concave); payee: a benefit with
        # diminishing returns below the status quo (increasing, concave there).
        if sign > 0:
            return -strength * x * x / d["status_quo"]
        return -strength * np.minimum(x - d["status_quo"], 0.0) ** 2 / d["status_quo"]

    def slope(d: Any, x: Any, T: Any, t: Any) -> Any:
        if sign > 0:
            return -2.0 * strength * x / d["status_quo"]
        return -2.0 * strength * np.minimum(x - d["status_quo"], 0.0) / d["status_quo"]

    return FunctionTerm(
        "own_term", value, slope, kinks=None if sign > 0 else (lambda d: [d["status_quo"]])
    )


@st.composite
def players(draw: Any, side: str = "payer") -> Player:
    """The default payer (``tokyo()``) or payee (``washington()``) with random weights.

    Weights stay in [0.5, 2] so the model's assumptions (monotone, concave
    utilities) hold; with probability 1/2 a concave term of the researcher's own
    (:class:`~alliance_sim.players.FunctionTerm`, exact slope) is added.
    """
    if side not in ("payer", "payee"):
        raise ValueError(f"side must be 'payer' or 'payee'; got {side!r}")
    player = tokyo() if side == "payer" else washington()
    for name in player.term_names:
        player = player.reweight(name, draw(st.floats(0.5, 2.0)))
    if draw(st.booleans()):
        player = player.with_term(_quadratic_term(side, draw(st.floats(0.0, 0.5))))
    return player


#: Parameters :func:`scenarios` may fix, with the ranges it draws them from.
SCENARIO_OVERRIDES: dict[str, tuple[float, float]] = {
    "mcpf_J": (0.0, 1.0),
    "kappa_J": (0.0, 4.0),
    "c_J": (0.0, 800.0),
    "kappa_U": (0.0, 3.0),
    "beta_US": (0.0, 1.0),
    "p_challenger": (0.0, 1.0),
    "s_U": (0.0, 1.0),
}


@st.composite
def scenarios(draw: Any) -> Scenario:
    """The Japan–US preset with some of :data:`SCENARIO_OVERRIDES` fixed at drawn values."""
    scn = japan_us_2020()
    names = draw(st.lists(st.sampled_from(sorted(SCENARIO_OVERRIDES)), unique=True, max_size=4))
    changes = {n: draw(st.floats(*SCENARIO_OVERRIDES[n])) for n in names}
    return scn.with_parameters(**changes) if changes else scn


def _rows(n: int, values: list[float]) -> np.ndarray:
    return np.tile(np.asarray(values, dtype=np.float64), (n, 1))


def deadline_war(n: int = 1, z_a: Any = 0.1, z_b: Any = 0.2) -> dict[str, Any]:
    """Keyword arguments of :func:`~alliance_sim.solvers.war_of_attrition`: a worked example.

    Side *a*'s payoffs drop by 0.05 at 0.3 (its budget draft); from 0.5 both sides
    lose payoff (a lapse) and the talks may collapse (hazard 0.5). ``n`` identical
    draws with priors ``z_a``, ``z_b``.
    """
    return dict(
        knots=_rows(n, [0.0, 0.3, 0.5, np.inf]),
        concede_a=Piecewise(_rows(n, [0.4, 0.35, 0.35]), _rows(n, [0, 0, -0.3])),
        win_a=Piecewise(_rows(n, [0.7, 0.65, 0.65]), _rows(n, [0, 0, -0.3])),
        concede_b=Piecewise(_rows(n, [0.3, 0.3, 0.3]), _rows(n, [0, 0, -0.2])),
        win_b=Piecewise(_rows(n, [0.6, 0.6, 0.6]), _rows(n, [0, 0, -0.2])),
        rate_a=1.0,
        rate_b=1.5,
        z_a=z_a,
        z_b=z_b,
        collapse=_rows(n, [0.0, 0.0, 0.5]),
    )


def _war_side(draw: Any, widths: np.ndarray) -> tuple[Piecewise, Piecewise]:
    """One side's concession and win payoffs on the segments: never jumping up."""
    n, m = widths.shape
    out = np.empty((4, n, m))  # concede level, slope; win level, slope
    for i in range(n):
        ell = draw(st.floats(0.05, 1.0))
        for k in range(m):
            slope = draw(st.sampled_from([0.0, -1e-7, -0.05, -0.4, -2.0]))
            margin = draw(st.floats(0.01, 1.0))
            margin_slope = draw(st.sampled_from([0.0, 1e-9, -1e-3, -0.2, 0.3]))
            out[:, i, k] = ell, slope, ell + margin, slope + margin_slope
            width = widths[i, k] if np.isfinite(widths[i, k]) else 0.0
            # The next segment starts at or below this one's left limit (a deadline drop).
            ell = ell + slope * width - draw(st.sampled_from([0.0, 0.0, 0.01, 0.2]))
    return Piecewise(out[0], out[1]), Piecewise(out[2], out[3])


@st.composite
def attrition_wars(draw: Any, max_draws: int = 4, max_segments: int = 4) -> dict[str, Any]:
    """Keyword arguments of :func:`~alliance_sim.solvers.war_of_attrition`, edge cases common.

    Falling or flat payoffs with deadline drops (never up), payoffs reaching zero
    inside a segment, winning margins that shrink to nothing (irregular wars),
    zero-width segments, a finite or infinite last knot, collapse hazards of 0 or
    more, and priors up to 1 (no rational type). Some wars are refused by the solver
    (a payoff rising faster than the discount rate, simultaneous deadlines): the
    refusal is part of what is compared.
    """
    n = draw(st.integers(1, max_draws))
    m = draw(st.integers(1, max_segments))
    steps = np.array(
        [[draw(st.sampled_from([0.0, 0.05, 0.3, 1.0])) for _ in range(m)] for _ in range(n)]
    )
    knots = np.concatenate([np.zeros((n, 1)), np.cumsum(steps, axis=1)], axis=1)
    if draw(st.booleans()):
        knots[:, -1] = np.inf
    widths = np.diff(knots, axis=1)
    concede_a, win_a = _war_side(draw, widths)
    concede_b, win_b = _war_side(draw, widths)
    collapse = np.array(
        [[draw(st.sampled_from([0.0, 0.5, 3.0])) for _ in range(m)] for _ in range(n)]
    )
    return dict(
        knots=knots,
        concede_a=concede_a,
        win_a=win_a,
        concede_b=concede_b,
        win_b=win_b,
        rate_a=draw(st.floats(0.05, 3.0)),
        rate_b=draw(st.floats(0.05, 3.0)),
        z_a=draw(st.sampled_from([0.01, 0.2, 0.7, 1.0])),
        z_b=draw(st.sampled_from([0.01, 0.3, 1.0])),
        collapse=collapse,
    )
