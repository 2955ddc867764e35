"""Preset: the Korea–US talks on the 11th Special Measures Agreement, after the 10th expired.

The 10th SMA was a one-year deal: ₩1.0389 trillion for 2019 (+8.2%); it expired at
the end of 2019 with no successor, and the agreement lapsed from January 2020.
For 2020 Washington asked for about $5 billion a year (about five times the 2019
amount); Seoul's offer of +13% was rejected in April 2020 and about 4,000 Korean
base workers were furloughed (DESIGN.md; data/hns_agreements_to_2020.csv).

Same model as :func:`~alliance_sim.scenarios.japan_us_2020` — the payer is Seoul,
its parameters end in ``_K`` — with every Korea-specific number sourced next to
it. Parameters whose reasoning carries over unchanged are copied from the Japan
preset and say so in their provenance. Money is in ₩ billion a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from ..parameters import Derived, Parameter, ParameterSpace, formulas, laws
from ..players import ElectionTiming, tokyo, washington
from .calendar import TalksCalendar
from .japan_us_2020 import LEAD_TIMES, US_TYPES, japan_us_2020
from .scenario import Scenario, years_between

__all__ = ["KOREA_CALENDAR", "korea_us_2019"]

WON = "₩ billion per year"

#: Dated events (DESIGN.md unless marked); times are years since the talks opened.
KOREA_CALENDAR: dict[str, dt.date] = {
    "talks_open": dt.date(2019, 9, 24),  # assumption: first round of 11th-SMA talks, Sep 2019
    "budget_draft": dt.date(2019, 12, 2),  # assumption: National Assembly budget deadline
    "expiry": dt.date(2019, 12, 31),  # DESIGN.md: the 10th SMA lapsed at the end of 2019
    "election": dt.date(2020, 11, 3),  # DESIGN.md
    "inauguration": dt.date(2021, 1, 20),  # DESIGN.md
    "signing": dt.date(2021, 2, 15),  # assumption, as in the Japan preset
    "final": dt.date(2021, 6, 30),  # assumption, as in the Japan preset
}

#: ₩ per $ implied by the dataset's 10th-SMA row: ₩1,038.9bn ≈ $925M.
KRW_PER_USD = 1038.9 / 0.925


def _t(event: str) -> float:
    return years_between(KOREA_CALENDAR["talks_open"], KOREA_CALENDAR[event])


def korea_us_2019(*, calibrated: bool = True) -> Scenario:
    """The Korea–US talks on host-nation support after the 10th SMA (₩1.0389 trillion, 2019).

    Parameters
    ----------
    calibrated : bool
        True (the default): the calibrated parameters
        (:data:`alliance_sim.calibration.THETA`) follow the posterior fitted on the past
        agreements before 2020 (:func:`alliance_sim.calibration.posterior.calibrated_preset`,
        ``docs/calibration.md``). False: the hand-set assumptions.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> scn = korea_us_2019()
    >>> scn.payer.name, scn.parameters["status_quo"].value
    ('Seoul', 1038.9)
    """
    japan = japan_us_2020(calibrated=False).parameters
    same = "as japan_us_2020 (the reasoning carries over to Seoul): "

    def copied(name: str, new_name: str | None = None) -> Parameter:
        entry = japan[name]
        assert isinstance(entry, Parameter)
        # (Japanese money units become Korean ones; a value in yen would have been scaled.)
        unit = entry.unit.replace("¥", "₩").replace("yen", "won")
        return replace(entry, name=new_name or name, unit=unit, provenance=same + entry.provenance)

    scale = 1038.9 / 199.3  # the Korean status quo relative to the Japanese one
    p: list[Parameter | Derived] = [
        Parameter(
            "t_election",
            _t("election"),
            "years since talks opened",
            "fact: US election on 2020-11-03 (DESIGN.md)",
        ),
        Parameter(
            "t_budget",
            _t("budget_draft"),
            "years since talks opened",
            "assumption: the National Assembly must pass the 2020 budget by 2 December "
            "2019 (constitutional deadline), after which a deal means supplementary budgeting",
        ),
        Parameter(
            "t_inauguration",
            _t("inauguration"),
            "years since talks opened",
            "fact: inauguration on 2021-01-20 (DESIGN.md)",
        ),
        Parameter(
            "t_expiry",
            _t("expiry"),
            "years since talks opened",
            "fact: the 10th SMA expired at the end of 2019 (DESIGN.md; shared/data)",
        ),
        Parameter(
            "t_signing",
            _t("signing"),
            "years since talks opened",
            "assumption: as the Japan preset, real bargaining after the US election, "
            "signed after the inauguration (2021-02-15), i.e. after a long lapse",
        ),
        Parameter(
            "term_years",
            5.0,
            "years",
            "assumption: the 8th and 9th SMAs ran five years (shared/data) and Washington "
            "wanted five years in 2019 (shared/data, 10th SMA row)",
            bounds=(0, np.inf),
        ),
        Parameter(
            "t_final",
            _t("final"),
            "years since talks opened",
            "assumption: as the Japan preset, the talks may run to 2021-06-30",
        ),
        Parameter(
            "status_quo",
            1038.9,
            WON,
            "fact: the 10th SMA set ₩1,038.9bn for 2019, +8.2% (DESIGN.md; shared/data)",
            bounds=(0, np.inf),
            description="x0, Korea's annual payment in force",
        ),
        Parameter(
            "fx",
            KRW_PER_USD,
            "₩ per $",
            "fact (derived): the dataset's 10th-SMA row gives ₩1,038.9bn ≈ $925M, "
            "i.e. about ₩1,123 per $",
            bounds=(0, np.inf),
        ),
        Parameter(
            "demand_usd",
            5.0,
            "$ billion per year",
            "fact: for 2020 Washington asked for about $5 billion a year (DESIGN.md)",
            bounds=(0, np.inf),
        ),
        Derived(
            "demand",
            ("demand_usd", "fx"),
            formulas.product,
            "demand_usd · fx",
            WON,
            "definition: Washington's reported demand in won",
        ),
        Parameter(
            "C_U_usd",
            13.4 / 4,
            "$ billion per year",
            "fact: DoD obligated about $13.4bn for its forces in Korea over 2016–2019 "
            "(GAO-21-270, via DESIGN.md), i.e. $3.35bn a year",
            bounds=(0, np.inf),
        ),
        Derived(
            "C_U",
            ("C_U_usd", "fx"),
            formulas.product,
            "C_U_usd · fx",
            WON,
            "definition: Washington's annual basing cost in Korea, in won",
        ),
        Parameter(
            "S_K",
            laws.lognormal(median=7.7 * 3.35 * KRW_PER_USD, sigma=0.5),
            WON,
            "assumption: no published Korean replacement-cost estimate is in the sources; "
            "the Japan preset's ratio of security value to US basing cost (¥4.2tn / "
            "¥549bn ≈ 7.7, Takeda & Muto 2012 over GAO-21-270) is carried over to "
            "Korea's cost ($3.35bn a year): median ≈ ₩29 trillion; North Korea's "
            "nuclear-armed missiles make the presence no less valuable (DESIGN.md)",
            bounds=(0, np.inf),
            description="security value of the US presence to Korea",
        ),
        copied("rho_J", "rho_K"),
        Parameter(
            "mcpf_K",
            laws.uniform(0.1, 0.4),
            "won per won",
            "assumption: marginal cost of public funds (Dahlby 2008: mostly 0.1–0.5); "
            "Korea's public debt is far below Japan's, so the range is set lower, 0.1–0.4",
            bounds=(0, np.inf),
            description="λ_K, Seoul's fiscal pressure",
        ),
        copied("kappa_J", "kappa_K"),
        Parameter(
            "c_K",
            laws.uniform(1.25 * 1038.9, 2.5 * 1038.9),
            WON,
            "assumption calibrated by revealed preference as in the Japan preset: Seoul "
            "renewed every SMA since 1991 (shared/data), so c_K ≳ (1+λ_K)·x0 ≈ 1,150–1,450; "
            "range 1,300–2,600 (the 2020 lapse furloughed about 4,000 workers, DESIGN.md)",
            bounds=(0, np.inf),
            description="Seoul's cost of a lapse (no deal)",
        ),
        Parameter(
            "c_budget",
            laws.uniform(0.0, 20.0 * scale),
            "₩ billion (one-off)",
            "assumption: as the Japan preset (0–¥20bn), scaled by the status quo "
            "(×5.2) to 0–₩104bn",
            bounds=(0, np.inf),
        ),
        Parameter(
            "S_U",
            laws.lognormal(median=2 * 3.35 * KRW_PER_USD, sigma=0.5),
            WON,
            "assumption calibrated by revealed preference as in the Japan preset: median "
            "≈ 2 × the basing cost ($3.35bn, GAO-21-270) ≈ ₩7.5 trillion; the net cost "
            "Washington bears ($3.35bn − $1.45bn of Korean support a year, GAO-21-270) lies "
            "below the 5th percentile",
            bounds=(0, np.inf),
            description="strategic value of basing in Korea to the US",
        ),
        copied("rho_U"),
        copied("s_U"),
        copied("kappa_U"),
        copied("beta_US"),
        Parameter(
            "lapse_K",
            laws.uniform(100.0 * scale, 400.0 * scale),
            "₩ billion per year",
            "assumption: as the Japan preset (¥100–400bn a year of lapse) scaled by the "
            "status quo; the 2020 lapse furloughed about 4,000 workers (DESIGN.md)",
            bounds=(0, np.inf),
            description="ℓ_K, Seoul's cost of a lapse, per year",
        ),
        Parameter(
            "lapse_U",
            laws.uniform(100.0 * scale, 300.0 * scale),
            "₩ billion per year",
            "assumption: as the Japan preset (¥100–300bn a year) scaled by the status quo",
            bounds=(0, np.inf),
            description="ℓ_U, Washington's cost of a lapse, per year",
        ),
        copied("r_J", "r_K"),
        copied("r_U"),
        copied("q_breakdown"),
        Parameter(
            "assembly_max_ratio",
            laws.uniform(1.5, 2.5),
            "multiple of the status quo",
            "assumption: as the Japan preset's Diet bound; the National Assembly ratifies "
            "each SMA (shared/data: consent 1995-12-01)",
            bounds=(0, np.inf),
        ),
        Derived(
            "assembly_max",
            ("assembly_max_ratio", "status_quo"),
            formulas.product,
            "assembly_max_ratio · status_quo",
            WON,
            "definition: the most the National Assembly ratifies",
        ),
        copied("congress_min"),
        Parameter(
            "c_renegotiate",
            laws.uniform(0.0, 10.0 * scale),
            WON,
            "assumption: as the Japan preset scaled by the status quo",
            bounds=(0, np.inf),
        ),
        copied("order_u"),
        Derived(
            "washington_first",
            ("order_u", 0.5),
            formulas.less_than,
            "1[order_u < 0.5]",
            "indicator",
            "assumption: as the Japan preset, each side proposes first with probability 1/2",
        ),
        Parameter(
            "posture_K_ratio",
            1.0,
            "multiple of the status quo",
            "assumption: as Tokyo in the Japan preset, a committed Seoul insists on the "
            "current payment; it had tied the 10th SMA's +8.2% to its own defence-budget "
            "increase (shared/data)",
            bounds=(0, np.inf),
        ),
        Derived(
            "posture_K",
            ("posture_K_ratio", "status_quo"),
            formulas.product,
            "posture_K_ratio · status_quo",
            WON,
            "definition: the payment a committed Seoul insists on",
        ),
        copied("z_J", "z_K"),
        copied("hold_share"),
        Derived(
            "posture_incumbent",
            ("status_quo", "demand", "hold_share"),
            formulas.toward,
            "status_quo + hold_share · (demand − status_quo)",
            WON,
            "definition: the payment a committed incumbent insists on; Washington's announced "
            "demand enters the talks here",
        ),
        copied("posture_challenger_ratio"),
        Derived(
            "posture_challenger",
            ("posture_challenger_ratio", "status_quo"),
            formulas.product,
            "posture_challenger_ratio · status_quo",
            WON,
            "definition: the payment a committed challenger administration insists on",
        ),
        copied("z_incumbent"),
        copied("z_challenger"),
        Parameter(
            "lead_full",
            laws.uniform(0.1, 0.25),
            "years",
            "assumption read off the dataset's dates (shared/data): the 9th SMA was agreed on "
            "2014-01-12 and signed on 2014-02-02 after a short lapse, the 10th initialed on "
            "2019-02-10 and signed on 2019-03-08, each followed by the National Assembly's "
            "consent: 0.1–0.25 years from agreement to entry into force",
            bounds=(0, np.inf),
            description="lead time of a full agreement, from agreement to entry into force",
        ),
        copied("lead_extension"),
        copied("t_ready_incumbent"),
        copied("review_challenger"),
        Derived(
            "t_ready_challenger",
            ("t_inauguration", "review_challenger"),
            formulas.sum_,
            "t_inauguration + review_challenger",
            "years since talks opened",
            "definition: when a challenger administration can start a full agreement",
        ),
        copied("collapse_rate"),
        copied("rounds"),
        copied("path_u"),
        copied("path_v"),
        copied("p_challenger"),
        copied("election_u"),
        japan["challenger_wins"],
        Parameter(
            "w_incumbent",
            laws.uniform(1.0, 1.5),
            "utility per won",
            "assumption: as the Japan preset; the incumbent pressed Seoul for a more than "
            "fivefold rise (DESIGN.md)",
            bounds=(0, np.inf),
        ),
        copied("w_challenger"),
        Parameter(
            "pi_incumbent",
            laws.beta(2, 6),
            "probability",
            "assumption: as the Japan preset (mean 25%): during the 2020 lapse the incumbent "
            "furloughed workers but did not draw down (DESIGN.md)",
            bounds=(0, 1),
        ),
        copied("pi_challenger"),
        Parameter(
            "a_incumbent",
            laws.uniform(0.0, 100.0 * scale),
            WON,
            "assumption: as the Japan preset (¥0–100bn) scaled by the status quo (×5.2): "
            "walking away costs the incumbent little at home",
            bounds=(0, np.inf),
        ),
        Parameter(
            "a_challenger",
            laws.uniform(100.0 * scale, 400.0 * scale),
            WON,
            "assumption: as the Japan preset (¥100–400bn) scaled by the status quo: walking "
            "away would break the challenger's pledge to restore alliances",
            bounds=(0, np.inf),
        ),
    ]
    space = ParameterSpace(p)
    seoul = tokyo(
        name="Seoul",
        security="S_K",
        loss_share="rho_K",
        mcpf="mcpf_K",
        audience="kappa_K",
        lapse_cost="c_K",
        lapse_rate="lapse_K",
        **LEAD_TIMES,
    )
    election = ElectionTiming(US_TYPES)
    scenario = Scenario(
        name="korea_us_2019",
        title="Korea–US host-nation support talks after the 10th SMA (11th SMA)",
        parameters=space,
        payer=seoul,
        payee=washington(**LEAD_TIMES),
        election=election,
        talks=TalksCalendar(
            period_days=7,
            terms=(1.0, 5.0),
            horizon=5.0,
            payee_first="washington_first",
            rounds="rounds",
            rate_payer="r_K",
            ratify_max="assembly_max",
            payer_demand="posture_K",
            payer_commitment="z_K",
        ),
        payment_unit=WON,
        notes=(
            "Seoul pays x (₩bn/yr) to Washington; the 10th SMA lapsed from January 2020; "
            "Washington asked for about $5bn a year; signed after the inauguration."
        ),
    )
    if not calibrated:
        return scenario
    from ..calibration.posterior import calibrated_preset  # (the calibration reads presets)

    return calibrated_preset(scenario, 2020)
