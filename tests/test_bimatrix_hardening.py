"""Hardening of ``bimatrix_equilibria`` (issue 12, item 4): label widths, one-strategy games,
huge payoffs, bad input, the per-game fallback, nearly degenerate games.

Every result is checked against a reference that does not share the solver's code: the
pure best replies computed by ``argmax`` (games where one player has a single strategy),
nashpy's support enumeration, the exact rational enumeration of
``testing.reference``, or a best-response check of every returned profile.
"""

from __future__ import annotations

import math
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from alliance_sim._jit import numpy_reference
from alliance_sim.solvers import bimatrix as bm
from alliance_sim.solvers import bimatrix_equilibria
from alliance_sim.testing.reference import (
    bimatrix_equilibria_exact,
    bimatrix_is_degenerate_exact,
    same_equilibrium_sets,
)
from alliance_sim.testing.strategies import bimatrix_games

TOL = 1e-9


def exact(A, B):
    return [
        ([float(v) for v in x], [float(v) for v in y]) for x, y in bimatrix_equilibria_exact(A, B)
    ]


def assert_all_nash(eq, A, B, tol=TOL):
    """Every returned profile is a Nash equilibrium of its game (independent check).

    Regrets are computed with numpy on payoffs shifted to start at 0, so that the
    check is at the scale of the payoff range whatever the payoffs' magnitude.
    """
    n = A.shape[0]
    assert eq.count.shape == (n,) and np.all(eq.count >= 1)  # Nash (1951)
    assert np.all(np.diff(eq.game) >= 0) and eq.game.shape == (eq.count.sum(),)
    assert np.all(eq.row >= 0) and np.all(eq.col >= 0)
    assert np.all(np.abs(eq.row.sum(axis=1) - 1) < 1e-12)
    assert np.all(np.abs(eq.col.sum(axis=1) - 1) < 1e-12)
    for g in range(n):
        X, Y = eq.row[eq.game == g], eq.col[eq.game == g]  # (c, m), (c, k)
        a, b = A[g] - A[g].min(), B[g] - B[g].min()
        span_a, span_b = a.max() or 1.0, b.max() or 1.0
        Ay, xB = Y @ a.T, X @ b  # each pure strategy's payoff, per profile
        row_regret = Ay.max(axis=1) - (X * Ay).sum(axis=1)
        col_regret = xB.max(axis=1) - (xB * Y).sum(axis=1)
        assert np.all(row_regret <= 8 * tol * span_a * (1 + 1e-6)), g
        assert np.all(col_regret <= 8 * tol * span_b * (1 + 1e-6)), g


def pure_profiles(profiles):
    """The set of (row strategy, column strategy) of pure profiles; fails on a mixed one."""
    out = set()
    for x, y in profiles:
        x, y = np.asarray(x, float), np.asarray(y, float)
        assert x.max() == 1.0 and y.max() == 1.0, (x, y)
        out.add((int(np.argmax(x)), int(np.argmax(y))))
    return out


# --- One strategy for one player: k×1 and 1×k, any k ------------------------------------------


def best_replies(A, B):
    """The extreme equilibria of one 1×k or k×1 game as pure profiles, by argmax (exact ties)."""
    m, _ = A.shape
    if m == 1:
        return {(0, int(j)) for j in np.flatnonzero(B[0] == B[0].max())}
    return {(int(i), 0) for i in np.flatnonzero(A[:, 0] == A[:, 0].max())}


def one_sided_games(rng, n, k, orientation):
    """Integer payoffs in {0, 1, 2}: ties among the best replies in most games."""
    shape = (n, 1, k) if orientation == "1xk" else (n, k, 1)
    return rng.integers(0, 3, shape).astype(float), rng.integers(0, 3, shape).astype(float)


@pytest.mark.parametrize("orientation", ["1xk", "kx1"])
@pytest.mark.parametrize("k", [1, 2, 62, 63, 64, 200, 923, 924, 1000])
def test_one_strategy_games_return_every_best_reply(k, orientation):
    """Before: for k ≥ 63 the int64 label masks overflowed — of 200 such games about 90
    raised 'please report', 60 returned no equilibrium and 45 a wrong set; k ≥ 924 raised
    a raw QhullError."""
    n = 200 if k <= 200 else 40  # about n·k/3 equilibria
    rng = np.random.default_rng(1000 * k + (orientation == "kx1"))
    A, B = one_sided_games(rng, n, k, orientation)
    eq = bimatrix_equilibria(A, B)
    assert not eq.fallback.any()
    assert_all_nash(eq, A, B)
    for g in range(n):
        ref = best_replies(A[g], B[g])
        assert pure_profiles(eq.of(g)) == ref and eq.count[g] == len(ref), g
        assert eq.degenerate[g] == (len(ref) > 1), g


@pytest.mark.parametrize("orientation", ["1xk", "kx1"])
@pytest.mark.parametrize("k", [2, 5, 12])
def test_one_strategy_games_match_nashpy_support_enumeration(k, orientation):
    """Support enumeration over supports of equal size, i.e. size 1 here, lists exactly the
    pure best replies (each an extreme equilibrium), also in degenerate games. (nashpy
    walks the powerset of the k strategies: small k only.)"""
    rng = np.random.default_rng(7 * k + (orientation == "kx1"))
    A, B = one_sided_games(rng, 30, k, orientation)
    eq = bimatrix_equilibria(A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns on degenerate games
        for g in range(30):
            game = nashpy.Game(A[g], B[g])
            ref = list(game.support_enumeration(non_degenerate=True))
            assert pure_profiles(eq.of(g)) == pure_profiles(ref) and eq.count[g] == len(ref), g


def test_one_strategy_games_with_exact_reference_and_degeneracy():
    rng = np.random.default_rng(3)
    for k in (1, 2, 3, 5):
        for orientation in ("1xk", "kx1"):
            A, B = one_sided_games(rng, 20, k, orientation)
            eq = bimatrix_equilibria(A, B)
            for g in range(20):
                assert same_equilibrium_sets(eq.of(g), exact(A[g], B[g])), (k, orientation, g)
                assert eq.degenerate[g] == bimatrix_is_degenerate_exact(A[g], B[g])


def test_constant_one_strategy_game_lists_every_pure_strategy():
    eq = bimatrix_equilibria(np.zeros((2, 1, 100)), np.full((2, 1, 100), 3.0))
    assert eq.count.tolist() == [100, 100] and eq.pure.all() and eq.degenerate.all()
    assert np.array_equal(eq.col[:100], np.eye(100))
    eq = bimatrix_equilibria(np.full((1, 100, 1), -1.0), np.zeros((1, 100, 1)))
    assert eq.count.tolist() == [100] and np.array_equal(eq.row, np.eye(100))


def test_batched_path_refuses_more_labels_than_its_mask_bits():
    """The int64 masks cannot hold more than MAX_BATCHED_LABELS labels: the batched solver
    refuses rather than overflow (the public function never sends it such games)."""
    assert bm.MAX_BATCHED_LABELS == 62
    widest = max(
        m + k
        for m in range(2, 60)
        for k in range(2, 60)
        if math.comb(m + k, m) <= bm.MAX_BATCHED_VERTICES
    )
    assert widest <= bm.MAX_BATCHED_LABELS  # 2×41: 43 labels
    with pytest.raises(RuntimeError, match="int64 label masks"):
        bm._solve_batch(np.zeros((1, 2, 61)), np.zeros((1, 2, 61)), TOL)


# --- Huge and tiny magnitudes ----------------------------------------------------------------


def equal_results(e1, e2):
    return (
        np.array_equal(e1.count, e2.count)
        and np.array_equal(e1.degenerate, e2.degenerate)
        and np.array_equal(e1.row, e2.row)
        and np.array_equal(e1.col, e2.col)
    )


@pytest.mark.parametrize(("m", "k", "n"), [(3, 3, 200), (2, 4, 200), (1, 6, 50), (6, 1, 50)])
def test_payoffs_near_the_float_limit(m, k, n):
    """Before: payoffs scaled to ±1e308 overflowed the payoff range (inf − inf) and returned
    count = 0 for 8 of 200 3×3 games at 1e308 and 131 of 200 at 1.7e308, with only warnings."""
    rng = np.random.default_rng(m * 10 + k)
    A, B = rng.uniform(-1, 1, (n, m, k)), rng.uniform(-1, 1, (n, m, k))
    A[:, 0, 0], B[:, -1, -1] = 1.0, -1.0  # some entries at ± the scale itself
    ref = bimatrix_equilibria(A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may be emitted
        for scale in (1e300, 1e308, np.finfo(float).max):
            eq = bimatrix_equilibria(A * scale, B * scale)
            assert np.array_equal(eq.count, ref.count) and np.array_equal(
                eq.degenerate, ref.degenerate
            )
            for g in range(n):
                assert same_equilibrium_sets(eq.of(g), ref.of(g), atol=1e-9), (scale, g)
            for pay, base in ((eq.row_payoff, ref.row_payoff), (eq.col_payoff, ref.col_payoff)):
                assert np.all(np.isfinite(pay)) and np.all(np.abs(pay) <= scale)
                np.testing.assert_allclose(pay / scale, base, rtol=1e-9, atol=1e-9)
            assert np.all(np.isfinite(eq.row_regret)) and np.all(np.isfinite(eq.col_regret))


def test_payoffs_at_plus_and_minus_the_largest_float():
    big = np.finfo(float).max
    A = np.array([[[big, -big], [-big, big]]])  # matching pennies at the float limit
    eq = bimatrix_equilibria(A, -A)
    np.testing.assert_allclose(eq.row[0], [0.5, 0.5])
    assert eq.row_payoff[0] == 0.0 and eq.count.tolist() == [1]
    eq = bimatrix_equilibria(np.array([[[big, -big]]]), np.array([[[-big, big]]]))
    assert eq.col.tolist() == [[0.0, 1.0]] and eq.row_payoff.tolist() == [-big]


@settings(max_examples=60, deadline=None)
@given(bimatrix_games(max_games=3), st.integers(0, 1017))
@example(
    (np.array([[[100.0, -100.0], [-100.0, 100.0]]]), np.array([[[-1.0, 1.0], [1.0, -1.0]]])), 1017
)
def test_scaling_by_a_power_of_two_changes_nothing(games, e):
    """Payoffs are scaled internally by powers of two (exact): a game and the same game
    times 2^e give bit-identical equilibria, and payoffs times 2^e. (The example: ±1.4e308,
    whose range overflowed before.)"""
    A, B = games  # |payoffs| ≤ 100 < 2^7, so A·2^1017 < 2^1024 is still finite
    eq = bimatrix_equilibria(A, B)
    eq2 = bimatrix_equilibria(np.ldexp(A, e), np.ldexp(B, e))
    assert equal_results(eq, eq2)
    np.testing.assert_allclose(eq2.row_payoff, np.ldexp(eq.row_payoff, e), rtol=1e-15)
    np.testing.assert_allclose(eq2.col_payoff, np.ldexp(eq.col_payoff, e), rtol=1e-15)


def test_tiny_payoffs_and_subnormals():
    A = np.array([[[3.0, 0.0], [0.0, 2.0]]])
    B = np.array([[[2.0, 0.0], [0.0, 3.0]]])
    ref = bimatrix_equilibria(A, B)
    eq = bimatrix_equilibria(A * 1e-300, B * 1e-300)
    assert same_equilibrium_sets(eq.of(0), ref.of(0), atol=1e-12)
    eq = bimatrix_equilibria(A * 2.0**-1070, B * 2.0**-1070)  # subnormal payoffs, exact
    assert equal_results(eq, ref)
    np.testing.assert_array_equal(eq.row_payoff, ref.row_payoff * 2.0**-1070)


def test_payoff_range_tiny_next_to_the_payoffs():
    """A game 2 ± 1e-12 is solved on its rescaled payoffs; its verification must be at the
    same scale (before, rounding errors ~1e-16 of the magnitude exceeded 8·tol·range and
    raised 'equilibrium verification failed … please report it')."""
    base = np.array([[[3.0, 0.0], [0.0, 2.0]]]), np.array([[[2.0, 0.0], [0.0, 3.0]]])
    ref = bimatrix_equilibria(*base)
    A, B = 2.0 + 1e-12 * base[0], -5.0 + 1e-12 * base[1]
    eq = bimatrix_equilibria(A, B)
    assert eq.count.tolist() == [3]
    assert same_equilibrium_sets(
        eq.of(0), ref.of(0), atol=1e-3
    )  # the game itself is rounded at 1e-4
    assert_all_nash(eq, A, B)


@pytest.mark.parametrize("shape", [(0, 1, 5), (0, 5, 1), (0, 1, 1), (0, 2, 2), (0, 7, 7)])
def test_empty_batches_on_every_path(shape):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning for no games
        eq = bimatrix_equilibria(np.zeros(shape), np.zeros(shape))
    assert eq.n_games == 0 and eq.row.shape == (0, shape[1]) and eq.col.shape == (0, shape[2])


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_a", "value", "where"),
    [
        (True, np.nan, (0, 0, 0)),
        (True, np.inf, (2, 1, 1)),
        (False, -np.inf, (1, 0, 1)),
        (False, np.nan, (2, 1, 0)),
    ],
)
@pytest.mark.parametrize("shape", [(3, 2, 2), (3, 2, 40)])
def test_non_finite_payoffs_name_the_argument(bad_a, value, where, shape):
    A, B = np.zeros(shape), np.ones(shape)
    (A if bad_a else B)[where] = value
    name = "A" if bad_a else "B"
    with pytest.raises(ValueError, match=rf"{name} must be finite; game {where[0]} has"):
        bimatrix_equilibria(A, B)


# --- The per-game fallback -------------------------------------------------------------------


def test_fallback_computes_degeneracy_and_matches_the_exact_reference():
    """Before: fallback games always reported degenerate=False ('not computed'). Now it is
    computed on every path; tie games beyond the batched path are degenerate."""
    rng = np.random.default_rng(12)
    for m, k in ((3, 16), (2, 42)):  # C(19, 3) = 969 and C(44, 2) = 946 > 924
        A = rng.integers(0, 2, (2, m, k)).astype(float)
        B = rng.integers(0, 3, (2, m, k)).astype(float)
        with pytest.warns(UserWarning, match="one by one"):
            eq = bimatrix_equilibria(A, B)
        assert eq.fallback.all()
        for g in range(2):
            assert same_equilibrium_sets(eq.of(g), exact(A[g], B[g])), (m, k, g)
            assert eq.degenerate[g] == bimatrix_is_degenerate_exact(A[g], B[g])
        assert_all_nash(eq, A, B)


def test_fallback_on_degenerate_and_generic_seven_by_seven_games():
    rng = np.random.default_rng(4)
    zero = np.zeros((1, 7, 7))
    generic = rng.normal(size=(3, 7, 7)), rng.normal(size=(3, 7, 7))
    with pytest.warns(UserWarning, match="one by one"):
        eq0 = bimatrix_equilibria(zero, zero)
        eq = bimatrix_equilibria(*generic)
    assert eq0.count.tolist() == [49] and eq0.pure.all() and eq0.degenerate.all()
    assert not eq.degenerate.any() and np.all(eq.count % 2 == 1)  # Wilson (1971)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in range(3):
            unique = []  # nashpy's qhull output repeats vertices
            for x, y in nashpy.Game(generic[0][g], generic[1][g]).vertex_enumeration():
                if not any(np.allclose(x, a) and np.allclose(y, b) for a, b in unique):
                    unique.append((x, y))
            assert same_equilibrium_sets(eq.of(g), unique, atol=1e-6), g
    assert_all_nash(eq, *generic)


def test_fallback_qhull_error_becomes_a_value_error_naming_the_game(monkeypatch):
    from scipy.spatial import QhullError

    calls = {"n": 0}
    real = bm._qhull_vertices

    def flaky(G, tol):
        calls["n"] += 1
        if calls["n"] > 2:  # game 1
            raise QhullError("QH6154 qhull precision error: initial simplex is flat")
        return real(G, tol)

    monkeypatch.setattr(bm, "_qhull_vertices", flaky)
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(2, 7, 7)), rng.normal(size=(2, 7, 7))
    with (
        pytest.warns(UserWarning),
        pytest.raises(ValueError, match=r"game 1 \(7x7\): QH6154.*pygambit") as info,
    ):
        bimatrix_equilibria(A, B)
    assert isinstance(info.value.__cause__, QhullError)


def test_fallback_game_without_equilibrium_raises(monkeypatch):
    def nothing(G, tol):
        p, q = G.shape
        return np.zeros((0, p)), np.zeros((0, p + q), dtype=bool)

    monkeypatch.setattr(bm, "_qhull_vertices", nothing)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match=r"game 0 \(7x7\).*no equil"):
        bimatrix_equilibria(np.zeros((1, 7, 7)), np.zeros((1, 7, 7)))


@pytest.mark.parametrize("path", ["_solve_batch", "solve_games"])  # numpy, compiled
def test_batched_lane_without_equilibrium_raises(monkeypatch, path):
    """The invariant check: a game left with count 0 is an error, never a result."""
    if path == "solve_games" and not bm.kernels_enabled():
        pytest.skip("ALLIANCE_SIM_KERNELS=0")
    real = getattr(bm, path)

    def lossy(A, B, tol):
        g, x, y, degenerate = real(A, B, tol)
        keep = g != 1
        return g[keep], x[:, keep], y[:, keep], degenerate

    monkeypatch.setattr(bm, path, lossy)
    if path == "_solve_batch":
        monkeypatch.setattr(bm, "kernels_enabled", lambda: False)
    A = np.stack([np.eye(2)] * 3)
    with pytest.raises(RuntimeError, match=r"game 1 \(2x2\): no equilibrium"):
        bimatrix_equilibria(A, A)


# --- Nearly degenerate games (ties perturbed by less than or about tol) ---------------------

H = float.fromhex
# Found by fuzzing integer games plus noise: before, the first two raised 'please report'
# (an inaccurate nearly singular solve, and the verification at the payoffs' magnitude);
# the third has one equilibrium reached only by a nearly singular choice.
NEAR_DEGENERATE = [
    (
        [["0x1.ffffffffffa24p+0", "0x1.ffffffffff850p+0"],
         ["0x1.ffffffffff7b3p+0", "0x1.0000000000d68p+1"]],
        [["0x1.fffffffffffe3p-1", "0x1.ffffffffff730p+0"],
         ["0x1.a032120001943p-46", "0x1.f9268ebbe2fbcp-42"]],
    ),
    (
        [["-0x1.d79c697e1a2d4p-44", "0x1.00000000018b7p+0", "0x1.00000000001ddp+1"],
         ["0x1.0000000000787p+1", "0x1.00000000000d0p+0", "0x1.fffffffffe4fep-1"],
         ["0x1.0000000000025p+1", "0x1.fffffffffc4abp-1", "0x1.00000000003b9p+0"]],
        [["0x1.fffffffffde98p-1", "0x1.0000000001322p+0", "0x1.70a0a36ee6793p-44"],
         ["-0x1.6e223e950dc58p-41", "0x1.fffffffffe3c1p-1", "-0x1.1b6b82ca098bfp-39"],
         ["0x1.396beb308149ap-40", "-0x1.3f1374d2b06fep-46", "0x1.51362d79be79ap-40"]],
    ),
    (
        [["0x1.0000000161c57p+1", "0x1.41e639043ed4fp-33"],
         ["0x1.ffffffef90f1ap-1", "0x1.00000011b7314p+0"],
         ["0x1.0000001574dadp+0", "-0x1.2ce14e6420fb2p-30"]],
        [["0x1.55132c4498348p-33", "0x1.898cba4c05158p-29"],
         ["0x1.b52c8ead0e640p-29", "0x1.9052807b02d73p-30"],
         ["-0x1.2d633fa58d2b5p-31", "0x1.fffffff7bdb84p-1"]],
    ),
]  # fmt: skip


@pytest.mark.parametrize("game", range(len(NEAR_DEGENERATE)))
def test_pinned_nearly_degenerate_games(game):
    A, B = (np.array([[[H(v) for v in row] for row in M]]) for M in NEAR_DEGENERATE[game])
    eq = bimatrix_equilibria(A, B)
    assert_all_nash(eq, A, B)
    if game == 2:  # noise 2e-9 > tol: the exact equilibria of the perturbed game
        assert same_equilibrium_sets(eq.of(0), exact(A[0], B[0]), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1e-13, 1e-12, 1e-10, 1e-9, 2e-9, 1e-8, 1e-7]),
)
@example(3, 3, 9, 1e-12)
@example(3, 2, 9, 2e-9)
def test_ties_perturbed_near_the_tolerance(m, k, seed, eps):
    """Integer games with ties, plus noise around tol: every game gets verified equilibria
    (before, about 1 batch in 3 of 3000 such games raised 'please report')."""
    rng = np.random.default_rng(seed)
    n = 300
    A = rng.integers(0, 3, (n, m, k)) + eps * rng.normal(size=(n, m, k))
    B = rng.integers(0, 3, (n, m, k)) + eps * rng.normal(size=(n, m, k))
    eq = bimatrix_equilibria(A, B)
    assert_all_nash(eq, A, B)


# --- Properties across all paths -----------------------------------------------------------


@st.composite
def wide_games(draw):
    """Batches of 1×k or k×1 games up to k = 130 (beyond 63 labels), ties likely."""
    n = draw(st.integers(1, 4))
    k = draw(st.integers(1, 130))
    shape = (n, 1, k) if draw(st.booleans()) else (n, k, 1)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    top = draw(st.sampled_from([1, 2, 3, 50]))
    return rng.integers(0, top, shape).astype(float), rng.integers(0, top, shape).astype(float)


def _pinned_wide(k, orientation, seed):
    rng = np.random.default_rng(seed)
    return one_sided_games(rng, 3, k, orientation)


@settings(max_examples=80, deadline=None)
@given(wide_games())
@example(_pinned_wide(63, "1xk", 0))
@example(_pinned_wide(64, "kx1", 1))
@example(_pinned_wide(923, "1xk", 2))
def test_one_strategy_games_property(games):
    A, B = games
    eq = bimatrix_equilibria(A, B)
    assert_all_nash(eq, A, B)
    for g in range(A.shape[0]):
        ref = best_replies(A[g], B[g])
        assert pure_profiles(eq.of(g)) == ref and eq.count[g] == len(ref)
        assert eq.degenerate[g] == (len(ref) > 1)


# --- Bits that do not depend on the batch ------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(bimatrix_games(max_games=4, max_strategies=3, integer=True), st.integers(1, 6))
def test_a_games_profiles_do_not_depend_on_its_batch(games, copies):
    # The reference once summed profiles pairwise or in order depending on the memory
    # layout fancy indexing left, i.e. on whether the batch held degenerate games.
    A, B = games
    with numpy_reference():
        alone = bimatrix_equilibria(A[:1], B[:1])
        batch = bimatrix_equilibria(np.repeat(A, copies, axis=0), np.repeat(B, copies, axis=0))
    first = batch.game == 0
    np.testing.assert_array_equal(batch.row[first], alone.row)
    np.testing.assert_array_equal(batch.col[first], alone.col)


def test_normalize_sums_in_row_order_whatever_the_layout():
    rng = np.random.default_rng(1)
    x = rng.random((15, 40))
    np.testing.assert_array_equal(bm._normalize(x, 1e-9), bm._normalize(np.asfortranarray(x), 1e-9))


def test_selection_rescales_payoffs_near_the_largest_float_without_overflow():
    from alliance_sim.solvers import select_equilibrium
    from alliance_sim.solvers.bimatrix import Equilibria

    # No payoff-dominant equilibrium; the first is Pareto-dominated by both others. With
    # hi − lo = inf the rescaled sums were NaN and argmax fell back to the first.
    row_payoff = np.array([-1.2e308, 1.5e308, -1.0e308])
    col_payoff = np.array([-1.2e308, -1.0e308, 1.5e308])
    eq = Equilibria(
        game=np.zeros(3, np.int64),
        row=np.eye(3)[:, :2],
        col=np.eye(3)[:, :2],
        row_payoff=row_payoff,
        col_payoff=col_payoff,
        row_regret=np.zeros(3),
        col_regret=np.zeros(3),
        count=np.array([3]),
        degenerate=np.array([True]),
        fallback=np.array([False]),
    )
    with numpy_reference():
        assert select_equilibrium(eq).tolist() == [1]  # 1 and 2 tie; the first of them
    assert select_equilibrium(eq).tolist() == [1]
