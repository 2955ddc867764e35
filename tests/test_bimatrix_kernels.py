"""The compiled vertex enumeration and equilibrium selection (issue #13) against numpy.

``solvers._bimatrix_kernels`` performs the batched path's arithmetic in the same order,
so everything must be bit-identical: profiles, payoffs, regrets, counts, degeneracy;
``solvers._selection_kernels`` must select the same equilibria. The games include the
degenerate ones (ties, duplicated strategies, constant payoffs) and games within
rounding of degenerate ones, where the refinement of nearly singular systems runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings

import alliance_sim as asim
from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.solvers import _bimatrix_kernels, bimatrix_equilibria, select_equilibrium
from alliance_sim.testing.strategies import bimatrix_games

#: Kernel against reference: nothing to compare with the kernels switched off.
pytestmark = pytest.mark.skipif(not kernels_enabled(), reason="ALLIANCE_SIM_KERNELS=0")

FIELDS = (
    "game",
    "row",
    "col",
    "row_payoff",
    "col_payoff",
    "row_regret",
    "col_regret",
    "count",
    "degenerate",
    "fallback",
)


def assert_identical(A, B):
    """Kernel and reference: every field bit for bit, and the same selected equilibria."""
    fast = bimatrix_equilibria(A, B)
    with numpy_reference():
        ref = bimatrix_equilibria(A, B)
        ref_sel = select_equilibrium(ref)
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b), name
    np.testing.assert_array_equal(select_equilibrium(fast), ref_sel)
    return fast


SHAPES = [(2, 2), (2, 3), (3, 2), (3, 3), (2, 7), (3, 5), (5, 3), (3, 15)]


@pytest.mark.parametrize("m, k", SHAPES)
@pytest.mark.parametrize("kind", ["normal", "ternary", "binary"])
def test_random_batches_are_bit_identical(m, k, kind):
    rng = np.random.default_rng(m * 100 + k)
    n = 3_000
    if kind == "normal":
        A, B = rng.normal(size=(2, n, m, k))
    else:
        A, B = rng.integers(0, 3 if kind == "ternary" else 2, size=(2, n, m, k)).astype(float)
    eq = assert_identical(A, B)
    if kind == "binary":  # the degenerate path was exercised
        assert eq.degenerate.mean() > 0.5


def test_nearly_degenerate_games_take_the_refinement_and_agree():
    # Ties perturbed by 1e-12 make 2×2 and 3×3 systems with |det| < 1e-3: refined lanes.
    rng = np.random.default_rng(5)
    n = 2_000
    A, B = rng.integers(0, 3, size=(2, n, 3, 3)).astype(float)
    A += rng.choice([0.0, 1e-12, -1e-12], size=A.shape)
    B += rng.choice([0.0, 1e-12, 3e-11], size=B.shape)
    assert_identical(A, B)


def test_stance_games_of_the_presets_are_bit_identical():
    for preset in (asim.scenarios.japan_us_2020, asim.scenarios.korea_us_2019):
        scn = preset()
        draws = scn.parameters.sample(4_000, seed=3)
        game = asim.games.stance_game(scn, draws)
        eq = assert_identical(game.A, game.B)
        assert eq.degenerate.any()


def test_buffers_grow_for_games_with_many_equilibria():
    # A constant 3×3 game has every pure profile (and more) as an extreme equilibrium:
    # far more rows than the first buffer's 2n + 64.
    n = 50
    A = np.zeros((n, 3, 3))
    eq = assert_identical(A, A)
    assert eq.game.shape[0] > 2 * n + 64
    np.testing.assert_array_equal(eq.count, eq.count[0])


def test_shapes_beyond_the_kernel_run_on_the_reference_path():
    assert [(m, k) for m, k in SHAPES if not _bimatrix_kernels.kernel_covers(m, k)] == []
    assert not _bimatrix_kernels.kernel_covers(4, 4)
    assert not _bimatrix_kernels.kernel_covers(1, 5)
    with pytest.raises(ValueError, match="does not cover 4x4"):
        _bimatrix_kernels.solve_games(np.zeros((1, 4, 4)), np.zeros((1, 4, 4)), 1e-9)
    rng = np.random.default_rng(0)
    A, B = rng.integers(0, 2, size=(2, 200, 4, 4)).astype(float)
    assert_identical(A, B)


@settings(max_examples=60, deadline=None)
@given(bimatrix_games(max_games=5, max_strategies=4))
@example((np.zeros((1, 3, 3)), np.zeros((1, 3, 3))))
@example((np.array([[[1.0, 1.0], [1.0, 1.0 + 1e-12]]]), np.array([[[2.0, 0.0], [0.0, 2.0]]])))
def test_hypothesis_games_are_bit_identical(games):
    assert_identical(*games)


def test_selection_with_payoff_ranges_beyond_the_largest_float():
    # Found in review: the rescaled sums overflowed (hi − lo = inf), the kernel then
    # picked the dominated mixed equilibrium. Both paths now work on halved payoffs.
    b, c = 1e308, 1.7e308
    A = np.array([[[b, -c], [-c, -b]]])
    B = np.array([[[-b, -c], [-c, b]]])
    eq = assert_identical(A, B)
    chosen = select_equilibrium(eq)[0]
    assert eq.pure[chosen]  # the mixed equilibrium is Pareto-dominated by (b, −b)
