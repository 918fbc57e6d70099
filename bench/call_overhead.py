#!/usr/bin/env python3
"""The fixed cost of a call: the generated package against a hand-written binding.

The yardstick is a minimal hand-written `#[wasm_bindgen]` binding of the same
Rust function, `residual_norm` of the sublinear-solver kernel, built with the
same release profile, the same SIMD feature and the same wasm-opt level as
the package (the package loads its SIMD module in Node):

    #[wasm_bindgen]
    pub fn residual_norm(matrix: &[f64], rows: u32, cols: u32, x: &[f64], b: &[f64]) -> f64

wasm-bindgen copies each slice into wasm memory per call (malloc, set, free)
and it reports no errors (NaN instead): nothing is checked. It also gets a
raw-pointer export (`residual_norm_ptr`, data already in wasm memory, no
checks at all), the floor any binding can reach.

For rows = cols = n in {4, 64, 1000}, bench/call_overhead.mjs times, in
interleaved batches (median ns per call):
  * plain:    generated `residualNorm(matrix, n, n, x, b)` with Float64Arrays,
              against the hand-written binding with the same arrays;
  * resident: generated `residualNorm` with ResidentArrays (no copy), against
              the same hand-written binding (goal <= 1.05x at n = 4), and, for
              reference, against the raw-pointer export.
Goals: plain <= 1.2x and resident <= 1.05x the hand-written binding at n = 4.

    .venv/bin/python bench/call_overhead.py [--rounds 5] [--json]

`--json` prints a list of {"n": …, "mode": "plain" | "resident", "ratio": …}
(generated / hand-written), as the issue specifies.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from _common import REPO, ensure_built, node, run

from wasmforge.pipeline import optimize
from wasmforge.settings import pins
from wasmforge.toolchain import tools

KERNEL = REPO / "kernels" / "sublinear-solver"
RUNNER = Path(__file__).with_name("call_overhead.mjs")
SIZES = (4, 64, 1000)

CARGO_TOML = """\
[package]
name = "hand-written"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
wasm-bindgen = "={wasm_bindgen}"
kernel = {{ package = "sublinear-solver-kernel", path = "{kernel}", features = ["simd"] }}

# The package's profile (kernel.toml: profile = "speed").
[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
strip = true

[workspace]
"""

LIB_RS = """\
//! A minimal hand-written binding of `residual_norm`: the yardstick of bench/call_overhead.py.
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn residual_norm(matrix: &[f64], rows: u32, cols: u32, x: &[f64], b: &[f64]) -> f64 {
    kernel::residual_norm(matrix, rows, cols, x, b).unwrap_or(f64::NAN)
}

/// `len` zeroed f64 in wasm memory, never freed (the benchmark keeps them).
#[wasm_bindgen]
pub fn alloc_f64(len: usize) -> *mut f64 {
    Box::leak(vec![0.0f64; len].into_boxed_slice()).as_mut_ptr()
}

/// # Safety
/// The pointers come from `alloc_f64` with at least the given lengths.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub unsafe fn residual_norm_ptr(
    matrix: *const f64,
    matrix_len: usize,
    rows: u32,
    cols: u32,
    x: *const f64,
    x_len: usize,
    b: *const f64,
    b_len: usize,
) -> f64 {
    let (matrix, x, b) = unsafe {
        (
            std::slice::from_raw_parts(matrix, matrix_len),
            std::slice::from_raw_parts(x, x_len),
            std::slice::from_raw_parts(b, b_len),
        )
    };
    kernel::residual_norm(matrix, rows, cols, x, b).unwrap_or(f64::NAN)
}

/// The module's memory, for the benchmark's views.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
"""


def build_hand_written(work: Path) -> Path:
    """The hand-written binding, compiled, bound for Node and optimised like the package."""
    toolchain = tools.resolve()
    crate = work / "crate"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(CARGO_TOML.format(wasm_bindgen=pins().wasm_bindgen, kernel=KERNEL))
    (crate / "src" / "lib.rs").write_text(LIB_RS)
    print("building the hand-written binding…", file=sys.stderr)
    run(["cargo", "build", "--quiet", "--release", "--target", "wasm32-unknown-unknown"], cwd=crate,
        env=toolchain.cargo_env())
    module = crate / "target" / "wasm32-unknown-unknown" / "release" / "hand_written.wasm"
    glue = work / "glue"
    run([str(toolchain.wasm_bindgen), "--target", "nodejs", "--out-dir", str(glue), str(module)])
    bound = glue / "hand_written_bg.wasm"
    optimize.optimize(toolchain, bound, bound, "O3")
    return glue / "hand_written.js"


def measure(rounds: int) -> list[dict]:
    pkg = ensure_built(KERNEL)
    with tempfile.TemporaryDirectory(prefix="wasmforge-call-overhead-") as tmp:
        hand = build_hand_written(Path(tmp))
        samples: dict[tuple[int, str], list[float]] = {}
        for round_number in range(rounds):
            for n in SIZES:
                result = node(RUNNER, pkg / "node.cjs", hand, n)
                if not result["simd"]:
                    raise SystemExit("the package did not load its SIMD module in Node")
                for side, ns in result["ns"].items():
                    samples.setdefault((n, side), []).append(ns)
            print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    rows = []
    for n in SIZES:
        hand = medians[(n, "hand_plain")]
        rows.append({"n": n, "mode": "plain", "ratio": medians[(n, "generated_plain")] / hand,
                     "generated_ns": medians[(n, "generated_plain")], "hand_written_ns": hand})
        rows.append({"n": n, "mode": "resident", "ratio": medians[(n, "generated_resident")] / hand,
                     "generated_ns": medians[(n, "generated_resident")], "hand_written_ns": hand,
                     "hand_written_pointer_ns": medians[(n, "hand_pointer")],
                     "ratio_to_pointer": medians[(n, "generated_resident")] / medians[(n, "hand_pointer")]})
    return rows


def print_table(rows: list[dict], rounds: int) -> None:
    print(f"\nns per call, median of {rounds} rounds (each the median of interleaved batches); "
          "ratio = generated / hand-written")
    print(f"  {'n':>5} {'mode':<9} {'generated':>11} {'hand-written':>13} {'ratio':>7} {'goal':>6}   "
          f"{'raw pointers':>12} {'ratio':>7}")
    for row in rows:
        goal = ("<=1.20" if row["mode"] == "plain" else "<=1.05") if row["n"] == 4 else ""
        pointer = (f"{row['hand_written_pointer_ns']:12.0f} {row['ratio_to_pointer']:6.2f}x"
                   if row["mode"] == "resident" else "")
        print(f"  {row['n']:>5} {row['mode']:<9} {row['generated_ns']:11.0f} {row['hand_written_ns']:13.0f} "
              f"{row['ratio']:6.2f}x {goal:>6}   {pointer}")
    print("\nhand-written: wasm-bindgen's `&[f64]` binding (copies, no checks); raw pointers: data already in "
          "wasm memory, no checks at all (a floor, not a goal)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.rounds)
    if args.json:
        print(json.dumps([{"n": r["n"], "mode": r["mode"], "ratio": r["ratio"]} for r in rows]))
    else:
        print_table(rows, args.rounds)


if __name__ == "__main__":
    main()
