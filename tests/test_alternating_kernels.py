"""The fused alternating-offers kernel (issue #13) against the numpy reference.

The kernel (``solvers._alternating_kernels.backward``) runs when every gain has an
``affine_form`` (the talks' gains do); :func:`~alliance_sim._jit.numpy_reference`
switches it off. Payments and values must agree within 1e-9, integer and boolean
outputs exactly, and nothing may depend on how the draws are chunked.
"""

from __future__ import annotations

import contextlib
import dataclasses

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import alliance_sim as asim
from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.games import offers
from alliance_sim.games.bargaining import payment_terms
from alliance_sim.games.offers import _Gain, _inverse, offers_equilibrium
from alliance_sim.parameters import Draws
from alliance_sim.players import FunctionTerm, Player
from alliance_sim.players.terms import (
    DeadlinePressure,
    FiscalCost,
    LapseCost,
    PaymentValue,
    ReferencePoint,
    SecurityValue,
)
from alliance_sim.scenarios import TalksCalendar
from alliance_sim.solvers import _alternating_kernels as kernels
from alliance_sim.solvers import alternating
from alliance_sim.solvers.alternating import Evaluator, alternating_offers

#: Kernel against reference: nothing to compare with the kernels switched off.
pytestmark = pytest.mark.skipif(not kernels_enabled(), reason="ALLIANCE_SIM_KERNELS=0")

TOL = 1e-9


@pytest.fixture
def kernel_calls(monkeypatch):
    """Count the runs of the compiled kernel (to check that the fast path was taken)."""
    calls = []
    real = kernels.backward

    def spy(*args):
        calls.append(args[0].shape)
        return real(*args)

    monkeypatch.setattr(kernels, "backward", spy)
    return calls


def assert_same(fast: dict, ref: dict) -> None:
    """Floats within TOL (same NaN pattern); integers and booleans identical."""
    assert fast.keys() == ref.keys()
    for key in ref:
        a, b = np.asarray(fast[key]), np.asarray(ref[key])
        assert a.shape == b.shape, key
        if b.dtype.kind == "f":
            np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=key)
            ok = ~np.isnan(b)
            assert np.all(np.abs(a[ok] - b[ok]) <= TOL), (key, np.max(np.abs(a[ok] - b[ok])))
        else:
            np.testing.assert_array_equal(a, b, err_msg=key)


def fields(res: alternating.AlternatingOffersResult) -> dict:
    out = {
        "agree": res.agree,
        "opt_out": res.opt_out,
        "payment": res.payment,
        "contract": res.contract,
        "value_payer": res.value_payer,
        "value_payee": res.value_payee,
    }
    out.update({f"ev_{e}": v for e, v in res.evaluators.items()})
    for key, v in res.outcome().items():
        out[f"path_{key}"] = v
    return out


# --- The presets ------------------------------------------------------------------------------


def weekly(scn):
    """The benchmark's calendar: weekly periods, one- and five-year terms, Washington first."""
    return dataclasses.replace(
        scn, talks=TalksCalendar(period_days=7, terms=(1.0, 5.0), payee_first=True)
    )


PRESETS = {
    "japan": lambda: asim.scenarios.japan_us_2020(),
    "japan weekly": lambda: weekly(asim.scenarios.japan_us_2020()),
    "japan uncalibrated": lambda: asim.scenarios.japan_us_2020(calibrated=False),
}


@pytest.mark.parametrize("name", list(PRESETS))
def test_kernel_matches_the_numpy_reference_on_the_presets(name, kernel_calls):
    scn = PRESETS[name]()
    draws = scn.parameters.sample(1500, seed=31)
    fast = offers_equilibrium(scn, draws)
    assert kernel_calls, "the fused kernel did not run"
    with numpy_reference():
        ref = offers_equilibrium(scn, draws)
    assert_same(fast, ref)
    assert fast["offers_agreement"].any()


def test_kernel_matches_the_reference_on_the_solver_results(monkeypatch):
    """Every per-period array of every part of the game, not only the path."""
    results: list = []
    real = offers.alternating_offers

    def record(**kw):
        results.append(real(**kw))
        return results[-1]

    monkeypatch.setattr(offers, "alternating_offers", record)
    scn = weekly(asim.scenarios.japan_us_2020())
    draws = scn.parameters.sample(800, seed=32)
    offers_equilibrium(scn, draws)
    fast = results[:]
    results.clear()
    with numpy_reference():
        offers_equilibrium(scn, draws)
    assert len(fast) == len(results) == 3
    for a, b in zip(fast, results, strict=True):
        assert_same(fields(a), fields(b))


def test_the_preset_does_not_depend_on_chunking():
    scn = weekly(asim.scenarios.japan_us_2020())
    draws = scn.parameters.sample(700, seed=33)
    whole = offers_equilibrium(scn, draws)
    parts = [offers_equilibrium(scn, draws.take(s)) for s in (slice(0, 101), slice(101, 700))]
    for key, v in whole.items():
        joined = np.concatenate([p[key] for p in parts])
        np.testing.assert_array_equal(v, joined, err_msg=key)


def test_a_term_of_the_researchers_own_takes_the_numpy_path(kernel_calls):
    """No affine form (a FunctionTerm on the payment): the reference runs, nothing breaks."""
    scn = asim.scenarios.japan_us_2020()
    mine = FunctionTerm("mine", lambda d, x, T, t: -0.001 * x, slope=lambda d, x, T, t: -0.001)
    odd = scn.with_players(payer=scn.payer.with_term(mine))
    draws = odd.parameters.sample(200, seed=34)
    assert payment_terms(odd.payer, odd.election.resolve_as(draws, False), draws.n) is None
    fast = offers_equilibrium(odd, draws)
    assert not kernel_calls
    with numpy_reference():
        ref = offers_equilibrium(odd, draws)
    assert_same(fast, ref)


# --- Random games (hypothesis) ----------------------------------------------------------------

#: Parameter values with many repeats, so that ties (equal lanes, equal contracts) occur.
price = st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(0.0, 3.0)
positive = st.sampled_from([0.5, 1.0, 2.0]) | st.floats(0.05, 3.0)
unit = st.sampled_from([0.0, 1.0, 0.5]) | st.floats(0.0, 1.0)
discount = st.sampled_from([1.0, 0.9]) | st.floats(0.3, 1.0)


@st.composite
def games(draw):
    """A random game on ``n`` lanes, built as the talks build theirs (built-in terms)."""
    n = draw(st.integers(1, 5))
    m = draw(st.integers(0, 6))
    k0 = draw(st.integers(0, 3))
    contracts = draw(st.integers(1, 3))
    terms = tuple(draw(st.sampled_from([1.0, 2.0, 5.0])) for _ in range(contracts))

    def lanes(s):
        return np.array(draw(st.lists(s, min_size=n, max_size=n)), dtype=float)

    params = {
        "lam": lanes(st.sampled_from([0.0, 0.5]) | st.floats(-0.5, 1.0)),
        "kJ": lanes(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 2.0)),
        "kU": lanes(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 2.0)),
        "r": lanes(positive),
        "w": lanes(positive),
        "S": lanes(price),
        "cb": lanes(price),
        "tb": lanes(st.sampled_from([0.0, 0.2]) | st.floats(0.0, 1.0)),
        "lapse": lanes(price),
        "texp": lanes(st.floats(0.0, 1.0)),
    }
    lo = lanes(price)
    width = lanes(st.sampled_from([0.0, 1.0, -1.0]) | st.floats(-0.5, 3.0))  # < 0: empty
    spec = dict(
        n=n,
        periods=range(k0, k0 + m),
        proposer=draw(st.lists(st.integers(0, 1), min_size=k0 + m, max_size=k0 + m)),
        contracts=contracts,
        terms=terms,
        p_payer=draw(st.sampled_from([1.0, 2.0, 1.5, 3.0])),
        p_payee=draw(st.sampled_from([1.0, 2.0, 1.5])),
        w_payer=draw(st.sampled_from([1.0, 0.5, 2.0])),
        params=params,
        lo=lo,
        hi=lo + width,
        lame=draw(st.sets(st.integers(k0, k0 + max(m - 1, 0)), max_size=2)),
        delta_payer=lanes(discount),
        delta_payee=lanes(discount),
        q=lanes(unit),
        q_by_period=draw(st.booleans()),
        breakdown_payer=lanes(price),
        breakdown_payee=lanes(price),
        outside_payee=lanes(price) if draw(st.booleans()) else None,
        outside_payer=lanes(price) if draw(st.booleans()) else None,
        exit_payer=lanes(price) if draw(st.booleans()) else None,
        terminal_payer=lanes(price),
        terminal_payee=lanes(price),
        after=[lanes(price) for _ in range(contracts)],
        evaluator=draw(st.booleans()),
        ev_outside=lanes(price),
    )
    return spec


def solve(spec, lanes=None):
    """Solve a game from :func:`games` on the lanes ``lanes`` (default: all)."""
    idx = np.arange(spec["n"]) if lanes is None else np.asarray(lanes, dtype=np.int64)
    n = idx.size

    def sub(v):
        return None if v is None else np.asarray(v)[idx]

    state = Draws({k: sub(v) for k, v in spec["params"].items()}, n=n)
    payer = Player(
        "payer",
        [
            SecurityValue("S", "lam", "lam"),  # S only (its disagreement is unused here)
            FiscalCost("lam"),
            (ReferencePoint("kJ", "r", direction=1, power=spec["p_payer"]), spec["w_payer"]),
            DeadlinePressure("cb", "tb"),
        ],
    )
    payee = Player(
        "payee",
        [
            PaymentValue("w"),
            ReferencePoint("kU", "r", direction=-1, power=spec["p_payee"]),
            LapseCost("lapse", "texp"),
        ],
    )
    lo, hi = sub(spec["lo"]), sub(spec["hi"])
    after = [sub(a) for a in spec["after"]]
    cost = np.full(n, 0.1)

    def gain(player, ref):
        g = _Gain(
            player,
            state,
            ref,
            spec["terms"],
            5.0,
            0.1,
            lambda c: after[c],
            cost,
            _inverse(player, state, lo, hi),
        )
        g.remember(lo, hi)
        return g

    nan = np.full(n, np.nan)

    def bounds(k):
        return (nan, nan) if k in spec["lame"] else (lo, hi)

    q = sub(spec["q"])
    q_arg = (lambda k: q * ((k % 2) == 0)) if spec["q_by_period"] else q
    evaluators = None
    if spec["evaluator"]:
        evaluators = {
            "third": Evaluator(
                gain=gain(payee, np.zeros(n)),
                delta=sub(spec["delta_payee"]),
                breakdown=sub(spec["breakdown_payee"]),
                terminal=sub(spec["terminal_payee"]),
                outside=sub(spec["ev_outside"]),
            )
        }
    return alternating_offers(
        periods=spec["periods"],
        proposer=spec["proposer"],
        gain_payer=gain(payer, np.zeros(n)),
        gain_payee=gain(payee, sub(spec["breakdown_payee"])),
        delta_payer=sub(spec["delta_payer"]),
        delta_payee=sub(spec["delta_payee"]),
        bounds=bounds,
        n=n,
        contracts=spec["contracts"],
        breakdown_prob=q_arg,
        breakdown_payer=sub(spec["breakdown_payer"]),
        breakdown_payee=sub(spec["breakdown_payee"]),
        outside_payer=sub(spec["outside_payer"]),
        outside_payee=sub(spec["outside_payee"]),
        exit_payer=sub(spec["exit_payer"]),
        terminal_payer=sub(spec["terminal_payer"]),
        terminal_payee=sub(spec["terminal_payee"]),
        evaluators=evaluators,
    )


def solve_both(spec):
    """(kernel, reference). Nothing is skipped: every game :func:`games` draws is valid
    (discounts in (0, 1], breakdown probabilities in [0, 1]), so both paths must solve it."""
    with numpy_reference():
        ref = solve(spec)
    return solve(spec), ref


def one_point_lanes():
    """Hypothesis's shrunk counterexample to the reference's old inverse: lanes 0 and 2 have
    a one-point interval (lo = hi = 0) while lane 1 needs an inverse in the same period.
    The reference inverted every lane and its bracketing solver failed on lanes 0 and 2."""
    n = 3
    zeros = np.zeros(n)
    params = {key: zeros for key in ("lam", "kJ", "kU", "cb", "tb", "lapse", "texp")}
    params.update(r=np.full(n, 0.5), w=np.full(n, 0.5), S=np.array([0.0, 0.5, 0.0]))
    return dict(
        n=n,
        periods=range(1),
        proposer=[1],
        contracts=1,
        terms=(1.0,),
        p_payer=1.0,
        p_payee=1.0,
        w_payer=1.0,
        params=params,
        lo=zeros,
        hi=np.array([0.0, 1.0, 0.0]),
        lame=set(),
        delta_payer=np.ones(n),
        delta_payee=np.ones(n),
        q=zeros,
        q_by_period=False,
        breakdown_payer=zeros,
        breakdown_payee=zeros,
        outside_payee=None,
        outside_payer=None,
        exit_payer=None,
        terminal_payer=zeros,
        terminal_payee=zeros,
        after=[zeros],
        evaluator=False,
        ev_outside=zeros,
    )


@settings(max_examples=150, deadline=None)
@given(games())
@example(one_point_lanes())
def test_kernel_matches_the_reference_on_random_games(spec):
    calls: list = []
    real = kernels.backward

    def spy(*args):
        calls.append(1)
        return real(*args)

    kernels.backward = spy
    try:
        fast, ref = solve_both(spec)
    finally:
        kernels.backward = real
    assert calls, "the fused kernel did not run"
    assert_same(fields(fast), fields(ref))


@settings(max_examples=60, deadline=None)
@given(games(), st.data())
def test_random_games_do_not_depend_on_chunking(spec, data):
    n = spec["n"]
    split = data.draw(st.integers(0, n))
    whole = fields(solve(spec))
    parts = [fields(solve(spec, ix)) for ix in (range(split), range(split, n)) if len(ix)]
    for key, v in whole.items():
        joined = np.concatenate([p[key] for p in parts], axis=-1)
        np.testing.assert_array_equal(v, joined, err_msg=key)


def fixed_game(q, payer_first, m=8, hi1=0.9):
    """A hand-made game on four lanes: an empty interval, a lame duck, q and δ = 1 lanes."""
    n = 4
    params = {
        "lam": np.array([0.0, 0.5, 0.2, 0.0]),
        "kJ": np.array([0.0, 1.0, 0.5, 0.0]),
        "kU": np.array([1.0, 0.0, 0.5, 0.0]),
        "r": np.array([1.0, 1.0, 2.0, 0.5]),
        "w": np.array([1.0, 2.0, 1.0, 0.5]),
        "S": np.array([3.0, 3.0, 1.0, 0.0]),
        "cb": np.array([0.0, 1.0, 0.5, 0.0]),
        "tb": np.array([0.2, 0.2, 0.0, 1.0]),
        "lapse": np.array([0.0, 0.5, 1.0, 0.0]),
        "texp": np.array([0.3, 0.0, 0.5, 0.2]),
    }
    return dict(
        n=n,
        periods=range(m),
        proposer=[(k + (0 if payer_first else 1)) % 2 for k in range(m)],
        contracts=2,
        terms=(1.0, 5.0),
        p_payer=2.0,
        p_payee=1.0,
        w_payer=1.0,
        params=params,
        lo=np.array([0.0, 0.5, 1.0, 2.0]),
        hi=np.array([3.0, hi1, 0.0, 4.0]),  # lane 2: empty
        lame={3},
        delta_payer=np.array([1.0, 0.9, 0.95, 1.0]),
        delta_payee=np.array([1.0, 0.8, 0.95, 0.9]),
        q=np.full(n, q),
        q_by_period=False,
        breakdown_payer=np.array([0.0, 1.0, 0.5, 0.0]),
        breakdown_payee=np.zeros(n),
        outside_payee=np.array([0.0, 2.0, 0.1, 5.0]),
        outside_payer=None,
        exit_payer=np.array([0.0, 0.5, 0.5, 1.0]),
        terminal_payer=np.zeros(n),
        terminal_payee=np.zeros(n),
        after=[np.array([1.0, 0.0, 2.0, 0.0]), np.zeros(n)],
        evaluator=True,
        ev_outside=np.array([0.0, 1.0, 0.0, 1.0]),
    )


@pytest.mark.parametrize("q", [0.0, 1.0, 0.25])
@pytest.mark.parametrize("payer_first", [True, False])
def test_degenerate_breakdown_probabilities(q, payer_first, kernel_calls):
    """q = 0 (no risk) and q = 1 (a rejection ends the talks) on a fixed game."""
    fast, ref = solve_both(fixed_game(q, payer_first))
    assert kernel_calls
    assert_same(fields(fast), fields(ref))


@pytest.mark.parametrize("path", ["kernel", "numpy reference"])
def test_a_single_admissible_payment(path, kernel_calls):
    """lo = hi on lane 1: the offer is that payment or none, and the other lanes, which need
    an inverse in the same periods, are solved as if alone. (Regression: the reference
    inverted every lane, and the one-point lane made its bracketing solver raise.)"""
    spec = fixed_game(0.25, True, hi1=0.5)
    with contextlib.nullcontext() if path == "kernel" else numpy_reference():
        res = solve(spec)
        alone = [solve(spec, lanes=[i]) for i in range(spec["n"])]
    assert bool(kernel_calls) == (path == "kernel")
    assert np.all(np.isin(res.payment[:, 1], [0.5]) | np.isnan(res.payment[:, 1]))
    inner = (res.payment[:, 0] > spec["lo"][0]) & (res.payment[:, 0] < spec["hi"][0])
    assert inner.any(), "lane 0 should need an inverse"
    for i, one in enumerate(alone):
        assert_same({k: np.asarray(v)[..., i : i + 1] for k, v in fields(res).items()}, fields(one))
    with numpy_reference():
        ref = solve(spec)
    assert_same(fields(res), fields(ref))


def test_no_periods_and_no_draws(kernel_calls):
    """Zero periods (only the terminal values) and zero draws run through the kernel too."""
    spec = fixed_game(0.5, True, m=0)
    fast, ref = solve_both(spec)
    assert_same(fields(fast), fields(ref))
    np.testing.assert_array_equal(fast.value_payer[0], spec["terminal_payer"])
    path = fast.outcome()  # no period: no agreement, no opt-out (argmax over none failed)
    np.testing.assert_array_equal(path["period"], -1)
    assert not path["agreement"].any() and not path["opt_out"].any()
    empty = solve(fixed_game(0.5, True), lanes=[])
    assert empty.payment.shape == (8, 0)
    assert len(kernel_calls) == 2
