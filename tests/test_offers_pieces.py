"""The pieces of the complete-information talks (games.offers), each on small hand-made inputs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import alliance_sim as asim
from alliance_sim.games import offers
from alliance_sim.games.offers import (
    _after_expected,
    _after_winner,
    _check_separable,
    _combine_branches,
    _gain,
    _inverse,
    _payment_bounds,
    _proposers,
    _renegotiation_values,
    _select,
    _solve_branch,
    _solve_pre_election,
    _Stage,
    _stages,
    _Talks,
)
from alliance_sim.parameters import Draws
from alliance_sim.players import FunctionTerm, Player
from alliance_sim.solvers.alternating import PAYEE, PAYER, AlternatingOffersResult


def talks(n=3, *, election=2, inauguration=4, n_periods=6, **kw):
    """Shared settings by hand: payments in [0, 1], one full term unless told otherwise."""
    base = dict(
        n=n,
        step=0.1,
        election=election,
        inauguration=inauguration,
        n_periods=n_periods,
        terms=(5.0,),
        horizon=5.0,
        lo=np.zeros(n),
        hi=np.ones(n),
        delta_payer=np.full(n, 0.9),
        delta_payee=np.full(n, 0.8),
        breakdown_prob=np.full(n, 0.1),
        p_challenger=np.full(n, 0.25),
    )
    return _Talks(**{**base, **kw})


def pie_stage(breakdown_payer, *, n=3, evaluators=None):
    """Split a pie of 1 (payer keeps 1 − x); the payee's outside option never binds."""
    return _Stage(
        gain_payer=lambda x, k, c: 1.0 - x,
        gain_payee=lambda x, k, c: x,
        breakdown_payer=np.asarray(breakdown_payer, dtype=float),
        outside_payee=np.full(n, -1.0),
        exit_payer=np.asarray(breakdown_payer, dtype=float),
        evaluators=evaluators,
    )


def result(
    periods, n, *, agree_at=None, payment=np.nan, value_payer=0.0, value_payee=0.0, incumbent=None
):
    """A hand-made solver result: agreement in period ``agree_at[i]`` (−1: never) per lane."""
    m = len(periods)
    agree = np.zeros((m, n), dtype=bool)
    if agree_at is not None:
        for lane, k in enumerate(agree_at):
            if k >= 0:
                agree[k - periods.start, lane] = True
    values = {"incumbent": np.full((m + 1, n), incumbent)} if incumbent is not None else {}
    return AlternatingOffersResult(
        periods=periods,
        agree=agree,
        opt_out=np.zeros((m, n), dtype=bool),
        payment=np.where(agree, payment, np.nan),
        contract=np.where(agree, 1, -1).astype(np.int64),
        value_payer=np.full((m + 1, n), value_payer),
        value_payee=np.full((m + 1, n), value_payee),
        evaluators=values,
    )


# Two affine players: the payer values a payment x at v − x − c·t (a cost of signing late),
# the payee at x; no deals at dj and du. A renegotiation signed at t = 0 has reservations
# r_U = du and r_J = v − dj.
PAYER_PLAYER = Player(
    "payer",
    [
        FunctionTerm(
            "pay",
            lambda d, x, T, t: d["v"] - x,
            slope=lambda d, x, T, t: np.full(np.shape(x), -1.0),
            disagreement=lambda d: d["dj"],
            affine=True,
            depends_on_t=False,
        ),
        FunctionTerm("late", lambda d, x, T, t: -d["c"] * t, affine=True, depends_on_x=False),
    ],
)
PAYEE_PLAYER = Player(
    "payee",
    [
        FunctionTerm(
            "get",
            lambda d, x, T, t: x,
            slope=lambda d, x, T, t: np.ones(np.shape(x)),
            disagreement=lambda d: d["du"],
            affine=True,
        )
    ],
)


def simple_states():
    # Incumbent: lane 1 has no settlement range (r_J = 9 < r_U = 12); challenger: lane 2
    # (r_J = 7 < r_U = 8).
    common = {"v": 10.0, "c": 2.0}
    return {
        "I": Draws({**common, "dj": 1.0, "du": [2.0, 12.0, 2.0]}, n=3),
        "C": Draws({**common, "dj": 3.0, "du": [4.0, 4.0, 8.0]}, n=3),
    }


def renegotiation(terms=(1.0, 5.0)):
    states = simple_states()
    d_payer = {w: PAYER_PLAYER.disagreement(s, 3) for w, s in states.items()}
    d_payee = {w: PAYEE_PLAYER.disagreement(s, 3) for w, s in states.items()}
    return _renegotiation_values(
        PAYER_PLAYER,
        PAYEE_PLAYER,
        states,
        d_payer,
        d_payee,
        terms=terms,
        horizon=5.0,
        signing_time=np.zeros(3),
        status_quo=np.full(3, 5.0),
        power=np.full(3, 0.5),
        floor=0.0,
    )


# --- Calendar and settings ---------------------------------------------------------------------


@pytest.mark.parametrize("make", [asim.scenarios.japan_us_2020, asim.scenarios.korea_us_2019])
def test_talks_turns_the_dates_into_periods(make):
    scn = make()
    draws = scn.parameters.sample(4, seed=1)
    t = offers._talks(scn, draws)
    per_year = 365.25 / scn.talks.period_days  # periods a year

    def date(name):
        return scn.parameters[name].value

    assert t.election == math.ceil(date("t_election") * per_year - 1e-9)
    assert t.inauguration == math.ceil(date("t_inauguration") * per_year - 1e-9) > t.election
    assert t.n_periods == math.floor(date("t_final") * per_year + 1e-9) + 1
    np.testing.assert_array_equal(t.delta_payer, np.exp(-draws[scn.talks.rate_payer] * t.step))
    assert t.terms == scn.talks.terms and t.n == 4


def test_talks_reject_an_election_after_the_final_deadline():
    scn = asim.scenarios.japan_us_2020()
    late = scn.with_parameters(t_election=0.9)
    with pytest.raises(ValueError, match="election must fall before the final deadline"):
        offers._talks(late, late.parameters.sample(2, seed=1))
    with pytest.raises(ValueError, match="needs a scenario with `talks`"):
        offers._talks(dataclasses.replace(scn, talks=None), scn.parameters.sample(2, seed=1))


def test_proposers_alternate_from_the_chosen_side():
    assert _proposers(5, payee_first=True) == [PAYEE, PAYER, PAYEE, PAYER, PAYEE]
    assert _proposers(4, payee_first=False) == [PAYER, PAYEE, PAYER, PAYEE]


# --- Payment bounds -----------------------------------------------------------------------------


def test_bounds_are_nan_exactly_in_the_lame_duck_periods():
    t = talks(election=2, inauguration=4, n_periods=6)
    lame = _payment_bounds(t, lame_duck=True)
    for k in range(6):
        lo, hi = lame(k)
        if k in (2, 3):  # the election to the inauguration, exclusive
            assert np.isnan(lo).all() and np.isnan(hi).all()
        else:  # the very arrays the gains tabulated
            assert lo is t.lo and hi is t.hi
    free = _payment_bounds(t)
    assert all(free(k)[0] is t.lo and free(k)[1] is t.hi for k in range(6))


def test_no_lame_duck_when_the_inauguration_is_the_election_period():
    t = talks(election=3, inauguration=3)
    assert all(_payment_bounds(t, lame_duck=True)(k)[0] is t.lo for k in range(6))


# --- Renegotiation values -----------------------------------------------------------------------


def test_renegotiation_values_at_the_nash_payment():
    """Affine gains: x = r_U + β(r_J − r_U) = 5.5 in every lane with a settlement range."""
    values = renegotiation()
    assert set(values) == {("I", 0), ("C", 0)}  # only the short term is renegotiated
    inc, chal = values[("I", 0)], values[("C", 0)]
    # Payer: v − x − d_J^I (its reference is its no deal under the incumbent).
    np.testing.assert_allclose(inc["payer"][[0, 2]], 10 - 5.5 - 1)
    np.testing.assert_allclose(chal["payer"][:2], 10 - 5.5 - 1)
    # Payee: x − d_U of the winner; the incumbent's view of the challenger's deal uses its own.
    np.testing.assert_allclose(inc["payee"][[0, 2]], 5.5 - 2)
    np.testing.assert_allclose(chal["payee"][:2], 5.5 - 4)
    np.testing.assert_allclose(chal["incumbent"][:2], [5.5 - 2, 5.5 - 12])
    np.testing.assert_array_equal(inc["incumbent"], inc["payee"])


def test_renegotiation_values_fall_back_to_no_deal_without_a_settlement_range():
    values = renegotiation()
    inc, chal = values[("I", 0)], values[("C", 0)]
    # Incumbent lane 1: the payer's no deal is its reference (gain 0), the payee's views 0.
    assert inc["payer"][1] == 0.0 and inc["payee"][1] == 0.0 and inc["incumbent"][1] == 0.0
    # Challenger lane 2: the payer gets its no deal under the challenger, d_J^C − d_J^I = 2.
    assert chal["payer"][2] == 3.0 - 1.0
    assert chal["payee"][2] == 0.0 and chal["incumbent"][2] == 0.0


def test_no_renegotiation_without_a_short_term():
    assert renegotiation(terms=(5.0,)) == {}


def test_after_winner_and_after_expected_read_the_right_views():
    values = renegotiation()
    p = np.array([0.0, 0.5, 1.0])
    np.testing.assert_array_equal(
        _after_winner(values, "C", "incumbent")(0), values[("C", 0)]["incumbent"]
    )
    expected = _after_expected(values, p, "payee", "incumbent")(0)
    np.testing.assert_array_equal(
        expected, (1 - p) * values[("I", 0)]["payee"] + p * values[("C", 0)]["incumbent"]
    )
    assert expected[0] == values[("I", 0)]["payee"][0]  # p = 0: the incumbent's own deal


# --- Gains --------------------------------------------------------------------------------------


def test_gain_mixes_the_term_with_the_renegotiation_and_inverts():
    """g(x, k, c) = a_c (v − x − c·t_k − ref) + (1 − a_c)(R_c − κ), a_c = T_c / H."""
    state = simple_states()["I"]
    t = talks(terms=(1.0, 5.0), lo=np.zeros(3), hi=np.full(3, 10.0))
    ref, cost = np.full(3, 1.0), np.full(3, 0.3)
    after_value = np.array([4.0, 0.0, -1.0])
    inv = _inverse(PAYER_PLAYER, state, t.lo, t.hi)
    g = _gain(t, PAYER_PLAYER, state, ref, lambda c: after_value, inv, cost)
    x = np.array([0.0, 3.0, 10.0])
    k = 2  # t_k = 0.2
    short = 0.2 * (10 - x - 2.0 * 0.2 - 1.0) + 0.8 * (after_value - 0.3)
    np.testing.assert_allclose(g(x, k, 0), short, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g(x, k, 1), 10 - x - 2.0 * 0.2 - 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g.solve(g(x, k, 0), k, 0), x, atol=1e-9)
    # φ tabulated at the bounds (the very arrays the solver passes) matches a fresh evaluation.
    np.testing.assert_array_equal(g(t.lo, k, 1), g(t.lo.copy(), k, 1))
    np.testing.assert_array_equal(g(t.hi, k, 1), g(t.hi.copy(), k, 1))


def test_separability_check_catches_a_term_mixing_payment_and_term():
    states = simple_states()
    lo, hi = np.zeros(3), np.full(3, 10.0)
    _check_separable((PAYER_PLAYER, PAYEE_PLAYER), states.values(), lo, hi)  # passes
    mixed = PAYEE_PLAYER.with_term(FunctionTerm("per_year", lambda d, x, T, t: -x / T))
    with pytest.raises(ValueError, match="payee's utility mixes the payment with the term"):
        _check_separable((PAYER_PLAYER, mixed), states.values(), lo, hi)


def test_stages_of_a_preset():
    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(5, seed=2)
    t = offers._talks(scn, draws)
    states = {"I": scn.election.resolve_as(draws, False), "C": scn.election.resolve_as(draws, True)}
    certain = {w: s.replace(**{scn.drawdown: 1.0}) for w, s in states.items()}
    d_payer = {w: scn.payer.disagreement(s, 5) for w, s in states.items()}
    d_payee = {w: scn.payee.disagreement(s, 5) for w, s in states.items()}
    reneg = _renegotiation_values(
        scn.payer,
        scn.payee,
        states,
        d_payer,
        d_payee,
        terms=t.terms,
        horizon=t.horizon,
        signing_time=draws[scn.signing_time],
        status_quo=draws[scn.status_quo],
        power=draws[scn.power],
        floor=scn.payment_floor,
    )
    cost = draws["c_renegotiate"]
    stages = _stages(t, scn.payer, scn.payee, states, certain, d_payer, d_payee, reneg, cost)
    assert set(stages) == {"I", "C", "pre"}
    assert stages["I"].evaluators is None and stages["pre"].evaluators is None
    assert set(stages["C"].evaluators) == {"incumbent"}
    p = t.p_challenger
    np.testing.assert_array_equal(stages["I"].breakdown_payer, 0.0)  # the reference itself
    np.testing.assert_allclose(
        stages["pre"].breakdown_payer, (1 - p) * d_payer["I"] + p * d_payer["C"] - d_payer["I"]
    )
    # A full-term deal (c = 1) signed at the opening, at the lower bound: U − the reference.
    u = scn.payee.utility(states["C"], t.lo, 5.0, 0.0) - d_payee["C"]
    np.testing.assert_allclose(stages["C"].gain_payee(t.lo, 0, 1), u, rtol=1e-12, atol=1e-9)
    # A one-year deal before the election: 1/5 of it, then the renegotiation expected over
    # the winner, less its cost (the incumbent payee values the challenger's with its own U).
    after = (1 - p) * reneg[("I", 0)]["payee"] + p * reneg[("C", 0)]["incumbent"]
    u1 = scn.payee.utility(states["I"], t.lo, 1.0, 0.0) - d_payee["I"]
    np.testing.assert_allclose(
        stages["pre"].gain_payee(t.lo, 0, 0), 0.2 * u1 + 0.8 * (after - cost), rtol=1e-12, atol=1e-9
    )


# --- Solving the parts ---------------------------------------------------------------------------


@pytest.mark.parametrize("payee_first", [True, False])
def test_a_one_period_branch_is_an_ultimatum(payee_first):
    """The last period before the deadline: the proposer leaves the responder its no deal."""
    b = np.array([0.1, 0.2, 0.3])
    t = talks(election=3, inauguration=3, n_periods=4)
    proposer = _proposers(4, payee_first)
    res = _solve_branch(t, pie_stage(b), proposer, lame_duck=False)
    assert res.periods == range(3, 4) and res.agree.all()
    if proposer[3] == PAYEE:
        # The payer accepts 1 − x ≥ δ b (its breakdown value a period later).
        np.testing.assert_allclose(res.payment[0], 1 - 0.9 * b, atol=1e-9)
        np.testing.assert_allclose(res.value_payer[0], 0.9**4 * b, atol=1e-9)
    else:  # the payee's no deal is 0: it accepts nothing
        np.testing.assert_array_equal(res.payment[0], 0.0)
        np.testing.assert_array_equal(res.value_payer[0], 0.9**3)
    np.testing.assert_array_equal(res.value_payer[1], 0.9**4 * b)  # terminal: breakdown


def test_the_challenger_branch_waits_out_the_lame_duck():
    b = np.array([0.1, 0.2, 0.3])
    t = talks(election=1, inauguration=4, n_periods=6)
    proposer = _proposers(6, True)
    incumbent = _solve_branch(t, pie_stage(b), proposer, lame_duck=False).outcome()
    challenger = _solve_branch(t, pie_stage(b), proposer, lame_duck=True)
    assert not challenger.agree[:3].any()  # periods 1, 2, 3
    np.testing.assert_array_equal(incumbent["period"], 1)
    np.testing.assert_array_equal(challenger.outcome()["period"], 4)


def test_the_pre_election_game_starts_from_the_expected_branch_values():
    n = 3
    t = talks(election=1, inauguration=2, n_periods=4)

    def fake(v_payer, v_payee, incumbent=None):
        return result(range(1, 4), n, value_payer=v_payer, value_payee=v_payee, incumbent=incumbent)

    branches = {"I": fake(0.4, 0.5), "C": fake(0.2, 0.9, incumbent=0.1)}
    b = np.full(n, 0.3)
    res = _solve_pre_election(t, pie_stage(b), _proposers(4, True), branches)
    assert res.periods == range(0, 1)
    p, q = 0.25, 0.1
    # At the election the payer expects (1 − p)·0.4 + p·0.2; the incumbent payee, if it loses,
    # values the challenger's path at 0.1 (its own view), not 0.9.
    np.testing.assert_allclose(res.value_payer[1], (1 - p) * 0.4 + p * 0.2)
    np.testing.assert_allclose(res.value_payee[1], (1 - p) * 0.5 + p * 0.1)
    # Payee proposes in period 0: the payer accepts 1 − x ≥ q δ b + (1 − q) V_J(k_E).
    reject = q * 0.9 * 0.3 + (1 - q) * ((1 - p) * 0.4 + p * 0.2)
    np.testing.assert_allclose(res.payment[0], 1 - reject, atol=1e-9)
    assert (
        _solve_pre_election(talks(election=0), pie_stage(b), _proposers(6, True), branches) is None
    )


# --- Combining the branches ----------------------------------------------------------------------


def test_the_path_follows_the_realized_winner():
    after = range(2, 5)
    branches = {
        "I": result(after, 3, agree_at=[2, 2, 3], payment=10.0, value_payer=1.0, value_payee=2.0),
        "C": result(after, 3, agree_at=[4, 4, -1], payment=20.0, value_payer=3.0, value_payee=4.0),
    }
    chal = np.array([False, True, True])
    path, v_payer, v_payee = _combine_branches(branches, None, chal)
    np.testing.assert_array_equal(path["period"], [2, 4, -1])
    np.testing.assert_array_equal(path["agreement"], [True, True, False])
    np.testing.assert_array_equal(path["payment"], [10.0, 20.0, np.nan])
    np.testing.assert_array_equal(path["contract"], [1, 1, -1])
    np.testing.assert_array_equal(v_payer, [1.0, 3.0, 3.0])
    np.testing.assert_array_equal(v_payee, [2.0, 4.0, 4.0])


def test_a_deal_before_the_election_stands_whoever_wins():
    after = range(2, 5)
    branches = {
        "I": result(after, 3, agree_at=[2, 2, 2], payment=10.0),
        "C": result(after, 3, agree_at=[4, 4, 4], payment=20.0),
    }
    pre = result(
        range(0, 2), 3, agree_at=[1, -1, -1], payment=5.0, value_payer=7.0, value_payee=8.0
    )
    path, v_payer, v_payee = _combine_branches(branches, pre, np.array([True, True, False]))
    np.testing.assert_array_equal(path["period"], [1, 4, 2])
    np.testing.assert_array_equal(path["payment"], [5.0, 20.0, 10.0])
    # The opening values are the pre-election game's, expected over the election.
    np.testing.assert_array_equal(v_payer, 7.0)
    np.testing.assert_array_equal(v_payee, 8.0)


def test_select_keeps_each_outputs_dtype():
    a = {
        "period": np.array([1, 2]),
        "agreement": np.array([True, False]),
        "payment": np.array([1.0, np.nan]),
    }
    b = {
        "period": np.array([3, 4]),
        "agreement": np.array([False, True]),
        "payment": np.array([2.0, 3.0]),
    }
    out = _select(np.array([True, False]), a, b)
    assert {k: v.dtype for k, v in out.items()} == {k: v.dtype for k, v in a.items()}
    np.testing.assert_array_equal(out["payment"], [1.0, 3.0])


def test_screening_values_the_deal_at_the_prior_mean_threat():
    """Tokyo's value in the screening stage is its reservation at π = ½, not at one type's π.

    Regression (issue 12): the loop over the two types reassigned ``value``, so only the
    real-threat type's reservation (π = 1) reached the solver.
    """
    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(400, seed=3)
    incumbent = scn.election.resolve_as(draws, False)
    x0 = draws[scn.status_quo]
    T = draws[scn.term_years]

    def reservations(pi):
        pb = asim.BargainingProblem(
            scn.payer,
            scn.payee,
            incumbent.replace(**{scn.drawdown: pi}),
            term_years=T,
            signing_time=0.0,
            floor=scn.payment_floor,
            scale=x0,
        )
        return pb.payer_reservation, np.maximum(pb.payee_reservation, scn.payment_floor)

    (w0, c0), (w_half, _), (w1, c1) = (reservations(pi) for pi in (0.0, 0.5, 1.0))
    delta = np.full(400, 0.9)
    got = offers._screening(scn, draws, incumbent, delta)
    low = np.minimum(c0, c1)
    high = np.maximum(np.maximum(c0, c1), low + 1e-6 * x0)
    want = offers.two_period_screening(w_half, low, high, delta)
    for key in want:
        np.testing.assert_array_equal(got[key], want[key])
    # A drawdown costs Tokyo security value, so the value lies between the two types' and
    # differs from the real-threat one's in this preset: the test can fail.
    assert np.all((w_half >= np.minimum(w0, w1) - 1e-9) & (w_half <= np.maximum(w0, w1) + 1e-9))
    assert np.mean(np.abs(w_half - w1) > 1e-6) > 0.5
