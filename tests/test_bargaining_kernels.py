"""The compiled bargaining roots (issue #13): reservations, Nash and KS against numpy.

``solvers._bargaining_kernels`` runs the reference's bracketing, kink splitting and
Chandrupatla iterations one draw at a time. Payments must agree within 1e-9 (bit for
bit where no general power ``x**p`` is evaluated: the presets), feasibility exactly;
a draw the reference rejects must raise the reference's error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import alliance_sim as asim
from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.games import BargainingProblem
from alliance_sim.parameters import Draws
from alliance_sim.players import Player, tokyo, washington
from alliance_sim.players.terms import FiscalCost, ReferencePoint
from alliance_sim.solvers import _bargaining_kernels as kernels
from alliance_sim.solvers import ks_solution, nash_solution
from alliance_sim.sweep.pipeline import bargaining_problem
from alliance_sim.testing.strategies import DEFAULT_RANGES, default_player_draws, players

#: Kernel against reference: nothing to compare with the kernels switched off.
pytestmark = pytest.mark.skipif(not kernels_enabled(), reason="ALLIANCE_SIM_KERNELS=0")

ATOL = 1e-9
FIELDS = ("d_payer", "d_payee", "payer_reservation", "payee_reservation", "lo", "hi")


def solve(build, power):
    """The problem's ends and both solutions, as one dict of arrays."""
    pb = build()
    out = {name: getattr(pb, name) for name in FIELDS}
    out["feasible"] = pb.feasible
    nash, ks = nash_solution(pb, power), ks_solution(pb)
    out.update(nash=nash.payment, nash_gain=nash.payer_gain, ks=ks.payment, ks_gain=ks.payee_gain)
    return pb, out


def compare(build, power, *, exact=False):
    """Kernel against reference; returns the kernel's problem (to check which path ran).

    Where the reference rejects the problem, the kernel path must raise the same error.
    """
    with numpy_reference():
        try:
            _, ref = solve(build, power)
        except ValueError as err:
            with pytest.raises(ValueError) as fast_err:
                solve(build, power)
            assert str(fast_err.value) == str(err)
            return None
    pb, fast = solve(build, power)
    for name, want in ref.items():
        got = fast[name]
        if exact or want.dtype == bool:
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=ATOL, err_msg=name)
    return pb


@pytest.mark.parametrize("preset", [asim.scenarios.japan_us_2020, asim.scenarios.korea_us_2019])
def test_presets_are_bit_identical(preset):
    scn = preset()
    draws = scn.parameters.sample(5_000, seed=7)
    pb = compare(lambda: bargaining_problem(scn, draws), draws[scn.power], exact=True)
    assert pb.kernel_form is not None


def problem_of(payer, payee, draws):
    return BargainingProblem(
        payer,
        payee,
        draws,
        term_years=draws["term_years"],
        signing_time=draws["t_signing"],
        scale=draws["status_quo"],
    )


@settings(max_examples=60, deadline=None)
@given(default_player_draws(max_size=6), players("payer"), players("payee"), st.floats(0.0, 1.0))
def test_random_players_agree(draws, payer, payee, beta):
    pb = compare(lambda: problem_of(payer, payee, draws), beta)
    own = any(type(t).__name__ == "FunctionTerm" for p in (payer, payee) for t in p)
    if pb is not None:
        assert (pb.kernel_form is None) == own  # a researcher's term runs on the numpy path


@settings(max_examples=40, deadline=None)
@given(default_player_draws(max_size=6), st.sampled_from([1.0, 1.5, 2.0, 3.0]), st.floats(0, 1))
@example(
    Draws({k: np.array([0.5 * (lo + hi)]) for k, (lo, hi) in DEFAULT_RANGES.items()}, n=1),
    1.0,
    0.5,
)
def test_reference_point_powers_and_kinks_agree(draws, power, beta):
    # Powers other than 1 and 2 go through pow() (1e-9 then, not bits); power 1 kinks.
    payer = tokyo().with_term(ReferencePoint("kappa_J", "status_quo", direction=1, power=power))
    payee = washington().with_term(
        ReferencePoint("kappa_U", "status_quo", direction=-1, power=power)
    )
    pb = compare(lambda: problem_of(payer, payee, draws), beta)
    assert pb is None or pb.kernel_form is not None


def test_a_kink_that_is_the_nash_payment_is_returned_exactly():
    # Washington's loss aversion kinks at the status quo: with a strong loss aversion
    # the Nash payment sits on the kink, which both paths return exactly.
    scn = asim.scenarios.japan_us_2020().with_parameters(beta_US=0.3)
    draws = scn.parameters.sample(2_000, seed=1)
    pb = bargaining_problem(scn, draws)
    x = nash_solution(pb, draws[scn.power]).payment
    at_kink = x == draws["status_quo"]
    assert at_kink.any()
    compare(lambda: bargaining_problem(scn, draws), draws[scn.power], exact=True)


def test_empty_settlement_ranges_agree():
    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(3_000, seed=2)
    # Tokyo values the alliance and fears no deal far less: many ranges are empty.
    shrink = np.random.default_rng(0).uniform(0.0, 0.3, draws.n)
    poor = draws.replace(S_J=draws["S_J"] * shrink, c_J=draws["c_J"] * shrink)
    pb = compare(lambda: bargaining_problem(scn, poor), poor[scn.power])
    assert (~pb.feasible).any() and pb.feasible.any()


def test_a_gain_running_the_wrong_way_raises_the_references_error():
    payer = Player("Tokyo", [(t, -w if isinstance(t, FiscalCost) else w) for t, w in tokyo().terms])
    draws = asim.scenarios.japan_us_2020().parameters.sample(50, seed=3)
    state = asim.scenarios.japan_us_2020().election.resolve(draws, draws["t_signing"])

    def build():
        return BargainingProblem(
            payer, washington(), state, term_years=3.0, signing_time=0.0, scale=state["status_quo"]
        )

    with pytest.raises(ValueError) as fast:
        build()
    with numpy_reference(), pytest.raises(ValueError) as ref:
        build()
    assert str(fast.value) == str(ref.value)


def test_the_kernels_run_on_the_presets(monkeypatch):
    calls = []
    for name in ("reservations", "nash_roots", "ks_roots"):
        real = getattr(kernels, name)
        monkeypatch.setattr(
            kernels, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a)
        )
    scn = asim.scenarios.japan_us_2020()
    asim.simulate(scn, 500, seed=1, scheduler="sync", stances=False, talks=False)
    assert {"reservations", "nash_roots", "ks_roots"} <= set(calls)


def test_compiled_root_names_an_unknown_solution():
    from alliance_sim.solvers._common import compiled_root

    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(10, seed=1)
    pb = bargaining_problem(scn, draws)
    with pytest.raises(ValueError, match=r"'nash' .* or 'ks'"):
        compiled_root(pb, "kalai", None, maxiter=10)


@settings(max_examples=40, deadline=None)
@given(default_player_draws(max_size=6), st.floats(0.0, 1.0), st.sampled_from([0.0, 50.0]))
def test_one_affine_side_and_a_payment_floor_agree(draws, beta, floor):
    # Tokyo without its audience cost is affine in x: the kernel's closed-form side,
    # next to Washington's kinked loss aversion (the kernel's bracketing side).
    payer = tokyo().without("reference_point")
    assert payer.affine and not washington().affine

    def build():
        return BargainingProblem(
            payer,
            washington(),
            draws,
            term_years=draws["term_years"],
            signing_time=draws["t_signing"],
            scale=draws["status_quo"],
            floor=floor,
        )

    pb = compare(build, beta)
    assert pb is None or pb.kernel_form is not None


@pytest.mark.parametrize(
    "overrides",
    [
        {"xtol": 0.0},
        {"xtol": float("nan")},
        {"rtol": -1e-13},
        {"floor": 1e17, "scale": 1.0},  # floor + scale == floor: no bracket to widen
    ],
)
def test_inputs_the_reference_refuses_are_refused_on_the_compiled_path(overrides):
    # Found in review: the kernels never call find_root / bracket_monotone, whose checks
    # these are; BargainingProblem and the kernel now refuse them as the reference does.
    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(20, seed=4)
    state = scn.election.resolve(draws, draws["t_signing"])
    kw = {"term_years": 3.0, "signing_time": 0.0, "scale": state["status_quo"], **overrides}
    assert compare(lambda: BargainingProblem(tokyo(), washington(), state, **kw), 0.5) is None
