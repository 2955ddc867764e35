"""Parameters, parameter spaces, sampling designs and Draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from alliance_sim import Derived, Draws, Parameter, ParameterSpace
from alliance_sim.parameters import BLOCK


def space() -> ParameterSpace:
    return ParameterSpace(
        [
            Parameter("x0", 200.0, "¥bn/yr", "fact: test", bounds=(0, math.inf)),
            Parameter("rho", stats.beta(2, 6), "share", "assumption: test", bounds=(0, 1)),
            Parameter("S", stats.lognorm(0.5, scale=100.0), "¥bn/yr", "assumption: test"),
            Parameter("lam", stats.uniform(0.2, 0.4), "share", "assumption: test"),
            Derived("y", ("x0", "lam"), lambda a, b: a * (1 + b), "x0(1+lam)", "¥bn/yr", "def"),
        ]
    )


# --- Parameter validation ----------------------------------------------------------------


def test_support_outside_bounds_names_parameter():
    with pytest.raises(ValueError, match=r"'pay'.*support \[-inf, inf\].*\[0, inf\)"):
        Parameter("pay", stats.norm(100, 10), "¥bn/yr", "p", bounds=(0, math.inf))


def test_invalid_distribution_names_parameter():
    with pytest.raises(ValueError, match=r"'rho': invalid distribution beta\(a=-1, b=2\)"):
        Parameter("rho", stats.beta(-1, 2), "share", "p", bounds=(0, 1))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_fixed_value(value):
    with pytest.raises(ValueError, match="'x0': value must be finite"):
        Parameter("x0", value, "u", "p")


def test_fixed_value_outside_bounds():
    with pytest.raises(ValueError, match=r"'x0': value -5 lies outside the allowed range \[0, inf"):
        Parameter("x0", -5.0, "u", "p", bounds=(0, math.inf))


@pytest.mark.parametrize("value", ["200", [1.0], True, None])
def test_wrong_value_type(value):
    with pytest.raises(TypeError, match="'x0': value must be a real number"):
        Parameter("x0", value, "u", "p")


def test_bad_name_and_bounds():
    with pytest.raises(ValueError, match="identifier"):
        Parameter("not a name", 1.0, "u", "p")
    with pytest.raises(ValueError, match="low <= high"):
        Parameter("a", 1.0, "u", "p", bounds=(2, 1))


def test_space_rejects_duplicates_and_forward_references():
    p = Parameter("a", 1.0, "u", "p")
    with pytest.raises(ValueError, match="duplicate parameter name 'a'"):
        ParameterSpace([p, p])
    with pytest.raises(ValueError, match=r"derived 'd' reads \['b'\]"):
        ParameterSpace([p, Derived("d", ("b",), np.negative, "-b", "u", "def")])
    with pytest.raises(TypeError):
        ParameterSpace([("a", 1.0)])  # type: ignore[list-item]


# --- Sampling --------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["random", "sobol", "lhs"])
def test_sample_shapes_types_and_support(sampler):
    d = space().sample(512, seed=3, sampler=sampler)
    assert d.n == 512 and set(d) == {"x0", "rho", "S", "lam", "y"}
    for name, arr in d.items():
        assert arr.dtype == np.float64 and arr.shape == (512,), name
        assert not arr.flags.writeable
        assert np.isfinite(arr).all()
    assert ((d["rho"] > 0) & (d["rho"] < 1)).all()
    assert ((d["lam"] >= 0.2) & (d["lam"] <= 0.6)).all()
    np.testing.assert_array_equal(d["y"], d["x0"] * (1 + d["lam"]))


@pytest.mark.parametrize("sampler", ["random", "sobol", "lhs"])
def test_same_seed_identical_different_seed_different(sampler):
    a = space().sample(300, seed=11, sampler=sampler)
    b = space().sample(300, seed=11, sampler=sampler)
    c = space().sample(300, seed=12, sampler=sampler)
    for name in ("rho", "S", "lam"):
        np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a[name], c[name])


@pytest.mark.parametrize("sampler", ["random", "sobol"])
@pytest.mark.parametrize("start", [0, 1, BLOCK - 3, BLOCK + 5])
def test_sample_by_index_is_independent_of_start(sampler, start):
    full = space().sample(start + 100, seed=5, sampler=sampler)
    part = space().sample(100, seed=5, sampler=sampler, start=start)
    for name in full:
        np.testing.assert_array_equal(part[name], full[name][start:])


def test_random_design_gives_common_random_numbers_by_name():
    base = space()
    extended = base.add(Parameter("extra", stats.uniform(), "u", "assumption: test"))
    changed = base.replace("lam", value=stats.uniform(0.3, 0.1))
    a, b, c = (s.sample(1000, seed=9) for s in (base, extended, changed))
    for name in ("rho", "S"):
        np.testing.assert_array_equal(a[name], b[name])
        np.testing.assert_array_equal(a[name], c[name])
    # The redistributed parameter keeps its uniforms: a monotone coupling.
    np.testing.assert_array_equal(np.argsort(a["lam"]), np.argsort(c["lam"]))


def test_lhs_is_stratified_and_rejects_offset():
    n = 64
    d = ParameterSpace([Parameter("u", stats.uniform(), "u", "p")]).sample(n, seed=2, sampler="lhs")
    strata = np.floor(d["u"] * n).astype(int)
    assert sorted(strata) == list(range(n))
    with pytest.raises(ValueError, match="start must be 0 for sampler='lhs'"):
        space().sample(10, seed=1, sampler="lhs", start=5)


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_marginals_follow_their_distributions(sampler):
    d = space().sample(4096, seed=21, sampler=sampler)
    for name, dist in (("rho", stats.beta(2, 6)), ("S", stats.lognorm(0.5, scale=100.0))):
        assert stats.kstest(d[name], dist.cdf).pvalue > 1e-3


def test_sobol_is_more_even_than_monte_carlo():
    sp = ParameterSpace([Parameter("u", stats.uniform(), "u", "p")])
    err = {
        m: abs(sp.sample(4096, seed=4, sampler=m)["u"].mean() - 0.5) for m in ("random", "sobol")
    }
    assert err["sobol"] < err["random"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": -1}, "n must be a non-negative int"),
        ({"n": 2.5}, "n must be a non-negative int"),
        ({"n": 5, "start": -1}, "start must be a non-negative int"),
        ({"n": 5, "sampler": "halton"}, "sampler must be one of"),
        ({"n": 5, "seed": -3}, "seed must be a non-negative int"),
    ],
)
def test_sample_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        space().sample(**kwargs)


def test_seed_type_error():
    with pytest.raises(TypeError, match="seed must be"):
        space().sample(5, seed=1.5)  # type: ignore[arg-type]


def test_empty_sample_and_all_fixed_space():
    assert space().sample(0, seed=1).n == 0
    d = ParameterSpace([Parameter("a", 2.0, "u", "p")]).sample(3, seed=1)
    np.testing.assert_array_equal(d["a"], [2.0, 2.0, 2.0])


def test_replace_fix_and_display():
    sp = space().fix(lam=0.3)
    assert sp["lam"].is_fixed and sp["lam"].value == 0.3
    with pytest.raises(ValueError, match="derived"):
        sp.fix(y=1.0)
    with pytest.raises(KeyError, match="no parameter 'zzz'"):
        sp["zzz"]
    text = str(space())
    assert "rho" in text and "beta(a=2, b=6)" in text and "assumption: test" in text


# --- Draws -----------------------------------------------------------------------------


def test_draws_validation_and_views():
    d = Draws({"a": [1.0, 2.0, 3.0], "b": 4.0})
    assert d.n == 3 and d["b"].tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(ValueError, match="length 3"):
        Draws({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"draws\['a'\] must be finite"):
        Draws({"a": [1.0, np.nan]})
    with pytest.raises(TypeError, match="numeric"):
        Draws({"a": ["x", "y"]})
    with pytest.raises(ValueError, match="n must be given"):
        Draws({"a": 1.0})
    with pytest.raises(KeyError, match="no parameter 'c'"):
        d["c"]
    sub = d.take(np.array([True, False, True]))
    assert sub.n == 2 and sub["a"].tolist() == [1.0, 3.0]
    assert d.take(slice(1, 3))["a"].tolist() == [2.0, 3.0]
    assert d.replace(c=1.0)["c"].shape == (3,)


def test_latent_variates_are_the_random_uniform_variates_and_say_what_they_draw():
    from alliance_sim.parameters import LATENT_UNIT, Derived, Parameter, ParameterSpace, formulas

    space = ParameterSpace(
        [
            Parameter("p", stats.beta(2, 2), "probability", "assumption: test"),
            Parameter("u", stats.uniform(0, 1), LATENT_UNIT, "definition: latent uniform"),
            Parameter("v", 0.5, LATENT_UNIT, "definition: fixed, so not random"),
            Derived("won", ("u", "p"), formulas.less_than, "u < p", "indicator", "definition"),
        ]
    )
    assert space.latent_names == ("u",)
    assert space.latent_role("u") == "latent uniform (feeds won)"
    assert space.latent_role("p") == space.latent_role("v") == ""
