#!/usr/bin/env python3
"""Start-up: whole-process time of `wasmforge --help` and of a build with nothing to do.

Runs each command --runs times (after one warm-up run that also writes Python's bytecode
cache, as an installed wasmforge has it) and prints the medians. With --against DIR (another
checkout with its own .venv, e.g. an older commit), both are timed side by side, alternating,
and the ratios printed. Goals (issue 13): --help <= 0.25 s, a no-op build <= 0.3 s.

    .venv/bin/python bench/startup.py [--runs 11] [--kernel kernels/sublinear-solver] [--against DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO

GOALS = {"--help": 0.25, "no-op build": 0.3}


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def commands(checkout: Path, kernel: str) -> dict[str, list[str]]:
    wasmforge = str(checkout / ".venv" / "bin" / "wasmforge")
    return {"--help": [wasmforge, "--help"], "no-op build": [wasmforge, "build", kernel]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--kernel", default="kernels/sublinear-solver")
    parser.add_argument("--against", type=Path, help="another checkout to time side by side")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # Python's bytecode cache on, as on a user's machine (some sandboxes switch it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    checkouts = {"this": REPO, **({"against": args.against.resolve()} if args.against else {})}
    for checkout in checkouts.values():  # warm-up: bytecode written, the kernel built
        for argv in commands(checkout, args.kernel).values():
            subprocess.run(argv, cwd=checkout, env=env, capture_output=True)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in checkouts}
    for _ in range(args.runs):
        for name, checkout in checkouts.items():  # alternate, so load affects both alike
            for command, argv in commands(checkout, args.kernel).items():
                samples[name].setdefault(command, []).append(timed(argv, checkout, env))
    medians = {name: {command: statistics.median(values) for command, values in by.items()}
               for name, by in samples.items()}
    summary: dict[str, object] = {"runs": args.runs, "median_seconds": medians}
    if args.against:
        summary["ratio_this_vs_against"] = {c: medians["this"][c] / medians["against"][c] for c in GOALS}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for command, goal in GOALS.items():
        line = f"{command:<12} {medians['this'][command]:.3f} s (goal <= {goal} s)"
        if args.against:
            line += f"   against {medians['against'][command]:.3f} s: {medians['this'][command] / medians['against'][command]:.2f}x"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
