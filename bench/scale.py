#!/usr/bin/env python3
"""Many kernels: does a repository of K kernels cost K times one?

Generates K small, distinct kernels (`wasmforge new k-0 … k-(K-1)` from the function
template, each made different by its own constant and name), then times, each in a fresh
build root (so a fresh shared cargo target directory):

  cold one    `wasmforge build k-0` alone
  cold all    `wasmforge build k-0 … k-(K-1)` in one command
  warm lone   after the cold-one build, touch k-0's Rust and build it again
  warm one/K  after the cold-all build, touch one kernel's Rust and build all K again

and prints ratio = cold all / cold one (goal: <= 2.5 for K = 8) and warm_ratio =
warm one/K / warm lone (goal: <= 1.2). Builds include wasm-opt and verification.

    .venv/bin/python bench/scale.py [--kernels 8] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from _common import run

TEMPLATE = "function"


def generate(root: Path, count: int) -> list[Path]:
    root.mkdir(parents=True)
    kernels = []
    for index in range(count):
        name = f"k-{index}"
        run([sys.executable, "-m", "wasmforge", "new", name, "--template", TEMPLATE], cwd=root)
        kernel = root / name
        source = kernel / "src" / "lib.rs"
        # Distinct code per kernel, not only a distinct name: a constant of its own.
        source.write_text(source.read_text() + f"\n/// This kernel's own number.\npub const KERNEL_NUMBER: u32 = {index};\n")
        kernels.append(kernel)
    return kernels


def build(kernels: list[Path], build_root: Path) -> float:
    started = time.perf_counter()
    # A build root of its own: its shared cargo target directory starts empty (an empty
    # CARGO_TARGET_DIR counts as unset, so a caller's setting cannot share one between runs).
    run([sys.executable, "-m", "wasmforge", "build", *map(str, kernels)],
        env={"WASMFORGE_BUILD_ROOT": str(build_root), "CARGO_TARGET_DIR": ""})
    return time.perf_counter() - started


def touch(kernel: Path, note: str) -> None:
    source = kernel / "src" / "lib.rs"
    source.write_text(source.read_text() + f"// {note}\n")


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wasmforge-scale-") as tmp:
        scratch = Path(tmp)
        lone = generate(scratch / "lone", 1)
        many = generate(scratch / "many", count)
        times = {}
        times["cold one"] = build(lone, scratch / "root-one")
        print(f"cold one: {times['cold one']:.1f} s", file=sys.stderr)
        times["cold all"] = build(many, scratch / "root-many")
        print(f"cold all ({count}): {times['cold all']:.1f} s", file=sys.stderr)
        touch(lone[0], "touched")
        times["warm lone"] = build(lone, scratch / "root-one")
        print(f"warm lone: {times['warm lone']:.1f} s", file=sys.stderr)
        touch(many[count // 2], "touched")
        times["warm one of all"] = build(many, scratch / "root-many")
        print(f"warm one of {count}: {times['warm one of all']:.1f} s", file=sys.stderr)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernels", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    times = measure(args.kernels)
    ratio = times["cold all"] / times["cold one"]
    warm_ratio = times["warm one of all"] / times["warm lone"]
    if args.json:
        print(json.dumps({"kernels": args.kernels, "ratio": ratio, "warm_ratio": warm_ratio, "seconds": times}))
        return
    for name, seconds in times.items():
        print(f"{name:<18} {seconds:7.1f} s")
    print(f"ratio      {ratio:.2f} (cold build of {args.kernels} kernels / of one; goal <= 2.5)")
    print(f"warm_ratio {warm_ratio:.2f} (rebuild of one of {args.kernels} / of a lone kernel; goal <= 1.2)")


if __name__ == "__main__":
    main()
