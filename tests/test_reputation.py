"""Abreu & Gul (2000): closed forms against an independent Monte Carlo, limits, bad input."""

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from alliance_sim.solvers.reputation import abreu_gul


def _monte_carlo(ag, i, size, rng):
    """Concession times drawn independently from each side's equilibrium strategy.

    Side i concedes at 0 with its atom; otherwise its rational type concedes at rate
    λ_i (a's unconditional hazard) until T0; past T0 it never concedes (committed).
    Sampled by inverting F_i(t) = 1 − (1 − c_i)e^{−λ_i t} — not the agreement formulas.
    """
    out = []
    for c, lam in (
        (ag.p_concede_now_a[i], ag.rate_a[i]),
        (ag.p_concede_now_b[i], ag.rate_b[i]),
    ):
        u = rng.random(size)
        t = np.where(u < c, 0.0, -np.log((1.0 - u) / (1.0 - c)) / lam)
        out.append(np.where(t >= ag.t_max[i], np.inf, t))
    ta, tb = out
    return np.minimum(ta, tb), ta < tb


def test_closed_forms_agree_with_an_independent_monte_carlo():
    rng = np.random.default_rng(2)
    n = 12
    alpha_a = rng.uniform(0.35, 0.9, n)
    alpha_b = np.clip(1.05 - alpha_a + rng.uniform(0.0, 0.5, n), 0.05, 0.95)
    z_a, z_b = rng.uniform(0.02, 0.5, n), rng.uniform(0.02, 0.5, n)
    r_a, r_b = rng.uniform(0.2, 3.0, n), rng.uniform(0.2, 3.0, n)
    ag = abreu_gul(alpha_a, alpha_b, z_a, z_b, r_a, r_b)
    size = 200_000
    for i in range(n):
        tau, a_first = _monte_carlo(ag, i, size, rng)
        agreed = np.isfinite(tau)
        se = 0.5 / np.sqrt(size)
        assert agreed.mean() == pytest.approx(1 - ag.p_impasse[i], abs=5 * se)
        assert (agreed & a_first).mean() == pytest.approx(ag.p_a_concedes[i], abs=5 * se)
        assert tau[agreed].mean() == pytest.approx(
            ag.expected_delay[i], abs=5 * tau[agreed].std() / np.sqrt(agreed.sum()) + 1e-12
        )
        for t in (0.0, 0.3 * ag.t_max[i], 0.8 * ag.t_max[i], 2 * ag.t_max[i]):
            assert (tau <= t).mean() == pytest.approx(float(ag.agreement_cdf(t)[i]), abs=5 * se)


def test_textbook_quantities():
    ag = abreu_gul(0.7, 0.6, 0.1, 0.2, 1.0, 1.5)
    excess = 0.3
    assert float(ag.rate_a) == pytest.approx(1.5 * 0.3 / excess)  # r_b (1 − α_a)/(α_a + α_b − 1)
    assert float(ag.rate_b) == pytest.approx(1.0 * 0.4 / excess)
    t_a, t_b = -np.log(0.1) / ag.rate_a, -np.log(0.2) / ag.rate_b
    assert float(ag.t_max) == pytest.approx(min(t_a, t_b))
    # The weaker side (larger T_i) concedes at once so that both reputations reach 1 at T0.
    assert t_a > t_b and float(ag.p_concede_now_b) == 0.0
    assert 0.1 * np.exp(ag.rate_a * ag.t_max) / (1 - ag.p_concede_now_a) == pytest.approx(1.0)
    # Reputations reach 1 together: no concession after T0, the impasse is both committed.
    assert float(ag.agreement_cdf(ag.t_max)) == pytest.approx(1 - 0.1 * 0.2)
    assert float(ag.p_a_concedes + ag.p_b_concedes + ag.p_impasse) == pytest.approx(1.0)
    # Values: the stronger side collects the atom, then both are indifferent.
    assert float(ag.value_b) == pytest.approx(
        float(ag.p_concede_now_a) * 0.6 + (1 - float(ag.p_concede_now_a)) * 0.3
    )
    assert float(ag.value_a) == pytest.approx(0.4)


@settings(deadline=None)
@given(
    alpha=st.floats(0.51, 0.95),
    z=st.floats(0.01, 0.9),
    r=st.floats(0.05, 5.0),
)
@example(alpha=0.51, z=0.9, r=0.05)
def test_symmetric_sides_concede_symmetrically(alpha, z, r):
    ag = abreu_gul(alpha, alpha, z, z, r, r)
    assert float(ag.p_concede_now_a) == float(ag.p_concede_now_b) == 0.0
    assert float(ag.p_a_concedes) == pytest.approx(float(ag.p_b_concedes), rel=1e-12)
    assert float(ag.p_a_concedes) == pytest.approx((1 - z * z) / 2, rel=1e-12)


def test_vanishing_commitment_gives_immediate_agreement():
    """z → 0 at a fixed ratio (λ_a ≠ λ_b): the weaker side concedes at once, no delay."""
    delays, atoms = [], []
    for z in (1e-2, 1e-4, 1e-8, 1e-16):
        ag = abreu_gul(0.6, 0.6, z, 2 * z, 1.0, 2.0)
        delays.append(float(ag.expected_delay))
        atoms.append(float(ag.p_concede_now_b))
    assert all(d1 > d2 for d1, d2 in itertools.pairwise(delays))
    assert delays[-1] < 1e-3 and atoms[-1] > 0.999
    # The knife edge λ_a = λ_b with z_a = z_b keeps a delay of 1/(2λ) (documented).
    edge = abreu_gul(0.6, 0.6, 1e-12, 1e-12, 1.0, 1.0)
    assert float(edge.expected_delay) == pytest.approx(1 / (2 * 2.0), rel=1e-9)


@settings(deadline=None)
@given(
    a=st.floats(0.35, 0.9),
    extra=st.floats(0.02, 0.5),
    z_a=st.floats(0.01, 0.5),
    z_b=st.floats(0.01, 0.5),
    r=st.floats(0.1, 3.0),
    dz=st.floats(0.01, 0.4),
)
def test_a_more_committed_side_concedes_less(a, extra, z_a, z_b, r, dz):
    """A side with a larger commitment prior never concedes more often."""
    b = min(1.0 - a + extra, 0.99)
    lo = abreu_gul(a, b, z_a, z_b, r, r)
    hi = abreu_gul(a, b, min(z_a + dz, 0.99), z_b, r, r)
    assert float(hi.p_a_concedes) <= float(lo.p_a_concedes) + 1e-12
    assert float(hi.value_a) >= float(lo.value_a) - 1e-12


def test_compatible_demands_mean_immediate_agreement_not_an_error():
    ag = abreu_gul([0.4, 0.5], [0.5, 0.5], 0.1, 0.1, 1.0, 1.0)
    assert ag.compatible.all()
    assert np.all(ag.expected_delay == 0) and np.all(ag.p_impasse == 0)
    assert np.all(ag.agreement_cdf(0.0) == 1.0) and np.all(np.isinf(ag.rate_a))
    assert np.all(ag.concession_cdf("a", 1.0) == 0.0)


def test_broadcasting_and_shapes():
    ag = abreu_gul(np.linspace(0.6, 0.8, 5), 0.6, 0.1, 0.2, 1.0, [[1.0], [2.0]])
    assert ag.t_max.shape == (2, 5)
    assert ag.agreement_cdf(np.zeros((2, 5))).shape == (2, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"z_a": 0.0}, r"z_a must lie in \(0, 1\)"),
        ({"z_b": 1.0}, r"z_b must lie in \(0, 1\)"),
        ({"r_a": -1.0}, r"r_a must lie in \(0, inf\)"),
        ({"r_b": 0.0}, r"r_b must lie in \(0, inf\)"),
        ({"alpha_a": 1.2}, r"alpha_a must lie in \(0, 1\)"),
        ({"alpha_b": np.nan}, "alpha_b must be finite"),
        ({"z_a": np.nan}, "z_a must be finite"),
    ],
)
def test_bad_input_names_the_argument(kwargs, message):
    args = {"alpha_a": 0.6, "alpha_b": 0.6, "z_a": 0.1, "z_b": 0.1, "r_a": 1.0, "r_b": 1.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        abreu_gul(**args)
    with pytest.raises(ValueError, match="side must be"):
        abreu_gul(0.6, 0.6, 0.1, 0.1, 1.0, 1.0).concession_cdf("c", 0.0)
