"""Utility terms, players and the election-timing component."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_sim.parameters import Draws
from alliance_sim.players import (
    Constant,
    DeadlinePressure,
    DrawdownOption,
    ElectionTiming,
    FiscalCost,
    FunctionTerm,
    NoDealCost,
    PaymentValue,
    Player,
    ReferencePoint,
    SecurityValue,
    tokyo,
    washington,
)
from alliance_sim.testing.reference import default_gain_slopes, default_gains
from alliance_sim.testing.strategies import default_player_draws

X = np.array([0.0, 50.0, 199.3, 250.0, 800.0])


def draws5(**kw: float) -> Draws:
    base = dict(
        S=1000.0,
        rho=0.25,
        pi=0.2,
        lam=0.4,
        kappa=1.5,
        x0=199.3,
        c=300.0,
        w=1.2,
        s=0.4,
        C=550.0,
        cb=10.0,
        tb=0.2,
        T=5.0,
        t=0.3,
    )
    base.update(kw)
    return Draws(base, n=5)


def test_term_formulas_by_hand():
    d = draws5()
    T, t = d["T"], d["t"]
    np.testing.assert_allclose(SecurityValue("S", "rho", "pi").value(d, X, T, t), 1000.0)
    np.testing.assert_allclose(
        SecurityValue("S", "rho", "pi").disagreement(d), 1000.0 * (1 - 0.2 * 0.25)
    )
    np.testing.assert_allclose(FiscalCost("lam").value(d, X, T, t), -1.4 * X)
    np.testing.assert_allclose(PaymentValue("w").value(d, X, T, t), 1.2 * X)
    quad = ReferencePoint("kappa", "x0", direction=1, power=2.0)
    np.testing.assert_allclose(quad.value(d, X, T, t), -1.5 * np.maximum(0, X - 199.3) ** 2 / 199.3)
    lin = ReferencePoint("kappa", "x0", direction=-1, power=1.0)
    np.testing.assert_allclose(lin.value(d, X, T, t), -1.5 * np.maximum(0, 199.3 - X))
    cubic = ReferencePoint("kappa", "x0", direction=1, power=3.0)
    np.testing.assert_allclose(
        cubic.value(d, X, T, t), -1.5 * np.maximum(0, X - 199.3) ** 3 / 199.3**2
    )
    assert NoDealCost("c").disagreement(d).tolist() == [-300.0] * 5
    np.testing.assert_allclose(DrawdownOption("s", "C", "pi").disagreement(d), 0.2 * 0.4 * 550)
    np.testing.assert_allclose(DeadlinePressure("cb", "tb").value(d, X, T, t), -10.0 / 5.0)
    late = draws5(t=0.1)
    np.testing.assert_allclose(DeadlinePressure("cb", "tb").value(late, X, T, late["t"]), 0.0)


@pytest.mark.parametrize(
    "term",
    [
        SecurityValue("S", "rho", "pi"),
        FiscalCost("lam"),
        PaymentValue("w"),
        ReferencePoint("kappa", "x0", 1, 2.0),
        ReferencePoint("kappa", "x0", -1, 1.0),
        ReferencePoint("kappa", "x0", 1, 2.5),
        NoDealCost("c"),
        DrawdownOption("s", "C", "pi"),
        DeadlinePressure("cb", "tb"),
        Constant(3.0),
    ],
    ids=lambda t: f"{type(t).__name__}",
)
def test_slopes_match_central_differences_away_from_kinks(term):
    d = draws5()
    x = np.array([10.0, 120.0, 230.0, 400.0, 900.0])  # no point at a kink
    h = 1e-5
    fd = (
        np.asarray(term.value(d, x + h, d["T"], d["t"]))
        - np.asarray(term.value(d, x - h, d["T"], d["t"]))
    ) / (2 * h)
    np.testing.assert_allclose(
        np.broadcast_to(term.slope(d, x, d["T"], d["t"]), x.shape), fd, rtol=1e-7, atol=1e-7
    )


def test_affine_flags_and_kinks():
    assert FiscalCost().affine and SecurityValue().affine and PaymentValue().affine
    assert not ReferencePoint().affine
    d = draws5()
    assert ReferencePoint("kappa", "x0", -1, 1.0).kinks(d)[0].tolist() == [199.3] * 5
    assert ReferencePoint("kappa", "x0", 1, 2.0).kinks(d) == []
    assert tokyo().affine is False and tokyo().without("reference_point").affine is True


def test_reference_point_validation():
    with pytest.raises(ValueError, match="direction must be"):
        ReferencePoint(direction=0)
    with pytest.raises(ValueError, match="power must be a finite number >= 1"):
        ReferencePoint(power=0.5)


@given(default_player_draws())
def test_default_players_match_the_scalar_reference_formulas(d):
    payer, payee = tokyo(), washington()
    T, t = d["term_years"], d["t_signing"]
    xs = np.stack([d["status_quo"] * k for k in (0.0, 0.5, 1.0, 1.7)])  # (4, n): broadcasts
    gj = payer.utility(d, xs, T, t) - payer.disagreement(d, d.n)
    gu = payee.utility(d, xs, T, t) - payee.disagreement(d, d.n)
    sj = payer.marginal_utility(d, xs + 1e-3, T, t)
    su = payee.marginal_utility(d, xs + 1e-3, T, t)
    for i in range(d.n):
        p = {k: float(v[i]) for k, v in d.items()}
        rj, ru = default_gains(p)
        dj, du = default_gain_slopes(p)
        for k in range(xs.shape[0]):
            x = float(xs[k, i])
            scale = 1.0 + abs(rj(x)) + abs(ru(x))
            assert gj[k, i] == pytest.approx(rj(x), abs=1e-9 * scale)
            assert gu[k, i] == pytest.approx(ru(x), abs=1e-9 * scale)
            assert sj[k, i] == pytest.approx(dj(x + 1e-3), rel=1e-12, abs=1e-12)
            assert su[k, i] == pytest.approx(du(x + 1e-3), rel=1e-12, abs=1e-12)


def test_player_editing_is_immutable_and_checked():
    p = tokyo()
    q = p.reweight("fiscal_cost", 2.0)
    assert p.weights["fiscal_cost"] == 1.0 and q.weights["fiscal_cost"] == 2.0
    assert "reference_point" not in p.without("reference_point").term_names
    assert p.with_term(Constant(1.0)).term_names[-1] == "constant"
    with pytest.raises(KeyError, match="no term 'nope'"):
        p.reweight("nope", 1.0)
    with pytest.raises(ValueError, match="duplicate term names"):
        Player("X", [FiscalCost(), FiscalCost()])
    with pytest.raises(TypeError, match="UtilityTerm"):
        Player("X", [lambda d: 0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="must be finite"):
        Player("X", [(FiscalCost(), float("nan"))])
    with pytest.raises(ValueError, match="finite positive"):
        p.scaled(0.0)


def test_scaled_player_is_a_positive_affine_transform():
    d = draws5(S_J=1.0)
    p = Player("T", [FiscalCost("lam"), SecurityValue("S", "rho", "pi"), NoDealCost("c")])
    q = p.scaled(3.0, -7.0)
    T, t = d["T"], d["t"]
    np.testing.assert_allclose(q.utility(d, X, T, t), 3 * p.utility(d, X, T, t) - 7)
    np.testing.assert_allclose(q.disagreement(d, 5), 3 * p.disagreement(d, 5) - 7)
    np.testing.assert_allclose(q.marginal_utility(d, X, T, t), 3 * p.marginal_utility(d, X, T, t))


def test_function_term_with_and_without_slope():
    d = draws5()
    term = FunctionTerm("sq", lambda dd, x, T, t: -0.01 * x**2)
    exact = FunctionTerm(
        "sq", lambda dd, x, T, t: -0.01 * x**2, slope=lambda dd, x, T, t: -0.02 * x
    )
    np.testing.assert_allclose(
        term.slope(d, X, d["T"], d["t"]), exact.slope(d, X, d["T"], d["t"]), rtol=1e-8, atol=1e-9
    )
    with pytest.raises(TypeError, match="slope must be callable"):
        FunctionTerm("bad", lambda dd, x, T, t: x, slope=3.0)  # type: ignore[arg-type]


@given(st.floats(0.0, 1.0), st.floats(0.01, 0.99))
def test_election_timing_resolves_the_type_in_office(t, t_inaug):
    e = ElectionTiming({"w": ("w_i", "w_c")})
    d = Draws(
        {"w_i": 1.5, "w_c": 0.9, "challenger_wins": [0.0, 1.0], "t_inauguration": t_inaug}, n=2
    )
    out = e.resolve(d, t)
    assert out["w"][0] == 1.5  # the incumbent won
    assert out["w"][1] == (0.9 if t >= t_inaug else 1.5)
    assert out["challenger_in_office"][1] == float(t >= t_inaug)


def test_election_timing_validates_pairs():
    with pytest.raises(TypeError, match="must be a pair"):
        ElectionTiming({"w": "w_i"})  # type: ignore[dict-item]
