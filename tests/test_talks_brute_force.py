"""The election case against brute force: each branch's war of the 2020 talks solved again
as a discrete-time game by backward induction on a belief grid, and Tokyo's opening decision
checked against those values."""

import numpy as np
import pytest

import alliance_sim as asim
from alliance_sim.games.talks import solve_talks
from alliance_sim.testing.discrete_attrition import discrete_war_of_attrition


@pytest.fixture(scope="module")
def solved():
    # The rounds end before the election: Tokyo's opening decision is then, the wars
    # start at the election and the inauguration.
    scn = asim.scenarios.japan_us_2020(calibrated=False).with_parameters(rounds=0.03)
    draws = scn.parameters.sample(2000, seed=41)
    return draws, solve_talks(scn, draws)


def _piecewise_callable(knots, level, slope, start):
    """A branch's payoff as a function of the time since the branch's start."""

    def f(t):
        tt = np.asarray(t, dtype=np.float64) + start
        k = np.clip(np.searchsorted(knots, tt, side="right") - 1, 0, level.size - 1)
        return level[k] + slope[k] * (tt - knots[k])

    return f


def _discrete_value(draws, talks, i, branch, theta, dt):
    """Tokyo's value at the branch's start in the discrete-time game (and the solver's)."""
    b = talks.branches[branch]
    hz = b.hz
    start = hz.knots[i, 0]
    pay = {
        (side, kind): _piecewise_callable(hz.knots[i], f[side].level[i], f[side].slope[i], start)
        for side in ("a", "b")
        for kind, f in (("c", hz.concede), ("w", hz.win))
    }
    eta = _piecewise_callable(hz.knots[i], hz.collapse[i], np.zeros_like(hz.collapse[i]), start)
    war = b.solve(np.full(draws.n, theta))
    horizon = max(war.end[i] - start, 0.05) * 1.3 + 0.05
    dw = discrete_war_of_attrition(
        pay["a", "c"], pay["a", "w"], pay["b", "c"], pay["b", "w"],
        float(draws["r_J"][i]), float(draws["r_U"][i]),
        np.exp(-theta), np.exp(-b.theta_b[i]),
        collapse=eta, dt=dt, horizon=horizon, grid=int(3.2 / dt),
    )  # fmt: skip
    return float(np.ravel(dw.value_a)[0]), float(war.value("a")[i])


def _discount(draws, i, start):
    """Tokyo's discount from the end of the rounds (its decision) to a war's start, with no
    collapse in between (recomputed here)."""
    t_r = float(draws["rounds"][i])
    shock = -np.log1p(-float(draws["q_breakdown"][i])) * 365.25 / 7.0
    after = max(start - max(t_r, float(draws["t_expiry"][i])), 0.0)
    survive = np.exp(-shock * (start - t_r) - float(draws["collapse_rate"][i]) * after)
    return survive * np.exp(-float(draws["r_J"][i]) * (start - t_r))


def _waiting(draws, talks, i, v_i, v_c):
    p, d = talks.p[i], talks.d_payer
    rounds = float(draws["rounds"][i])  # the wars start after the election and the rounds
    d_i = _discount(draws, i, max(float(draws["t_election"][i]), rounds))
    d_c = _discount(draws, i, max(float(draws["t_inauguration"][i]), rounds))
    return p * (d["C"][i] - d["I"][i]) + (1 - p) * d_i * v_i + p * d_c * v_c


def _short(draws, talks, theta):
    """Draws whose wars end within 0.4 years of their start (a cheap discrete game)."""
    out = np.ones(draws.n, dtype=bool)
    for br in ("I", "C"):
        out &= talks.branches[br].solve(theta).end - talks.starts[br] < 0.4
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["interior", "all", "wait"])
def test_tokyos_opening_decision_is_a_best_response_to_brute_force_values(solved, kind):
    """Interior atom: Tokyo indifferent, G = W(θ'); all rational Tokyo concedes: G ≥ W(0);
    it waits: G ≤ W(θ₀). W is rebuilt from discrete-time values at Δ and Δ/2; their
    Richardson extrapolation 2W(Δ/2) − W(Δ) removes the first-order error."""
    draws, talks = solved
    theta = np.maximum(talks.theta0 + np.log1p(-talks.atom), 0.0)
    short = _short(draws, talks, theta)
    pick = (
        {
            "interior": (talks.atom > 0) & (theta > 1e-6),
            "all": (talks.atom > 0) & (theta == 0.0),
            "wait": talks.atom == 0.0,
        }[kind]
        & short
        & np.isfinite(talks.opening_gain)
    )
    assert pick.any(), kind
    i = int(np.flatnonzero(pick)[0])
    th = max(theta[i], 1e-6)  # (the discrete game needs a prior below 1; W is continuous)
    w = {}
    for dt in (0.005, 0.0025):
        v_i, c_i = _discrete_value(draws, talks, i, "I", th, dt)
        v_c, c_c = _discrete_value(draws, talks, i, "C", th, dt)
        w[dt] = _waiting(draws, talks, i, v_i, v_c)
        w_solver = _waiting(draws, talks, i, c_i, c_c)
    # First-order convergence of the discrete values to the solver's.
    err = [abs(w[dt] - w_solver) for dt in (0.005, 0.0025)]
    assert err[1] <= 0.7 * err[0] + 1e-9
    extrapolated = 2 * w[0.0025] - w[0.005]
    scale = abs(talks.opening_gain[i]) + 1.0
    assert extrapolated == pytest.approx(w_solver, abs=2e-4 * scale)
    gain = talks.opening_gain[i]
    if kind == "interior":
        assert extrapolated == pytest.approx(gain, abs=2e-4 * scale)
    elif kind == "all":
        assert gain >= extrapolated - 2e-4 * scale
    else:
        assert gain <= extrapolated + 2e-4 * scale
