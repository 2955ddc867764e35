"""The ``alliance-sim`` command line: presets, runs, plots, backtests, scenario files.

::

    alliance-sim presets
    alliance-sim run PRESET|FILE [--draws N] [--seed S] [--sampler M] [--stream]
                               [--store DIR.zarr [--overwrite | --resume]] [--workers K]
                               [--out SUMMARY.csv]
    alliance-sim plot PRESET|FILE [--draws N] [--seed S] [--dir DIRECTORY]
    alliance-sim backtest [--draws N] [--particles P] [--generations G] [--seed S] [--static]
    alliance-sim calibrate [--before FY] [--particles P] [--generations G] [--seed S]
                           [--out POSTERIOR.csv]
    alliance-sim forecast [--draws N] [--seed S]
    alliance-sim export PRESET [--out FILE.toml]

``PRESET`` is a preset's name (see ``presets``); ``FILE`` a scenario file (TOML).
Errors go to stderr with exit status 1; usage errors exit with 2 (argparse). The
library is imported only by the command that needs it, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

PRESET_NAMES = ("japan_us_2020", "korea_us_2019")


def _scenario(spec: str) -> Any:
    from .scenarios import PRESETS, load_scenario

    if spec in PRESETS:
        return PRESETS[spec]()
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        return load_scenario(path)
    raise ValueError(f"{spec!r} is neither a preset ({', '.join(PRESETS)}) nor a scenario file")


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer; got {text}")
    return value


def _cmd_presets(args: argparse.Namespace) -> int:
    from .scenarios import PRESETS

    for name, factory in PRESETS.items():
        print(f"{name:16} {factory().title}")
    return 0


_EXPLAIN = (
    'In Python, res.explain("agreement week") (any row of the table) says what a row '
    "means and how to read it."
)


def _cmd_run(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import simulate

    scn = _scenario(args.scenario)
    start = time.perf_counter()
    res = simulate(
        scn,
        args.draws,
        seed=args.seed,
        sampler=args.sampler,
        keep=not args.stream,
        store=args.store,
        overwrite=args.overwrite,
        resume=args.resume,
        workers=args.workers,
        progress=None,
        stances=None if args.stances else False,
        talks=None if args.talks else False,
        offers=True if args.offers else None,
    )
    from .results.glossary import format_summary, reading

    table = res.summary()
    print(
        f"{scn.title}: {res.n:,} draws, seed {args.seed}, {time.perf_counter() - start:.2f} s; "
        f"payments in {scn.payment_unit}"
    )
    with pd.option_context("display.width", 140, "display.max_rows", 500):
        print(format_summary(table))
    x0 = scn.parameters[scn.status_quo]
    said = reading(table, scn.payment_unit, float(x0.value) if x0.is_fixed else None)
    print("\nReading (all draws):")
    for line in [*said.split("\n"), _EXPLAIN]:
        print(textwrap.fill(line, 100))
    if args.out:
        table.to_csv(args.out)
        print(f"summary written to {args.out}", file=sys.stderr)
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from . import simulate
    from .results import plots

    scn = _scenario(args.scenario)
    res = simulate(scn, args.draws, seed=args.seed)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    for path in plots.save_all(res, directory):
        print(path)
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    if args.static:
        from . import backtest

        result = backtest.backtest(n=args.draws, seed=args.seed)
        print(backtest.backtest_table(result.table))
        print()
        print(backtest.summary_table(result.summary))
        return 0
    from .calibration.backtest import rolling_backtest, rolling_summary_table, rolling_table

    res = rolling_backtest(
        n=args.draws,
        n_particles=args.particles,
        generations=args.generations,
        seed=args.seed,
        progress=True,
    )
    print(rolling_table(res.table))
    print()
    print(rolling_summary_table(res.summary))
    print()
    print("skipped: " + "; ".join(f"{k} ({v})" for k, v in res.summary["skipped"].items()))
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibration import calibrate
    from .calibration.posterior import write_posterior

    cal = calibrate(
        before=args.before,
        n_particles=args.particles,
        generations=args.generations,
        seed=args.seed,
        progress=not args.quiet,
    )
    r = cal.result
    print(f"calibrated on {len(cal.facts)} agreements: {', '.join(map(str, cal.facts.index))}")
    print(
        f"{len(r.history)} generations ({r.stop_reason}), {r.n_simulations:,} simulations, "
        f"final epsilon {r.history[-1].epsilon:.4g}, ESS {r.ess:.0f} of {r.particles.shape[0]}"
    )
    print(cal.summary().to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out:
        before = "" if args.before is None else f" --before {args.before}"
        command = (
            f"alliance-sim calibrate{before} --particles {args.particles} "
            f"--generations {args.generations} --seed {args.seed} --out {args.out}"
        )
        print(f"written to {write_posterior(cal, args.out, command=command)}")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .calibration.forecast import forecast_2020

    print(forecast_2020(n=args.draws, seed=args.seed).table())
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .scenarios import PRESETS, dump_scenario, preset_file

    if args.as_written:
        if args.scenario not in PRESETS:
            raise ValueError(f"--as-written copies a preset's file; {args.scenario!r} is not one")
        text = preset_file(args.scenario).read_text(encoding="utf-8")
    else:
        text = dump_scenario(_scenario(args.scenario))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


_DESCRIPTION = """\
Bargaining models of alliance cost-sharing talks (alliance_sim).

A scenario draws every uncertain parameter (costs, audience costs, bargaining power,
the election, each side's commitment) from a stated law, many times. For each draw
the model computes the settlement range (the payments both sides prefer to no deal),
the Nash, Kalai-Smorodinsky and split-the-difference payments, a game of negotiating
stances, and reputational talks on the real calendar (when they agree, one-year
deals, lapses). The output is a table of probabilities and quantiles over the draws,
for all draws and by election winner, followed by a short reading of its headline
rows."""

_EXAMPLES = """\
examples:
  alliance-sim presets                               list the presets
  alliance-sim run japan_us_2020 --draws 100000      summary table of the 2020 talks
  alliance-sim export japan_us_2020 --out my.toml    a scenario file to edit
  alliance-sim export japan_us_2020 --as-written     the preset's own file, with its
                                                     comments and hand-set priors
  alliance-sim run my.toml --draws 50000 --out summary.csv
  alliance-sim backtest                              forecast each past agreement from
                                                     the earlier ones, and score it

'alliance-sim <command> --help' describes each command's options."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-sim",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("alliance_sim")
    except PackageNotFoundError:  # (run from a source tree without installing)
        installed = "unknown (not installed)"
    parser.add_argument("--version", action="version", version=f"alliance-sim {installed}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("presets", help="list the preset scenarios")
    p.set_defaults(func=_cmd_presets)

    def scenario_args(p: argparse.ArgumentParser, draws: int) -> None:
        p.add_argument("scenario", help=f"a preset ({', '.join(PRESET_NAMES)}) or a .toml file")
        p.add_argument("--draws", type=_positive, default=draws, help=f"draws (default {draws})")
        p.add_argument("--seed", type=_non_negative, default=7, help="random seed (default 7)")

    p = sub.add_parser("run", help="simulate a scenario and print its summary table")
    scenario_args(p, 200_000)
    p.add_argument(
        "--sampler",
        "--method",
        dest="sampler",
        choices=("random", "sobol", "lhs"),
        default="random",
        help="sampling design (default random)",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="keep no per-draw outputs: bounded memory, streamed quantiles (rel. error 1e-4)",
    )
    p.add_argument("--store", metavar="DIR", help="also stream per-draw outputs to this Zarr store")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an alliance_sim store already at --store (never anything else)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the incomplete --store of an interrupted run with the same arguments "
        "(a complete store is only read back)",
    )
    p.add_argument(
        "--workers", type=_positive, default=None, help="threads (default: available cores)"
    )
    p.add_argument(
        "--no-stances", dest="stances", action="store_false", help="skip the stance games"
    )
    p.add_argument(
        "--no-talks",
        dest="talks",
        action="store_false",
        help="skip the talks (the reputational war of attrition on the calendar)",
    )
    p.add_argument(
        "--offers",
        action="store_true",
        help="also solve complete-information alternating offers on the calendar",
    )
    p.add_argument("--out", help="also write the summary table to this CSV file")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("plot", help="simulate a scenario and write its figures as PNG files")
    scenario_args(p, 50_000)
    p.add_argument("--dir", default="figures", help="output directory (default ./figures)")
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser(
        "backtest", help="rolling backtest against past agreements, calibrated on the past only"
    )
    p.add_argument(
        "--draws",
        type=_positive,
        default=4000,
        help="predictive draws per agreement (default 4000)",
    )
    p.add_argument("--particles", type=_positive, default=400, help="ABC particles (default 400)")
    p.add_argument("--generations", type=_positive, default=6, help="ABC generations (default 6)")
    p.add_argument(
        "--seed",
        type=_non_negative,
        default=2020,
        help="random seed (default 2020, docs/explanation/backtest.md)",
    )
    p.add_argument(
        "--static",
        action="store_true",
        help="the static core's backtest instead (uncalibrated Nash payment; --draws, --seed)",
    )
    p.set_defaults(func=_cmd_backtest)

    p = sub.add_parser("calibrate", help="fit the talks' parameters to past agreements (ABC-SMC)")
    p.add_argument(
        "--before", type=_positive, default=None, help="use agreements with start_fy < FY only"
    )
    p.add_argument("--particles", type=_positive, default=1000, help="particles (default 1000)")
    p.add_argument("--generations", type=_positive, default=8, help="generations (default 8)")
    p.add_argument("--seed", type=_non_negative, default=2020, help="random seed (default 2020)")
    p.add_argument("--out", help="write the posterior (particles, weights, settings) to this CSV")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser(
        "forecast", help="the calibrated model's ex-ante forecast of the 2020 Japan-US talks"
    )
    p.add_argument("--draws", type=_positive, default=100_000, help="draws (default 100000)")
    p.add_argument("--seed", type=_non_negative, default=2020, help="random seed (default 2020)")
    p.set_defaults(func=_cmd_forecast)

    p = sub.add_parser("export", help="write a preset (or file) as a scenario file (TOML)")
    p.add_argument("scenario", help=f"a preset ({', '.join(PRESET_NAMES)}) or a .toml file")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument(
        "--as-written",
        action="store_true",
        help="a preset's shipped file, comments and hand-set priors included (default: the "
        "calibrated preset that 'run' runs)",
    )
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error
        sys.stdout = open(os.devnull, "w")
        return 0
    except (ValueError, TypeError, OSError, ImportError) as exc:
        print(f"alliance-sim {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
