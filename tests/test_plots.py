"""Figures of a SimulationResult (`alliance_sim.results.plots`)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure
from scipy import stats

import alliance_sim as asim
from alliance_sim.results import plots

PANEL_FUNCTIONS = [
    plots.settlement_range,
    plots.frontier,
    plots.equilibrium_outcomes,
    plots.time_to_agreement,
    plots.sensitivity_bars,
]


@pytest.fixture(scope="module")
def res():
    return asim.simulate(asim.scenarios.japan_us_2020(), 3000, seed=1)


@pytest.fixture(scope="module")
def bare():
    """A result without the stance game and the talks."""
    return asim.simulate(asim.scenarios.japan_us_2020(), 500, seed=1, stances=False, talks=False)


def panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize("make", PANEL_FUNCTIONS, ids=lambda f: f.__name__)
def test_figure_with_labeled_axes(res, make):
    fig = make(res)
    assert isinstance(fig, Figure)
    axes = panels(fig)
    assert axes
    for ax in axes:
        assert ax.get_xlabel().strip()
        assert ax.get_ylabel().strip()
        assert ax.get_title().strip()


def test_units_and_scenario_in_labels(res):
    unit = res.scenario.payment_unit
    fig = plots.settlement_range(res)
    (ax,) = panels(fig)
    assert unit in ax.get_xlabel()
    assert res.scenario.title in ax.get_title()
    assert ax.get_legend() is not None
    lo, hi = ax.get_xlim()
    # the demand (¥840 bn) is on the axis although far right of the mass
    assert lo <= res["status_quo"][0] < res["demand"][0] <= hi
    fig = plots.frontier(res)
    (ax,) = panels(fig)
    assert unit in ax.get_xlabel() and unit in ax.get_ylabel()
    assert "Tokyo" in ax.get_xlabel() and "Washington" in ax.get_ylabel()


def test_draws_onto_given_axes(res):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2)
    try:
        assert plots.settlement_range(res, ax=axes[0, 0]) is fig
        assert plots.frontier(res, draw=0, ax=axes[0, 1]) is fig
        assert plots.equilibrium_outcomes(res, ax=axes[1]) is fig
        with pytest.raises(ValueError, match="pair of Axes"):
            plots.time_to_agreement(res, ax=axes[0, 0])
    finally:
        plt.close(fig)


def test_frontier_default_draw_is_the_median_nash_draw(res):
    nash = res["nash_payment"][res["feasible"]]
    fig = plots.frontier(res)
    title = panels(fig)[0].get_title()
    draw = int(title.split("draw ")[1].split()[0])
    gap = abs(res["nash_payment"][draw] - np.median(nash))
    assert gap == np.nanmin(np.abs(res["nash_payment"] - np.median(nash)))


def test_frontier_passes_through_the_stored_solutions(res):
    fig = plots.frontier(res, draw=5)
    ax = panels(fig)[0]
    curve = ax.get_lines()[0]
    uj, uu = curve.get_data()
    by_label = {ln.get_label().split(":")[0]: ln for ln in ax.get_lines()}
    x, y = by_label["Nash"].get_data()
    # the Nash point lies on the frontier (between two of its 200 samples)
    i = np.searchsorted(-uj, -x[0])
    lo, hi = sorted((uu[i - 1], uu[min(i, uu.size - 1)]))
    assert lo - 1e-6 <= y[0] <= hi + 1e-6


@pytest.mark.parametrize("draw", [-1, 3000, 10**9])
def test_frontier_bad_draw_index(res, draw):
    with pytest.raises(IndexError, match=r"draw must be in \[0, 3000\)"):
        plots.frontier(res, draw=draw)


def test_frontier_bad_draw_type(res):
    with pytest.raises(TypeError, match="draw must be an int"):
        plots.frontier(res, draw=1.5)


def test_frontier_infeasible_draw(res):
    sub = res.where(np.arange(res.n) < 10)
    sub.outputs["feasible"] = sub.outputs["feasible"].copy()
    sub.outputs["feasible"][3] = False
    with pytest.raises(ValueError, match="empty settlement range"):
        plots.frontier(sub, draw=3)


def test_missing_stance_and_talks_outputs(bare):
    with pytest.raises(ValueError, match="no stance-game outputs"):
        plots.equilibrium_outcomes(bare)
    with pytest.raises(ValueError, match="no talks outputs"):
        plots.time_to_agreement(bare)
    # the other figures still work
    assert isinstance(plots.settlement_range(bare), Figure)


def test_equilibrium_outcome_shares(res):
    fig = plots.equilibrium_outcomes(res)
    heat = panels(fig)[0]
    share = heat.get_images()[0].get_array()
    outcome = res["stance_outcome"]
    assert share.shape == (3, 3)
    np.testing.assert_allclose(share.sum() + np.mean(outcome == -1), 1.0)
    np.testing.assert_allclose(share[2, 0], np.mean(outcome == 6))
    assert f"{np.mean(outcome == -1):.1%}" in heat.get_title()


def test_sensitivity_is_spearman(res):
    fig = plots.sensitivity_bars(res, top=5)
    ax = panels(fig)[0]
    names = [t.get_text().split(":")[0] for t in ax.get_yticklabels()]
    widths = [p.get_width() for p in ax.patches]
    assert len(names) == len(widths) == 5
    assert np.all(np.diff(np.abs(widths)) <= 1e-12)  # sorted by |ρ|
    keep = res["feasible"]
    for name, rho in zip(names, widths, strict=True):
        ref = stats.spearmanr(res[name][keep], res["nash_payment"][keep]).statistic
        assert rho == pytest.approx(ref, abs=1e-10)


def test_sensitivity_bad_arguments(res):
    with pytest.raises(KeyError):
        plots.sensitivity_bars(res, "no_such_output")
    with pytest.raises(ValueError, match="top"):
        plots.sensitivity_bars(res, top=0)


def test_save_all_writes_pngs(res, tmp_path):
    paths = plots.save_all(res, tmp_path / "figures", dpi=40)
    assert [p.name for p in paths] == [
        "settlement_range.png",
        "frontier.png",
        "sensitivity_nash_payment.png",
        "equilibrium_outcomes.png",
        "time_to_agreement.png",
    ]
    for p in paths:
        assert p.parent == tmp_path / "figures"
        data = p.read_bytes()
        assert len(data) > 1000
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_all_skips_missing_stages(bare, tmp_path):
    paths = plots.save_all(bare, tmp_path, dpi=40)
    assert [p.name for p in paths] == [
        "settlement_range.png",
        "frontier.png",
        "sensitivity_nash_payment.png",
    ]


def test_import_error_names_the_plot_extra(res, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "alliance_sim\[plot\]"'):
        plots.settlement_range(res)
