#!/usr/bin/env python3
"""Solver speed: the same conjugate-gradient problems natively and in Node.

Problems (written once as raw little-endian files, read by both sides):

  dense     n = 1000: A = G Gᵀ / n + I with G standard normal (SPD, condition
            number about 5), b standard normal; CG to a relative residual of 1e-10.
  sparse    n = 100 000: tridiagonal, 4 on the diagonal and -1 beside it (CSR).
  stencil   n = 316² = 99 856: the five-point stencil on a 316 × 316 grid, 4.2 on
            the diagonal and -1 for each neighbour (CSR; inner rows have 5 entries).
  residual  n = 1000: one ‖b − A b‖, one pass over the dense matrix: the
            matrix-vector product on its own.

Sides: native (examples/native_bench.rs, host target, --release; x86-64's
default SSE2, 128-bit like wasm SIMD) and the built npm package in Node
(`require`), once with its SIMD module and once forced onto the baseline
module. Each problem runs twice in wasm: with plain typed arrays (copied into
wasm memory on every call, the result allocated) and *resident* (the system
in the module's memory — MatrixView, CsrMatrixView, ResidentArrays, the
matrix passed as a `dataView()` for the matvec — and the solution written
into a resident `{ out }`), as the native code borrows its data. Each side
runs `--rounds` times, alternating, and the median per side is reported with
the wasm/native throughput ratio (native time / wasm time: 1.00 is native
speed; the goal is >= 0.90 for every resident row). Init is instantiate +
first solve in a fresh Node process (goal <= 100 ms).

    .venv/bin/python bench/solver.py [--rounds 3] [--json]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from _common import (REPO, SIDES, ensure_built, median_of, medians, native, native_isa, node, report_round,
                     runtime_bench_main, side_columns, throughput_ratios)

KERNEL = REPO / "kernels" / "sublinear-solver"
RUNNER = Path(__file__).with_name("solver.mjs")
DENSE_N = 1000
SPARSE_N = 100_000
STENCIL_SIDE = 316
REPS = {"dense": 10, "sparse": 20, "stencil": 5, "residual": 200}
# The runners' mode for each problem (the stencil is a CSR system like `sparse`).
MODES = {"dense": "dense", "sparse": "sparse", "stencil": "sparse", "residual": "residual"}


def write_dense(directory: Path, n: int, rng: np.random.Generator) -> None:
    g = rng.standard_normal((n, n))
    a = g @ g.T / n + np.eye(n)
    a.astype("<f8").tofile(directory / "matrix.f64")
    rng.standard_normal(n).astype("<f8").tofile(directory / "b.f64")


def write_csr(directory: Path, n: int, row: np.ndarray, col: np.ndarray, value: np.ndarray,
              rng: np.random.Generator) -> None:
    """The matrix with entries (row, col, value) in CSR files, columns sorted, and a right-hand side."""
    order = np.lexsort((col, row))
    row_ptr = np.searchsorted(row[order], np.arange(n + 1)).astype("<u4")
    value[order].astype("<f8").tofile(directory / "values.f64")
    col[order].astype("<u4").tofile(directory / "col_indices.u32")
    row_ptr.tofile(directory / "row_ptr.u32")
    rng.standard_normal(n).astype("<f8").tofile(directory / "b.f64")


def write_sparse(directory: Path, n: int, rng: np.random.Generator) -> None:
    rows, cols, values = [], [], []
    for offset, value in ((-1, -1.0), (0, 4.0), (1, -1.0)):
        index = np.arange(max(0, -offset), min(n, n - offset))
        rows.append(index)
        cols.append(index + offset)
        values.append(np.full(index.size, value))
    write_csr(directory, n, *(np.concatenate(parts) for parts in (rows, cols, values)), rng)


def write_stencil(directory: Path, side: int, rng: np.random.Generator) -> None:
    grid_row, grid_col = (index.ravel() for index in np.indices((side, side)))
    rows, cols, values = [], [], []
    for d_row, d_col, value in ((0, 0, 4.2), (-1, 0, -1.0), (1, 0, -1.0), (0, -1, -1.0), (0, 1, -1.0)):
        inside = ((0 <= grid_row + d_row) & (grid_row + d_row < side)
                  & (0 <= grid_col + d_col) & (grid_col + d_col < side))
        point = grid_row[inside] * side + grid_col[inside]
        rows.append(point)
        cols.append(point + d_row * side + d_col)
        values.append(np.full(point.size, value))
    write_csr(directory, side * side, *(np.concatenate(parts) for parts in (rows, cols, values)), rng)


def native_ms(kind: str, directory: Path, n: int) -> float:
    result = native(KERNEL, MODES[kind], directory, n, REPS[kind])
    return result.get("ms_per_solve", result.get("ms_per_op"))


def node_ms(pkg: Path, kind: str, directory: Path, n: int, baseline: bool, resident: bool) -> dict:
    flags = (["--baseline"] if baseline else []) + (["--resident"] if resident else [])
    return node(RUNNER, pkg, MODES[kind], directory, n, REPS[kind], *flags)


def measure(rounds: int) -> dict:
    pkg = ensure_built(KERNEL)
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory(prefix="wasmforge-solver-bench-") as tmp:
        dense_dir, sparse_dir, stencil_dir = (Path(tmp, name) for name in ("dense", "sparse", "stencil"))
        for directory in (dense_dir, sparse_dir, stencil_dir):
            directory.mkdir()
        write_dense(dense_dir, DENSE_N, rng)
        write_sparse(sparse_dir, SPARSE_N, rng)
        write_stencil(stencil_dir, STENCIL_SIDE, rng)
        problems = {"dense": (dense_dir, DENSE_N), "sparse": (sparse_dir, SPARSE_N),
                    "stencil": (stencil_dir, STENCIL_SIDE ** 2), "residual": (dense_dir, DENSE_N)}
        samples: dict[str, dict[str, list[float]]] = {
            f"{kind}{suffix}": {side: [] for side in SIDES} for kind in problems for suffix in ("", " resident")}
        for round_number in range(rounds):
            for kind, (directory, n) in problems.items():
                native_sample = native_ms(kind, directory, n)
                for resident in (False, True):
                    row = samples[f"{kind} resident" if resident else kind]
                    row["native"].append(native_sample)  # the same native run serves both rows
                    simd = node_ms(pkg, kind, directory, n, baseline=False, resident=resident)
                    if not simd["simd"]:
                        raise SystemExit("the package did not load its SIMD module in Node")
                    row["wasm simd"].append(simd["ms_per_op"])
                    baseline = node_ms(pkg, kind, directory, n, baseline=True, resident=resident)
                    row["wasm baseline"].append(baseline["ms_per_op"])
                    report_round(round_number, rounds, f"{kind}{' resident' if resident else ''}", row, width=17,
                                 decimals=3)
    init = {mode: [node(RUNNER, pkg, "init", *flags) for _ in range(5)]
            for mode, flags in (("simd", []), ("baseline", ["--baseline"]))}
    return {"samples": samples, "init_ms": {mode: median_of(runs, "init_ms") for mode, runs in init.items()}}


def summarise(measured: dict, rounds: int) -> dict:
    medians_ms = medians(measured["samples"])
    return {
        "rounds": rounds,
        "median_ms": medians_ms,
        "wasm_over_native_throughput": throughput_ratios(medians_ms),
        "simd_speedup": {kind: row["wasm baseline"] / row["wasm simd"] for kind, row in medians_ms.items()},
        "init_ms": measured["init_ms"],
        "native_isa": native_isa(),
        "samples": measured["samples"],
    }


def print_table(summary: dict) -> None:
    print(f"\nmedian of {summary['rounds']} rounds (ms per call; ratio = native time / wasm time, "
          "goal >= 0.90 resident)")
    print(f"  {'problem':<33} {'native':>9} {'wasm simd':>10} {'ratio':>7} {'wasm base':>10} {'ratio':>7} "
          f"{'simd speed-up':>14}")
    labels = {"dense": f"dense CG n={DENSE_N}", "sparse": f"sparse CG n={SPARSE_N}",
              "stencil": f"stencil CG n={STENCIL_SIDE}²", "residual": f"matvec n={DENSE_N}"}
    for kind, row in summary["median_ms"].items():
        problem, _, resident = kind.partition(" ")
        label = labels[problem] + (" (resident)" if resident else " (copies)")
        print(f"  {label:<33} {side_columns(row, 3)} {summary['simd_speedup'][kind]:13.2f}x")
    print(f"  native: {summary['native_isa']} (the same 128-bit vector width as wasm SIMD128)")
    init = summary["init_ms"]
    print(f"\ninit (require + instantiate + first solve, fresh process, median of 5): "
          f"simd {init['simd']:.1f} ms, baseline {init['baseline']:.1f} ms (goal <= 100 ms)")


if __name__ == "__main__":
    runtime_bench_main(__doc__, measure, summarise, print_table)
