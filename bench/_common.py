"""What the benchmarks share: this checkout's wasmforge, the one subprocess
door, the built package, the native example runner, Node, the medians and
ratio arithmetic, and the command line of the runtime benchmarks.

Every benchmark runs the same problem natively (the kernel compiled for the
host by cargo, `--release`) and in Node through the built npm package, in the
same process tree one after the other, so machine load affects both alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from wasmforge.toolchain.node import find_node  # noqa: E402


def _checkout_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # `python -m wasmforge` runs this checkout's wasmforge, whatever is installed.
    path = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(argv, cwd=cwd, env=_checkout_env(env), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed ({result.returncode}): {' '.join(argv)}\n"
                         f"{result.stderr[-3000:]}")
    return result.stdout


def last_json_line(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def ensure_built(kernel: Path) -> Path:
    """The kernel's pkg/, built by this checkout's wasmforge (a no-op when current)."""
    print(f"building {kernel.name} (no-op when up to date)…", file=sys.stderr)
    run([sys.executable, "-m", "wasmforge", "build", str(kernel), "--all-targets"])
    return kernel / "pkg"


@functools.cache
def _native_bench_binary(kernel: Path) -> str:
    """Build `examples/native_bench.rs` once (host target, release) and return
    its executable, so each sample runs the program, not cargo."""
    argv = ["cargo", "build", "--quiet", "--release", "--example", "native_bench", "--message-format=json"]
    for line in run(argv, cwd=kernel).splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "native_bench":
            return message["executable"]
    raise SystemExit(f"cargo built no native_bench executable in {kernel}")


def native(kernel: Path, *args: object) -> dict:
    """One run of the kernel's `examples/native_bench.rs`, host target, release profile."""
    return last_json_line(run([_native_bench_binary(kernel), *map(str, args)], cwd=kernel))


def node(script: Path, *args: object) -> dict:
    runtime = find_node()
    if runtime is None:
        raise SystemExit("no Node.js found: run `make build` (or `wasmforge toolchain install`) first")
    return last_json_line(run([str(runtime.node), str(script), *map(str, args)]))


@functools.cache
def native_isa() -> str:
    """What the native yardstick is compiled for: the host target's default vector features
    (x86-64's baseline is SSE2, 128-bit vectors, the width of wasm SIMD128)."""
    cfg = run(["rustc", "--print", "cfg"])
    arch = next((line.split('"')[1] for line in cfg.splitlines() if line.startswith("target_arch=")), "?")
    vector = [line.split('"')[1] for line in cfg.splitlines() if line.startswith("target_feature=")
              and any(name in line for name in ("sse", "avx", "neon", "simd"))]
    return f"{arch} with {', '.join(vector) or 'no vector features'}"


def median_of(samples: list[dict], key: str) -> float:
    return statistics.median(sample[key] for sample in samples)


def ratio_text(native_ms: float, wasm_ms: float) -> str:
    """Throughput of wasm relative to native: 1.00 means as fast, 0.50 half as fast."""
    return f"{native_ms / wasm_ms:5.2f}x"


# Each runtime benchmark measures every case on these sides.
WASM_SIDES = ("wasm simd", "wasm baseline")
SIDES = ("native", *WASM_SIDES)


def medians(samples: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    return {case: {side: statistics.median(values) for side, values in sides.items()}
            for case, sides in samples.items()}


def throughput_ratios(medians_ms: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per case and wasm side: native time / wasm time."""
    return {case: {side: row["native"] / row[side] for side in WASM_SIDES} for case, row in medians_ms.items()}


def report_round(round_number: int, rounds: int, case: str, row: dict[str, list[float]], width: int,
                 decimals: int) -> None:
    """The latest sample of each side, on stderr while a benchmark runs."""
    print(f"round {round_number + 1}/{rounds} {case:<{width}} "
          + "  ".join(f"{side} {values[-1]:8.{decimals}f} ms" for side, values in row.items()), file=sys.stderr)


def side_columns(row: dict[str, float], decimals: int) -> str:
    """A case's table cells: native, then each wasm side with its ratio."""
    return (f"{row['native']:9.{decimals}f} {row['wasm simd']:10.{decimals}f} "
            f"{ratio_text(row['native'], row['wasm simd']):>7} {row['wasm baseline']:10.{decimals}f} "
            f"{ratio_text(row['native'], row['wasm baseline']):>7}")


def runtime_bench_main(doc: str | None, measure: Callable[[int], dict], summarise: Callable[[dict, int], dict],
                       print_table: Callable[[dict], None]) -> None:
    """The command line of bench/solver.py and bench/attention.py."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = summarise(measure(args.rounds), args.rounds)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(summary)
