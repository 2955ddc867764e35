"""Issue 12 regressions: no silent passes, names where the README puts them."""

import subprocess
import sys

import pytest

import alliance_sim as asim
from alliance_sim.testing import (
    check_individual_rationality,
    check_monotone,
    check_pareto_efficiency,
    check_rescaling_invariance,
)


@pytest.fixture(scope="module")
def no_deal():
    """Tokyo values the alliance at almost nothing: no draw has a settlement range."""
    scn = asim.scenarios.japan_us_2020().with_parameters(S_J=1.0, c_J=1.0, rho_J=0.01)
    draws = scn.parameters.sample(300, seed=1)
    return scn, draws


@pytest.mark.parametrize(
    "check",
    [check_individual_rationality, check_pareto_efficiency, check_rescaling_invariance],
)
def test_a_checker_that_checked_nothing_fails(no_deal, check):
    scn, draws = no_deal
    with pytest.raises(AssertionError, match="checked 0 of 300 draws"):
        check(scn, draws)
    assert check(scn, draws, min_checked=0) == 0  # allowed when asked


def test_check_monotone_fails_on_nothing_in_both_directions(no_deal):
    scn, draws = no_deal
    for direction in ("increasing", "decreasing"):
        with pytest.raises(AssertionError, match="checked 0 of 300 draws"):
            check_monotone(scn, "mcpf_J", "nash_payment", direction, draws=draws)


def test_checkers_report_how_many_draws_they_checked():
    scn = asim.scenarios.japan_us_2020()
    draws = scn.parameters.sample(200, seed=2)
    feasible = int(asim.evaluate(scn, draws)["feasible"].sum())
    assert feasible > 0
    assert check_individual_rationality(scn, draws) == feasible
    assert check_pareto_efficiency(scn, draws) == feasible
    assert check_monotone(scn, "mcpf_J", "payer_reservation", "decreasing", draws=draws) == 200
    assert (
        check_monotone(
            scn, "mcpf_J", "payer_reservation", "decreasing", draws=draws, where="feasible"
        )
        == feasible
    )


def test_names_where_the_readme_puts_them():
    assert callable(asim.load_scenario) and callable(asim.save_scenario)
    assert asim.load_scenario is asim.scenarios.load_scenario
    from alliance_sim.testing import check_monotone as imported

    assert imported is check_monotone


def test_the_command_line_has_a_version():
    out = subprocess.run(
        [sys.executable, "-m", "alliance_sim", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip() == f"alliance-sim {asim.__version__}"


def test_a_missing_salib_says_which_extra_to_install(monkeypatch):
    from alliance_sim.sensitivity import saltelli_indices

    monkeypatch.setitem(sys.modules, "SALib", None)
    monkeypatch.setitem(sys.modules, "SALib.analyze", None)
    monkeypatch.setitem(sys.modules, "SALib.sample", None)
    with pytest.raises(ImportError, match=r"alliance_sim\[sensitivity\]"):
        saltelli_indices(lambda u: u[:, 0], 2, 64, seed=1)


def test_switches_and_counts_are_checked_like_numbers():
    import numpy as np

    scn = asim.scenarios.japan_us_2020()
    with pytest.raises(ValueError, match="keep must be True or False; got 'no'"):
        asim.simulate(scn, 10, keep="no")
    with pytest.raises(ValueError, match="overwrite must be True or False"):
        asim.simulate(scn, 10, overwrite=1)
    # numpy integers are integers, for n and for workers alike.
    res = asim.simulate(scn, np.int64(50), seed=1, workers=np.int64(2), talks=False)
    assert res.n == 50
    with pytest.raises(ValueError, match="workers must be a positive int or None"):
        asim.simulate(scn, 10, workers=0)


def test_an_unconverged_root_is_an_error_not_a_number():
    import numpy as np

    from alliance_sim.solvers.rootfind import find_root

    res = find_root(lambda x: x**3 - 2.0, np.array([0.0]), np.array([5.0]), maxiter=2)
    assert not res.converged.all()
    with pytest.raises(RuntimeError, match="the test equation did not converge"):
        res.checked("the test equation")
    good = find_root(lambda x: x**3 - 2.0, np.array([0.0]), np.array([5.0]))
    assert good.checked("the test equation")[0] == pytest.approx(2 ** (1 / 3), abs=1e-9)


def test_the_utility_inverse_finishes_lanes_without_a_usable_derivative():
    """A zero (or NaN) derivative used to stop Newton at once and call the lane converged."""
    import numpy as np

    from alliance_sim.games.offers import _Inverse

    n = 5
    inv = _Inverse(
        lambda x: x**3,
        lambda x: 0.0 * x,  # no usable slope anywhere
        np.zeros(n),
        np.full(n, 2.0),
        [],
    )
    target = np.linspace(0.5, 7.5, n)
    np.testing.assert_allclose(inv(target), np.cbrt(target), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("affine", [True, False])
def test_a_nan_in_the_utility_is_named_not_read_as_an_empty_range(affine):
    """Issue 12 item 6: a NaN slope or level gave feasible=False, like an empty range."""
    import numpy as np

    from alliance_sim.parameters import Draws
    from alliance_sim.players import FunctionTerm, Player

    k = np.array([1.0, 1.0, 1.0, np.nan, 1.0])

    def pay(d, x, T, t):  # k·(2 − x): NaN in draw 3, as a term that divides by 0 would give
        return k * (2.0 - x) if affine else k * (2.0 - x - 0.1 * x**2)

    payer = Player("J", [FunctionTerm("pay", pay, affine=affine)])
    payee = Player("U", [FunctionTerm("get", lambda d, x, T, t: x - 0.5, affine=True)])
    # the bracketing path already names the lane (rootfind checks f at the bracket)
    match = "J's utility is not finite in draw 3" if affine else "NaN .*first at index 3"
    with pytest.raises(ValueError, match=match):
        asim.BargainingProblem(
            payer, payee, Draws({"a": np.ones(5)}, n=5), term_years=5.0, signing_time=0.0
        )
