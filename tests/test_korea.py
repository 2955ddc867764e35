"""The Korea–US preset: sourced numbers, the same model with Seoul as payer, and its outputs."""

from __future__ import annotations

import numpy as np
import pytest

import alliance_sim as asim
from alliance_sim.parameters import Parameter
from alliance_sim.scenarios import PRESETS, korea_us_2019


@pytest.fixture(scope="module")
def scn():
    return korea_us_2019()


def test_every_number_has_provenance(scn):
    for e in scn.parameters.entries:
        text = e.provenance.lower()
        kinds = ("fact", "assumption", "definition", "as japan_us_2020", "calibrated")
        assert text.startswith(kinds), e.name
        if isinstance(e, Parameter) and not e.is_fixed and "definition" not in text:
            assert "assumption" in text, e.name


def test_korea_facts(scn):
    p = scn.parameters
    assert p["status_quo"].value == 1038.9  # ₩1.0389 trillion for 2019 (10th SMA)
    d = p.sample(3, seed=0)
    assert d["fx"][0] == pytest.approx(1038.9 / 0.925)
    np.testing.assert_allclose(d["demand"], 5.0 * 1038.9 / 0.925)  # about $5bn a year
    np.testing.assert_allclose(d["C_U"], 4.46 * 1038.9 / 0.925)  # DoD, FY2020 estimate
    assert scn.payer.name == "Seoul" and scn.payment_unit.startswith("₩")
    assert p["t_expiry"].value < p["t_election"].value  # the lapse began before the election
    assert set(PRESETS) == {"japan_us_2020", "korea_us_2019"}


def test_korea_simulates_with_seoul_outputs(scn):
    res = asim.simulate(scn, 2000, seed=1)
    assert "seoul_wait_prob" in res.outputs and "washington_threaten_prob" in res.outputs
    assert res["feasible"].mean() > 0.9
    assert res["demand_in_range"].mean() < 0.05  # $5bn is an opening position
    x = res["nash_payment"][res["feasible"]]
    assert 0.3 * 1038.9 < np.median(x) < 2.0 * 1038.9
    table = res.summary()
    assert ("seoul: wait", "P(in some equilibrium)") in table.index
