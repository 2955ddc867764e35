"""The autumn-2020 Japan–US host-nation support talks: 200,000 parameter draws.
============================================================================

Run:  python examples/japan_us_2020.py  [--draws N] [--seed S]

Prints the preset's parameters (distribution, unit, provenance) and the summary
table, overall and by election winner: settlement-range and solution quantiles
(¥ billion a year) and the probability that Washington's reported $8 billion demand
lies inside the range; the talks as a reputational war of attrition on the calendar
(agreement before the election, one-year stopgaps, lapses, the week and payment of
agreement, and the ex-ante forecast); and the stance games' equilibria. Then a short
reading of the headline rows in plain words; ``res.explain(row)`` explains any row.
"""

from __future__ import annotations

import argparse
import textwrap
import time

import pandas as pd

import alliance_sim as asim
from alliance_sim.results.glossary import format_summary, reading


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--draws", type=int, default=200_000, help="number of draws")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--quiet", action="store_true", help="do not print the parameter table")
    args = parser.parse_args()

    scn = asim.scenarios.japan_us_2020()
    if not args.quiet:
        print(scn)
        print()
    start = time.perf_counter()
    res = asim.simulate(scn, n=args.draws, seed=args.seed)
    elapsed = time.perf_counter() - start
    print(f"{res.n:,} draws, seed {args.seed}, {elapsed:.2f} s; payments in {scn.payment_unit}")
    table = res.summary()
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(format_summary(table))  # counts as whole numbers, "–" for no draws
    said = reading(table, scn.payment_unit, float(scn.parameters["status_quo"].value))
    print("\nReading (all draws):")
    for line in said.split("\n"):
        print(textwrap.fill(line, 100))


if __name__ == "__main__":
    main()
