"""Figures of a `SimulationResult`: settlement range, frontier, stances, talks, sensitivity.

Every function takes a :class:`~alliance_sim.results.SimulationResult` (and,
optionally, the matplotlib Axes to draw on) and returns the matplotlib
:class:`~matplotlib.figure.Figure`. Matplotlib is an optional dependency
(``pip install "alliance_sim[plot]"``), imported only when a function is called.

Figures made here are plain :class:`matplotlib.figure.Figure` objects, not
registered with :mod:`matplotlib.pyplot`: a notebook displays the returned
figure, a script saves it with ``fig.savefig(...)`` (or uses :func:`save_all`),
and no global pyplot state or GUI backend is involved. To draw into a figure of
your own (e.g. one made with ``plt.subplots``), pass its Axes as ``ax``.

* :func:`settlement_range`: distributions of the range's ends and the Nash
  payment, against the status quo and the payee's demand;
* :func:`frontier`: one draw's utility possibility frontier with its
  disagreement point and bargaining solutions;
* :func:`equilibrium_outcomes`: the stance games' selected outcomes and which
  stances are played in equilibrium;
* :func:`time_to_agreement`: week and payment of agreement in the talks, by
  election winner;
* :func:`sensitivity_bars`: a rank-correlation screening of the random parameters;
* :func:`save_all`: every applicable figure as a PNG file.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int
from .result import SimulationResult

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "equilibrium_outcomes",
    "frontier",
    "save_all",
    "sensitivity_bars",
    "settlement_range",
    "time_to_agreement",
]

#: Colours (matplotlib's default cycle) used consistently across the figures.
_C = {
    "lo": "tab:blue",
    "hi": "tab:orange",
    "nash": "tab:green",
    "ks": "tab:purple",
    "split": "tab:brown",
    "status_quo": "0.25",
    "demand": "tab:red",
    "incumbent wins": "tab:blue",
    "challenger wins": "tab:orange",
    "all": "tab:gray",
}
#: Calendar events marked in :func:`time_to_agreement`: (label, TalksCalendar attribute).
_EVENTS: tuple[tuple[str, str], ...] = (
    ("election", "election"),
    ("budget draft", "budget"),
    ("inauguration", "inauguration"),
    ("expiry", "expiry"),
)


# Matplotlib, figures and axes ------------------------------------------------------------
def _require_matplotlib() -> Any:
    """Import matplotlib, or raise an ImportError that says how to install it."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "alliance_sim.results.plots needs matplotlib; install the plot extra: "
            'pip install "alliance_sim[plot]"'
        ) from exc
    return matplotlib


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``(figure, axes)``: a new one-panel figure, or ``ax`` and its figure."""
    _require_matplotlib()
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    return _root(ax), ax


def _axes_pair(
    ax: Sequence[Axes] | None, figsize: tuple[float, float], **gridspec: Any
) -> tuple[Figure, Axes, Axes]:
    """``(figure, left, right)``: a new two-panel figure, or the two Axes given."""
    _require_matplotlib()
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        left, right = fig.subplots(1, 2, gridspec_kw=gridspec or None)
        return fig, left, right
    from matplotlib.axes import Axes

    axes = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes) != 2:
        raise ValueError(f"this figure has two panels: ax must be a pair of Axes; got {ax!r}")
    return _root(axes[0]), axes[0], axes[1]


def _root(ax: Axes) -> Figure:
    """The top-level figure of ``ax`` (also when it lies in a subfigure)."""
    return ax.figure.figure


def _title(result: SimulationResult, what: str) -> str:
    """Panel or figure title: what is shown, the scenario and the number of draws."""
    return f"{what}\n{result.scenario.title} — {result.n:,} draws"


def _unit(result: SimulationResult) -> str:
    return result.scenario.payment_unit


def _fixed_value(x: NDArray[np.float64]) -> tuple[float, str]:
    """The value of a per-draw quantity and a note: '' if it is fixed, ' (median)' otherwise."""
    if x.size == 0:
        return float("nan"), ""
    if np.all(x == x[0]):
        return float(x[0]), ""
    return float(np.median(x)), " (median)"


def _nice_step(span: float, target_bins: int) -> float:
    """A bin width of the form 1, 2 or 5 × 10^k giving about ``target_bins`` bins."""
    raw = max(span, 1e-12) / target_bins
    base = 10.0 ** math.floor(math.log10(raw))
    return next(m * base for m in (1.0, 2.0, 5.0, 10.0) if m * base >= raw)


def _atom(x: NDArray[np.float64], at: float, threshold: float = 0.01) -> float:
    """Share of ``x`` exactly equal to ``at`` if it is at least ``threshold``, else 0."""
    share = float(np.mean(x == at)) if x.size else 0.0
    return share if share >= threshold else 0.0


def _vline(ax: Axes, x: float, label: str, color: str, y: float = 0.97) -> None:
    """A dashed vertical line with its label written along it."""
    ax.axvline(x, color=color, linestyle="--", linewidth=1.3)
    ax.annotate(
        label,
        xy=(x, y),
        xycoords=("data", "axes fraction"),
        xytext=(-4, 0),
        textcoords="offset points",
        rotation=90,
        ha="right",
        va="top",
        fontsize=8.5,
        color=color,
    )


# 1. Settlement range ---------------------------------------------------------------------
def settlement_range(result: SimulationResult, ax: Axes | None = None) -> Figure:
    """Distributions of the settlement range's ends and of the Nash payment.

    Step histograms (share of draws per bin) of ``lo`` (the least the payee
    accepts, floored), ``hi`` (the most the payer accepts), both over all draws,
    and of ``nash_payment`` over the draws with a non-empty range; dashed lines
    mark the status quo and the payee's reported demand. Point masses (a share of
    at least 1% exactly at the payment floor for ``lo``, exactly at the status quo
    for the Nash payment, where the payee's loss aversion puts a kink) are left
    out of the bars and reported in the legend. The x-axis runs from the floor to
    5% beyond the larger of the demand and the 99.5% quantile of ``hi``.

    Parameters
    ----------
    result : SimulationResult
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax, (9.0, 5.2))
    scn = result.scenario
    payer, payee, unit = scn.payer.name, scn.payee.name, _unit(result)
    lo, hi = result["lo"], result["hi"]
    nash = result["nash_payment"][result["feasible"]]
    x0, x0_note = _fixed_value(result["status_quo"])
    has_demand = "demand" in result.outputs
    demand, demand_note = _fixed_value(result["demand"]) if has_demand else (np.nan, "")

    floor = scn.payment_floor
    right = float(np.quantile(hi, 0.995)) if hi.size else floor + 1.0
    if has_demand and np.isfinite(demand):
        right = max(right, demand)
    right = floor + 1.05 * (right - floor)
    step = _nice_step(right - floor, 150)
    bins = np.arange(floor, right + step, step)

    feasible = float(np.mean(result["feasible"])) if result.n else float("nan")
    series = [
        ("lo", lo, f"lo: the least {payee} accepts", floor, f"at the floor {floor:g}"),
        ("hi", hi, f"hi: the most {payer} accepts", None, ""),
        (
            "nash",
            nash,
            f"generalized Nash payment (range non-empty in {feasible:.1%})",
            x0,
            "at the status quo",
        ),
    ]
    for key, x, label, atom_at, atom_where in series:
        atom = _atom(x, atom_at) if atom_at is not None else 0.0
        body = x[x != atom_at] if atom else x
        weights = np.full(body.shape, 1.0 / x.size) if x.size else None
        median = float(np.median(x)) if x.size else float("nan")
        label = f"{label}; median {median:,.0f}"
        if atom:
            label = f"{label}\n    + {atom:.0%} of draws exactly {atom_where} (not in the bars)"
        ax.hist(
            body,
            bins=bins,  # type: ignore[arg-type]  # stubs say Sequence; any 1-D array works
            weights=weights,
            histtype="step",
            linewidth=1.6,
            color=_C[key],
            label=label,
        )

    _vline(ax, x0, f"status quo{x0_note}: {x0:,.1f}", _C["status_quo"])
    if has_demand:
        inside = float(np.mean(result["demand_in_range"]))
        _vline(
            ax,
            demand,
            f"{payee}'s demand{demand_note}: {demand:,.0f}\n(inside the range in {inside:.2%})",
            _C["demand"],
        )
    ax.set_xlim(floor, right)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"annual payment ({unit})")
    ax.set_ylabel(f"share of draws per bin ({step:g} wide)")
    ax.set_title(
        _title(result, f"Settlement range [lo, hi] and the Nash payment ({unit})"), fontsize=11
    )
    ax.legend(loc="center right", bbox_to_anchor=(0.9, 0.6), fontsize=8.5)
    return fig


# 2. Frontier of one draw -------------------------------------------------------------------
def _median_draw(result: SimulationResult) -> int:
    """Index of the feasible draw whose Nash payment is closest to the median Nash payment."""
    nash = result["nash_payment"]
    feasible = result["feasible"] & np.isfinite(nash)
    if not feasible.any():
        raise ValueError("no draw of this result has a non-empty settlement range")
    median = np.median(nash[feasible])
    return int(np.nanargmin(np.where(feasible, np.abs(nash - median), np.nan)))


def frontier(result: SimulationResult, draw: int | None = None, ax: Axes | None = None) -> Figure:
    """Utility possibility frontier of one draw, with its disagreement point and solutions.

    The draw's :class:`~alliance_sim.games.BargainingProblem` is rebuilt from
    ``result.scenario`` and the draw's sampled parameters the way
    :func:`alliance_sim.sweep.evaluate` builds it (election types resolved at the
    signing time), and its frontier ``problem.frontier(200)`` — the utilities of
    the payments in the settlement range — is drawn with the disagreement point
    and the generalized Nash, Kalai–Smorodinsky and split-the-difference
    solutions (the payments stored in ``result``).

    Parameters
    ----------
    result : SimulationResult
    draw : int, optional
        Index of the draw in ``result`` (``0 <= draw < result.n``); by default the
        draw with a non-empty range whose Nash payment is closest to the median.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``draw`` is not an int.
    IndexError
        If ``draw`` is out of range.
    ValueError
        If the draw's settlement range is empty (it has no frontier).
    """
    from ..parameters import Draws
    from ..sweep import bargaining_problem

    if draw is None:
        draw = _median_draw(result)
    if isinstance(draw, bool) or not isinstance(draw, int | np.integer):
        raise TypeError(f"draw must be an int index; got {draw!r}")
    draw = int(draw)
    if not 0 <= draw < result.n:
        raise IndexError(f"draw must be in [0, {result.n}) for this result; got {draw}")
    if not result["feasible"][draw]:
        raise ValueError(
            f"draw {draw} has an empty settlement range (lo = {result['lo'][draw]:.4g} > "
            f"hi = {result['hi'][draw]:.4g}): it has no utility possibility frontier"
        )
    fig, ax = _axes(ax, (7.5, 6.0))
    scn = result.scenario
    unit = _unit(result)
    draws = Draws({k: v[draw : draw + 1] for k, v in result.parameters.items()}, n=1)
    problem = bargaining_problem(scn, draws)
    front = problem.frontier(200)
    uj, uu = front["payer_utility"][0], front["payee_utility"][0]
    dj, du = float(problem.d_payer[0]), float(problem.d_payee[0])

    ax.plot(uj, uu, color="k", linewidth=1.8, label="frontier: payments in [lo, hi]")
    ax.plot([dj, uj[0]], [du, du], color="0.6", linestyle=":", linewidth=1.0)
    ax.plot([dj, dj], [du, uu[-1]], color="0.6", linestyle=":", linewidth=1.0)
    ax.plot(
        dj, du, "o", color="k", markersize=7, label=f"disagreement point ({dj:,.1f}, {du:,.1f})"
    )
    # lo is the payer's best end (bottom right), hi the payee's (top left)
    for end, i, offset, ha, va in (
        ("lo", 0, (-6, -6), "right", "top"),
        ("hi", -1, (6, 4), "left", "bottom"),
    ):
        x = float(front["payment"][0, i])
        ax.annotate(
            f"x = {end} = {x:,.1f}",
            (uj[i], uu[i]),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=8.5,
        )
    points = [
        ("nash_payment", "Nash", _C["nash"], "*", 15),
        ("ks_payment", "Kalai–Smorodinsky", _C["ks"], "s", 8),
        ("split_payment", "split the difference", _C["split"], "D", 7),
    ]
    for name, label, color, marker, size in points:
        x = float(result[name][draw])
        pj, pu = problem.utilities(np.array([x]))
        ax.plot(
            pj[0],
            pu[0],
            marker,
            color=color,
            markersize=size,
            linestyle="none",
            label=f"{label}: x = {x:,.1f}",
        )
    x0 = float(result["status_quo"][draw])
    if problem.lo[0] <= x0 <= problem.hi[0]:
        pj, pu = problem.utilities(np.array([x0]))
        ax.plot(
            pj[0],
            pu[0],
            "o",
            color=_C["status_quo"],
            markerfacecolor="none",
            markersize=12,
            markeredgewidth=1.5,
            linestyle="none",
            label=f"status quo: x = {x0:,.1f}",
        )
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.set_xlabel(f"{scn.payer.name}'s utility ({unit} equivalent)")
    ax.set_ylabel(f"{scn.payee.name}'s utility ({unit} equivalent)")
    who = ""
    if "challenger_in_office" in result.outputs:
        who = ", challenger signs" if result["challenger_in_office"][draw] else ", incumbent signs"
    beta = float(result["power"][draw])
    ax.set_title(
        _title(result, f"Utility possibility frontier of draw {draw} (β = {beta:.2f}{who})"),
        fontsize=10.5,
    )
    ax.legend(loc="upper right", fontsize=8.5)
    ax.margins(0.08)
    return fig


# 3. Stance games -----------------------------------------------------------------------
def equilibrium_outcomes(result: SimulationResult, ax: Sequence[Axes] | None = None) -> Figure:
    """Selected outcomes of the stance games, and which stances are played in equilibrium.

    Left: a 3×3 heatmap of the share of draws whose selected equilibrium is each
    pure cell (rows: the payer's stances
    :data:`~alliance_sim.games.TOKYO_STANCES`, columns: the payee's
    :data:`~alliance_sim.games.WASHINGTON_STANCES`); the share of mixed selected
    equilibria is in the title. Right: for each stance, the share of draws in
    which it has positive probability in every equilibrium and in some
    equilibrium.

    Parameters
    ----------
    result : SimulationResult
        Simulated with the stance game (``simulate(..., stances=True)`` or the default).
    ax : pair of matplotlib.axes.Axes, optional
        Axes for the two panels; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``result`` has no stance-game outputs.
    """
    if "stance_outcome" not in result.outputs:
        raise ValueError(
            "this result has no stance-game outputs (no 'stance_outcome'): simulate with "
            "stances=True, which needs a scenario with an election, a demand and a drawdown"
        )
    from ..games import TOKYO_STANCES, WASHINGTON_STANCES
    from ..sweep import stance_names

    fig, left, right = _axes_pair(ax, (12.5, 5.0), width_ratios=(1.0, 1.15))
    scn = result.scenario
    outcome = result["stance_outcome"]
    n_rows, n_cols = len(TOKYO_STANCES), len(WASHINGTON_STANCES)
    share = np.bincount(outcome[outcome >= 0], minlength=n_rows * n_cols) / max(result.n, 1)
    share = share.reshape(n_rows, n_cols)
    mixed = float(np.mean(outcome == -1)) if result.n else float("nan")

    image = left.imshow(share, cmap="Blues", vmin=0.0, vmax=max(float(share.max()), 1e-12))
    for r in range(n_rows):
        for c in range(n_cols):
            dark = share[r, c] > 0.6 * share.max()
            left.text(
                c,
                r,
                f"{share[r, c]:.1%}",
                ha="center",
                va="center",
                fontsize=11,
                color="white" if dark else "black",
            )
    left.set_xticks(range(n_cols), WASHINGTON_STANCES)
    left.set_yticks(range(n_rows), TOKYO_STANCES)
    left.set_xlabel(f"{scn.payee.name}'s stance")
    left.set_ylabel(f"{scn.payer.name}'s stance")
    left.set_title(f"Selected equilibrium: share of draws\n(mixed equilibrium: {mixed:.1%})")
    colorbar = fig.colorbar(image, ax=left, fraction=0.046, pad=0.04)
    colorbar.set_label("share of draws")

    labels, every, some = [], [], []
    for player, names in zip(
        (scn.payer.name, scn.payee.name), stance_names(scn).values(), strict=True
    ):
        for name in names:
            labels.append(f"{player}: {name.split('_', 1)[1]}")
            every.append(float(np.mean(result[f"{name}_in_every_eq"])))
            some.append(float(np.mean(result[f"{name}_in_some_eq"])))
    y = np.arange(len(labels))
    h = 0.38
    bars_some = right.barh(y - h / 2, some, h, color="tab:cyan", label="in some equilibrium")
    bars_every = right.barh(y + h / 2, every, h, color="tab:blue", label="in every equilibrium")
    for bars in (bars_some, bars_every):
        right.bar_label(bars, fmt="{:.1%}", padding=2, fontsize=8)
    right.set_yticks(y, labels)
    right.invert_yaxis()
    right.set_xlim(0.0, 1.12)
    right.set_xlabel("share of draws (stance played with positive probability)")
    right.set_ylabel("stance")
    right.set_title("Stances played in equilibrium")
    right.legend(loc="lower right", fontsize=8.5)
    fig.suptitle(f"Stance games — {scn.title} — {result.n:,} draws")
    return fig


# 4. Time in the talks ----------------------------------------------------------------------
def time_to_agreement(result: SimulationResult, ax: Sequence[Axes] | None = None) -> Figure:
    """Week and payment of agreement in the talks on the calendar, by election winner.

    Left: the distribution of ``agreement_week`` (weeks since the talks opened)
    among the draws whose path reaches an agreement, as the share of each group's
    agreements per week on a log scale (concessions cluster at the opening, just
    after the election or the inauguration, and before deadlines), with dashed lines
    at the election, the budget draft, the inauguration and the expiry of the old
    agreement. Right: the distribution of the agreed payment ``spe_payment``. Groups
    are the result's :meth:`~alliance_sim.results.SimulationResult.groups` by
    election winner (or all draws without an election).

    Parameters
    ----------
    result : SimulationResult
        Simulated with the talks (``simulate(..., talks=True)`` or the default).
    ax : pair of matplotlib.axes.Axes, optional
        Axes for the two panels; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``result`` has no talks outputs or its scenario no talks calendar.
    """
    scn = result.scenario
    if "spe_agreement" not in result.outputs or scn.talks is None:
        raise ValueError(
            "this result has no talks outputs (no 'spe_agreement'): simulate with talks=True, "
            "which needs a scenario with a talks calendar and an election"
        )
    fig, left, right = _axes_pair(ax, (13.0, 5.0))
    cal, unit = scn.talks, _unit(result)
    agree = result["spe_agreement"]
    groups = {k: m for k, m in result.groups().items() if k != "all"} or result.groups()
    per_week = 365.25 / 7.0
    events = [
        (label, float(scn.parameters.parameter(getattr(cal, attr)).value) * per_week)
        for label, attr in _EVENTS
    ]
    agreed_weeks = result["agreement_week"][agree]
    last = max(
        [w for _, w in events]
        + [float(np.quantile(agreed_weeks, 0.995)) if agreed_weeks.size else 0.0]
    )
    final = int(np.ceil(last)) + 2

    # left: week of agreement
    weeks = np.arange(final + 1)
    width = 0.8 / len(groups)
    for j, (label, mask) in enumerate(groups.items()):
        week = result["agreement_week"][mask & agree]
        count = np.bincount(np.minimum(week, final), minlength=final + 1)[: final + 1]
        share = count / max(week.size, 1)
        first = share[0] if share.size else float("nan")
        left.bar(
            weeks + (j - (len(groups) - 1) / 2) * width,
            np.where(share > 0, share, np.nan),
            width,
            color=_C.get(label, f"C{j}"),
            label=f"{label}: {week.size:,} agreements,\n{first:.2%} of them in week 0",
        )
    left.set_yscale("log")
    left.set_xlim(-1.0, final + 1.0)
    for label, week in events:
        _vline(left, week, f"{label} (week {week:.1f})", "0.35")
    left.set_xlabel("week of agreement (weeks since the talks opened)")
    left.set_ylabel("share of the group's agreements (log scale)")
    p_agree = float(np.mean(agree)) if result.n else float("nan")
    left.set_title(f"When the sides agree (P(agreement) = {p_agree:.1%})")
    left.legend(loc="center right", bbox_to_anchor=(1.0, 0.42), fontsize=8.5)

    # right: agreed payment
    payments = result["spe_payment"][agree]
    x0, x0_note = _fixed_value(result["status_quo"])
    top = float(np.quantile(payments, 0.999)) if payments.size else x0
    top = 1.05 * max(top, x0)
    step = _nice_step(top, 100)
    bins = np.arange(0.0, top + step, step)
    for label, mask in groups.items():
        x = result["spe_payment"][mask & agree]
        if not x.size:
            continue
        right.hist(
            x,
            bins=bins,  # type: ignore[arg-type]  # stubs say Sequence; any 1-D array works
            weights=np.full(x.shape, 1.0 / x.size),
            histtype="step",
            linewidth=1.6,
            color=_C.get(label, None),
            label=f"{label}: median {np.median(x):,.0f}",
        )
    _vline(right, x0, f"status quo{x0_note}: {x0:,.1f}", _C["status_quo"])
    right.set_xlim(0.0, top)
    right.set_xlabel(f"agreed annual payment ({unit})")
    right.set_ylabel(f"share of the group's agreements per bin ({step:g} wide)")
    right.set_title("Agreed payment on the realized path")
    right.legend(loc="upper right", fontsize=8.5)
    fig.suptitle(f"Talks on the calendar — {scn.title} — {result.n:,} draws")
    return fig


# 5. Sensitivity ------------------------------------------------------------------------
def sensitivity_bars(
    result: SimulationResult,
    output: str = "nash_payment",
    ax: Axes | None = None,
    top: int = 12,
) -> Figure:
    r"""Rank-correlation sensitivity of ``output`` to the random parameters: a quick look.

    For each random parameter :math:`\theta_j` of the scenario
    (``scenario.parameters.random_names``) the Spearman rank correlation
    :math:`\rho_j` between its draws and ``output`` over the draws with a
    non-empty settlement range (and a finite output) — the Pearson correlation
    of the average ranks, computed for all parameters at once — shown as
    horizontal bars sorted by :math:`|\rho_j|`, the ``top`` largest.

    This is a screening of monotone association, a quick look and not a variance
    decomposition: it misses non-monotone effects and interactions, and
    correlated parameters share credit.

    Parameters
    ----------
    result : SimulationResult
    output : str
        Name of a per-draw output (or parameter) of ``result``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    top : int
        Number of parameters shown (> 0).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    KeyError
        If ``output`` is not in ``result``.
    ValueError
        If ``top`` is not a positive int, or fewer than 3 draws qualify.
    """
    check_int(top, "top")
    from ..sensitivity import rank_correlations

    rho_all = rank_correlations(result, output)
    keep = result["feasible"] & np.isfinite(np.asarray(result[output], dtype=np.float64))
    names = list(rho_all.index)
    rho = rho_all.to_numpy()
    order = np.arange(min(top, len(names)))

    own = ax is None
    fig, ax = _axes(ax, (10.0, 0.5 * len(order) + 2.2))
    labels = [_parameter_label(result, names[j]) for j in order]
    values = rho[order]
    colors = ["tab:red" if v >= 0 else "tab:blue" for v in values]
    bars = ax.barh(np.arange(len(order)), values, color=colors)
    ax.bar_label(bars, fmt="{:+.2f}", padding=3, fontsize=8.5)
    ax.set_yticks(np.arange(len(order)), labels, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0.0, color="k", linewidth=0.8)
    lim = max(0.1, float(np.abs(values).max()) * 1.2)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel(f"Spearman rank correlation ρ with {output} (red: raises it, blue: lowers it)")
    ax.set_ylabel("belief (random parameter)")
    latent = len(result.scenario.parameters.latent_names)
    what = (
        f"Rank-correlation sensitivity of {output}: "
        f"top {len(order)} of {len(names)} beliefs by |ρ|"
        + (f" ({latent} latent variates left out)" if latent else "")
    )
    which = "non-empty settlement range"
    if int(keep.sum()) < int(result["feasible"].sum()):
        which += f" and a finite {output}"
    detail = (
        f"ρ over the {int(keep.sum()):,} draws with a {which}: "
        "a quick look, not a variance decomposition"
    )
    if own:  # the axes are narrowed by the labels: centre the long title on the figure
        fig.suptitle(_title(result, what), fontsize=11)
        ax.set_title(detail, fontsize=9.5)
    else:
        ax.set_title(_title(result, f"{what}\n{detail}"), fontsize=10)
    return fig


def _parameter_label(result: SimulationResult, name: str, width: int = 40) -> str:
    """``name: description`` (shortened), or the derived quantities a bare variate feeds."""
    entries = result.scenario.parameters
    desc = getattr(entries[name], "description", "") or ""
    if not desc:
        used = [e.name for e in entries.entries if name in getattr(e, "inputs", ())]
        desc = f"variate of {', '.join(used)}" if used else ""
    if not desc:
        return name
    lines = textwrap.wrap(f"{name}: {desc}", width)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder=" …")]
    return "\n".join(lines)


# All figures -----------------------------------------------------------------------------
def save_all(result: SimulationResult, directory: str | Path, dpi: int = 120) -> list[Path]:
    """Write every figure that applies to ``result`` as a PNG file in ``directory``.

    Files: ``settlement_range.png``, ``frontier.png`` (the median-Nash draw),
    ``sensitivity_nash_payment.png``, and ``equilibrium_outcomes.png`` /
    ``time_to_agreement.png`` when the result has stance / talks outputs. The
    figures are rendered with matplotlib's non-interactive Agg backend.

    Parameters
    ----------
    result : SimulationResult
    directory : str or path-like
        Created if missing; existing files of these names are overwritten.
    dpi : int
        Resolution of the PNG files.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above.
    """
    _require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    makers: list[tuple[str, Any]] = [
        ("settlement_range", settlement_range),
        ("frontier", frontier),
        ("sensitivity_nash_payment", sensitivity_bars),
    ]
    if "stance_outcome" in result.outputs:
        makers.append(("equilibrium_outcomes", equilibrium_outcomes))
    if "spe_agreement" in result.outputs and result.scenario.talks is not None:
        makers.append(("time_to_agreement", time_to_agreement))
    paths = []
    for name, make in makers:
        fig = make(result)
        FigureCanvasAgg(fig)
        path = out / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths
