"""The public property checkers: they pass on the model, and fail, with a counterexample,
on a deliberately broken one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import alliance_sim as asim
from alliance_sim.players import FunctionTerm
from alliance_sim.testing.checkers import (
    check_individual_rationality,
    check_monotone,
    check_pareto_efficiency,
    check_rescaling_invariance,
)
from alliance_sim.testing.strategies import players, scenarios


@pytest.fixture(scope="module")
def scn():
    return asim.scenarios.japan_us_2020()


def test_axioms_hold_on_the_preset(scn):
    draws = scn.parameters.sample(3000, seed=1)
    check_individual_rationality(scn, draws)
    check_pareto_efficiency(scn, draws)
    check_rescaling_invariance(scn, draws, side="payer")
    check_rescaling_invariance(scn, draws, side="payee", a=0.5, b=1e3)


@pytest.mark.parametrize(
    ("parameter", "output", "direction"),
    [
        ("mcpf_J", "payer_reservation", "decreasing"),
        ("S_J", "payer_reservation", "increasing"),
        ("beta_US", "nash_payment", "increasing"),
        ("c_J", "hi", "increasing"),
        ("a_challenger", "payee_reservation", "decreasing"),
    ],
)
def test_comparative_statics_of_the_preset(scn, parameter, output, direction):
    check_monotone(scn, parameter, output, direction, n=3000, seed=2)


def test_an_intuitive_but_false_claim_fails_with_a_counterexample(scn):
    """'Valuing payments more makes Washington's Nash payment rise' is false: a higher weight
    on payments makes any deal more attractive than no deal and lowers its reservation."""
    with pytest.raises(AssertionError, match=r"nash_payment is not increasing in w_incumbent"):
        check_monotone(scn, "w_incumbent", "nash_payment", "increasing", n=3000, seed=3)


def test_a_deliberately_broken_model_is_caught(scn):
    """A term that rewards fiscal pressure (a modelling error) reverses a comparative static."""
    bonus = FunctionTerm(
        "fiscal_bonus",
        lambda d, x, T, t: 2.0 * d["mcpf_J"] * x,
        lambda d, x, T, t: 2.0 * d["mcpf_J"] + 0.0 * x,
        affine=True,
    )
    broken = scn.with_players(payer=scn.payer.with_term(bonus))
    with pytest.raises(AssertionError, match="payer_reservation is not decreasing in mcpf_J"):
        check_monotone(broken, "mcpf_J", "payer_reservation", "decreasing", n=500, seed=4)


def test_checker_input_errors(scn):
    with pytest.raises(ValueError, match="direction must be"):
        check_monotone(scn, "mcpf_J", "hi", "up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        check_monotone(scn, "nope", "hi", "increasing", n=10)
    with pytest.raises(ValueError, match="unknown output 'nope'"):
        check_monotone(scn, "mcpf_J", "nope", "increasing", n=10)
    with pytest.raises(ValueError, match="side must be"):
        check_rescaling_invariance(scn, scn.parameters.sample(5, seed=1), side="both")


@settings(max_examples=15, deadline=None)
@given(scenarios(), players("payer"), players("payee"))
def test_axioms_hold_for_generated_scenarios_and_players(scenario, payer, payee):
    custom = scenario.with_players(payer=payer, payee=payee)
    draws = custom.parameters.sample(300, seed=5)
    check_individual_rationality(custom, draws)
    check_pareto_efficiency(custom, draws, grid=21)
    check_rescaling_invariance(custom, draws)
    assert np.isfinite(draws["S_J"]).all()
