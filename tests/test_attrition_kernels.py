"""The compiled war-of-attrition kernels against the numpy reference they replaced.

Every public result of :mod:`alliance_sim.solvers.attrition` (hazards, reputations' end
times, atoms, values, outcome tables, survival, realized paths) is computed twice on the
same inputs — kernels on, and under :func:`alliance_sim._jit.numpy_reference` — and must
agree to 1e-9 (times in years, probabilities, gains), with identical events and flags.
Inputs are hypothesis-generated piecewise-linear wars: deadlines (downward jumps),
payoffs that reach zero inside a segment, flat and steep segments, an infinite or finite
last knot, with and without a collapse hazard, and priors up to 1 (no rational type).
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from alliance_sim._jit import kernels_enabled, numpy_reference
from alliance_sim.solvers.attrition import war_of_attrition
from alliance_sim.testing.strategies import attrition_wars, deadline_war

#: Kernel against reference: nothing to compare with the kernels switched off.
pytestmark = pytest.mark.skipif(not kernels_enabled(), reason="ALLIANCE_SIM_KERNELS=0")

TOL = 1e-9


def _results(case, u_time, u_side):
    """Everything the solver reports, or the error it raises."""
    try:
        war = war_of_attrition(**case)
    except ValueError as err:
        return str(err)
    hz = war.hz
    t = np.minimum(war.end, hz.knots[:, 0] + 0.37)
    time, event = war.sample(u_time, u_side)
    out = {
        "end": war.end,
        "atom_a": war.start_atom_a,
        "atom_b": war.start_atom_b,
        "value_a": war.value("a"),
        "value_b": war.value("b"),
        "regular": war.regular,
        "bad": hz.bad,
        "survival": war.survival(t),
        "cumulative_a": hz.cumulative("a", t),
        "cumulative_b_before": hz.cumulative("b", t, after_jump=False),
        "p_agreement": war.p_agreement(),
        "expected_time": war.expected_time(),
        "time": time,
        "event": event,
    }
    for side in ("a", "b"):
        out[f"stop_{side}"] = hz.stop[side]
        out[f"yields_{side}"] = hz.yields[side]
        out[f"cum_{side}"] = hz.cum[side]
        out[f"jump_{side}"] = hz.jump[side]
        for f in ("a", "c", "m0", "m1", "live"):
            out[f"coef_{side}_{f}"] = getattr(hz.coef[side], f)
    out.update({f"table_{k}": v for k, v in war.incidence().items()})
    out["yielded_a"], out["yielded_b"] = war.yielded["a"], war.yielded["b"]
    # Side b's end passed in (as a talks branch does for many payer reputations).
    theta_b = -np.log(np.broadcast_to(case["z_b"], hz.n))
    again = hz.solve(
        -np.log(np.broadcast_to(case["z_a"], hz.n)), theta_b, end_b=hz.end_of("b", theta_b)
    )
    out["end_known_b"], out["atom_a_known_b"] = again.end, again.start_atom_a
    out["collapse_cum"] = hz.collapse_cum
    return out


def _assert_same(kernel, reference):
    if isinstance(reference, str) or isinstance(kernel, str):
        assert kernel == reference
        return
    assert kernel.keys() == reference.keys()
    for name, ref in reference.items():
        got = kernel[name]
        if ref.dtype.kind in "biu":
            np.testing.assert_array_equal(got, ref, err_msg=name)
        else:
            np.testing.assert_allclose(got, ref, rtol=TOL, atol=TOL, err_msg=name)


def _both(case, u_time, u_side):
    assert kernels_enabled()
    kernel = _results(case, u_time, u_side)
    with numpy_reference():
        reference = _results(case, u_time, u_side)
    return kernel, reference


@settings(deadline=None, max_examples=150)
@given(case=attrition_wars(), u=st.lists(st.floats(0.0, 0.999999), min_size=8, max_size=8))
def test_kernels_agree_with_the_numpy_reference(case, u):
    n = case["knots"].shape[0]
    u_time, u_side = np.resize(u[:4], n), np.resize(u[4:], n)
    _assert_same(*_both(case, u_time, u_side))


def test_the_documented_deadline_case_agrees_on_many_paths():
    case = deadline_war(n=2000)
    rng = np.random.default_rng(7)
    u_time, u_side = rng.random(2000), rng.random(2000)
    kernel, reference = _both(case, u_time, u_side)
    _assert_same(kernel, reference)
    # Many different events happen on these paths: the comparison is not vacuous.
    assert set(np.unique(kernel["event"])) >= {0, 1, 2}


@pytest.mark.parametrize(
    "change",
    [
        # a concession payoff that jumps up at a knot
        lambda c: c["concede_b"].level.__setitem__((0, 1), 0.9),
        # a concession payoff that rises faster than the discount rate
        lambda c: c["concede_b"].slope.__setitem__((0, 0), 5.0),
        # both sides' payoffs drop at the same knot
        lambda c: c["concede_b"].level.__setitem__((0, 1), 0.2),
    ],
)
def test_kernels_refuse_what_the_reference_refuses(change):
    case = deadline_war()
    change(case)
    kernel, reference = _both(case, np.array([0.5]), np.array([0.5]))
    assert isinstance(reference, str)
    assert kernel == reference


@example(n=7)
@given(n=st.integers(1, 40))
@settings(deadline=None, max_examples=20)
def test_kernel_results_do_not_depend_on_the_batch(n):
    """A draw's numbers are the same alone, in any batch and at any position."""
    case = deadline_war(n=n, z_a=0.15)
    rng = np.random.default_rng(n)
    u_time, u_side = rng.random(n), rng.random(n)
    whole = _results(case, u_time, u_side)
    one = deadline_war(n=1, z_a=0.15)
    alone = _results(one, u_time[-1:], u_side[-1:])
    for name, v in alone.items():
        np.testing.assert_array_equal(whole[name][-1:], v, err_msg=name)
