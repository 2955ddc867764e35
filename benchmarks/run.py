"""Benchmarks of alliance_sim, each reported as a ratio against a baseline timed in the same run.

Run ``python benchmarks/run.py`` (full sizes, a few minutes) or
``python benchmarks/run.py --quick`` (small sizes, a smoke run of under 30 s).
Every benchmark prints a markdown table; times are the best of ``--repeats``
calls measured with :func:`time.perf_counter` (the slow per-draw reference loops
run once). The machine this runs on may be small and noisy, so absolute times
mean little: read the ratio columns, whose numerator and denominator were
measured in one process, minutes apart. Nothing here asserts on timings.

A. **Vectorized nonlinear Nash vs a per-draw scipy loop.** Draws of the
   ``japan_us_2020`` preset (nonlinear: Tokyo's quadratic audience cost and
   Washington's kinked loss aversion), typed parameters resolved for the
   election winner. The vectorized engine (`BargainingProblem` + `nash_solution`:
   reservation payments and the Nash first-order condition by a vectorized
   bracketing root finder) is compared with
   `alliance_sim.testing.reference.nash_reference`, which solves each draw with
   scalar ``scipy.optimize`` routines (``brentq`` for the reservation payments,
   bounded Brent ``minimize_scalar`` for the Nash product). The per-draw parameter
   dicts are built before the loop is timed, so the baseline pays only for the
   solving. Agreement is checked against that loop (which maximizes by function
   values, so it agrees to about 1e-5) and, on a subset, against
   `nash_foc_reference` (``brentq`` on the first-order condition, ~1e-9).

B. **Whole-pipeline throughput vs a memory-bandwidth yardstick.** ``simulate``
   on the affine (linear) variant of the preset (its reference-point terms
   removed, so every term is affine and the Nash payment has a closed form), and
   its stages on their own, chunk by chunk as ``simulate`` runs them: sampling
   (``ParameterSpace.sample``), evaluation (``evaluate``) and merging the chunks
   (``np.concatenate``, replicating ``simulate``). The yardstick is the least work any
   pipeline must do per draw: touching one float64 per parameter, timed as
   ``numpy.add`` accumulating as many length-``n`` arrays as the scenario has
   parameters (arrays allocated outside the timing). The nonlinear preset is
   timed the same way.

C. **Chunk size.** ``simulate`` of the preset with several ``chunk_size`` values:
   time relative to the default chunk (``alliance_sim.sweep.CHUNK``), and a check that every output
   and parameter array is bit-identical across chunk sizes.

D. **All Nash equilibria of batches of small bimatrix games.** Batches of random
   2×2, 3×3 (100,000 each) and 4×4 (10,000) games with ``rng.normal`` payoffs, and
   20,000 degenerate-heavy 3×3 games with integer payoffs in {-2..2}.
   ``bimatrix_equilibria`` is timed on the whole batch (best of ``--repeats``); the
   per-game baselines, nashpy's ``support_enumeration`` and ``vertex_enumeration``
   (run once) and, if installed, quantecon's numba-compiled ``support_enumeration``
   (best of ``--repeats``, games prebuilt, JIT warmed up), loop over a prefix
   subsample of the same batch, and their µs per game is extrapolated from it. On
   that prefix every game's equilibrium set is compared with pygambit's exact
   ``enummixed_solve(rational=True)`` on the exact float64 values (as fractions), and
   with each baseline. For the whole batch: the share of games with an odd number of
   equilibria (all non-degenerate games, Wilson 1971), the degenerate share and the
   largest regret returned.

E. **Complete-information alternating offers** on the 2020 calendar (the ``offers``
   stage), against the static core on the same draws.

F. **Scaling and backends** of streamed runs of the core pipeline.

G. **Reputational bargaining.** ``abreu_gul`` on 10^6 draws against the ``numpy.add``
   yardstick; the preset's talks stage (the war of attrition) through ``simulate``,
   against the static core in the same run.

H. **Calibration.** The past agreements' simulator called with one particle (as a
   per-particle ABC library would) against batches; then ``calibrate(before=2020)``
   at the shipped settings (1,000 particles, 8 generations): wall time, simulations,
   talks draws per second.

I. **Compiled kernels (issue 13).** ``simulate`` of the preset with the talks and the
   stance games switched on and off, against the static core and a ``numpy.add``
   yardstick; the same runs with the kernels off (``ALLIANCE_SIM_KERNELS=0``, a fresh
   process) for the kernels' speed-up and the agreement of every array; one thread
   against Dask threads; the first call's compile cost (fresh processes, empty and
   filled ``NUMBA_CACHE_DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import TypeVar, cast

import numpy as np
import scipy
from numpy.typing import ArrayLike, NDArray

import alliance_sim as asim
from alliance_sim.games import BargainingProblem
from alliance_sim.parameters import BLOCK, Draws
from alliance_sim.scenarios import Scenario, japan_us_2020
from alliance_sim.solvers import Equilibria, bimatrix_equilibria, nash_solution
from alliance_sim.sweep import CHUNK, bargaining_problem, evaluate, simulate
from alliance_sim.testing.reference import default_gains, nash_foc_reference, nash_reference

T = TypeVar("T")
Array = NDArray[np.float64]

SEED = 20_201_015
#: Bracket seed of the reference loops: the preset's status quo payment (¥199.3bn).
REFERENCE_SCALE = 199.3
#: Goals stated in the issue (reported, never asserted).
NASH_SPEEDUP_GOAL = 100.0
NASH_GOAL_N = 100_000
YARDSTICK_GOAL = 10.0


@dataclass(frozen=True)
class Sizes:
    """Problem sizes of one run."""

    nash_n: int  # A: draws solved by both engines
    foc_n: int  # A: draws of the FOC-reference subset
    pipeline_n: int  # B: draws per call
    chunk_n: int  # C: draws per simulate call
    chunk_sizes: tuple[int, ...]  # C: chunk sizes compared
    # D: (strategies per player m, games in the batch, prefix timed and checked by the references)
    games: tuple[tuple[int, int, int], ...]
    degenerate_n: int  # D: 3×3 integer games with payoffs in {-2..2}
    degenerate_check_n: int  # D: prefix of those checked against gambit
    talks_n: int  # E, G: draws of the talks
    reputation_n: int  # G: draws of abreu_gul
    talk_periods: tuple[int, ...]  # E: calendar lengths
    scale_ns: tuple[int, ...]  # F: draws per streamed run (a fresh process each)
    backend_n: int  # F: draws per backend comparison
    calib_particles: int  # H: ABC particles
    calib_generations: int  # H: ABC generations
    kernel_n: int  # I: draws per simulate call, kernels and numpy reference
    kernel_warm_n: int  # I: draws of the warm-up call before timing (JIT compile excluded)
    kernel_threads_n: int  # I: draws of the thread-scaling runs


FULL = Sizes(
    nash_n=100_000,
    foc_n=2_000,
    pipeline_n=1_000_000,
    chunk_n=262_144,
    chunk_sizes=(8_192, 32_768, 65_536, 262_144),
    games=((2, 100_000, 2_000), (3, 100_000, 2_000), (4, 10_000, 500)),
    degenerate_n=20_000,
    degenerate_check_n=500,
    talks_n=100_000,
    reputation_n=1_000_000,
    talk_periods=(10, 20, 30, 37, 80),
    scale_ns=(10_000, 100_000, 1_000_000, 10_000_000, 100_000_000),
    backend_n=1_048_576,
    calib_particles=1000,
    calib_generations=8,
    kernel_n=100_000,
    kernel_warm_n=2_000,
    kernel_threads_n=2 * BLOCK,
)
QUICK = Sizes(
    nash_n=2_000,
    foc_n=2_000,
    pipeline_n=50_000,
    chunk_n=20_000,
    chunk_sizes=(8_192, 32_768, 65_536, 262_144),
    games=((2, 2_000, 200), (3, 2_000, 100), (4, 500, 20)),
    degenerate_n=2_000,
    degenerate_check_n=100,
    talks_n=2_000,
    reputation_n=20_000,
    talk_periods=(10, 30),
    scale_ns=(10_000, 100_000),
    backend_n=2 * BLOCK,
    calib_particles=40,
    calib_generations=2,
    kernel_n=5_000,
    kernel_warm_n=1_000,
    kernel_threads_n=5_000,
)


# Timing and formatting helpers ------------------------------------------------------------
def best_of(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Shortest wall time (s, `time.perf_counter`) of ``repeats`` calls of ``fn``, and its result.

    The minimum is the least noisy estimate on a shared machine: noise only adds time.
    """
    best, result = math.inf, None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, cast(T, result)


def once(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time of a single call of ``fn`` (for the slow reference loops)."""
    return best_of(fn, 1)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table; the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if j == 0 else c.rjust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = ["-" * w if j == 0 else "-" * (w - 1) + ":" for j, w in enumerate(widths)]
    return "\n".join([line(header), "| " + " | ".join(rule) + " |", *map(line, rows)])


def fmt_n(n: int) -> str:
    return f"{n:,}"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.4f}" if abs(seconds) < 10 else f"{seconds:.2f}"


def fmt_rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}"


def fmt_ratio(r: float) -> str:
    return f"{r:,.1f}×" if r >= 10 else f"{r:.2f}×"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def heading(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def progress(message: str) -> None:
    """Progress note on stderr, so that stdout stays clean markdown."""
    print(message, file=sys.stderr, flush=True)


# Shared model plumbing ----------------------------------------------------------------------
def build_problem(scn: Scenario, draws: Draws) -> BargainingProblem:
    """The bargaining problem of ``draws`` with the election resolved, as `evaluate` builds it."""
    return bargaining_problem(scn, draws)


def affine_scenario() -> Scenario:
    """The preset without its reference-point terms: every remaining term is affine in x."""
    scn = japan_us_2020()
    return scn.with_players(
        payer=scn.payer.without("reference_point"), payee=scn.payee.without("reference_point")
    )


def max_abs_diff(a: Array, b: Array) -> float:
    """Largest |a − b| over draws where both are finite (NaN if there are none)."""
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.nanmax(np.abs(a - b))) if both.any() else math.nan


# Benchmark A ----------------------------------------------------------------------------------
def bench_nash(sizes: Sizes, repeats: int) -> None:
    heading("A. Vectorized nonlinear Nash solution vs per-draw scipy loop")
    scn = japan_us_2020()
    n = sizes.nash_n
    draws = scn.parameters.sample(n, seed=SEED)
    state = scn.election.resolve(draws, draws["t_signing"])  # type: ignore[union-attr]
    beta = np.asarray(draws["beta_US"])

    def vectorized() -> Array:
        problem = BargainingProblem(
            scn.payer,
            scn.payee,
            state,
            term_years=draws["term_years"],
            signing_time=draws["t_signing"],
            floor=scn.payment_floor,
            scale=draws["status_quo"],
        )
        return nash_solution(problem, beta).payment

    problem = build_problem(scn, draws)
    assert not problem.affine, "the preset must take the nonlinear (root-finding) path"
    t_vec, x_vec = best_of(vectorized, repeats)
    t_solve, x_solve = best_of(lambda: nash_solution(problem, beta).payment, repeats)

    # Baseline inputs, outside the timing: one dict of Python floats per draw.
    cols = {k: np.asarray(v) for k, v in state.items()}
    keys = list(cols)
    matrix = np.column_stack([cols[k] for k in keys]).tolist()
    per_draw: list[dict[str, float]] = [dict(zip(keys, row, strict=True)) for row in matrix]

    progress(f"timing the per-draw reference loop over {n:,} draws (runs once) ...")
    t_loop, x_loop = once(
        lambda: nash_reference(lambda i: default_gains(per_draw[i]), beta, n, scale=REFERENCE_SCALE)
    )
    m = min(sizes.foc_n, n)
    t_foc, x_foc = once(
        lambda: nash_foc_reference(lambda i: per_draw[i], beta[:m], m, scale=REFERENCE_SCALE)
    )

    def throughput_ratio(count: int, seconds: float) -> str:
        return fmt_ratio((count / seconds) / (n / t_loop))

    header = [
        "case",
        "n draws",
        "seconds",
        "draws/s",
        "throughput vs loop",
        "max abs diff",
        "diff against",
    ]
    rows = [
        [
            "baseline: per-draw scipy loop `nash_reference` (brentq + minimize_scalar), 1 run",
            fmt_n(n),
            fmt_s(t_loop),
            fmt_rate(n, t_loop),
            "1.00×",
            "—",
            "—",
        ],
        [
            f"vectorized: `BargainingProblem` + `nash_solution` (best of {repeats})",
            fmt_n(n),
            fmt_s(t_vec),
            fmt_rate(n, t_vec),
            throughput_ratio(n, t_vec),
            f"{max_abs_diff(x_vec, x_loop):.2e}",
            "baseline",
        ],
        [
            f"vectorized: `nash_solution` only, problem prebuilt (best of {repeats})",
            fmt_n(n),
            fmt_s(t_solve),
            fmt_rate(n, t_solve),
            throughput_ratio(n, t_solve),
            f"{max_abs_diff(x_solve, x_loop):.2e}",
            "baseline",
        ],
        [
            "per-draw scipy loop `nash_foc_reference` (brentq on the FOC), 1 run",
            fmt_n(m),
            fmt_s(t_foc),
            fmt_rate(m, t_foc),
            throughput_ratio(m, t_foc),
            f"{max_abs_diff(x_vec[:m], x_foc):.2e}",
            f"vectorized, first {m:,} draws",
        ],
    ]
    print(markdown_table(header, rows))

    nan_vec, nan_loop = np.isnan(x_vec), np.isnan(x_loop)
    rel = np.abs(x_vec - x_loop) / np.maximum(np.abs(x_loop), 1.0)
    speedup = t_loop / t_vec
    print()
    print(
        f"- NaNs (empty settlement range) coincide with the baseline: "
        f"{yes_no(bool(np.array_equal(nan_vec, nan_loop)))} "
        f"({int(nan_vec.sum()):,} vectorized, {int(nan_loop.sum()):,} baseline, of {n:,}); "
        f"with the FOC reference: {yes_no(bool(np.array_equal(nan_vec[:m], np.isnan(x_foc))))}"
    )
    print(
        f"- max relative difference vs baseline: {float(np.nanmax(rel)):.2e}; "
        f"solve-only payments bit-identical to build + solve: "
        f"{yes_no(bool(np.array_equal(x_vec, x_solve, equal_nan=True)))}"
    )
    goal = "MET" if speedup >= NASH_SPEEDUP_GOAL else "NOT MET"
    where = "" if n == NASH_GOAL_N else f" (this run used {n:,} draws, not {NASH_GOAL_N:,})"
    print(
        f"- goal ≥ {NASH_SPEEDUP_GOAL:.0f}× at {NASH_GOAL_N:,} draws (build + solve vs loop): "
        f"{fmt_ratio(speedup)} → {goal}{where}"
    )


# Benchmark B ----------------------------------------------------------------------------------
def yardstick(n: int, k: int, repeats: int) -> float:
    """Best time of ``numpy.add`` accumulating ``k`` float64 arrays of length ``n``."""
    rng = np.random.default_rng(SEED)
    arrays = [rng.random(n) for _ in range(k)]

    def add_all() -> Array:
        acc = arrays[0].copy()
        for a in arrays[1:]:
            np.add(acc, a, out=acc)
        return acc

    seconds, _ = best_of(add_all, repeats)
    return seconds


STAGES = {
    "simulate": f"`simulate` (chunks of {CHUNK:,})",
    "sample": "stage: `parameters.sample`, per chunk",
    "evaluate": "stage: `evaluate`, per chunk",
    "merge": "stage: merging the chunks (`np.concatenate`, as `simulate` does)",
    "evaluate_once": "`evaluate` in one call on all draws (for comparison)",
}


def sample_chunks(scn: Scenario, n: int) -> list[Draws]:
    """The draws of ``simulate(scn, n, seed=SEED)``, chunk by chunk, as `simulate` samples them."""
    return [
        scn.parameters.sample(min(CHUNK, n - start), seed=SEED, start=start)
        for start in range(0, n, CHUNK)
    ]


def merge_chunks(
    outputs: list[dict[str, np.ndarray]], chunks: list[Draws]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Concatenate per-chunk outputs and parameters the way `simulate` does."""
    params = [{k: np.asarray(v) for k, v in d.items()} for d in chunks]
    merged_out = {k: np.concatenate([o[k] for o in outputs]) for k in outputs[0]}
    merged_par = {k: np.concatenate([p[k] for p in params]) for k in params[0]}
    return merged_out, merged_par


def bench_pipeline(sizes: Sizes, repeats: int) -> None:
    heading("B. Whole-pipeline throughput vs memory-bandwidth yardstick")
    n = sizes.pipeline_n
    linear, nonlinear = affine_scenario(), japan_us_2020()
    assert build_problem(linear, linear.parameters.sample(1_000, seed=SEED)).affine
    assert not build_problem(nonlinear, nonlinear.parameters.sample(1_000, seed=SEED)).affine

    k = len(linear.parameters)
    yard_repeats = max(repeats, 5)
    t_yard = yardstick(n, k, yard_repeats)
    header = ["case", "n draws", "seconds", "draws/s", "time / yardstick"]
    rows = [
        [
            f"yardstick: `numpy.add` over {k} float64 arrays (best of {yard_repeats})",
            fmt_n(n),
            fmt_s(t_yard),
            fmt_rate(n, t_yard),
            "1.00×",
        ]
    ]
    ratio: dict[tuple[str, str], float] = {}
    stage_sums: dict[str, tuple[float, float]] = {}
    for label, scn in (("affine", linear), ("nonlinear preset", nonlinear)):
        progress(f"timing the {label} scenario (best of {repeats}) ...")
        seconds: dict[str, float] = {}
        seconds["simulate"], _ = best_of(
            lambda scn=scn: simulate(
                scn, n, seed=SEED, stances=False, talks=False, scheduler="sync"
            ),
            repeats,
        )
        seconds["sample"], chunks = best_of(lambda scn=scn: sample_chunks(scn, n), repeats)
        seconds["evaluate"], outputs = best_of(
            lambda scn=scn, chunks=chunks: [evaluate(scn, d) for d in chunks], repeats
        )
        seconds["merge"], _ = best_of(
            lambda outputs=outputs, chunks=chunks: merge_chunks(outputs, chunks), repeats
        )
        del chunks, outputs
        draws = scn.parameters.sample(n, seed=SEED)
        seconds["evaluate_once"], _ = best_of(
            lambda scn=scn, draws=draws: evaluate(scn, draws), repeats
        )
        del draws
        stages = seconds["sample"] + seconds["evaluate"] + seconds["merge"]
        stage_sums[label] = (stages, seconds["simulate"])
        for stage, t in seconds.items():
            ratio[label, stage] = t / t_yard
            rows.append(
                [
                    f"{label}: {STAGES[stage]}",
                    fmt_n(n),
                    fmt_s(t),
                    fmt_rate(n, t),
                    fmt_ratio(t / t_yard),
                ]
            )
    print(markdown_table(header, rows))

    sim = ratio["affine", "simulate"]
    goal = "MET" if sim <= YARDSTICK_GOAL else "NOT MET"
    print()
    print(
        f"- goal: affine `simulate` within {YARDSTICK_GOAL:.0f}× of the yardstick: "
        f"{fmt_ratio(sim)} → {goal}"
    )
    print(
        f"- affine stages alone: sampling {fmt_ratio(ratio['affine', 'sample'])}, "
        f"evaluation {fmt_ratio(ratio['affine', 'evaluate'])} "
        f"(one call: {fmt_ratio(ratio['affine', 'evaluate_once'])}), "
        f"merging {fmt_ratio(ratio['affine', 'merge'])}"
    )
    print(
        f"- nonlinear preset: `simulate` {fmt_ratio(ratio['nonlinear preset', 'simulate'])}; "
        f"sampling {fmt_ratio(ratio['nonlinear preset', 'sample'])}, "
        f"evaluation {fmt_ratio(ratio['nonlinear preset', 'evaluate'])}, "
        f"merging {fmt_ratio(ratio['nonlinear preset', 'merge'])}"
    )
    sums = "; ".join(
        f"{label} {fmt_s(stages)} s vs {fmt_s(total)} s"
        for label, (stages, total) in stage_sums.items()
    )
    print(f"- consistency: sum of the three stages vs `simulate`: {sums}")


# Benchmark C ----------------------------------------------------------------------------------
def arrays_of(result: asim.SimulationResult) -> dict[str, np.ndarray]:
    """Every output and parameter array of a simulation result, by a qualified name."""
    out = {f"outputs.{k}": v for k, v in result.outputs.items()}
    out.update({f"parameters.{k}": v for k, v in result.parameters.items()})
    return out


def differing(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> list[str]:
    """Names whose arrays are not bit-identical (NaN equal to NaN), or present in one only."""
    return [
        k
        for k in sorted(set(a) | set(b))
        if k not in a or k not in b or not np.array_equal(a[k], b[k], equal_nan=True)
    ]


def bench_chunks(sizes: Sizes, repeats: int) -> None:
    heading("C. Chunk size of `simulate` (nonlinear preset)")
    scn = japan_us_2020()
    n = sizes.chunk_n
    timed: dict[int, tuple[float, dict[str, np.ndarray]]] = {}
    for c in sizes.chunk_sizes:
        seconds, res = best_of(
            lambda c=c: simulate(
                scn, n, seed=1, chunk_size=c, stances=False, talks=False, scheduler="sync"
            ),
            repeats,
        )
        timed[c] = (seconds, arrays_of(res))
    base_c = CHUNK if CHUNK in timed else sizes.chunk_sizes[0]
    base_s, base_arrays = timed[base_c]
    header = ["chunk_size", "chunks", "n draws", "seconds", "draws/s", "time / default chunk"]
    rows = []
    mismatches: dict[int, list[str]] = {}
    for c, (seconds, arrays) in timed.items():
        mismatches[c] = differing(arrays, base_arrays)
        rows.append(
            [
                f"{c:,}" + (" (default `CHUNK`, baseline)" if c == base_c else ""),
                str(math.ceil(n / c)),
                fmt_n(n),
                fmt_s(seconds),
                fmt_rate(n, seconds),
                fmt_ratio(seconds / base_s),
            ]
        )
    print(f"best of {repeats}; seed=1\n")
    print(markdown_table(header, rows))
    bad = {c: names for c, names in mismatches.items() if names}
    print()
    print(
        f"- identical: {yes_no(not bad)} (np.array_equal(equal_nan=True) on all "
        f"{len(base_arrays)} output and parameter arrays, each chunk size vs {base_c:,})"
    )
    for c, names in bad.items():
        print(f"  - chunk_size={c:,} differs in: {', '.join(names)}")


# Benchmark D ----------------------------------------------------------------------------------
#: Goal stated in the issue (reported, never asserted): µs per 3×3 game in a batch of 100,000.
BIMATRIX_GOAL_US = 1.0
BIMATRIX_GOAL_N = 100_000
#: Baseline profiles are kept if each player's regret is at most this × that player's payoff range.
REGRET_FILTER = 1e-9
#: Baseline profiles within this (max abs over x and y) are one profile.
DEDUPE_ATOL = 1e-7
#: Two equilibrium sets are equal when their profiles pair up one to one within this.
MATCH_ATOL = 1e-6

#: Equilibria of one game, one per row: the row player's strategy x, then the column player's y.
Profiles = Array


def optional_import(name: str) -> ModuleType | None:
    """The module ``name``, or None if it cannot be imported (its rows are then skipped)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def normal_games(m: int, n: int) -> tuple[Array, Array]:
    """``n`` random m×m games, payoffs standard normal (generic: non-degenerate almost surely)."""
    rng = np.random.default_rng([SEED, m])
    return rng.normal(size=(n, m, m)), rng.normal(size=(n, m, m))


def integer_games(n: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``n`` random 3×3 games with payoffs in {-2..2} (ties everywhere: mostly degenerate)."""
    rng = np.random.default_rng([SEED, 3, 3, 2])
    return rng.integers(-2, 3, (n, 3, 3)), rng.integers(-2, 3, (n, 3, 3))


def our_profiles(eq: Equilibria, count: int) -> list[Profiles]:
    """Our equilibria of the first ``count`` games."""
    offsets = eq.offsets
    xy = np.hstack([eq.row, eq.col])
    return [xy[offsets[g] : offsets[g + 1]] for g in range(count)]


def cleaned(raw: Sequence[tuple[ArrayLike, ArrayLike]], A: Array, B: Array) -> tuple[Profiles, int]:
    """A floating-point baseline's profiles of one game, made comparable.

    Tiny negatives are clipped to 0 and each strategy renormalized; profiles whose regret
    exceeds `REGRET_FILTER` × the player's payoff range are dropped (counted); the rest are
    deduplicated within `DEDUPE_ATOL`.
    """
    span_a, span_b = float(np.ptp(A)) or 1.0, float(np.ptp(B)) or 1.0
    kept: list[Array] = []
    dropped = 0
    for x_raw, y_raw in raw:
        x = np.clip(np.asarray(x_raw, dtype=np.float64), 0.0, None)
        y = np.clip(np.asarray(y_raw, dtype=np.float64), 0.0, None)
        if x.sum() <= 0 or y.sum() <= 0:
            dropped += 1
            continue
        x, y = x / x.sum(), y / y.sum()
        Ay, xB = A @ y, x @ B
        if Ay.max() - x @ Ay > REGRET_FILTER * span_a or xB.max() - xB @ y > REGRET_FILTER * span_b:
            dropped += 1
            continue
        v = np.concatenate([x, y])
        if not any(np.abs(v - w).max() <= DEDUPE_ATOL for w in kept):
            kept.append(v)
    return np.array(kept).reshape(len(kept), A.shape[0] + A.shape[1]), dropped


def gambit_profiles(gbt: ModuleType, A: ArrayLike, B: ArrayLike) -> Profiles:
    """Exact extreme equilibria from pygambit's ``enummixed_solve(rational=True)``.

    The payoffs enter as `fractions.Fraction` of the float64 values, so gambit solves exactly
    the game we solve (not a rounded one). Repeated equilibria are listed once.
    """
    A_py, B_py = np.asarray(A).tolist(), np.asarray(B).tolist()
    game = gbt.Game.from_arrays(
        [[Fraction(v) for v in row] for row in A_py], [[Fraction(v) for v in row] for row in B_py]
    )
    players = list(game.players)
    exact: list[tuple[Fraction, ...]] = []
    for profile in gbt.nash.enummixed_solve(game, rational=True).equilibria:
        key = tuple(Fraction(profile[s]) for player in players for s in player.strategies)
        if key not in exact:
            exact.append(key)
    width = sum(len(player.strategies) for player in players)
    return np.array([[float(v) for v in key] for key in exact]).reshape(len(exact), width)


def mismatch(ref: Profiles, got: Profiles) -> tuple[int, int]:
    """(equilibria of ``ref`` with no partner in ``got``, unpaired equilibria of ``got``).

    Profiles pair up one to one when they agree within `MATCH_ATOL` (max abs).
    """
    unpaired = list(range(got.shape[0]))
    missing = 0
    for r in ref:
        hit = next((i for i in unpaired if np.abs(got[i] - r).max() <= MATCH_ATOL), None)
        if hit is None:
            missing += 1
        else:
            unpaired.remove(hit)
    return missing, len(unpaired)


@dataclass
class Reference:
    """One reference's equilibrium sets on a prefix of a batch, and how it was timed."""

    label: str
    sets: list[Profiles]
    seconds: float
    timing: str  # "1 run" or "best of k"
    dropped: int = 0  # profiles failing the regret filter
    exact: bool = False  # gambit: the yardstick of correctness


def nashpy_loop(
    method: str, A: Array, B: Array, count: int
) -> tuple[float, list[list[tuple[Array, Array]]]]:
    """One timed run of ``nashpy.Game(A[g], B[g]).<method>()`` over the first ``count`` games."""
    import nashpy

    def run() -> list[list[tuple[Array, Array]]]:
        with warnings.catch_warnings():  # degeneracy warnings; printing them is not the point
            warnings.simplefilter("ignore")
            if method == "support_enumeration":
                return [list(nashpy.Game(A[g], B[g]).support_enumeration()) for g in range(count)]
            return [list(nashpy.Game(A[g], B[g]).vertex_enumeration()) for g in range(count)]

    return once(run)


def references(
    A: Array,
    B: Array,
    count: int,
    repeats: int,
    modules: Mapping[str, ModuleType | None],
    float_baselines: bool,
    family: str,
) -> list[Reference]:
    """The available references on the first ``count`` games of the batch ``(A, B)``.

    Gambit always; nashpy and quantecon only if ``float_baselines`` (they assume
    non-degenerate games, so they are not run on the integer family).
    """
    refs: list[Reference] = []
    gbt, qe = modules["pygambit"], modules["quantecon.game_theory"]
    if gbt is not None:
        progress(f"  {family}: pygambit enummixed_solve (exact rational) on {count:,} games ...")
        seconds, sets = once(lambda: [gambit_profiles(gbt, A[g], B[g]) for g in range(count)])
        refs.append(
            Reference(
                "pygambit `enummixed_solve(rational=True)` (exact)",
                sets,
                seconds,
                "1 run",
                exact=True,
            )
        )
    if not float_baselines:
        return refs
    for method in ("support_enumeration", "vertex_enumeration"):
        progress(f"  {family}: nashpy {method} on {count:,} games ...")
        seconds, raw = nashpy_loop(method, A, B, count)
        pairs = [cleaned(raw[g], A[g], B[g]) for g in range(count)]
        refs.append(
            Reference(
                f"nashpy `{method}`",
                [p for p, _ in pairs],
                seconds,
                "1 run",
                dropped=sum(d for _, d in pairs),
            )
        )
    if qe is not None:
        progress(f"  {family}: quantecon support_enumeration on {count:,} games ...")
        # Games built before the clock: construction (~20 µs) would dominate the solve.
        games = [qe.NormalFormGame((qe.Player(A[g]), qe.Player(B[g].T))) for g in range(count)]
        qe.support_enumeration(games[0])  # numba compiles on the first call (seconds)
        seconds, raw = best_of(lambda: [qe.support_enumeration(G) for G in games], repeats)
        pairs = [cleaned(raw[g], A[g], B[g]) for g in range(count)]
        refs.append(
            Reference(
                "quantecon `support_enumeration` (games prebuilt)",
                [p for p, _ in pairs],
                seconds,
                f"best of {repeats}",
                dropped=sum(d for _, d in pairs),
            )
        )
    return refs


def agreement(ref: list[Profiles], got: list[Profiles]) -> tuple[int, int, int, int, int]:
    """Games whose sets are equal; games/equilibria ``got`` misses; games/equilibria it adds."""
    pairs = [mismatch(r, g) for r, g in zip(ref, got, strict=True)]
    return (
        sum(p == (0, 0) for p in pairs),
        sum(p[0] > 0 for p in pairs),
        sum(p[0] for p in pairs),
        sum(p[1] > 0 for p in pairs),
        sum(p[1] for p in pairs),
    )


def bench_bimatrix(sizes: Sizes, repeats: int) -> None:
    heading("D. All Nash equilibria of batches of small bimatrix games")
    names = ("nashpy", "pygambit", "quantecon", "quantecon.game_theory")
    modules = {name: optional_import(name) for name in names}
    versions = ", ".join(
        f"{name} {getattr(modules[name], '__version__', '?')}"
        if modules[name] is not None
        else f"{name} not installed (its rows are skipped)"
        for name in names[:3]
    )
    # (label, A, B, prefix checked, run the float baselines); payoffs are float64 before timing
    families: list[tuple[str, Array, Array, int, bool]] = [
        (f"{m}×{m}", *normal_games(m, n), c, True) for m, n, c in sizes.games
    ]
    A_int, B_int = integer_games(sizes.degenerate_n)
    families.append(
        (
            "3×3 integer {-2..2}",
            A_int.astype(np.float64),
            B_int.astype(np.float64),
            sizes.degenerate_check_n,
            False,
        )
    )

    time_rows, check_rows, prop_rows = [], [], []
    us: dict[str, float] = {}
    ours_vs_gambit: list[tuple[str, int, int]] = []
    disagreements: list[str] = []
    for family, A, B, count, float_baselines in families:
        n = A.shape[0]
        count = min(count, n)
        progress(f"D {family}: bimatrix_equilibria on {n:,} games (best of {repeats}) ...")
        t_all, eq = best_of(lambda A=A, B=B: bimatrix_equilibria(A, B), repeats)
        t_pre, _ = best_of(lambda A=A, B=B, c=count: bimatrix_equilibria(A[:c], B[:c]), repeats)
        us[family] = per_game = 1e6 * t_all / n
        time_rows += [
            [
                f"{family}: ours `bimatrix_equilibria`, whole batch (best of {repeats})",
                fmt_n(n),
                fmt_s(t_all),
                f"{per_game:.3f}",
                "1.00×",
            ],
            [
                f"{family}: ours, first {count:,} games only (best of {repeats})",
                fmt_n(count),
                fmt_s(t_pre),
                f"{1e6 * t_pre / count:.3f}",
                fmt_ratio(1e6 * t_pre / count / per_game),
            ],
        ]
        ours = our_profiles(eq, count)
        refs = references(A, B, count, repeats, modules, float_baselines, family)
        gambit = next((r for r in refs if r.exact), None)
        for ref in refs:
            ref_us = 1e6 * ref.seconds / count
            time_rows.append(
                [
                    f"{family}: {ref.label}, first {count:,} games ({ref.timing})",
                    fmt_n(count),
                    fmt_s(ref.seconds),
                    f"{ref_us:,.1f}",
                    fmt_ratio(ref_us / per_game),
                ]
            )
            same = agreement(ref.sets, ours)[0]
            if ref.exact:
                ours_vs_gambit.append((family, same, count))
                missed = "—"
                added = "—"
                vs_gambit = "—"
            elif gambit is not None:
                equal, g_miss, e_miss, g_add, e_add = agreement(gambit.sets, ref.sets)
                vs_gambit = f"{equal:,} / {count:,}"
                missed = f"{g_miss:,} / {e_miss:,}"
                added = f"{g_add:,} / {e_add:,}"
            else:
                vs_gambit = missed = added = "n/a"
            if same < count:
                bad = [g for g in range(count) if mismatch(ref.sets[g], ours[g]) != (0, 0)]
                where = f"games {', '.join(map(str, bad[:5]))}{', ...' if len(bad) > 5 else ''}"
                if gambit is not None and not ref.exact:
                    ref_wrong = sum(mismatch(gambit.sets[g], ref.sets[g]) != (0, 0) for g in bad)
                    ours_wrong = sum(mismatch(gambit.sets[g], ours[g]) != (0, 0) for g in bad)
                    where += (
                        f"; on these, {ref.label} ≠ gambit on {ref_wrong:,} and ours ≠ gambit "
                        f"on {ours_wrong:,}"
                    )
                disagreements.append(
                    f"{family}: ours ≠ {ref.label} on {len(bad):,} of {count:,} games ({where})"
                )
            check_rows.append(
                [
                    f"{family}: {ref.label}",
                    fmt_n(count),
                    f"{same:,} / {count:,}",
                    vs_gambit,
                    missed,
                    added,
                    "—" if ref.exact else fmt_n(ref.dropped),
                ]
            )
        regret = max(float(eq.row_regret.max(initial=0.0)), float(eq.col_regret.max(initial=0.0)))
        prop_rows.append(
            [
                family,
                fmt_n(n),
                f"{eq.degenerate.mean():.2%}",
                f"{np.mean(eq.count % 2 == 1):.2%}",
                f"{eq.count.mean():.3f} / {int(eq.count.max())}",
                f"{regret:.1e}",
            ]
        )
        del eq, ours, refs

    print(
        f"{versions}. Payoffs `rng.normal` (integer family: `rng.integers(-2, 3)`), "
        f"seed {SEED}. Ours is timed on the whole batch; the baselines loop over a prefix "
        f"subsample (the first games of the same batch), and their µs/game is extrapolated "
        f'per game from it. "per game vs ours" = case µs/game ÷ ours µs/game on the whole '
        f"batch of the same family, i.e. our speed-up per game.\n"
    )
    print(
        markdown_table(["case", "games timed", "seconds", "µs/game", "per game vs ours"], time_rows)
    )
    print(
        f"\nEquilibrium sets on the prefix (sets equal: profiles pair up one to one within "
        f"{MATCH_ATOL:g}; float baselines keep profiles with regret ≤ {REGRET_FILTER:g}·payoff "
        f"range, tiny negatives clipped, deduplicated within {DEDUPE_ATOL:g}; gambit's exact "
        f"list deduplicated exactly):\n"
    )
    print(
        markdown_table(
            [
                "reference",
                "games",
                "ours = reference",
                "reference = gambit",
                "reference misses (games / eqs)",
                "reference adds (games / eqs)",
                "dropped by regret filter",
            ],
            check_rows,
        )
    )
    print("\nWhole batch, from our equilibria:\n")
    print(
        markdown_table(
            [
                "games",
                "n games",
                "degenerate",
                "odd number of equilibria",
                "equilibria per game (mean / max)",
                "max regret",
            ],
            prop_rows,
        )
    )

    print()
    for line in disagreements:
        print(f"- {line}")
    goal_n = next(n for m, n, _ in sizes.games if m == 3)
    fast = us["3×3"] <= BIMATRIX_GOAL_US
    where = "" if goal_n == BIMATRIX_GOAL_N else f" (this run used {goal_n:,} games)"
    print(
        f"- speed goal ≤ {BIMATRIX_GOAL_US:g} µs per 3×3 game at {BIMATRIX_GOAL_N:,} games: "
        f"{us['3×3']:.3f} µs → {'MET' if fast else 'NOT MET'}{where}"
    )
    if ours_vs_gambit:
        checked = sum(c for _, _, c in ours_vs_gambit)
        equal = sum(s for _, s, _ in ours_vs_gambit)
        detail = ", ".join(f"{f} {s:,}/{c:,}" for f, s, c in ours_vs_gambit)
        print(
            f"- correctness goal, same equilibria as the exact reference (gambit) on every "
            f"checked game: {equal:,} / {checked:,} ({detail}) → "
            f"{'MET' if equal == checked else 'NOT MET'}"
        )
    else:
        print("- correctness goal: not checked (pygambit is not installed)")


# Driver -----------------------------------------------------------------------------------------
def git_revision() -> str:
    """Short commit of the working tree, with ``-dirty`` when it has local changes."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(args: argparse.Namespace) -> None:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    print("# alliance_sim benchmarks\n")
    print(f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"- mode: {'quick' if args.quick else 'full'}; repeats: {args.repeats}")
    print(f"- python {platform.python_version()} ({sys.implementation.name})")
    print(f"- platform: {platform.platform()}")
    print(f"- numpy {np.__version__}, scipy {scipy.__version__}, alliance_sim {asim.__version__}")
    print(f"- git: {git_revision()}")
    print(f"- CPU: {cpu_model()}; os.cpu_count() = {os.cpu_count()}, usable = {usable}")


def bench_offers(sizes: Sizes, repeats: int) -> None:
    """E. Complete-information alternating offers (``offers`` stage): time per draw, period.

    One order of proposals (Washington first), both election branches, two terms,
    the evaluator, weekly periods. Scaling: the final deadline moved to give
    10 … 80 periods. In-run baseline: the static core on the same draws (problem +
    generalized Nash), so the ratio says what the time dimension costs.
    """
    import dataclasses

    from alliance_sim.games.offers import offers_equilibrium
    from alliance_sim.scenarios import TalksCalendar

    heading("E. Alternating offers on the 2020 calendar (one order of proposals)")
    n = sizes.talks_n
    base = dataclasses.replace(
        japan_us_2020(), talks=TalksCalendar(period_days=7, terms=(1.0, 5.0), payee_first=True)
    )
    draws = base.parameters.sample(n, seed=SEED)
    static, _ = best_of(
        lambda: nash_solution(build_problem(base, draws), draws["beta_US"]), repeats
    )
    rows = [
        [
            "static core: problem + Nash (baseline)",
            "—",
            fmt_n(n),
            fmt_s(static),
            f"{static / n * 1e6:.2f}",
            "—",
            "1.00×",
        ]
    ]
    step = base.talks.period_years
    for periods in sizes.talk_periods:
        scn = base.with_parameters(t_final=(periods - 1) * step + 1e-6)
        d = draws.replace(t_final=(periods - 1) * step + 1e-6)
        progress(f"offers with {periods} periods on {n:,} draws ...")
        seconds, _ = best_of(lambda scn=scn, d=d: offers_equilibrium(scn, d), repeats)
        rows.append(
            [
                f"offers, final deadline after {periods} weeks",
                str(periods),
                fmt_n(n),
                fmt_s(seconds),
                f"{seconds / n * 1e6:.2f}",
                f"{seconds / n / periods * 1e9:.0f}",
                fmt_ratio(seconds / static),
            ]
        )
    print(
        markdown_table(
            [
                "case",
                "periods",
                "n draws",
                "seconds",
                "µs/draw",
                "ns/draw·period",
                "time / baseline",
            ],
            rows,
        )
    )
    print("\n- goal (issue #4): 100,000 draws × 30 weekly periods under 0.5 s on one core")


# Benchmark G ----------------------------------------------------------------------------------
#: Goal stated in issue #10 (reported, never asserted).
ABREU_GUL_GOAL_SECONDS = 0.1


def bench_reputation(sizes: Sizes, repeats: int) -> None:
    """G. The reputational talks: Abreu & Gul's closed forms, and the talks stage of the preset.

    1. ``abreu_gul`` on ``reputation_n`` random draws (six arrays in, eleven out),
       against the ``numpy.add`` yardstick over the same number of arrays.
    2. ``simulate`` of the Japan–US preset on ``talks_n`` draws, one thread, without
       the stance games: the static core alone (baseline), and with the talks stage
       (the war of attrition in both election branches, the opening concession, the
       realized paths and the ex-ante probabilities); µs per draw of each, and the
       talks stage alone (``talks_equilibrium``) on the same draws.
    """
    from alliance_sim.games.talks import talks_equilibrium
    from alliance_sim.solvers.reputation import abreu_gul

    heading("G. Reputational bargaining: Abreu & Gul, and the talks stage of the preset")
    n = sizes.reputation_n
    rng = np.random.default_rng(SEED)
    alpha_a = rng.uniform(0.35, 0.9, n)
    args = (
        alpha_a,
        np.clip(1.05 - alpha_a + rng.uniform(0.0, 0.5, n), 0.05, 0.95),
        rng.uniform(0.01, 0.5, n),
        rng.uniform(0.01, 0.5, n),
        rng.uniform(0.1, 3.0, n),
        rng.uniform(0.1, 3.0, n),
    )
    progress(f"abreu_gul on {n:,} draws ...")
    seconds, _ = best_of(lambda: abreu_gul(*args), repeats)
    stick = yardstick(n, 17, repeats)
    print(
        markdown_table(
            ["case", "n draws", "seconds", "µs/draw", "time / yardstick"],
            [
                [
                    "`numpy.add` over 17 arrays (yardstick)",
                    fmt_n(n),
                    fmt_s(stick),
                    f"{stick / n * 1e6:.3f}",
                    "1.00×",
                ],
                [
                    "`abreu_gul` (6 arrays in, 11 out)",
                    fmt_n(n),
                    fmt_s(seconds),
                    f"{seconds / n * 1e6:.3f}",
                    fmt_ratio(seconds / stick),
                ],
            ],
        )
    )
    print(f"\n- goal (issue #10): 10^6 draws under {ABREU_GUL_GOAL_SECONDS} s")

    n = sizes.talks_n
    scn = japan_us_2020()
    kw = dict(seed=SEED, stances=False, scheduler="sync", progress=False)
    progress(f"simulate with and without the talks on {n:,} draws ...")
    core, _ = best_of(lambda: simulate(scn, n, talks=False, **kw), repeats)
    full, _ = best_of(lambda: simulate(scn, n, talks=True, **kw), repeats)
    draws = scn.parameters.sample(n, seed=SEED)
    alone, _ = best_of(lambda: talks_equilibrium(scn, draws), repeats)
    print()
    print(
        markdown_table(
            ["case (one thread)", "n draws", "seconds", "µs/draw", "time / static core"],
            [
                [
                    "`simulate`, static core (`talks=False`, baseline)",
                    fmt_n(n),
                    fmt_s(core),
                    f"{core / n * 1e6:.1f}",
                    "1.00×",
                ],
                [
                    "`simulate` with the talks (`talks=True`)",
                    fmt_n(n),
                    fmt_s(full),
                    f"{full / n * 1e6:.1f}",
                    fmt_ratio(full / core),
                ],
                [
                    "`talks_equilibrium` alone, same draws",
                    fmt_n(n),
                    fmt_s(alone),
                    f"{alone / n * 1e6:.1f}",
                    fmt_ratio(alone / core),
                ],
            ],
        )
    )


# Benchmark F ----------------------------------------------------------------------------------
#: Goals stated in issue #5 (reported, never asserted).
SCALE_GOAL_SECONDS = 120.0
SCALE_GOAL_N = 100_000_000
SCALE_GOAL_RSS_GB = 1.5

_SCALE_CHILD = """
import json, sys, time
import alliance_sim as asim
from alliance_sim.sweep.memory import peak_rss
n, scheduler = int(sys.argv[1]), sys.argv[2]
scn = asim.scenarios.japan_us_2020()
floor = peak_rss()
if n:
    t = time.perf_counter()
    res = asim.simulate(scn, n, seed=1, keep=False, stances=False, talks=False,
                        scheduler=scheduler, progress=False)
    seconds = time.perf_counter() - t
    res.summary()
else:
    seconds = 0.0
print(json.dumps({"seconds": seconds, "floor_bytes": floor, "peak_bytes": peak_rss()}))
"""


def scale_child(n: int, scheduler: str = "threads") -> dict[str, float]:
    """Run a streamed (keep=False) core-pipeline simulation in a fresh process."""
    return cast(dict[str, float], run_child(_SCALE_CHILD, [str(n), scheduler], {}))


def bench_scale(sizes: Sizes, repeats: int) -> None:
    """F. Sweeps at scale: throughput and peak memory from 10^4 to 10^8 draws, and backends.

    Each size runs ``simulate(japan_us_2020(), n, keep=False, stances=False,
    talks=False)`` (the core pipeline, summaries only; default scheduler: Dask threads
    on the usable cores) in a fresh Python process, whose peak resident memory
    (``alliance_sim.sweep.memory.peak_rss``: ``VmHWM``, not ``ru_maxrss``, which a child
    inherits from its parent) is reported next to the same process's peak before simulating
    (imports and preset: the floor). Throughput is compared with the 10^6-draw run
    (flat = no super-linear cost). Backends: the same run in-process (``"sync"``,
    the baseline), on Dask threads, and on a ``LocalCluster`` of 1 and 2 worker
    processes with :data:`alliance_sim.sweep.DASK_CONFIG` and, to measure the trap
    it avoids, with the nanny's default ``MALLOC_TRIM_THRESHOLD_``.
    """
    import dask
    from distributed import Client, LocalCluster

    from alliance_sim.sweep import DASK_CONFIG

    heading("F. Sweeps at scale: streamed summaries, 10^4 … 10^8 draws, backends")
    rows = []
    runs: dict[int, dict[str, float]] = {}
    floor = scale_child(0)
    for n in sizes.scale_ns:
        progress(f"{n:,} draws in a fresh process ...")
        runs[n] = scale_child(n)
    ref_n = 1_000_000 if 1_000_000 in runs else sizes.scale_ns[-1]
    ref_rate = ref_n / runs[ref_n]["seconds"]
    for n, r in runs.items():
        rows.append(
            [
                fmt_n(n),
                fmt_s(r["seconds"]),
                fmt_rate(n, r["seconds"]),
                fmt_ratio(n / r["seconds"] / ref_rate),
                f"{r['peak_bytes'] / 2**30:.2f}",
                f"{(r['peak_bytes'] - r['floor_bytes']) / 2**30:.2f}",
            ]
        )
    print("threads on the usable cores; one run per size (a fresh process each)\n")
    print(
        markdown_table(
            [
                "n draws",
                "seconds",
                "draws/s",
                f"throughput / {fmt_n(ref_n)} run",
                "peak RSS (GiB)",
                "above floor (GiB)",
            ],
            rows,
        )
    )
    print(f"\n- floor (imports + preset, no simulation): {floor['peak_bytes'] / 2**30:.2f} GiB")
    big = max(runs)
    print(
        f"- goal (issue #5): {fmt_n(SCALE_GOAL_N)} draws in under {SCALE_GOAL_SECONDS:.0f} s "
        f"on 2 cores with peak memory under {SCALE_GOAL_RSS_GB} GB; largest run here: "
        f"{fmt_n(big)} draws in {runs[big]['seconds']:.1f} s, "
        f"peak {runs[big]['peak_bytes'] / 1e9:.2f} GB"
    )

    n = sizes.backend_n
    scn = japan_us_2020()
    kw = dict(seed=1, keep=False, stances=False, talks=False, progress=False)
    progress(f"backends on {n:,} draws ...")
    timed: list[tuple[str, float]] = []
    sync, base = best_of(lambda: simulate(scn, n, scheduler="sync", **kw), repeats)
    timed.append(('in-process, one thread (`scheduler="sync"`, baseline)', sync))
    seconds, res = best_of(lambda: simulate(scn, n, scheduler="threads", **kw), repeats)
    same = [res.summary().equals(base.summary())]
    timed.append(('Dask threads (`scheduler="threads"`, 2 threads)', seconds))
    for workers, config, label in (
        (1, DASK_CONFIG, "LocalCluster, 1 worker (`DASK_CONFIG`)"),
        (2, DASK_CONFIG, "LocalCluster, 2 workers (`DASK_CONFIG`)"),
        (2, {}, "LocalCluster, 2 workers, nanny default `MALLOC_TRIM_THRESHOLD_=65536`"),
    ):
        with dask.config.set(config):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            with cluster, Client(cluster) as client:
                simulate(scn, 2 * BLOCK, client=client, **kw)  # warm the workers up
                seconds, res = best_of(lambda c=client: simulate(scn, n, client=c, **kw), repeats)
        same.append(res.summary().equals(base.summary()))
        timed.append((label, seconds))
    print(f"\n{fmt_n(n)} draws, best of {repeats}; cluster start-up excluded\n")
    print(
        markdown_table(
            ["backend", "seconds", "draws/s", "speed-up vs baseline"],
            [[lab, fmt_s(t), fmt_rate(n, t), fmt_ratio(sync / t)] for lab, t in timed],
        )
    )
    print(f"\n- summaries bit-identical on every backend: {yes_no(all(same))}")


# Benchmark H ----------------------------------------------------------------------------------
def bench_calibration(sizes: Sizes, repeats: int) -> None:
    """H. Calibration: the simulator batched against one call per particle; a full ABC-SMC.

    Per-particle calls are what a per-particle ABC library (pyabc) does; the ratio is
    the reason the calibration has its own vectorized engine (docs/explanation/calibration.md §4).
    Then ``calibrate(before=2020)`` at the shipped settings: wall time, simulations
    (each one realization of every past agreement's talks) and talks draws per second.
    """
    from alliance_sim.calibration import PastTalks, calibrate, history_targets
    from alliance_sim.calibration.past import BASES
    from alliance_sim.calibration.targets import TARGETS

    heading("H. Calibration of the talks to the past agreements (ABC-SMC)")
    bases = {c: f() for c, f in BASES.items()}
    facts = history_targets(bases=bases)
    facts = facts[facts[list(TARGETS)].notna().any(axis=1)]
    talks = PastTalks(facts, bases)
    prior = talks.prior()
    rng = np.random.default_rng(SEED)
    rows = []
    per = {}
    for n in (1, 10, max(sizes.calib_particles, 10)):
        theta = prior.sample(n, rng)
        seconds, _ = best_of(lambda theta=theta: talks.simulate(theta, rng), repeats)
        per[n] = seconds / n
        rows.append([f"`PastTalks.simulate`, {n:,} particle(s) per call", fmt_n(n),
                     fmt_s(seconds), f"{seconds / n * 1e3:.2f}"])  # fmt: skip
    big = max(per)
    for row, n in zip(rows, per, strict=True):
        row.append(fmt_ratio(per[n] / per[big]))
    print(markdown_table(
        ["case", "particles", "seconds", "ms per particle", "time per particle / batched"], rows
    ))  # fmt: skip
    progress(f"calibrate: {sizes.calib_particles} particles, {sizes.calib_generations} gens ...")
    t0 = time.perf_counter()
    cal = calibrate(
        before=2020,
        n_particles=sizes.calib_particles,
        generations=sizes.calib_generations,
        seed=2020,
    )
    wall = time.perf_counter() - t0
    r = cal.result
    draws = r.n_simulations * len(cal.facts)
    print()
    print(markdown_table(
        ["calibration", "agreements", "particles", "generations", "simulations",
         "talks draws", "seconds", "talks draws/s", "ESS"],
        [["`calibrate(before=2020)`", str(len(cal.facts)), fmt_n(r.particles.shape[0]),
          str(len(r.history)), fmt_n(r.n_simulations), fmt_n(draws), fmt_s(wall),
          f"{draws / wall:,.0f}", f"{r.ess:.0f}"]],
    ))  # fmt: skip
    print(
        f"\n- one call per particle would take about {r.n_simulations * per[1]:,.0f} s "
        f"for the same simulations ({per[1] / per[big]:.0f}x the batched time per particle)"
    )


# Benchmark I ----------------------------------------------------------------------------------
#: Goals stated in issue 13 (reported, never asserted): time of a stage configuration
#: relative to the static core, and of the core relative to the yardstick.
KERNEL_GOALS = {(True, False): 2.0, (False, True): 1.5}
KERNEL_YARDSTICK_GOAL = 40.0
#: The issue's yardstick: ``numpy.add`` over this many float64 arrays of length n.
KERNEL_YARDSTICK_ARRAYS = 32
#: Kernel and numpy reference agree when every float array is within this (absolute).
KERNEL_ATOL = 1e-9
#: Integer and bool arrays may differ on at most this share of draws (`compare_arrays`).
KERNEL_INT_SHARE = 1e-3
#: Integer arrays that differ within that share, for the report.
KERNEL_NOTES: list[str] = []
#: Draws of the first-call (compile) measurement.
KERNEL_COMPILE_N = 1_000
#: (talks, stances) of the four stage configurations; the first is the core (baseline).
KERNEL_CONFIGS: tuple[tuple[bool, bool], ...] = (
    (False, False),
    (True, False),
    (False, True),
    (True, True),
)
KERNEL_LABELS = {
    (False, False): "core: `talks=False, stances=False` (baseline)",
    (True, False): "talks: `talks=True, stances=False`",
    (False, True): "stances: `talks=False, stances=True`",
    (True, True): "talks + stances: `talks=True, stances=True`",
}

_KERNEL_CHILD = """
import json, sys, time
import numpy as np
import alliance_sim as asim
from alliance_sim._jit import kernels_enabled
n, warm, repeats, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
scn = asim.scenarios.japan_us_2020()
seconds = {}
for talks, stances in json.loads(sys.argv[5]):
    kw = dict(seed=1, talks=talks, stances=stances, keep=True, progress=False)
    asim.simulate(scn, warm, **kw)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        res = asim.simulate(scn, n, **kw)
        best = min(best, time.perf_counter() - t)
    arrays = {f"outputs.{k}": np.asarray(v) for k, v in res.outputs.items()}
    arrays.update({f"parameters.{k}": np.asarray(v) for k, v in res.parameters.items()})
    np.savez(f"{out}/{int(talks)}{int(stances)}.npz", **arrays)
    del res, arrays
    seconds[f"{int(talks)}{int(stances)}"] = best
print(json.dumps({"kernels_enabled": kernels_enabled(), "seconds": seconds}))
"""

_COMPILE_CHILD = """
import json, sys, time
t = time.perf_counter()
import alliance_sim as asim
from alliance_sim._jit import kernels_enabled
imported = time.perf_counter() - t
n = int(sys.argv[1])
scn = asim.scenarios.japan_us_2020()
calls = []
for _ in range(2):
    t = time.perf_counter()
    asim.simulate(scn, n, seed=1, talks=True, stances=True, progress=False)
    calls.append(time.perf_counter() - t)
print(json.dumps({"kernels_enabled": kernels_enabled(), "import": imported, "calls": calls}))
"""


def run_child(script: str, args: Sequence[str], env: Mapping[str, str]) -> dict[str, object]:
    """Run ``script`` in a fresh Python process with ``env`` added; its last stdout line as JSON."""
    import json

    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    if out.returncode != 0:
        tail = "\n".join(out.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"benchmark child process failed ({out.returncode}):\n{tail}")
    return cast(dict[str, object], json.loads(out.stdout.strip().splitlines()[-1]))


def compiled_kernels() -> tuple[list[str], list[str]]:
    """The numba kernels defined in ``alliance_sim`` modules imported so far, and those compiled.

    A kernel counts once, in the module that defines it; "compiled" means it has at least one
    compiled signature in this process (it has run, or was loaded from numba's cache).
    """
    from numba.core.dispatcher import Dispatcher

    defined, compiled = [], []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "alliance_sim" or name.startswith("alliance_sim.")):
            continue
        for attr, obj in list(vars(module).items()):
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == name:
                qualified = f"{name.removeprefix('alliance_sim.')}.{attr}"
                defined.append(qualified)
                if obj.signatures:
                    compiled.append(qualified)
    return sorted(defined), sorted(compiled)


def compare_arrays(
    a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray], atol: float
) -> tuple[float, str, int, list[str]]:
    """Largest float difference, the array it is in, arrays compared, and the disagreements.

    Float arrays agree when their NaNs and infinities fall on the same draws (infinities of the
    same sign) and the finite values are within ``atol``; every other array (integer, bool) must
    have the same dtype and differ on at most `KERNEL_INT_SHARE` of the draws. (The two runs
    sample their parameters a few ulps apart — the Beta quantile kernel's residual is computed
    differently — which can break an exact tie of a stance game differently and change its
    count of equilibria; on the same draws the stages give identical integers,
    tests/test_kernels.py.)
    """
    worst, where, bad, notes = 0.0, "—", [], []
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            bad.append(f"{k} (only in {'kernels' if k in a else 'numpy'})")
            continue
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape or x.dtype != y.dtype:
            bad.append(f"{k} ({x.dtype}{list(x.shape)} vs {y.dtype}{list(y.shape)})")
            continue
        if not np.issubdtype(x.dtype, np.floating):
            differ = int(np.sum(x != y))
            if differ > KERNEL_INT_SHARE * x.size:
                bad.append(f"{k} ({differ:,} draws differ)")
            elif differ:
                notes.append(f"{k} ({differ:,} draws differ)")
            continue
        fx, fy = np.isfinite(x), np.isfinite(y)
        same_pattern = np.array_equal(fx, fy) and np.array_equal(x[~fx], y[~fy], equal_nan=True)
        diff = float(np.max(np.abs(x[fx & fy] - y[fx & fy]), initial=0.0))
        if diff > worst:
            worst, where = diff, k
        if not same_pattern:
            bad.append(f"{k} (NaN/inf on different draws)")
        elif diff > atol:
            bad.append(f"{k} (max abs diff {diff:.2e})")
    KERNEL_NOTES.extend(notes)
    return worst, where, len(set(a) | set(b)), bad


def ideal_thread_speedup(n: int, chunk_size: int, workers: int) -> float:
    """The best speed-up of Dask threads over one thread for ``n`` draws, from the task plan.

    Assumes a task costs in proportion to its draws. `simulate` cuts ``n`` into tasks of whole
    blocks and runs them in windows of `WINDOW_PER_WORKER` × ``workers`` tasks; within a window
    each task goes to the least loaded thread; windows run one after the other.
    """
    from alliance_sim.sweep.chunks import task_length
    from alliance_sim.sweep.execution import WINDOW_PER_WORKER

    step = task_length(chunk_size)
    tasks = [min(step, n - start) for start in range(0, n, step)]
    window = WINDOW_PER_WORKER * workers
    span = 0
    for i in range(0, len(tasks), window):
        loads = [0] * max(1, workers)
        for length in tasks[i : i + window]:
            loads[loads.index(min(loads))] += length
        span += max(loads)
    return n / span


def bench_kernels(sizes: Sizes, repeats: int) -> None:
    """I. Compiled kernels: the stage costs through ``simulate``, against the numpy reference.

    1. ``simulate(japan_us_2020(), n, seed=1, talks=T, stances=S, keep=True)`` on the default
       scheduler for the four stage configurations, each warmed up first on a small run (the
       JIT compile excluded): time relative to the static core (talks and stances off), and
       the core against the ``numpy.add`` yardstick over 32 arrays.
    2. The same runs with the kernels switched off (``ALLIANCE_SIM_KERNELS=0``, read at
       import, so in a fresh process: `numpy_reference` is per thread and would not reach
       Dask's worker threads): speed-up per configuration, and agreement of every output and
       parameter array (floats within `KERNEL_ATOL`, the rest identical).
    3. Thread scaling of talks + stances: ``scheduler="sync"`` against Dask threads.
    4. The first call's compile cost: fresh processes with an empty, then a filled
       ``NUMBA_CACHE_DIR``, and a second call in the same process.
    """
    import json
    import tempfile

    import alliance_sim._jit as jit
    from alliance_sim.sweep.chunks import task_length
    from alliance_sim.sweep.execution import default_workers

    heading("I. Compiled kernels: stage costs through simulate")
    scn = japan_us_2020()
    n, warm = sizes.kernel_n, sizes.kernel_warm_n
    workers = default_workers()
    configs = KERNEL_CONFIGS

    with tempfile.TemporaryDirectory(prefix="alliance_sim_bench_") as tmp:
        progress(f"numpy reference (ALLIANCE_SIM_KERNELS=0) in a fresh process, {n:,} draws ...")
        child = run_child(
            _KERNEL_CHILD,
            [str(n), str(warm), str(repeats), tmp, json.dumps(configs)],
            {"ALLIANCE_SIM_KERNELS": "0"},
        )
        numpy_seconds = cast(dict[str, float], child["seconds"])
        seconds: dict[tuple[bool, bool], float] = {}
        checks: dict[tuple[bool, bool], tuple[float, str, int, list[str]]] = {}
        for talks, stances in configs:
            kw = dict(seed=1, talks=talks, stances=stances, keep=True, progress=False)
            progress(f"kernels: talks={talks}, stances={stances} on {n:,} draws ...")
            simulate(scn, warm, **kw)  # compiles (or loads from the cache) the kernels
            seconds[talks, stances], res = best_of(lambda kw=kw: simulate(scn, n, **kw), repeats)
            ours = arrays_of(res)
            del res
            path = Path(tmp) / f"{int(talks)}{int(stances)}.npz"
            with np.load(path) as saved:
                reference = {k: saved[k] for k in saved.files}
            path.unlink()
            checks[talks, stances] = compare_arrays(ours, reference, KERNEL_ATOL)
            del ours, reference
    defined, compiled = compiled_kernels()

    yard_repeats = max(repeats, 5)
    stick = yardstick(n, KERNEL_YARDSTICK_ARRAYS, yard_repeats)
    core = seconds[False, False]
    core_vs_stick = core / stick
    rows = [
        [
            f"yardstick: `numpy.add` over {KERNEL_YARDSTICK_ARRAYS} float64 arrays "
            f"(best of {yard_repeats})",
            fmt_s(stick) if stick >= 1e-3 else f"{stick:.2e}",
            fmt_rate(n, stick),
            f"{stick / core:.2g}×",
            f"core / yardstick ≤ {KERNEL_YARDSTICK_GOAL:.0f}×: {fmt_ratio(core_vs_stick)}",
            yes_no(core_vs_stick <= KERNEL_YARDSTICK_GOAL),
        ]
    ]
    for config in configs:
        t = seconds[config]
        goal = KERNEL_GOALS.get(config)
        rows.append(
            [
                KERNEL_LABELS[config],
                fmt_s(t),
                fmt_rate(n, t),
                fmt_ratio(t / core),
                "—" if goal is None else f"≤ {goal:g}×",
                "—" if goal is None else yes_no(t / core <= goal),
            ]
        )
    print(
        f"`simulate(japan_us_2020(), {n:,}, seed=1, talks=…, stances=…, keep=True)` on the "
        f"default scheduler ({workers} usable core(s)); best of {repeats}, each configuration "
        f"warmed up on {warm:,} draws first (JIT compile excluded). Kernels: "
        f"`kernels_enabled()` = {jit.kernels_enabled()}; {len(defined)} numba kernel(s) "
        f"defined in the imported modules, {len(compiled)} compiled in this process.\n"
    )
    print(markdown_table(["case", "seconds", "draws/s", "time / core", "goal", "met"], rows))
    ratios = "; ".join(
        f"{KERNEL_LABELS[c].split(':')[0]} {fmt_ratio(seconds[c] / core)} of the core "
        f"(goal ≤ {goal:g}×) → {'MET' if seconds[c] / core <= goal else 'NOT MET'}"
        for c, goal in KERNEL_GOALS.items()
    )
    print(
        f"\n- goals (issue 13): {ratios}; core {fmt_ratio(core_vs_stick)} of the yardstick "
        f"(goal ≤ {KERNEL_YARDSTICK_GOAL:.0f}×) → "
        f"{'MET' if core_vs_stick <= KERNEL_YARDSTICK_GOAL else 'NOT MET'}"
    )

    rows = []
    disagreements = []
    for config in configs:
        t_np = numpy_seconds[f"{int(config[0])}{int(config[1])}"]
        worst, where, count, bad = checks[config]
        rows.append(
            [
                KERNEL_LABELS[config].split(":")[0],
                fmt_s(seconds[config]),
                fmt_s(t_np),
                fmt_ratio(t_np / seconds[config]),
                f"{worst:.2e}",
                where,
                str(count),
                yes_no(not bad),
            ]
        )
        disagreements += [f"{KERNEL_LABELS[config].split(':')[0]}: {b}" for b in bad]
    print(
        f"\nThe same runs with the kernels switched off (`ALLIANCE_SIM_KERNELS=0` in a fresh "
        f"process, `kernels_enabled()` = {child['kernels_enabled']} there; same scheduler, "
        f"warm-up and repeats). Agreement: every output and parameter array, floats within "
        f"{KERNEL_ATOL:g} absolute with NaN/inf on the same draws, integer and bool arrays "
        f"identical on all but at most {KERNEL_INT_SHARE:.2%} of the draws (the two runs "
        f"sample their parameters a few ulps apart, which can break a stance game's exact "
        f"tie differently; on shared draws the stages are identical, tests/test_kernels.py)."
        f"\n"
    )
    print(
        markdown_table(
            [
                "case",
                "kernels (s)",
                "numpy reference (s)",
                "kernel speed-up",
                "max abs diff (floats)",
                "in array",
                "arrays",
                "agree",
            ],
            rows,
        )
    )
    if disagreements:
        print()
        for line in disagreements:
            print(f"- differs: {line}")
    if KERNEL_NOTES:
        print()
        for line in sorted(set(KERNEL_NOTES)):
            print(f"- within the share: {line}")

    n_thr = sizes.kernel_threads_n
    kw = dict(seed=1, talks=True, stances=True, keep=True, progress=False)
    progress(f"thread scaling: talks + stances on {n_thr:,} draws ...")
    simulate(scn, warm, scheduler="sync", **kw)
    sync, res_sync = best_of(lambda: simulate(scn, n_thr, scheduler="sync", **kw), repeats)
    sync_arrays = arrays_of(res_sync)
    del res_sync
    threads, res_thr = best_of(lambda: simulate(scn, n_thr, **kw), repeats)
    same = not differing(arrays_of(res_thr), sync_arrays)
    del res_thr, sync_arrays
    ideal = ideal_thread_speedup(n_thr, CHUNK, workers)
    tasks = math.ceil(n_thr / task_length(CHUNK))
    print(
        f"\nThread scaling: talks + stances, {n_thr:,} draws ({tasks} task(s) of up to "
        f'{task_length(CHUNK):,} draws), best of {repeats}. "ideal" is the speed-up the '
        f"task plan allows if a task costs in proportion to its draws.\n"
    )
    print(
        markdown_table(
            ["backend", "seconds", "draws/s", "speed-up vs sync", "ideal with these tasks"],
            [
                [
                    'in-process, one thread (`scheduler="sync"`, baseline)',
                    fmt_s(sync),
                    fmt_rate(n_thr, sync),
                    "1.00×",
                    "1.00×",
                ],
                [
                    f"Dask threads (default scheduler, {workers} threads)",
                    fmt_s(threads),
                    fmt_rate(n_thr, threads),
                    fmt_ratio(sync / threads),
                    fmt_ratio(ideal),
                ],
            ],
        )
    )
    print(
        f"\n- goal: approach {workers}× on {workers} cores; per-draw arrays bit-identical "
        f"across the two backends: {yes_no(same)}"
    )

    with tempfile.TemporaryDirectory(prefix="alliance_sim_numba_cache_") as cache:
        env = {"NUMBA_CACHE_DIR": cache, "ALLIANCE_SIM_KERNELS": "1"}
        progress("first call with an empty numba cache, in a fresh process ...")
        cold = run_child(_COMPILE_CHILD, [str(KERNEL_COMPILE_N)], env)
        cached_files = sum(1 for p in Path(cache).rglob("*.nbi"))
        progress("first call with the cache filled, in a fresh process ...")
        hot = run_child(_COMPILE_CHILD, [str(KERNEL_COMPILE_N)], env)
    cold_calls = cast(list[float], cold["calls"])
    hot_calls = cast(list[float], hot["calls"])
    warm_call = hot_calls[1]
    print(
        f"\nFirst-call cost: `simulate(japan_us_2020(), {KERNEL_COMPILE_N:,}, seed=1, "
        f"talks=True, stances=True)` in fresh processes with `NUMBA_CACHE_DIR` set to a new "
        f"empty directory (the first process fills it: {cached_files} kernel index file(s) "
        f"`*.nbi`), one run each.\n"
    )
    print(
        markdown_table(
            ["case", "import alliance_sim (s)", "simulate (s)", "time / warm call"],
            [
                [
                    "1st process, first call: empty cache (compile + run)",
                    fmt_s(cast(float, cold["import"])),
                    fmt_s(cold_calls[0]),
                    fmt_ratio(cold_calls[0] / warm_call),
                ],
                [
                    "2nd process, first call: cache filled (load + run)",
                    fmt_s(cast(float, hot["import"])),
                    fmt_s(hot_calls[0]),
                    fmt_ratio(hot_calls[0] / warm_call),
                ],
                [
                    "2nd process, second call (warm, baseline)",
                    "—",
                    fmt_s(warm_call),
                    "1.00×",
                ],
            ],
        )
    )
    print(
        f"\n- compile cost ≈ empty-cache first call − cached first call: "
        f"{fmt_s(cold_calls[0] - hot_calls[0])} s; cached first call − warm call (cache "
        f"load and the other first-call costs): {fmt_s(hot_calls[0] - warm_call)} s; the 1st "
        f"process's second call: {fmt_s(cold_calls[1])} s"
    )


BENCHMARKS: dict[str, Callable[[Sizes, int], None]] = {
    "A": bench_nash,
    "B": bench_pipeline,
    "C": bench_chunks,
    "D": bench_bimatrix,
    "E": bench_offers,
    "F": bench_scale,
    "G": bench_reputation,
    "H": bench_calibration,
    "I": bench_kernels,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="alliance_sim benchmarks (see the docstring).")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes for a CI smoke run (< 30 s)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed calls per case, best kept (default 3)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(BENCHMARKS),
        default=sorted(BENCHMARKS),
        help="run only these benchmarks (default: all)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    sizes = QUICK if args.quick else FULL
    machine_info(args)
    t0 = time.perf_counter()
    for name in args.only:
        BENCHMARKS[name](sizes, args.repeats)
    print(f"\ntotal wall time: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
