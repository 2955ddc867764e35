"""Laws in papers' parameters: conversions to scipy, exact round trips, printing, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats

from alliance_sim.parameters import laws
from alliance_sim.parameters.inverse_cdf import distribution_arguments
from alliance_sim.scenarios import dump_scenario, japan_us_2020
from alliance_sim.scenarios.files import scenario_from_toml

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
positive = st.floats(1e-3, 1e3, allow_nan=False)


def test_each_law_means_what_papers_mean():
    u = laws.uniform(250.0, 500.0)
    assert [float(v) for v in u.support()] == [250.0, 500.0]
    n = laws.normal(3.0, 2.0)
    assert n.mean() == 3.0 and n.std() == 2.0
    b = laws.beta(2.0, 6.0, low=0.15, high=0.45)
    assert b.support() == pytest.approx((0.15, 0.45))
    assert b.mean() == pytest.approx(0.15 + 0.30 * 2 / 8)
    ln = laws.lognormal(4200.0, 0.5)
    assert ln.median() == pytest.approx(4200.0) and ln.std() / ln.mean() == pytest.approx(
        math.sqrt(math.exp(0.25) - 1)
    )
    tn = laws.law("truncnorm", mean=1.0, sd=2.0, low=0.0, high=5.0)
    assert tn.support() == pytest.approx((0.0, 5.0))
    g = laws.law("gamma", shape=3.0, rate=2.0)
    assert g.mean() == pytest.approx(1.5) and g.var() == pytest.approx(0.75)
    tri = laws.law("triang", low=1.0, mode=2.0, high=5.0)
    assert tri.mean() == pytest.approx((1 + 2 + 5) / 3)
    assert laws.law("expon", rate=4.0).mean() == pytest.approx(0.25)
    assert laws.law("bernoulli", p=0.3).mean() == pytest.approx(0.3)


def test_shapes_stay_positional():
    """Code reading ``dist.args`` (the calibration's prior keys) sees the shapes."""
    assert laws.beta(2, 8).args == (2.0, 8.0) and laws.beta(2, 8).kwds == {}
    assert laws.uniform(0.0, 1.0).kwds == {}


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("uniform", {"low": 1.0, "high": 1.0}, "uniform(low, high) needs low < high"),
        ("uniform", {"low": 1.0}, "missing: high"),
        ("uniform", {"low": 0.0, "high": 1.0, "loc": 0.0}, "unknown: loc"),
        ("norm", {"mean": 0.0, "sd": -1.0}, "needs sd > 0"),
        ("beta", {"a": 0.0, "b": 1.0}, "needs a > 0 and b > 0"),
        ("triang", {"low": 0.0, "mode": 2.0, "high": 1.0}, "needs low <= mode <= high"),
        ("gamma", {"shape": 1.0, "rate": math.inf}, "rate must be finite"),
        ("norm", {"mean": "0", "sd": 1.0}, "mean must be a number"),
        ("cauchy", {}, "unknown law 'cauchy'"),
    ],
)
def test_bad_parameters_are_refused(name, params, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        laws.law(name, **params)


def _roundtrips(dist) -> None:
    form = laws.papers_form(dist)
    if form is None:
        return
    name, params = form
    again = laws.law(name, **params)
    assert distribution_arguments(again) == distribution_arguments(dist)


@given(low=finite, width=positive)
@example(low=0.2, width=0.4)  # no high with high - 0.2 == 0.4: no papers' form
def test_papers_form_is_exact_or_absent_uniform(low, width):
    _roundtrips(stats.uniform(low, width))


@given(low=finite, high=finite)
def test_a_law_written_by_its_ends_has_its_ends(low, high):
    if not low < high:
        return
    form = laws.papers_form(laws.uniform(low, high))
    assert form is not None
    assert distribution_arguments(laws.law(*form[:1], **form[1])) == distribution_arguments(
        laws.uniform(low, high)
    )


@given(
    a=positive,
    b=positive,
    low=finite,
    width=positive,
    s=positive,
    loc=finite,
    scale=positive,
)
def test_papers_form_is_exact_or_absent_other_laws(a, b, low, width, s, loc, scale):
    for dist in (
        stats.beta(a, b, loc=low, scale=width),
        stats.norm(loc, scale),
        stats.truncnorm(-a, b, loc=loc, scale=scale),
        stats.lognorm(s, scale=scale),
        stats.lognorm(s, loc=loc, scale=scale),
        stats.gamma(a, scale=scale),
        stats.triang(min(a / (a + b), 1.0), loc=low, scale=width),
        stats.expon(scale=scale),
        stats.bernoulli(a / (a + b)),
    ):
        _roundtrips(dist)


def test_short_decimals_are_preferred():
    # 0.15 + 0.29999999999999993 is 0.44999999999999996; 0.45 converts back to the same scale
    assert laws.papers_form(stats.uniform(0.15, 0.45 - 0.15)) == (
        "uniform",
        {"low": 0.15, "high": 0.45},
    )


def test_laws_without_a_papers_form():
    assert laws.papers_form(stats.lognorm(0.5, loc=1.0, scale=4200.0)) is None
    assert laws.papers_form(stats.cauchy()) is None
    assert laws.describe_distribution(stats.cauchy(1.0, 2.0)) == "scipy:cauchy(loc=1, scale=2)"


def test_describe_leaves_out_defaults():
    assert laws.describe_distribution(laws.beta(2, 6)) == "beta(a=2, b=6)"
    assert laws.describe_distribution(stats.uniform(250, 250)) == "uniform(low=250, high=500)"
    assert laws.describe_distribution(stats.bernoulli(0.25)) == "bernoulli(p=0.25)"


def test_a_law_without_a_papers_form_is_written_as_scipys_and_read_back_exactly():
    scn = japan_us_2020()
    odd = scn.with_parameters(
        mcpf_J=stats.uniform(0.2, 0.4), S_J=stats.lognorm(0.5, loc=10.0, scale=4200.0)
    )
    text = dump_scenario(odd)
    assert 'distribution = {scipy = "uniform", loc = 0.2, scale = 0.4}' in text
    assert 'distribution = {scipy = "lognorm", s = 0.5, loc = 10.0, scale = 4200.0}' in text
    again = scenario_from_toml(text)
    for name in ("mcpf_J", "S_J"):
        assert distribution_arguments(again.parameters[name].value) == distribution_arguments(
            odd.parameters[name].value
        )
    a = odd.parameters.sample(257, seed=3)
    b = again.parameters.sample(257, seed=3)
    for name in odd.parameters:
        assert np.array_equal(a[name], b[name]), name


def test_the_trap_the_old_form_set():
    """``args = [250, 500]`` meant 250–750 in scipy's form; the table says what it means."""
    text = dump_scenario(japan_us_2020())
    assert 'distribution = {law = "uniform", low = 250.0, high = 500.0}' in text  # c_J
    wrong = text.replace(
        'distribution = {law = "uniform", low = 250.0, high = 500.0}',
        'distribution = "uniform"\nargs = [250.0, 500.0]',
    )
    with pytest.raises(ValueError, match=r"the uniform law on \[250, 750\], not \[250, 500\]"):
        scenario_from_toml(wrong)
