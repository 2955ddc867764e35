"""Alternating offers on a calendar: closed forms and limits from the literature; the talks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import alliance_sim as asim
from alliance_sim.games import BargainingProblem
from alliance_sim.games.offers import offers_equilibrium
from alliance_sim.players import FunctionTerm
from alliance_sim.scenarios import TalksCalendar
from alliance_sim.solvers import nash_solution, screening_cutoff, two_period_screening
from alliance_sim.solvers.alternating import PAYEE, PAYER, alternating_offers


def pie(n_periods, d_payer, d_payee, *, payer_first=True, n=1, hi=1.0, **kw):
    """Split a pie of 1: the payer keeps 1 − x, the payee gets x."""
    first, second = (PAYER, PAYEE) if payer_first else (PAYEE, PAYER)
    return alternating_offers(
        periods=range(n_periods),
        proposer=[first if k % 2 == 0 else second for k in range(n_periods)],
        gain_payer=lambda x, k, c: 1.0 - x,
        gain_payee=lambda x, k, c: x,
        delta_payer=d_payer,
        delta_payee=d_payee,
        n=n,
        bounds=lambda k: (np.zeros(n), np.full(n, hi)),
        **kw,
    )


def payer_share(res):
    return 1.0 - res.payment[0]


# --- Closed forms -------------------------------------------------------------------------


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.9, 0.8), (0.6, 0.95)])
def test_rubinstein_share_is_reached_as_the_horizon_grows(d1, d2):
    """Rubinstein (1982): the first proposer keeps (1 − δ2)/(1 − δ1 δ2)."""
    target = (1 - d2) / (1 - d1 * d2)
    errors = [abs(payer_share(pie(T, d1, d2))[0] - target) for T in (10, 40, 160)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-6


@pytest.mark.parametrize("T", range(1, 9))
def test_stahl_finite_horizon(T):
    """Ståhl (1972): with equal δ the first proposer keeps (1 − (−δ)^T)/(1 + δ)."""
    d = 0.85
    assert payer_share(pie(T, d, d))[0] == pytest.approx((1 - (-d) ** T) / (1 + d), abs=1e-12)


@pytest.mark.parametrize(("p", "b1", "b2"), [(0.1, 0.0, 0.0), (0.2, 0.2, 0.3), (0.5, 0.1, 0.6)])
def test_risk_of_breakdown(p, b1, b2):
    """Binmore, Rubinstein & Wolinsky (1986): x1 = (1 − b2 + (1 − p) b1)/(2 − p), no discounting."""
    res = pie(3000, 1.0, 1.0, breakdown_prob=p, breakdown_payer=b1, breakdown_payee=b2)
    assert payer_share(res)[0] == pytest.approx((1 - b2 + (1 - p) * b1) / (2 - p), abs=1e-9)


def test_brw_limit_is_the_asymmetric_nash_solution():
    """Binmore, Rubinstein & Wolinsky (1986): as Δ → 0 with δi = exp(−ri Δ), the payer's
    share tends to the Nash solution with payee power r1/(r1 + r2), error O(Δ)."""
    r1, r2 = 1.0, 3.0
    target = r2 / (r1 + r2)
    errors = []
    for step in (0.02, 0.01, 0.005):
        n_periods = int(20 / step)
        res = pie(n_periods, np.exp(-r1 * step), np.exp(-r2 * step))
        errors.append(abs(payer_share(res)[0] - target))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.005 and errors[1] / errors[2] == pytest.approx(2.0, rel=0.1)


@pytest.mark.parametrize("w2", [0.1, 0.4, 0.47, 0.6, 0.8])
def test_outside_option_principle(w2):
    """Binmore, Shaked & Sutton (1989): the responder's outside option changes the outcome only
    when it binds: x1 = 1 − w2 if w2 > δ x2* (x2* = 1/(1 + δ)), else the Rubinstein share."""
    d = 0.9
    res = pie(400, d, d, outside_payee=w2)
    rubinstein = 1 / (1 + d)
    expected = 1 - w2 if w2 > d * rubinstein else rubinstein
    assert payer_share(res)[0] == pytest.approx(expected, abs=1e-9)


# --- Properties -----------------------------------------------------------------------------


@given(
    st.integers(1, 30),
    st.floats(0.5, 0.99),
    st.floats(0.5, 0.99),
    st.floats(0.001, 0.3),
    st.booleans(),
)
def test_more_patience_never_hurts(T, d1, d2, bump, payer_first):
    base = pie(T, d1, d2, payer_first=payer_first)
    patient = pie(T, min(d1 + bump, 1.0), d2, payer_first=payer_first)
    assert patient.value_payer[0, 0] >= base.value_payer[0, 0] - 1e-12
    impatient_other = pie(T, d1, min(d2 + bump, 1.0), payer_first=payer_first)
    assert impatient_other.value_payee[0, 0] >= base.value_payee[0, 0] - 1e-12


@given(st.integers(2, 30), st.floats(0.5, 0.99), st.floats(0.0, 1.0))
def test_a_binding_ratification_bound_ties_the_payers_hands(T, d, cap):
    """Schelling / Putnam: a lower cap on what the payer's legislature ratifies never raises
    the payment, and a cap below what the payee accepts ends agreement."""
    free = pie(T, d, d, payer_first=False)
    tied = pie(T, d, d, payer_first=False, hi=cap)
    x_free, x_tied = free.outcome()["payment"][0], tied.outcome()["payment"][0]
    assert x_tied <= x_free + 1e-12
    assert tied.value_payer[0, 0] >= free.value_payer[0, 0] - 1e-12


def test_no_acceptable_payment_means_no_agreement():
    # The payee needs at least 0.5 (its outside option) but the cap is 0.3.
    res = pie(6, 0.9, 0.9, hi=0.3, outside_payee=0.5)
    out = res.outcome()
    assert not out["agreement"][0] and out["opt_out"][0]


def test_outcome_with_no_period_left_is_no_agreement():
    """No period (or ``start`` at the end of the calendar): nothing happens on the path.
    (Regression: the argmax over no period raised.)"""
    for res, start in ((pie(0, 0.9, 0.9, n=3), None), (pie(4, 0.9, 0.9, n=3), 4)):
        out = res.outcome(start)
        np.testing.assert_array_equal(out["period"], [-1, -1, -1])
        np.testing.assert_array_equal(out["contract"], [-1, -1, -1])
        assert not out["agreement"].any() and not out["opt_out"].any()
        assert np.isnan(out["payment"]).all()
        assert out["period"].dtype == out["contract"].dtype == np.int64
    np.testing.assert_array_equal(pie(4, 0.9, 0.9).outcome(3)["period"], [3])
    with pytest.raises(ValueError, match=r"start must lie in \[0, 4\]"):
        pie(4, 0.9, 0.9).outcome(5)


class _Split:
    """The payee's gain x with its own inverse; records the lanes it is asked to invert."""

    def __init__(self):
        self.asked = []

    def __call__(self, x, k, c):
        return x

    def solve(self, target, k, c, where):
        self.asked.append(where.copy())
        return np.where(where, target, np.nan)


def test_a_gain_inverts_only_the_lanes_where_the_responder_is_indifferent():
    """Lane 1's interval is one point (lo = hi): its offer is that point, never an inverse
    (a one-point interval has none). Regression: every lane was passed to ``solve``."""
    payee = _Split()
    lo, hi = np.array([0.0, 0.4, 0.0]), np.array([1.0, 0.4, 0.2])
    res = alternating_offers(
        periods=range(2),
        proposer=[PAYER, PAYEE],
        gain_payer=lambda x, k, c: 1.0 - x,
        gain_payee=payee,
        delta_payer=0.9,
        delta_payee=0.9,
        n=3,
        bounds=lambda k: (lo, hi),
    )
    # Period 1: the payee proposes hi. Period 0: the payer offers what leaves it indifferent,
    # δ · hi, by an inverse on lanes 0 and 2; lane 1 can only offer its one point.
    np.testing.assert_allclose(res.payment, [[0.9, 0.4, 0.18], [1.0, 0.4, 0.2]], rtol=1e-15)
    assert len(payee.asked) == 1  # period 0 only (in period 1 the payee proposes)
    np.testing.assert_array_equal(payee.asked[0], [True, False, True])


def test_engine_bad_input():
    with pytest.raises(ValueError, match=r"delta_payer must lie in \(0, 1\]"):
        pie(3, 0.0, 0.9)
    with pytest.raises(ValueError, match=r"breakdown_prob must lie in \[0, 1\]"):
        pie(3, 0.9, 0.9, breakdown_prob=1.5)
    with pytest.raises(ValueError, match="proposer entries"):
        alternating_offers(
            periods=range(2),
            proposer=[0, 2],
            gain_payer=lambda x, k, c: -x,
            gain_payee=lambda x, k, c: x,
            delta_payer=0.9,
            delta_payee=0.9,
            n=1,
            bounds=lambda k: (np.zeros(1), np.ones(1)),
        )
    with pytest.raises(ValueError, match="contracts must be a positive int"):
        pie(3, 0.9, 0.9, contracts=0)


# --- The talks on the 2020 calendar ----------------------------------------------------------


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


@pytest.mark.slow
def test_no_election_no_deadlines_gives_the_core_nash_solution(scn):
    """The documented limit: one type, no deadline costs, no binding bounds, no outside option,
    a long horizon and short periods → the static Nash solution with power r_J/(r_J + r_U)."""
    flat = scn.with_parameters(
        p_challenger=0.0,
        c_budget=0.0,
        lapse_J=0.0,
        lapse_U=0.0,
        s_U=0.0,
        q_breakdown=0.0,
        diet_max_ratio=10.0,
        t_final=12.0,
        r_J=0.8,
        r_U=1.2,
    )
    draws = flat.parameters.sample(6, seed=11)
    state = flat.election.resolve_as(draws, challenger=False)
    pb = BargainingProblem(
        flat.payer, flat.payee, state, term_years=5.0, signing_time=0.0, scale=draws["status_quo"]
    )
    nash = nash_solution(pb, 0.8 / (0.8 + 1.2)).payment
    errors = []
    for days in (8, 4, 2):
        cal = TalksCalendar(period_days=days, terms=(5.0,), horizon=5.0, payee_first=True)
        out = offers_equilibrium(dataclasses.replace(flat, talks=cal), draws)
        assert out["offers_agreement"].all() and np.all(out["offers_period"] == 0)
        errors.append(np.max(np.abs(out["offers_payment"] - nash)))
    # First-order convergence in the period length (BRW 1986): halving Δ halves the gap.
    assert errors[0] / errors[1] == pytest.approx(2.0, rel=0.2)
    assert errors[1] / errors[2] == pytest.approx(2.0, rel=0.2)
    assert errors[2] < 2.0  # ¥bn, with 2-day periods


def test_talks_outputs_and_calendar_facts(scn):
    draws = scn.parameters.sample(3000, seed=12)
    out = offers_equilibrium(scn, draws)
    agree = out["offers_agreement"]
    assert agree.mean() > 0.9
    np.testing.assert_array_equal(np.isnan(out["offers_payment"]), ~agree)
    assert np.all(out["offers_payment"][agree] >= 0)
    assert np.all(out["offers_payment"][agree] <= draws["diet_max"][agree] + 1e-9)  # ratified
    assert set(np.unique(out["offers_term"][agree])) <= {1.0, 5.0}
    assert np.all((out["offers_breakdown_prob"] >= 0) & (out["offers_breakdown_prob"] <= 1))
    # The lame duck: a challenger who wins cannot be bargained with before the inauguration.
    cal = scn.talks
    k_e = cal.period_of(scn.parameters["t_election"].value)
    k_i = cal.period_of(scn.parameters["t_inauguration"].value)
    chal = draws["challenger_wins"] > 0.5
    period = out["offers_period"]
    assert not np.any(chal & (period >= k_e) & (period < k_i))


def test_the_last_offer_before_the_deadline_matters(scn):
    """With little discounting the side that proposes last gets more (Ståhl): the preset
    draws the order, and Tokyo pays more when Washington makes the last offer."""
    draws = scn.parameters.sample(3000, seed=13)
    out = offers_equilibrium(scn, draws)
    first = draws["washington_first"] > 0.5
    n_periods = int(np.floor(scn.parameters["t_final"].value / scn.talks.period_years)) + 1
    washington_last = first == ((n_periods - 1) % 2 == 0)
    x = out["offers_payment"]
    assert np.nanmedian(x[washington_last]) > np.nanmedian(x[~washington_last])


def test_costly_renegotiation_never_makes_one_year_deals_more_likely(scn):
    cheap = scn.with_parameters(c_renegotiate=0.0, p_challenger=1.0)
    dear = scn.with_parameters(c_renegotiate=500.0, p_challenger=1.0)
    d = cheap.parameters.sample(2000, seed=14)
    one_cheap = offers_equilibrium(cheap, d)["offers_one_year"]
    one_dear = offers_equilibrium(dear, d.replace(c_renegotiate=500.0))["offers_one_year"]
    assert one_dear.mean() <= one_cheap.mean()
    assert not one_dear.any()


def test_talks_reject_a_random_calendar_and_a_non_separable_term(scn):
    from scipy import stats

    wobbly = scn.with_parameters(t_election=stats.uniform(0.04, 0.02))
    with pytest.raises(ValueError, match="'t_election' to be a fixed date"):
        offers_equilibrium(wobbly, wobbly.parameters.sample(5, seed=1))
    mixed = FunctionTerm("per_year", lambda d, x, T, t: -x / T)
    odd = scn.with_players(payer=scn.payer.with_term(mixed))
    with pytest.raises(ValueError, match="mixes the payment with the term"):
        offers_equilibrium(odd, odd.parameters.sample(5, seed=1))


# --- Two-period screening ----------------------------------------------------------------------


@pytest.mark.parametrize("delta", [0.1, 0.3, 0.5, 0.9, 1.0])
def test_screening_reproduces_the_fudenberg_tirole_cutoff(delta):
    """Fudenberg & Tirole (1991, §10.2): uniform values on [0, 1], cutoff (2 − δ)/(4 − 3δ);
    our buyer-side model is its mirror (v = 1 − c, W = 1, a = 0)."""
    out = two_period_screening(1.0, 0.0, 1.0, delta)
    assert 1 - float(out["cutoff"]) == pytest.approx((2 - delta) / (4 - 3 * delta), abs=1e-12)
    # Bayes: after a rejection the posterior is uniform on [κ, 1]; the last offer is the
    # monopsony price against it, and the cutoff type is indifferent.
    k, x1, x2 = (float(out[key]) for key in ("cutoff", "first_offer", "second_offer"))
    assert x2 == pytest.approx((1 + k) / 2)
    assert x1 - k == pytest.approx(delta * (x2 - k))


def test_screening_is_optimal_against_a_grid():
    rng = np.random.default_rng(21)
    n = 4000
    a = rng.uniform(0, 100, n)
    b = a + rng.uniform(1, 300, n)
    w = rng.uniform(0, 500, n)
    d = rng.uniform(0.05, 1.0, n)
    out = two_period_screening(w, a, b, d)
    grid = a[:, None] + (np.minimum(w, b) - a)[:, None] * np.linspace(0, 1, 2001)
    x2 = np.minimum((w[:, None] + grid) / 2, b[:, None])
    x1 = grid + d[:, None] * (x2 - grid)
    pay = (
        (grid - a[:, None]) * (w[:, None] - x1) + d[:, None] * (x2 - grid) * (w[:, None] - x2)
    ) / (b - a)[:, None]
    trade = w > a
    assert np.all(out["payoff"][trade] >= pay.max(axis=1)[trade] - 1e-9)
    interior = trade & (w <= b)  # the closed form's domain
    k = np.clip(screening_cutoff(w, a, d), a, np.minimum(w, b))
    np.testing.assert_allclose(out["cutoff"][interior], k[interior], atol=1e-9)
    assert np.all(out["accept_first"][~trade] == 0) and np.all(np.isnan(out["first_offer"][~trade]))


def test_screening_bad_input():
    with pytest.raises(ValueError, match="low must be below high"):
        two_period_screening(1.0, 1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\]"):
        two_period_screening(1.0, 0.0, 1.0, 1.5)
