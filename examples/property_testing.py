"""Property-test your own model assumptions with alliance_sim.testing (needs the test extra).
==========================================================================================

Run:  python examples/property_testing.py

Two assumptions a researcher might hold about the Japan–US preset, checked with
hypothesis over generated scenarios (some parameters fixed at random values):

1. "More fiscal pressure in Tokyo never raises the most Tokyo will pay" — holds
   where a deal is possible. Stated for every draw it fails: hypothesis finds a
   scenario with no lapse cost (c_J = 0) where Tokyo accepts no payment at all
   (a negative reservation), which a higher λ moves towards 0
   (docs/explanation/model/bargaining.md, §3).
2. "If Washington values host-nation payments more, the Nash payment rises" —
   intuitive, and false: valuing payments more makes any deal more attractive to
   Washington than no deal, so its reservation payment falls, and the Nash
   payment with it. Hypothesis finds a counterexample and prints it.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from alliance_sim.testing.checkers import check_monotone
from alliance_sim.testing.strategies import scenarios

SETTINGS = settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(scenarios())
def fiscal_pressure_never_raises_tokyos_most(scenario):
    check_monotone(
        scenario, "mcpf_J", "payer_reservation", "decreasing", n=500, seed=1, where="feasible"
    )


@SETTINGS
@given(scenarios())
def fiscal_pressure_never_raises_tokyos_most_anywhere(scenario):
    check_monotone(scenario, "mcpf_J", "payer_reservation", "decreasing", n=500, seed=1)


@SETTINGS
@given(scenarios())
def valuing_payments_more_raises_the_nash_payment(scenario):
    check_monotone(scenario, "w_incumbent", "nash_payment", "increasing", n=500, seed=1)


def report(label: str, test) -> bool:
    """Run a hypothesis test; print whether the claim holds or the counterexample's first line."""
    try:
        test()
    except AssertionError as failure:
        print(f"{label}: FAILS — hypothesis's shrunk counterexample:")
        print("   ", str(failure).splitlines()[0][:300], "…")
        return False
    print(f"{label}: holds on 20 generated scenarios × 500 draws")
    return True


def main() -> None:
    held = [
        report(
            "1.  More fiscal pressure never raises Tokyo's most (where a deal is possible)",
            fiscal_pressure_never_raises_tokyos_most,
        ),
        report(
            "1'. The same claim for every draw", fiscal_pressure_never_raises_tokyos_most_anywhere
        ),
        report(
            "2.  Valuing payments more raises the Nash payment",
            valuing_payments_more_raises_the_nash_payment,
        ),
    ]
    if held != [True, False, False]:  # pragma: no cover - the model would have changed
        raise SystemExit(f"unexpected results {held}; the model changed")


if __name__ == "__main__":
    main()
