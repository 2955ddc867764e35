"""The public hypothesis strategies generate valid objects and reach the edge cases."""

from __future__ import annotations

import numpy as np
from hypothesis import Phase, find, given, settings

from alliance_sim.testing.strategies import (
    DEFAULT_RANGES,
    default_player_draws,
    default_problem,
    linear_ranges,
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
