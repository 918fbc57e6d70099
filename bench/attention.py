#!/usr/bin/env python3
"""Attention speed and size: the same forward passes natively and in Node.

Multi-head (8 heads) and flash (one head of the full width, 64-wide tiles)
forward for batch in {1, 4} and seq in {64, 256}, model dim 512, on the inputs
both sides derive from the kernel's `bench_inputs` hash (the first output
element is compared, so both sides provably computed the same thing).

Sides: native (examples/native_bench.rs, host target, --release; x86-64's
default SSE2, 128-bit like wasm SIMD) and the built npm package in Node
(`require`), with its SIMD module and forced onto the baseline module. Each
case runs twice in wasm: with plain Float32Arrays (copied into wasm memory on
every call) and *resident* (query, key and value ResidentArrays; flash writes
into a resident `{ out }`), as the native code borrows its inputs.
`--rounds` alternating rounds, median per side, ratio = native time / wasm
time (1.00 is native speed; the goal is >= 0.90 on every resident row and a
geometric mean >= 1.0 with SIMD, resident). Also the shipped .wasm sizes, raw
and gzipped (budget: 500 KB, the seed's).

    .venv/bin/python bench/attention.py [--rounds 3] [--json]
"""

from __future__ import annotations

import gzip
import itertools
import statistics
from pathlib import Path

from _common import (REPO, WASM_SIDES, ensure_built, medians, native, native_isa, node, report_round,
                     runtime_bench_main, side_columns, throughput_ratios)

KERNEL = REPO / "kernels" / "attention"
RUNNER = Path(__file__).with_name("attention.mjs")
MODEL_DIM = 512
HEADS = 8
BUDGET_BYTES = 500 * 1000
CASES = [(mechanism, batch, seq) for mechanism, batch, seq
         in itertools.product(("multihead", "flash"), (1, 4), (64, 256))]


def reps_for(batch: int, seq: int) -> int:
    # About the same total work per case: fewer repetitions for the big inputs.
    return max(3, 96 // (batch * (seq // 64) ** 2))


def same_output(native_value: float, wasm_value: float) -> bool:
    return abs(native_value - wasm_value) <= 1e-4 * max(1.0, abs(native_value))


def measure(rounds: int) -> dict:
    pkg = ensure_built(KERNEL)
    samples: dict[str, dict[str, list[float]]] = {}
    for round_number in range(rounds):
        for mechanism, batch, seq in CASES:
            args = (mechanism, batch, seq, MODEL_DIM, HEADS, reps_for(batch, seq))
            native_run = native(KERNEL, *args)
            for mode in ("copies", "resident"):
                flags = ["--resident"] if mode == "resident" else []
                runs = {"native": native_run, "wasm simd": node(RUNNER, pkg, *args, *flags),
                        "wasm baseline": node(RUNNER, pkg, *args, "--baseline", *flags)}
                for side, result in runs.items():
                    if not same_output(native_run["first_output"], result["first_output"]):
                        raise SystemExit(f"{side} ({mode}) computed {result['first_output']} for {args}, "
                                         f"native {native_run['first_output']}")
                label = f"{mechanism} b={batch} seq={seq} ({mode})"
                row = samples.setdefault(label, {side: [] for side in runs})
                for side, result in runs.items():
                    row[side].append(result["ms_per_call"])
                report_round(round_number, rounds, label, row, width=33, decimals=2)
    return {"samples": samples, "sizes": wasm_sizes(pkg)}


def wasm_sizes(pkg: Path) -> dict[str, dict[str, int]]:
    sizes = {}
    for wasm in sorted(pkg.rglob("*.wasm")):
        data = wasm.read_bytes()
        sizes[str(wasm.relative_to(pkg))] = {"bytes": len(data), "gzip": len(gzip.compress(data, 9))}
    return sizes


def summarise(measured: dict, rounds: int) -> dict:
    medians_ms = medians(measured["samples"])
    ratios = throughput_ratios(medians_ms)
    return {"rounds": rounds, "median_ms": medians_ms, "wasm_over_native_throughput": ratios,
            "geomean_ratio": {f"{side} ({mode})": statistics.geometric_mean(
                r[side] for label, r in ratios.items() if label.endswith(f"({mode})"))
                for mode in ("copies", "resident") for side in WASM_SIDES},
            "wasm_sizes": measured["sizes"], "budget_bytes": BUDGET_BYTES, "native_isa": native_isa(),
            "samples": measured["samples"]}


def print_table(summary: dict) -> None:
    print(f"\nmedian of {summary['rounds']} rounds (ms per forward; ratio = native time / wasm time, "
          "goal >= 0.90 resident)")
    print(f"  {'case (dim 512)':<33} {'native':>9} {'wasm simd':>10} {'ratio':>7} {'wasm base':>10} {'ratio':>7}")
    for label, row in summary["median_ms"].items():
        print(f"  {label:<33} {side_columns(row, 2)}")
    geomean = summary["geomean_ratio"]
    for mode in ("copies", "resident"):
        print(f"  {'geometric mean (' + mode + ')':<33} {'':9} {'':10} {geomean[f'wasm simd ({mode})']:6.2f}x {'':10} "
              f"{geomean[f'wasm baseline ({mode})']:6.2f}x")
    print(f"  native: {summary['native_isa']} (the same 128-bit vector width as wasm SIMD128)")
    print(f"\nshipped .wasm (budget {BUDGET_BYTES // 1000} KB):")
    for name, size in summary["wasm_sizes"].items():
        verdict = "within" if size["bytes"] <= BUDGET_BYTES else "OVER"
        print(f"  {name:<36} {size['bytes'] / 1000:8.1f} KB, gzipped {size['gzip'] / 1000:6.1f} KB  ({verdict} budget)")


if __name__ == "__main__":
    runtime_bench_main(__doc__, measure, summarise, print_table)
