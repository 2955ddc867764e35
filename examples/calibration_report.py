"""Calibrate the talks to the past agreements with several seeds, and report.
==========================================================================

Prints, as markdown: the posterior of each calibrated parameter per seed (mean, sd,
5/50/95%), the largest difference between seeds relative to the posterior sd
(convergence across seeds), the diagnostics of each generation (tolerance,
acceptance, ESS, simulations) and the observed summaries against the posterior
predictive. With ``--figures DIR`` it also writes the calibration figures there.

docs/explanation/calibration.md shows the output of::

    python examples/calibration_report.py --particles 1000 --generations 8 \
        --seeds 2020 2021 2022 --figures docs/figures

The defaults are small, so that CI runs this example in about a minute.
"""

import argparse
import time

import numpy as np

from alliance_sim.calibration import SUMMARIES, PastTalks, calibrate


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--particles", type=int, default=200)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--seeds", type=int, nargs="+", default=[2020, 2021])
    parser.add_argument("--before", type=int, default=2020)
    parser.add_argument("--figures", default=None, help="write the figures to this directory")
    args = parser.parse_args()

    cals = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        cal = calibrate(
            before=args.before,
            n_particles=args.particles,
            generations=args.generations,
            seed=seed,
        )
        seconds = time.perf_counter() - t0
        cals.append(cal)
        r = cal.result
        print(
            f"seed {seed}: {len(r.history)} generations ({r.stop_reason}), "
            f"{r.n_simulations:,} simulations in {seconds:.1f} s, ESS {r.ess:.0f}"
        )
    first = cals[0]
    names = first.names
    print(f"\ncalibrated on {len(first.facts)} agreements before FY{args.before}\n")
    print(
        "| parameter | prior mean [5%, 95%] | "
        + " | ".join(f"seed {s}: mean ± sd [5%, 95%]" for s in args.seeds)
        + " |"
    )
    print("|---|---|" + "---|" * len(args.seeds))
    summaries = [c.summary() for c in cals]
    for name in names:
        p = summaries[0].loc[name]
        cells = [f"{p['prior mean']:.3f} [{p['prior 5%']:.3f}, {p['prior 95%']:.3f}]"]
        for s in summaries:
            q = s.loc[name]
            cells.append(f"{q['mean']:.3f} ± {q['sd']:.3f} [{q['5%']:.3f}, {q['95%']:.3f}]")
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    means = np.array([s["mean"].to_numpy() for s in summaries])
    sds = np.array([s["sd"].to_numpy() for s in summaries])
    spread = (means.max(axis=0) - means.min(axis=0)) / sds.mean(axis=0)
    print(
        "\nlargest difference of the posterior means across seeds, in posterior sds: "
        + ", ".join(f"{n} {v:.2f}" for n, v in zip(names, spread, strict=True))
    )
    print(f"\n| generation (seed {args.seeds[0]}) | ε | acceptance | ESS | simulated |")
    print("|---|---|---|---|---|")
    for g in first.result.history:
        print(
            f"| {g.index} | {g.epsilon:.3f} | {g.acceptance_rate:.3f} | {g.ess:.0f} | "
            f"{g.n_simulated:,} |"
        )
    talks = PastTalks(first.facts, first.bases, names)
    rng = np.random.default_rng(0)
    post = talks.simulate(first.result.sample(2000, rng), rng)
    print("\n| summary | observed | posterior predictive median [5%, 95%] | P(sim ≥ obs) |")
    print("|---|---|---|---|")
    for j, (target, where) in enumerate(SUMMARIES):
        col = post[:, j][np.isfinite(post[:, j])]
        q = np.quantile(col, [0.05, 0.5, 0.95])
        obs = talks.observed[j]
        print(
            f"| {target} ({where}) | {obs:.3f} | {q[1]:.3f} [{q[0]:.3f}, {q[2]:.3f}] | "
            f"{np.mean(col >= obs):.2f} |"
        )
    if args.figures:
        from alliance_sim.calibration.figures import save_calibration_figures

        for path in save_calibration_figures(first, args.figures):
            print(path)


if __name__ == "__main__":
    main()
