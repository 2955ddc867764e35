"""The public hypothesis strategies generate valid objects and reach the edge cases."""

from __future__ import annotations

import numpy as np
from hypothesis import Phase, find, given, settings

from alliance_sim.parameters import Draws
from alliance_sim.testing.strategies import (
    DEFAULT_RANGES,
    default_player_draws,
    default_problem,
    linear_ranges,
    parameter_spaces,
    players,
    scenarios,
)


@given(default_player_draws())
def test_default_player_draws_are_in_range_and_build_a_problem(d):
    assert 1 <= d.n <= 8
    for name, (lo, hi) in DEFAULT_RANGES.items():
        assert np.all((d[name] >= lo) & (d[name] <= hi)), name
    pb = default_problem(d)
    assert pb.feasible.shape == (d.n,)
    assert np.isfinite(pb.lo).all() and np.isfinite(pb.hi).all()


def test_default_player_draws_reach_empty_and_floor_binding_ranges():
    cfg = settings(max_examples=500, database=None, phases=[Phase.generate])  # no shrinking
    empty = find(
        default_player_draws(), lambda d: not default_problem(d).feasible.all(), settings=cfg
    )
    assert not default_problem(empty).feasible.all()
    floored = find(
        default_player_draws(),
        lambda d: (default_problem(d).payee_reservation < 0).any(),
        settings=cfg,
    )
    assert (default_problem(floored).payee_reservation < 0).any()


def test_linear_ranges_reach_ties_empty_ranges_and_extreme_powers():
    cfg = settings(max_examples=500, database=None, phases=[Phase.generate])  # no shrinking
    find(linear_ranges(), lambda a: np.any(a[0] == a[1]), settings=cfg)
    find(linear_ranges(), lambda a: np.any(a[0] > a[1]), settings=cfg)
    find(linear_ranges(), lambda a: np.any(a[2] == 0.0) and np.any(a[2] == 1.0), settings=cfg)


@given(parameter_spaces())
def test_parameter_spaces_sample_valid_draws(space):
    d = space.sample(64, seed=1)
    assert d.n == 64 and set(d) == set(space)
    for name in space:
        lo, hi = space[name].bounds
        assert np.all((d[name] >= lo) & (d[name] <= hi))


@given(players("payer"), players("payee"))
def test_generated_players_keep_the_model_assumptions(payer, payee):
    draws = Draws({k: np.array([(lo + hi) / 2]) for k, (lo, hi) in DEFAULT_RANGES.items()}, n=1)
    xs = np.linspace(0, 1000, 41)[:, None]
    T, t = draws["term_years"], draws["t_signing"]
    assert np.all(np.diff(payer.utility(draws, xs, T, t), axis=0) < 0)  # decreasing
    assert np.all(np.diff(payee.utility(draws, xs, T, t), axis=0) > 0)  # increasing


def test_player_and_scenario_strategies_reach_custom_terms_and_overrides():
    cfg = settings(max_examples=300, database=None, phases=[Phase.generate])
    find(players("payer"), lambda p: "own_term" in p.term_names, settings=cfg)
    find(scenarios(), lambda s: s.parameters["beta_US"].is_fixed, settings=cfg)
