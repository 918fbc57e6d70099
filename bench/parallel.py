#!/usr/bin/env python3
"""Worker execution (issue 10): the calling thread's stalls, batches over a pool, pool start-up.

Runs bench/parallel.mjs against the solver's built package in Node, --rounds times,
alternating the sides of each comparison, and prints medians and ratios:

  stall    the longest gap between ticks of a 1 ms interval timer on the calling thread during
           one dense solve (the 1-D Laplacian, n = 1500, a right-hand side with every frequency:
           ~0.6 s of conjugate gradient): sync `solve`, `solveAsync` on the calling thread,
           `solveAsync` with `init({ workers: 2 })`, its arguments copied and transferred.
           Goal: <= 10 ms with workers.
  batch    8 dense solves (the Laplacian, n = 500) through `solveBatch`: `workers: 0` against
           `workers: 2`, the arrays copied and transferred (`transfer: true`), the pool started
           before the clock. Goal: >= 1.7x.
  startup  a fresh process: `init({ workers: 2 })` and a first call through each of the two
           workers (a batch of two tiny systems). Goal: <= 50 ms.
  threads  the threaded module (`build.threads_feature`) with 2 threads against the
           single-threaded SIMD module, on the solver's dense CG (n = 2000, ~110 iterations)
           and attention's multi-head forward (batch 4, seq 256, 8 heads × 64): the kernel call
           itself (`call`: on the calling thread, which Node.js lets wait on shared memory) and
           as users make it (`async`: the async variant in one worker, `init({ workers: 1,
           threads })`). Median of 5 calls per process. Goal: >= 1.6x (the call).

    .venv/bin/python bench/parallel.py [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from _common import REPO, ensure_built, node

KERNEL = REPO / "kernels" / "sublinear-solver"
KERNELS = {"solver": KERNEL, "attention": REPO / "kernels" / "attention"}
THREADS_LABELS = {"solver": "dense CG n=2000", "attention": "multi-head b=4 seq=256"}
RUNNER = Path(__file__).with_name("parallel.mjs")
BATCH_SIDES = {"workers 0": ["--workers", "0"], "workers 2": ["--workers", "2"],
               "workers 2, transfer": ["--workers", "2", "--transfer"]}


def measure(pkg: Path, what: str, *flags: str) -> dict:
    return node(RUNNER, pkg, what, *flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pkg = ensure_built(KERNEL)
    packages = {name: ensure_built(kernel) for name, kernel in KERNELS.items()}
    threads: dict[tuple[str, str, int], list[float]] = {}
    stalls: dict[str, list[float]] = {}
    totals: dict[str, list[float]] = {}
    batches: dict[str, list[float]] = {side: [] for side in BATCH_SIDES}
    startups: list[float] = []
    for _ in range(args.rounds):
        for mode, sample in measure(pkg, "stall").items():
            stalls.setdefault(mode, []).append(sample["longest"])
            totals.setdefault(mode, []).append(sample["total"])
        for side, flags in BATCH_SIDES.items():
            batches[side].append(measure(pkg, "batch", *flags)["seconds"])
        startups.append(measure(pkg, "startup")["seconds"])
        for name, package in packages.items():
            for way in ("call", "async"):
                firsts = set()
                for count in (0, 2):
                    sample = measure(package, f"threads-{way}", "--kernel", name, "--threads", count)
                    threads.setdefault((name, way, count), []).append(sample["seconds"])
                    firsts.add(sample["first"])
                if len(firsts) != 1:
                    raise SystemExit(f"{name} {way}: the threaded and single-threaded results differ: {firsts}")
    med = statistics.median
    base = med(batches["workers 0"])
    result = {
        "stall_ms": {mode: round(med(values), 1) for mode, values in stalls.items()},
        "stall_total_ms": {mode: round(med(values), 1) for mode, values in totals.items()},
        "batch_seconds": {side: round(med(values), 4) for side, values in batches.items()},
        "batch_speedup": {side: round(base / med(values), 2) for side, values in batches.items() if side != "workers 0"},
        "startup_ms": round(med(startups) * 1000, 1),
        "threads": [{"kernel": name, "way": way, "single_ms": round(med(threads[(name, way, 0)]) * 1000, 1),
                     "threads_ms": round(med(threads[(name, way, 2)]) * 1000, 1),
                     "speedup": round(med(threads[(name, way, 0)]) / med(threads[(name, way, 2)]), 2)}
                    for name in KERNELS for way in ("call", "async")],
        "rounds": args.rounds,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"\nstall (longest gap of a 1 ms timer, median of {args.rounds}; goal <= 10 ms with workers)")
    for mode, value in result["stall_ms"].items():
        print(f"  {mode:<18} {value:8.1f} ms   (the call took {result['stall_total_ms'][mode]:.0f} ms)")
    print("batch of 8 dense solves, n = 500 (goal >= 1.7x with 2 workers)")
    for side, seconds in result["batch_seconds"].items():
        speedup = result["batch_speedup"].get(side, 1.0)
        print(f"  {side:<20} {seconds * 1000:8.1f} ms   {speedup:.2f}x")
    print(f"pool of 2 workers + first call through each: {result['startup_ms']:.1f} ms (goal <= 50 ms)")
    print("threads: the threaded module with 2 threads against the single-threaded one (goal >= 1.6x, the call)")
    for row in result["threads"]:
        label = f"{THREADS_LABELS[row['kernel']]}, {row['way']}"
        print(f"  {label:<34} {row['single_ms']:8.1f} ms -> {row['threads_ms']:8.1f} ms   {row['speedup']:.2f}x")


if __name__ == "__main__":
    main()
