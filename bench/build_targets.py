#!/usr/bin/env python3
"""Build time: all four targets with wasmforge vs wasm-pack, side by side.

Measures, on the same generated crate and each time from a clean cargo target
directory, alternating the three so that machine load affects them alike:

  A. `wasmforge build --all-targets`        (compile once per module, bind per wasm-bindgen
                                             target, wasm-opt, verify), with the native
                                             wasm-opt when one is installed (`toolchain
                                             install --with wasm-opt`), and again with
                                             binaryen.js (WASMFORGE_WASM_OPT=binaryen.js)
  B. one `wasm-pack build --release`        (a single target: the baseline)
  C. the loop of four `wasm-pack build`     (what users run today to get four targets)
  D. with a kernel that ships a SIMD module next to the baseline one (the
     solver does), wasm-pack has to build twice for the same two modules:
     `wasm-pack build --release` and `… --features simd`, one target each

and prints the median of each and the ratios A/B (goal: <= 1.25), C/B and,
for SIMD kernels, A/D (the same work on both sides; goal: <= 1.1). Run it on
`--kernel tests/fixtures/all-types` for a kernel with a single module.
wasm-pack runs with `--mode no-install` and our wasm-bindgen on PATH, and
without wasm-opt (its own binaryen download is impossible offline), which
favours the baseline: wasmforge's time includes wasm-opt and verification.

    .venv/bin/python bench/build_targets.py [--runs 3] [--kernel kernels/sublinear-solver] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import REPO, run

from wasmforge.pipeline.workdir import WorkDir
from wasmforge.kernelspec.load import load_spec
from wasmforge.settings import TARGETS
from wasmforge.toolchain.node import find_node
from wasmforge.toolchain.tools import Toolchain, wasm_opt_status, resolve, wasm_pack


SIMD_PAIR = "wasm-pack build --release x2 (baseline + --features simd)"
JS_WASM_OPT = "wasmforge build --all-targets, binaryen.js"


def timed(command: Callable[[], None]) -> float:
    started = time.perf_counter()
    command()
    return time.perf_counter() - started



class Bench:
    def __init__(self, kernel: Path, scratch: Path, toolchain: Toolchain) -> None:
        self.kernel = kernel
        self.scratch = scratch
        self.toolchain = toolchain
        self.crate = WorkDir(kernel).crate

    def fresh_target(self, label: str) -> Path:
        target = self.scratch / f"target-{label}"
        shutil.rmtree(target, ignore_errors=True)
        return target

    def wasmforge_all(self, verify: bool = True, wasm_opt: str = "") -> float:
        env = {"CARGO_TARGET_DIR": str(self.fresh_target("wasmforge")), "WASMFORGE_WASM_OPT": wasm_opt}
        argv = [sys.executable, "-m", "wasmforge", "build", str(self.kernel), "--all-targets", "--force"]
        if not verify:
            argv.append("--no-verify")
        return timed(lambda: run(argv, env=env))

    def wasm_pack(self, targets: tuple[str, ...], features: tuple[str, ...] = ()) -> float:
        target_dir = self.fresh_target("wasm-pack")
        env = {**self.toolchain.cargo_env(), "PATH": self.toolchain.path_with_tools(),
               "CARGO_TARGET_DIR": str(target_dir)}

        def loop() -> None:
            for target in targets:
                for feature in features or ("",):
                    extra = ["--", "--features", feature] if feature else []
                    run([str(wasm_pack()), "build", "--release", "--target", target, "--mode",
                         "no-install", "--out-dir", str(self.scratch / "wasm-pack-out" / target / feature), *extra],
                        cwd=self.crate, env=env)
        return timed(loop)


def measure(runs: int, kernel_source: Path) -> dict[str, list[float]]:
    toolchain = resolve()
    with tempfile.TemporaryDirectory(prefix="wasmforge-bench-") as tmp:
        scratch = Path(tmp)
        kernel = scratch / kernel_source.name
        shutil.copytree(kernel_source, kernel, ignore=shutil.ignore_patterns("target", "pkg", "Cargo.lock"))
        run([sys.executable, "-m", "wasmforge", "render", str(kernel)])
        bench = Bench(kernel, scratch, toolchain)
        configs: dict[str, Callable[[], float]] = {
            "wasmforge build --all-targets": bench.wasmforge_all,
            "wasmforge build --all-targets --no-verify": lambda: bench.wasmforge_all(verify=False),
            JS_WASM_OPT: lambda: bench.wasmforge_all(wasm_opt="binaryen.js"),
            "wasm-pack build --release (one target)": lambda: bench.wasm_pack(("bundler",)),
            "wasm-pack build x4 (loop over targets)": lambda: bench.wasm_pack(TARGETS),
        }
        if load_spec(kernel).build.simd_feature:
            configs[SIMD_PAIR] = lambda: bench.wasm_pack(("bundler",), ("", "simd"))
        times: dict[str, list[float]] = {name: [] for name in configs}
        for round_number in range(runs):
            for name, config in configs.items():  # alternate: one of each per round
                seconds = config()
                times[name].append(seconds)
                print(f"round {round_number + 1}/{runs}  {name:<45} {seconds:7.2f} s", file=sys.stderr)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kernel", type=Path, default=REPO / "kernels" / "sublinear-solver")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    times = measure(args.runs, args.kernel.resolve())
    wasm_opt_in_use = wasm_opt_status(find_node())
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians["wasm-pack build --release (one target)"]
    summary = {
        "runs": args.runs,
        "median_seconds": medians,
        "ratio_wasmforge_all_vs_one_wasm_pack": medians["wasmforge build --all-targets"] / baseline,
        "ratio_wasmforge_all_no_verify_vs_one_wasm_pack":
            medians["wasmforge build --all-targets --no-verify"] / baseline,
        "ratio_wasm_pack_loop_vs_one_wasm_pack": medians["wasm-pack build x4 (loop over targets)"] / baseline,
        "samples": times,
    }
    summary["wasm_opt"] = f"{wasm_opt_in_use.version} ({wasm_opt_in_use.note})"
    if SIMD_PAIR in medians:
        summary["ratio_wasmforge_all_vs_wasm_pack_both_modules"] = \
            medians["wasmforge build --all-targets"] / medians[SIMD_PAIR]
        summary["ratio_wasmforge_all_binaryen_js_vs_wasm_pack_both_modules"] = \
            medians[JS_WASM_OPT] / medians[SIMD_PAIR]
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"\nmedian of {args.runs} runs, clean target directory each time")
    for name, seconds in medians.items():
        print(f"  {name:<45} {seconds:7.2f} s   {seconds / baseline:5.2f}x the single wasm-pack build")
    print(f"\nwasmforge, all four targets: {summary['ratio_wasmforge_all_vs_one_wasm_pack']:.2f}x one "
          f"single-target wasm-pack build (goal <= 1.25x)")
    print(f"wasm-opt by default: binaryen {summary['wasm_opt']}")
    if SIMD_PAIR in medians:
        print(f"the same two modules (baseline and SIMD) with wasm-pack: wasmforge takes "
              f"{summary['ratio_wasmforge_all_vs_wasm_pack_both_modules']:.2f}x as long (goal <= 1.1x), "
              f"{summary['ratio_wasmforge_all_binaryen_js_vs_wasm_pack_both_modules']:.2f}x with binaryen.js")


if __name__ == "__main__":
    main()
