"""Hypothesis strategies for the core engine's objects (needs the ``test`` extra).

* :func:`default_player_draws` — `Draws` for the default Tokyo/Washington players
  (typed parameters already resolved), over wide but valid ranges, including
  draws whose settlement range is empty;
* :func:`linear_ranges` — reservation payments and bargaining power for the
  closed-form solvers, with ties and empty ranges among them.

They are themselves tested in ``tests/test_strategies.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from ..games import BargainingProblem
from ..parameters import Draws
from ..players import tokyo, washington

__all__ = [
    "DEFAULT_RANGES",
    "bimatrix_games",
    "default_player_draws",
    "default_problem",
    "linear_ranges",
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
