"""Preset: the Japan–US host-nation support (Special Measures Agreement) talks of autumn 2020.

Every number carries its provenance next to it: a fact with its source
(``DESIGN.md`` collects the facts of the talks; ``data/hns_agreements_to_2020.csv``
the past agreements, with sources), or ``"assumption: …"`` with the reason. Money
is in ¥ billion a year unless the unit says otherwise; dollar figures are
converted at the autumn-2020 rate.

Calibration arguments used by several assumptions (see ``docs/model.md``):

* *Japan's revealed willingness*: Japan renewed every agreement since 1987 at
  about the status quo (2011 held flat, 2016 +1.4%, shared/data), including
  under administrations whose drawdown threat was negligible; so its no-deal
  cost alone must exceed the welfare cost of the status quo payment,
  ``c_J ≳ (1 + λ_J)·x0``.
* *Washington's revealed willingness*: it keeps forces costing about $5.2 billion
  a year in Japan while Japan's direct support was about $3.15 billion a year
  (GAO-21-270, 2016–2019), so the strategic value it attaches exceeds the net
  cost of about $2 billion a year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..parameters import Derived, Parameter, ParameterSpace, formulas, laws
from ..players import ElectionTiming, tokyo, washington
from .calendar import TalksCalendar
from .scenario import Scenario, years_between

__all__ = ["CALENDAR", "LEAD_TIMES", "US_TYPES", "japan_us_2020"]

#: Washington's typed parameters: resolved name → (incumbent's, challenger's).
US_TYPES: dict[str, tuple[str, str]] = {
    "w_US": ("w_incumbent", "w_challenger"),
    "pi_drawdown": ("pi_incumbent", "pi_challenger"),
    "a_US": ("a_incumbent", "a_challenger"),
    "posture_US": ("posture_incumbent", "posture_challenger"),
    "z_US": ("z_incumbent", "z_challenger"),
    "t_ready": ("t_ready_incumbent", "t_ready_challenger"),
}

YEN = "¥ billion per year"

#: The lapse-cost terms' lead times and review date (the talks' entry into force).
LEAD_TIMES: dict[str, str] = {
    "lead": "lead_full",
    "lead_extension": "lead_extension",
    "ready": "t_ready",
}

#: Dated events of the talks (DESIGN.md); times in the model are years since talks opened.
CALENDAR: dict[str, dt.date] = {
    "talks_open": dt.date(2020, 10, 15),  # DESIGN.md: working-level talks opened mid-October 2020
    "election": dt.date(2020, 11, 3),  # DESIGN.md: US presidential election
    "budget_draft": dt.date(2020, 12, 21),  # DESIGN.md: cabinet draft budget by end of December
    "inauguration": dt.date(2021, 1, 20),  # DESIGN.md
    "signing": dt.date(2021, 2, 15),  # assumption, see t_signing below
    "expiry": dt.date(2021, 3, 31),  # DESIGN.md: current agreement expires end of March 2021
    "final": dt.date(2021, 6, 30),  # assumption, see t_final below
}


def _t(event: str) -> float:
    return years_between(CALENDAR["talks_open"], CALENDAR[event])


def japan_us_2020(*, calibrated: bool = True) -> Scenario:
    """The autumn-2020 Japan–US talks on host-nation support for FY2021–2025.

    Tokyo pays; Washington is paid. Washington's type (incumbent or challenger)
    is drawn with the election probability and takes office on 20 January
    2021; the agreement is assumed signed on 15 February 2021, so the winner's
    preferences apply. Results are reported overall and by election winner.

    Parameters
    ----------
    calibrated : bool
        True (the default): the calibrated parameters
        (:data:`alliance_sim.calibration.THETA`) follow the posterior fitted on the past
        agreements before FY2021 (:func:`alliance_sim.calibration.posterior.calibrated_preset`,
        ``docs/calibration.md``). False: the hand-set assumptions.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> scn = japan_us_2020()
    >>> scn.parameters["status_quo"].value
    199.3
    """
    p: list[Parameter | Derived] = [
        # --- Calendar (years since 2020-10-15) ------------------------------------
        Parameter(
            "t_election",
            _t("election"),
            "years since talks opened",
            "fact: election on 2020-11-03 (DESIGN.md)",
        ),
        Parameter(
            "t_budget",
            _t("budget_draft"),
            "years since talks opened",
            "fact: cabinet finishes the FY2021 draft budget by the end of December 2020 "
            "(DESIGN.md); 21 December is taken as the date (the customary cabinet decision "
            "day)",
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
            "fact: the current SMA expires 2021-03-31 (DESIGN.md)",
        ),
        Parameter(
            "t_signing",
            _t("signing"),
            "years since talks opened",
            "assumption: real bargaining was expected only after the election (DESIGN.md) "
            "and the Diet must approve by 31 March, so the deal is placed after the "
            "inauguration and about six weeks before expiry (2021-02-15)",
        ),
        Parameter(
            "term_years",
            5.0,
            "years",
            "fact: five-year terms are the norm (DESIGN.md); 5 of the 7 Japan SMAs with a "
            "stated term since 1991 ran five years (shared/data)",
            bounds=(0, np.inf),
        ),
        Parameter(
            "t_final",
            _t("final"),
            "years since talks opened",
            "assumption: the talks can run into a lapse of one quarter (to 2021-06-30); "
            "Japan's 2008 lapse lasted a month, Korea's 2020 lapse over a year "
            "(shared/data); beyond it the lapse is treated as no deal for the term",
        ),
        # --- Money facts -----------------------------------------------------------
        Parameter(
            "status_quo",
            199.3,
            YEN,
            "fact: FY2020 host-nation support budget ¥199.3bn (shared/data, 2016 SMA row; "
            "DESIGN.md: 'close to ¥200 billion a year')",
            bounds=(0, np.inf),
            description="x0, Japan's current annual payment",
        ),
        Parameter(
            "fx",
            105.0,
            "¥ per $",
            "fact: the yen traded near ¥105 to the dollar in autumn 2020 (DESIGN.md)",
            bounds=(0, np.inf),
        ),
        Parameter(
            "demand_usd",
            8.0,
            "$ billion per year",
            "fact: the incumbent reportedly asked Japan to quadruple its contribution to "
            "$8 billion a year (DESIGN.md)",
            bounds=(0, np.inf),
        ),
        Derived(
            "demand",
            ("demand_usd", "fx"),
            formulas.product,
            "demand_usd · fx",
            YEN,
            "definition: Washington's reported demand in yen",
        ),
        Parameter(
            "C_U_usd",
            20.9 / 4,
            "$ billion per year",
            "fact: DoD obligated about $20.9bn for its forces in Japan over 2016–2019 "
            "(GAO-21-270, via DESIGN.md), i.e. $5.225bn a year",
            bounds=(0, np.inf),
        ),
        Derived(
            "C_U",
            ("C_U_usd", "fx"),
            formulas.product,
            "C_U_usd · fx",
            YEN,
            "definition: Washington's annual basing cost in Japan, in yen",
        ),
        # --- Tokyo ------------------------------------------------------------------
        Parameter(
            "S_J",
            laws.lognormal(median=4200.0, sigma=0.5),
            YEN,
            "estimate + assumption: median = Takeda & Muto (2012)'s estimate that "
            "replacing the US forces' capabilities would cost Japan about ¥4.2 trillion a "
            "year (one estimate, not a fact: DESIGN.md); lognormal spread σ=0.5 (assumption) "
            "puts 90% within ×/÷2.3, with the same study's wider economic cost (up to "
            "¥21.3 trillion) beyond the 99.9th percentile",
            bounds=(0, np.inf),
            description="security value of the US presence to Japan",
        ),
        Parameter(
            "rho_J",
            laws.beta(2, 6),
            "share",
            "assumption: a drawdown over a cost dispute is partial (some units), not the end "
            "of the treaty; mean 25%",
            bounds=(0, 1),
            description="share of Japan's security value lost in a drawdown",
        ),
        Parameter(
            "mcpf_J",
            laws.uniform(0.2, 0.6),
            "yen per yen",
            "assumption: marginal cost of public funds; estimates surveyed by Dahlby (2008) "
            "mostly lie between 0.1 and 0.5; the range is placed high, 0.2–0.6, for Japan's "
            "gross debt of about 266% of GDP (IMF, October 2020, via DESIGN.md) and rising "
            "social-security costs",
            bounds=(0, np.inf),
            description="λ_J, Japan's fiscal pressure",
        ),
        Parameter(
            "kappa_J",
            laws.uniform(0.5, 2.5),
            "unit-free",
            "assumption: Tokyo holds it already pays an appropriate share (DESIGN.md), so "
            "paying more than the status quo is a domestic loss; at double the status quo "
            "the audience cost is 0.5–2.5 times the status quo payment",
            bounds=(0, np.inf),
            description="κ_J, audience cost of paying above the status quo (quadratic)",
        ),
        Parameter(
            "c_J",
            laws.uniform(250.0, 500.0),
            YEN,
            "assumption calibrated by Japan's revealed willingness (module docstring): "
            "c_J ≳ (1+λ_J)·x0 ≈ 240–320; range 250–500 covers the lapse of base workers' "
            "wages and alliance damage (Japan's 2008 lapse; Korea's 2020 lapse furloughed "
            "about 4,000 workers, DESIGN.md)",
            bounds=(0, np.inf),
            description="Japan's cost of a lapse (no deal)",
        ),
        Parameter(
            "c_budget",
            laws.uniform(0.0, 20.0),
            "¥ billion (one-off)",
            "assumption: cost of reworking the FY2021 budget when the deal comes after the "
            "cabinet draft; small next to the ¥5.3 trillion defence budget (DESIGN.md)",
            bounds=(0, np.inf),
            description="Tokyo's cost of missing the budget draft",
        ),
        # --- Washington ---------------------------------------------------------------
        Parameter(
            "S_U",
            laws.lognormal(median=1100.0, sigma=0.5),
            YEN,
            "assumption calibrated by Washington's revealed willingness (module docstring): "
            "median ≈ 2 × basing cost (2 × $5.225bn × 105 ≈ ¥1,100bn), 90% within ×/÷2.3; "
            "the net cost of about ¥210bn/yr it bears lies below the 1st percentile",
            bounds=(0, np.inf),
            description="strategic value of basing in Japan to the US",
        ),
        Parameter(
            "rho_U",
            laws.beta(2, 6),
            "share",
            "assumption: as rho_J, a drawdown is partial; mean 25%",
            bounds=(0, 1),
            description="share of the US strategic value lost in a drawdown",
        ),
        Parameter(
            "s_U",
            laws.uniform(0.2, 0.6),
            "share",
            "assumption: a partial drawdown saves 20–60% of the basing cost (relocation "
            "costs and forces kept elsewhere eat the rest)",
            bounds=(0, 1),
            description="share of the basing cost a drawdown saves",
        ),
        Parameter(
            "kappa_U",
            laws.uniform(0.5, 2.0),
            "unit-free",
            "assumption: a cut below the status quo is a loss for the administration facing "
            "Congress's burden-sharing pressure (shared/data: 1991 SMA); Tversky & Kahneman "
            "(1991) put loss aversion near 2, i.e. an extra weight κ_U ≈ 1 (range 0.5–2)",
            bounds=(0, np.inf),
            description="κ_U, Washington's loss aversion below x0",
        ),
        Parameter(
            "beta_US",
            laws.uniform(0.4, 0.8),
            "share",
            "assumption: Washington's bargaining power 0.4–0.8: asymmetric dependence "
            "(Japan relies on the US guarantee against China and North Korea, DESIGN.md) "
            "favours Washington, bounded away from 1 by its own strategic stake",
            bounds=(0, 1),
            description="β, Washington's generalized-Nash bargaining power",
        ),
        # --- Time in the talks (the alternating-offers engine) -----------------------------
        Parameter(
            "lapse_J",
            laws.uniform(100.0, 400.0),
            "¥ billion per year of lapse",
            "assumption: during a lapse Japan cannot pay the base workers' wages the SMA "
            "covers (¥145bn in FY2016, shared/data) and bears the political cost; 100–400",
            bounds=(0, np.inf),
            description="ℓ_J, Tokyo's cost of a lapse, per year",
        ),
        Parameter(
            "lapse_U",
            laws.uniform(100.0, 300.0),
            "¥ billion per year of lapse",
            "assumption: Washington must fund those wages or furlough workers (about 4,000 "
            "Korean workers were furloughed in April 2020, DESIGN.md); 100–300",
            bounds=(0, np.inf),
            description="ℓ_U, Washington's cost of a lapse, per year",
        ),
        Parameter(
            "r_J",
            laws.uniform(0.1, 0.5),
            "per year",
            "assumption: political time preference; a cabinet's horizon is short (rate "
            "0.1–0.5 a year, a few percent over the months of the talks)",
            bounds=(0, np.inf),
            description="Tokyo's discount rate",
        ),
        Parameter(
            "r_U",
            laws.uniform(0.1, 0.5),
            "per year",
            "assumption: as r_J, the same range for Washington (an administration's horizon is "
            "as short as a cabinet's)",
            bounds=(0, np.inf),
            description="Washington's discount rate",
        ),
        Parameter(
            "q_breakdown",
            laws.uniform(0.0, 0.005),
            "probability per week",
            "assumption: an outside shock ends the talks in a given week with probability "
            "0–0.5% (up to about 12% over the 37 weeks to the final deadline)",
            bounds=(0, 1),
            description="per-period risk of breakdown",
        ),
        Parameter(
            "diet_max_ratio",
            laws.uniform(1.5, 2.5),
            "multiple of the status quo",
            "assumption: the ruling coalition held majorities in both houses in 2020, so "
            "the Diet's win-set is wide, but paying 1.5–2.5 times the status quo would not "
            "pass (Putnam 1988's two-level game; the 2008 upper-house rejection, shared/data)",
            bounds=(0, np.inf),
        ),
        Derived(
            "diet_max",
            ("diet_max_ratio", "status_quo"),
            formulas.product,
            "diet_max_ratio · status_quo",
            YEN,
            "definition: the most the Diet ratifies (Tokyo's ratification bound)",
        ),
        Parameter(
            "congress_min",
            0.0,
            YEN,
            "assumption: no statutory US minimum for Japan's contribution",
            bounds=(0, np.inf),
            description="the least Washington can ratify",
        ),
        Parameter(
            "c_renegotiate",
            laws.uniform(0.0, 10.0),
            YEN,
            "assumption: a renegotiation next year costs each side 0–10 ¥bn a year "
            "equivalent (another round of talks and ratification)",
            bounds=(0, np.inf),
            description="cost of renegotiating after a one-year deal",
        ),
        Parameter(
            "order_u",
            laws.uniform(0.0, 1.0),
            "uniform variate",
            "definition: latent uniform for the order of proposals",
            bounds=(0, 1),
        ),
        Derived(
            "washington_first",
            ("order_u", 0.5),
            formulas.less_than,
            "1[order_u < 0.5]",
            "indicator",
            "assumption: who makes the first (and so the last) offer before the final "
            "deadline is not pinned down by the facts; each side with probability 1/2",
        ),
        # --- Why talks wait: committed postures, lead times, collapse (games.talks) ----------
        Parameter(
            "posture_J_ratio",
            1.0,
            "multiple of the status quo",
            "fact: Tokyo held that it already pays an appropriate share (DESIGN.md), so a "
            "committed Tokyo insists on the status quo",
            bounds=(0, np.inf),
        ),
        Derived(
            "posture_J",
            ("posture_J_ratio", "status_quo"),
            formulas.product,
            "posture_J_ratio · status_quo",
            YEN,
            "definition: the payment a committed Tokyo insists on",
        ),
        Parameter(
            "z_J",
            laws.beta(2, 8),
            "probability",
            "assumption: mean 0.2 (90% in 0.04–0.43): a committed Tokyo is plausible but not "
            "the rule; it held that it already pays an appropriate share (DESIGN.md), yet it "
            "accepted rises in 1991, 1995 and 2016 after US pressure (shared/data)",
            bounds=(0, 1),
            description="prior probability that Tokyo is committed to its posture",
        ),
        Parameter(
            "hold_share",
            laws.uniform(0.15, 0.45),
            "share",
            "assumption calibrated on the Korea SMAs with a reported US demand (shared/data): "
            "the first-year rise was about 16% (10th SMA: +8.2% against about +50% asked), "
            "17–38% (8th: +2.5% against +6.6–14.5%) and about 40% (5th: about +12% against "
            "+30%) of the rise asked; a committed administration holds out for 15–45% of its "
            "announced rise",
            bounds=(0, 1),
            description="share of its announced rise a committed administration insists on",
        ),
        Derived(
            "posture_incumbent",
            ("status_quo", "demand", "hold_share"),
            formulas.toward,
            "status_quo + hold_share · (demand − status_quo)",
            YEN,
            "definition: the payment a committed incumbent insists on; Washington's announced "
            "demand enters the talks here",
        ),
        Parameter(
            "posture_challenger_ratio",
            laws.uniform(1.01, 1.1),
            "multiple of the status quo",
            "assumption: the challenger made no public demand and campaigned on repairing "
            "alliances; a committed challenger asks a rise like those of past agreements, "
            "1–10% (2016 SMA +1.4%; Korea's 8th and 9th SMAs +2.5% and +5.8%: shared/data)",
            bounds=(0, np.inf),
        ),
        Derived(
            "posture_challenger",
            ("posture_challenger_ratio", "status_quo"),
            formulas.product,
            "posture_challenger_ratio · status_quo",
            YEN,
            "definition: the payment a committed challenger administration insists on",
        ),
        Parameter(
            "z_incumbent",
            laws.beta(3, 7),
            "probability",
            "assumption: mean 0.3 (90% in 0.10–0.56): the incumbent repeated its demand in "
            "public, called the alliance one-sided and left Korea's agreement in lapse through "
            "2020 rather than accept Seoul's +13% offer (DESIGN.md)",
            bounds=(0, 1),
            description="prior probability that the incumbent is committed to its posture",
        ),
        Parameter(
            "z_challenger",
            laws.beta(1, 9),
            "probability",
            "assumption: mean 0.1: the challenger campaigned on repairing alliances, not on "
            "cost sharing",
            bounds=(0, 1),
            description="prior probability that a challenger administration is committed",
        ),
        Parameter(
            "lead_full",
            laws.uniform(0.2, 0.35),
            "years",
            "assumption read off the dataset's dates (shared/data): the 2006, 2008 and 2016 "
            "agreements were agreed in principle in mid-December and took effect on 1 April after"
            " the Diet's approval (about 0.3 years); the 2011 one was signed on 21 January and "
            "took effect on 1 April (0.19 years): 0.2–0.35 years from agreement to entry into "
            "force",
            bounds=(0, np.inf),
            description="lead time of a full agreement, from agreement to entry into force",
        ),
        Parameter(
            "lead_extension",
            laws.uniform(0.04, 0.12),
            "years",
            "assumption: a one-year special measure changes only the amount and term of the "
            "old agreement, with no new categories to negotiate and a short Diet approval: "
            "2–6 weeks",
            bounds=(0, np.inf),
            description="lead time of a one-year extension",
        ),
        Parameter(
            "t_ready_incumbent",
            0.0,
            "years since talks opened",
            "definition: the incumbent's policy is set; it needs no review",
        ),
        Parameter(
            "review_challenger",
            laws.uniform(0.1, 0.3),
            "years",
            "assumption: before committing to a five-year agreement a new administration "
            "reviews its alliance policy and fills its Asia posts, which need Senate "
            "confirmation: 5–15 weeks after the inauguration (a one-year extension of the "
            "old agreement needs no review)",
            bounds=(0, np.inf),
        ),
        Derived(
            "t_ready_challenger",
            ("t_inauguration", "review_challenger"),
            formulas.sum_,
            "t_inauguration + review_challenger",
            "years since talks opened",
            "definition: when a challenger administration can start a full agreement",
        ),
        Parameter(
            "collapse_rate",
            laws.uniform(0.25, 1.0),
            "per year",
            "assumption: no SMA talks have ended without an agreement (shared/data: every "
            "lapse, Japan 2008 and Korea 2014 and 2019, ended in one within about three "
            "months); from the expiry on the talks collapse with no deal for the term at "
            "0.25–1 a year (a 22–63% chance within a year)",
            bounds=(0, np.inf),
            description="hazard of a collapse with no deal for the term, after the expiry",
        ),
        Parameter(
            "rounds",
            laws.uniform(0.0, 1.0),
            "years",
            "assumption: SMA talks run formal rounds before either side can settle; how "
            "long is left open (uniform over 0–1 year) for the calibration to learn from the "
            "past agreements (issue 11); a war of attrition starts no earlier",
            bounds=(0, np.inf),
            description="years of technical rounds before any settlement",
        ),
        Parameter(
            "path_u",
            laws.uniform(0.0, 1.0),
            "uniform variate",
            "definition: latent uniform that draws the realized path of the talks",
            bounds=(0, 1),
        ),
        Parameter(
            "path_v",
            laws.uniform(0.0, 1.0),
            "uniform variate",
            "definition: latent uniform that draws who concedes on the realized path",
            bounds=(0, 1),
        ),
        # --- The election and Washington's types ------------------------------------------
        Parameter(
            "p_challenger",
            laws.beta(8, 2),
            "probability",
            "assumption: the incumbent trailed the challenger in the polls (DESIGN.md); "
            "Beta(8, 2) has mean 0.8 and 90% in [0.57, 0.96], a spread for forecast "
            "uncertainty",
            bounds=(0, 1),
            description="probability the challenger wins",
        ),
        Parameter(
            "election_u",
            laws.uniform(0.0, 1.0),
            "uniform variate",
            "definition: latent uniform; the challenger wins when election_u < p_challenger",
            bounds=(0, 1),
        ),
        Derived(
            "challenger_wins",
            ("election_u", "p_challenger"),
            formulas.less_than,
            "1[election_u < p_challenger]",
            "indicator",
            "definition: election outcome, challenger wins with probability p_challenger",
        ),
        Parameter(
            "w_incumbent",
            laws.uniform(1.0, 1.5),
            "utility per yen",
            "assumption: the incumbent called the alliance one-sided and framed payments as "
            "wins (DESIGN.md), valuing a yen of support at 1–1.5 yen",
            bounds=(0, np.inf),
        ),
        Parameter(
            "w_challenger",
            laws.uniform(0.8, 1.2),
            "utility per yen",
            "assumption: the challenger values support about at face value (0.8–1.2)",
            bounds=(0, np.inf),
        ),
        Parameter(
            "pi_incumbent",
            laws.beta(2, 6),
            "probability",
            "assumption: the incumbent threatened drawdowns but did not draw down from Korea "
            "during its 2020 lapse (shared/data; DESIGN.md): mean 25%",
            bounds=(0, 1),
            description="probability an incumbent really draws down without a deal",
        ),
        Parameter(
            "pi_challenger",
            laws.beta(1, 19),
            "probability",
            "assumption: the challenger campaigned on repairing alliances; a drawdown over a "
            "cost dispute is unlikely: mean 5%",
            bounds=(0, 1),
            description="probability a challenger administration draws down without a deal",
        ),
        Parameter(
            "a_incumbent",
            laws.uniform(0.0, 100.0),
            YEN,
            "assumption: walking away costs the incumbent little at home, having called the "
            "alliance one-sided (DESIGN.md)",
            bounds=(0, np.inf),
            description="incumbent's audience cost of walking away",
        ),
        Parameter(
            "a_challenger",
            laws.uniform(100.0, 400.0),
            YEN,
            "assumption: walking away would break the challenger's pledge to restore "
            "alliances: 100–400",
            bounds=(0, np.inf),
            description="challenger's audience cost of walking away",
        ),
    ]
    election = ElectionTiming(US_TYPES)
    scenario = Scenario(
        name="japan_us_2020",
        title="Japan–US host-nation support talks, autumn 2020 (FY2021–2025 SMA)",
        parameters=ParameterSpace(p),
        payer=tokyo(**LEAD_TIMES),
        payee=washington(**LEAD_TIMES),
        election=election,
        # Weekly periods; who proposes first (hence last) is uncertain (washington_first);
        # terms of 1 or 5 years (the tentative one-year deal DESIGN.md mentions, or the norm).
        talks=TalksCalendar(
            period_days=7,
            terms=(1.0, 5.0),
            horizon=5.0,
            payee_first="washington_first",
            rounds="rounds",
        ),
        notes=(
            "Tokyo pays x (¥bn/yr) to Washington for 5 years, signed 2021-02-15 after the "
            "inauguration; Washington's type is the election winner's."
        ),
    )
    if not calibrated:
        return scenario
    from ..calibration.posterior import calibrated_preset  # (the calibration reads presets)

    return calibrated_preset(scenario, 2021)
