"""Batched equilibrium enumeration: exact references, textbook games, properties, bad input."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from alliance_sim.solvers import bimatrix_equilibria
from alliance_sim.testing.reference import (
    bimatrix_equilibria_exact,
    bimatrix_is_degenerate_exact,
    same_equilibrium_sets,
)
from alliance_sim.testing.strategies import bimatrix_games


def as_set(eq, g):
    return [(np.asarray(x), np.asarray(y)) for x, y in eq.of(g)]


def exact_as_floats(A, B):
    return [
        (np.array([float(v) for v in x]), np.array([float(v) for v in y]))
        for x, y in bimatrix_equilibria_exact(A, B)
    ]


# --- Against exact references ------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "k", "n"),
    [
        (2, 2, 1500),
        pytest.param(3, 3, 600, marks=pytest.mark.slow),
        pytest.param(4, 4, 60, marks=pytest.mark.slow),
        (6, 2, 150),
    ],
)
def test_integer_games_match_the_exact_rational_reference(m, k, n):
    """Payoffs in {-2..2}: most of these games are degenerate (ties, duplicates)."""
    rng = np.random.default_rng(100 + m * 10 + k)
    A = rng.integers(-2, 3, (n, m, k))
    B = rng.integers(-2, 3, (n, m, k))
    eq = bimatrix_equilibria(A.astype(float), B.astype(float))
    assert eq.degenerate.mean() > 0.5
    for g in range(n):
        assert same_equilibrium_sets(as_set(eq, g), exact_as_floats(A[g], B[g])), g
        assert eq.degenerate[g] == bimatrix_is_degenerate_exact(A[g], B[g]), g


def nashpy_equilibria(A, B, tol=1e-9):
    """nashpy's vertex enumeration, keeping verified profiles once (its qhull output repeats
    vertices and, in near-degenerate games, adds points with regret ~1e-7)."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x, y in nashpy.Game(A, B).vertex_enumeration():
            x, y = np.clip(x, 0, None), np.clip(y, 0, None)
            x, y = x / x.sum(), y / y.sum()
            span_a, span_b = np.ptp(A) or 1.0, np.ptp(B) or 1.0
            if (A @ y).max() - x @ A @ y > tol * span_a or (x @ B).max() - x @ B @ y > tol * span_b:
                continue
            if not any(
                np.allclose(x, a, atol=1e-7) and np.allclose(y, b, atol=1e-7) for a, b in out
            ):
                out.append((x, y))
    return out


@pytest.mark.parametrize(
    ("m", "k", "n"),
    [
        (2, 2, 600),
        pytest.param(3, 3, 400, marks=pytest.mark.slow),
        pytest.param(4, 4, 200, marks=pytest.mark.slow),
    ],
)
def test_random_games_match_nashpy_vertex_enumeration(m, k, n):
    rng = np.random.default_rng(7 + m * k)
    A = rng.normal(size=(n, m, k))
    B = rng.normal(size=(n, m, k))
    eq = bimatrix_equilibria(A, B)
    assert not eq.degenerate.any()
    assert np.all(eq.count % 2 == 1)  # non-degenerate games have an odd number (Wilson 1971)
    for g in range(n):
        assert same_equilibrium_sets(as_set(eq, g), nashpy_equilibria(A[g], B[g]), atol=1e-6), g


@pytest.mark.slow
def test_support_enumeration_misses_what_we_find():
    """nashpy's support_enumeration drops equilibria when a 0 comes out as -1e-18."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(80, 5, 5))
    B = rng.normal(size=(80, 5, 5))
    eq = bimatrix_equilibria(A, B)
    missed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in range(80):
            missed += len(list(nashpy.Game(A[g], B[g]).support_enumeration())) < eq.count[g]
    assert missed > 0  # the known failure, reproduced
    assert np.all(eq.count % 2 == 1)


pygambit = None
try:  # test-only reference, built from source where no wheel exists (extra "reference")
    import pygambit
except ImportError:  # pragma: no cover - depends on the environment
    pass


@pytest.mark.reference
@pytest.mark.skipif(pygambit is None, reason="pygambit is not installed (extra 'reference')")
@pytest.mark.parametrize(
    ("m", "k", "n", "integer"),
    [
        (2, 2, 2000, True),
        (3, 3, 2000, True),
        (4, 4, 500, True),
        (3, 3, 1000, False),
        (4, 4, 500, False),
    ],
)
def test_matches_gambit_enummixed(m, k, n, integer):
    rng = np.random.default_rng(11 * m + k)
    if integer:
        A = rng.integers(-3, 4, (n, m, k))
        B = rng.integers(-3, 4, (n, m, k))
    else:  # rationals with small denominators: exact for gambit, generic for us
        A = rng.integers(-1000, 1001, (n, m, k))
        B = rng.integers(-1000, 1001, (n, m, k))
    eq = bimatrix_equilibria(A.astype(float), B.astype(float))
    for g in range(n):
        game = pygambit.Game.from_arrays(A[g].tolist(), B[g].tolist())
        result = pygambit.nash.enummixed_solve(game, rational=True)
        ref = []  # enummixed may list an equilibrium more than once
        for p in result.equilibria:
            x, y = (np.array([float(p[s]) for s in pl.strategies]) for pl in game.players)
            if not any(np.array_equal(x, a) and np.array_equal(y, b) for a, b in ref):
                ref.append((x, y))
        assert same_equilibrium_sets(as_set(eq, g), ref), g


# --- Textbook games ------------------------------------------------------------------------


def one(A, B):
    return bimatrix_equilibria(np.array([A], float), np.array([B], float))


def test_matching_pennies():
    eq = one([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert eq.count.tolist() == [1] and not eq.pure.any()
    np.testing.assert_allclose(eq.row[0], [0.5, 0.5])
    np.testing.assert_allclose(eq.col[0], [0.5, 0.5])
    np.testing.assert_allclose([eq.row_payoff[0], eq.col_payoff[0]], [0, 0], atol=1e-15)


def test_battle_of_the_sexes_has_three_equilibria():
    eq = one([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    assert eq.count.tolist() == [3] and eq.pure.sum() == 2
    mixed = np.flatnonzero(~eq.pure)[0]
    np.testing.assert_allclose(eq.row[mixed], [0.6, 0.4])
    np.testing.assert_allclose(eq.col[mixed], [0.4, 0.6])
    np.testing.assert_allclose(eq.row_payoff[mixed], 1.2)


def test_chicken():
    # Swerve / straight: two pure asymmetric equilibria and a mixed one.
    eq = one([[0, -1], [1, -10]], [[0, 1], [-1, -10]])
    assert eq.count.tolist() == [3]
    pure = {
        (int(np.argmax(x)), int(np.argmax(y)))
        for x, y, p in zip(eq.row, eq.col, eq.pure, strict=True)
        if p
    }
    assert pure == {(0, 1), (1, 0)}
    mixed = np.flatnonzero(~eq.pure)[0]
    np.testing.assert_allclose(eq.row[mixed], [0.9, 0.1])


def test_prisoners_dilemma():
    eq = one([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert eq.count.tolist() == [1] and eq.pure.all()
    assert eq.row[0].tolist() == [0.0, 1.0] and eq.col[0].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_coordination_game_with_n_pure_equilibria(n):
    eq = one(np.eye(n), np.eye(n))
    assert eq.pure.sum() == n
    assert eq.count[0] == 2**n - 1  # one equilibrium per non-empty support (uniform mix)
    assert not eq.degenerate[0]


# --- Hand-picked degenerate games ----------------------------------------------------------


def test_all_zero_game_has_every_pure_profile_as_extreme_equilibrium():
    eq = bimatrix_equilibria(np.zeros((1, 3, 4)), np.zeros((1, 3, 4)))
    assert eq.count.tolist() == [12] and eq.pure.all() and eq.degenerate.all()


def test_duplicated_rows_and_ties():
    A = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    eq = one(A, B)
    assert eq.degenerate[0]
    assert same_equilibrium_sets(as_set(eq, 0), exact_as_floats(A, B))


def test_six_by_two_game_with_many_extreme_equilibria():
    # The column player is indifferent everywhere; the row player's best responses
    # switch along the column mixture: a chain of equilibrium components.
    A = np.array([[6, 0], [5, 2], [4, 3.5], [3, 4.5], [2, 5], [0, 6]], float)
    B = np.zeros((6, 2))
    eq = one(A, B)
    ref = exact_as_floats(A, B)
    assert eq.degenerate[0] and eq.count[0] == len(ref) >= 10
    assert same_equilibrium_sets(as_set(eq, 0), ref)


def test_one_strategy_games():
    eq = bimatrix_equilibria(np.array([[[1.0, 3.0, 2.0]]]), np.array([[[0.0, 5.0, 1.0]]]))
    assert eq.count.tolist() == [1] and eq.col[0].tolist() == [0.0, 1.0, 0.0]
    eq = bimatrix_equilibria(np.ones((2, 1, 1)), np.ones((2, 1, 1)))
    assert eq.count.tolist() == [1, 1]


# --- Properties --------------------------------------------------------------------------------


@settings(max_examples=80)
@given(bimatrix_games())
@example((np.zeros((1, 2, 2)), np.zeros((1, 2, 2))))
def test_every_profile_is_a_mutual_best_response(games):
    A, B = games
    eq = bimatrix_equilibria(A, B)
    assert eq.count.shape == (A.shape[0],) and np.all(eq.count >= 1)  # Nash (1951)
    assert np.all(np.diff(eq.game) >= 0)
    for i, g in enumerate(eq.game):
        x, y = eq.row[i], eq.col[i]
        assert np.all(x >= 0) and np.all(y >= 0)
        assert abs(x.sum() - 1) < 1e-12 and abs(y.sum() - 1) < 1e-12
        span_a, span_b = np.ptp(A[g]) or 1.0, np.ptp(B[g]) or 1.0
        assert (A[g] @ y).max() - x @ A[g] @ y <= 8e-9 * span_a
        assert (x @ B[g]).max() - x @ B[g] @ y <= 8e-9 * span_b
        assert eq.row_payoff[i] == pytest.approx(x @ A[g] @ y, abs=1e-9 * span_a)


@settings(max_examples=60)
@given(bimatrix_games(max_games=3), st.data())
def test_relabeling_strategies_permutes_the_equilibria(games, data):
    A, B = games
    _, m, k = A.shape
    pr = np.array(data.draw(st.permutations(range(m))))
    pc = np.array(data.draw(st.permutations(range(k))))
    eq = bimatrix_equilibria(A, B)
    eq2 = bimatrix_equilibria(A[:, pr][:, :, pc], B[:, pr][:, :, pc])
    assert np.array_equal(eq.count, eq2.count)
    assert np.array_equal(eq.degenerate, eq2.degenerate)
    for g in range(A.shape[0]):
        mapped = [(x[pr], y[pc]) for x, y in as_set(eq, g)]
        assert same_equilibrium_sets(as_set(eq2, g), mapped)


def survives_shift(M, shift):
    """Each game's payoff range is a visible fraction of the shifted payoffs' magnitude."""
    rng = M.max(axis=(1, 2)) - M.min(axis=(1, 2))
    big = np.abs(M).max(axis=(1, 2)) + abs(shift)
    return bool(np.all((rng == 0) | (rng > 1e-6 * big)))


@settings(max_examples=60)
@given(bimatrix_games(max_games=3), st.floats(-50, 50), st.floats(0.01, 100), st.floats(-50, 50))
def test_positive_affine_changes_of_payoffs_change_nothing(games, shift_a, scale_b, shift_b):
    A, B = games
    # In floating point a shift can erase a game's differences ([0, 3e-82] + 1 is [1, 1]):
    # the property holds for games whose payoff range survives the shift.
    assume(survives_shift(A, shift_a) and survives_shift(B, shift_b / scale_b))
    eq = bimatrix_equilibria(A, B)
    eq2 = bimatrix_equilibria(A + shift_a, scale_b * B + shift_b)
    assert np.array_equal(eq.count, eq2.count)
    for g in range(A.shape[0]):
        assert same_equilibrium_sets(as_set(eq2, g), as_set(eq, g), atol=1e-7)


@settings(max_examples=40)
@given(bimatrix_games(max_games=4, max_strategies=3, integer=True))
def test_hypothesis_integer_games_match_the_exact_reference(games):
    A, B = games
    eq = bimatrix_equilibria(A, B)
    for g in range(A.shape[0]):
        ref = exact_as_floats(A[g].astype(int), B[g].astype(int))
        assert same_equilibrium_sets(as_set(eq, g), ref)


# --- Layout and bad input ------------------------------------------------------------------


def test_padded_layout_and_offsets():
    A = np.stack([np.eye(2), np.zeros((2, 2))])
    eq = bimatrix_equilibria(A, A)
    assert eq.count.tolist() == [3, 4]
    padded = eq.padded(eq.row_payoff)
    assert padded.shape == (2, 4) and np.isnan(padded[0, 3])
    assert eq.offsets.tolist() == [0, 3, 7]


def test_inputs_are_not_modified():
    A = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    B = -A
    before = (A.copy(), B.copy())
    bimatrix_equilibria(A, B)
    assert np.array_equal(A, before[0]) and np.array_equal(B, before[1])


def test_empty_batch_returns_empty_results():
    eq = bimatrix_equilibria(np.zeros((0, 3, 3)), np.zeros((0, 3, 3)))
    assert eq.n_games == 0 and eq.game.shape == (0,) and eq.row.shape == (0, 3)


@pytest.mark.parametrize(
    ("A", "B", "exc", "match"),
    [
        (np.zeros((2, 3, 3)), np.zeros((2, 3, 2)), ValueError, "same shape"),
        (np.zeros((3, 3)), np.zeros((3, 3)), ValueError, r"shape \(n_games, m, k\)"),
        (np.full((1, 2, 2), np.nan), np.zeros((1, 2, 2)), ValueError, "A must be finite"),
        (np.zeros((1, 2, 2)), np.full((1, 2, 2), np.inf), ValueError, "B must be finite"),
        (np.zeros((1, 0, 2)), np.zeros((1, 0, 2)), ValueError, "at least one strategy"),
        (np.array([[["a"]]]), np.zeros((1, 1, 1)), TypeError, "real numbers"),
    ],
)
def test_bad_input(A, B, exc, match):
    with pytest.raises(exc, match=match):
        bimatrix_equilibria(A, B)
    with pytest.raises(ValueError, match="tol must be"):
        bimatrix_equilibria(np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), tol=0.0)


def test_large_games_use_the_documented_fallback():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(2, 7, 7)), rng.normal(size=(2, 7, 7))
    with pytest.warns(UserWarning, match="nashpy.vertex_enumeration"):
        eq = bimatrix_equilibria(A, B)
    assert eq.fallback.all() and np.all(eq.count >= 1)
