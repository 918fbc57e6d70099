"""The generated package as its users meet it: TypeScript --strict against the
types, numerics against NumPy, and the generated crate under clippy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.integration.conftest import REPO, Built, assert_clippy_clean, npm_project
from wasmforge.settings import npm_tools_dir
from wasmforge.toolchain.node import NodeRuntime

TSC = npm_tools_dir() / "node_modules" / "typescript" / "bin" / "tsc"

SOLVER_CONSUMER = """
import { solve, residualNorm, SolverError, ConvergenceFailure, InvalidArgument } from 'sublinear-time-solver';

const matrix = new Float64Array([4, 1, 1, 3]);
const x: Float64Array = solve(matrix, 2, 2, new Float64Array([1, 2]));
const r: number = residualNorm(matrix, 2, 2, x, new Float64Array([1, 2]));
const withOptions: Float64Array = solve(matrix, 2, 2, new Float64Array([1, 2]), 1e-12, 50);
try {
  solve(matrix, 2, 2, new Float64Array([1, 2]), undefined, 1);
} catch (error) {
  if (error instanceof ConvergenceFailure) {
    const iterations: number = error.details.iterations;
    const code: 'CONVERGENCE_FAILURE' = error.code;
    console.log(iterations, code);
  } else if (error instanceof InvalidArgument) {
    const argument: string = error.details.argument;
    console.log(argument);
  } else if (error instanceof SolverError) {
    console.log(error.code);
  }
}
console.log(x, r, withOptions);
"""

WEB_CONSUMER = """
import init, { solve, initSync } from 'sublinear-time-solver/web';

export async function run(bytes: Uint8Array): Promise<Float64Array> {
  await init(bytes);
  initSync(bytes);
  return solve(new Float64Array([4, 1, 1, 3]), 2, 2, new Float64Array([1, 2]));
}
"""

TYPE_ERRORS = {
    "plain array for a typed array": "solve([4, 1, 1, 3], 2, 2, new Float64Array([1, 2]));",
    "string for a number": "solve(new Float64Array(4), '2', 2, new Float64Array(2));",
    "result is not a string": "const s: string = residualNorm(new Float64Array(4), 2, 2, new Float64Array(2), new Float64Array(2));",
    "details are typed": "try { solve(new Float64Array(4), 2, 2, new Float64Array(2)); } catch (e) { if (e instanceof ConvergenceFailure) { const s: string = e.details.iterations; } }",
}


def tsc(node: NodeRuntime, project: Path, module_resolution: str) -> subprocess.CompletedProcess[str]:
    module = {"node16": "node16", "nodenext": "nodenext", "bundler": "esnext"}[module_resolution]
    config = {"compilerOptions": {"strict": True, "noEmit": True, "skipLibCheck": False, "target": "es2022",
                                  "module": module, "moduleResolution": module_resolution,
                                  "lib": ["es2022", "dom"], "types": []},
              "include": ["*.ts"]}
    (project / "tsconfig.json").write_text(json.dumps(config))
    return subprocess.run(node.script(TSC, "-p", str(project)), cwd=project, capture_output=True, text=True)


def tsc_files(node: NodeRuntime, project: Path, files: dict[str, str],
              module_resolution: str) -> subprocess.CompletedProcess[str]:
    """`tsc` (as above) on exactly `files` (name -> source): the project's other .ts files go first."""
    for stale in project.glob("*.ts"):
        stale.unlink()
    for name, source in files.items():
        (project / name).write_text(source)
    return tsc(node, project, module_resolution)


def compile_and_run(node: NodeRuntime, project: Path, name: str, source: str,
                    timeout: int) -> subprocess.CompletedProcess[str]:
    """`source` written to `project/name`, compiled by `tsc --strict` to out/ (nodenext), run in Node."""
    (project / name).write_text(source)
    compiled = subprocess.run(node.script(TSC, "--strict", "--target", "es2022", "--module", "nodenext",
                                          "--moduleResolution", "nodenext", "--outDir", "out", name),
                              cwd=project, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout
    script = Path("out") / Path(name).with_suffix(".js")
    return subprocess.run([str(node.node), str(script)], cwd=project, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def ts_project(node: NodeRuntime, solver: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = npm_project(node, tmp_path_factory.mktemp("ts"), solver.pkg,
                          {"name": "consumer", "private": True, "type": "module"})
    return project


@pytest.mark.parametrize("resolution", ["node16", "nodenext", "bundler"])
def test_consumer_compiles_under_tsc_strict(node: NodeRuntime, ts_project: Path, resolution: str) -> None:
    result = tsc_files(node, ts_project, {"consumer.ts": SOLVER_CONSUMER, "web-consumer.ts": WEB_CONSUMER}, resolution)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("snippet", list(TYPE_ERRORS.values()), ids=list(TYPE_ERRORS))
def test_wrong_types_do_not_compile(node: NodeRuntime, ts_project: Path, snippet: str) -> None:
    header = "import { solve, residualNorm, ConvergenceFailure } from 'sublinear-time-solver';\n"
    result = tsc_files(node, ts_project, {"wrong.ts": header + snippet + "\n"}, "node16")
    assert result.returncode != 0 and "error TS" in result.stdout


def test_all_types_package_declarations_compile(node: NodeRuntime, all_types: Built, tmp_path: Path) -> None:
    project = npm_project(node, tmp_path, all_types.pkg, {"name": "c", "private": True, "type": "module"})
    (project / "use.ts").write_text(
        "import { scale, checksum, addWide, lowBits, greet, maybeHalf, reverse, isEven, validate, Overflow }"
        " from '@wasmforge-test/all-types';\n"
        "const a: Float32Array = scale(new Float32Array([1]), 2);\n"
        "const b: number = checksum(new Uint8Array([1]));\n"
        "const c: bigint = addWide(1n, 2n) + lowBits(3n, 1);\n"
        "const d: string = greet('x', true);\n"
        "const e: number | undefined = maybeHalf(undefined);\n"
        "const f: Uint32Array = reverse(new Uint32Array([1]));\n"
        "const g: boolean = isEven(2);\n"
        "const h: void = validate();\n"
        "try { addWide(1n, 2n); } catch (err) { if (err instanceof Overflow) { const l: bigint = err.details.left; } }\n"
        "console.log(a, b, c, d, e, f, g, h);\n"
    )
    result = tsc(node, project, "node16")
    assert result.returncode == 0, result.stdout


NUMERICS = """
const { solve } = require('sublinear-time-solver');
const problems = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const solutions = problems.map(({ n, matrix, b }) =>
  Array.from(solve(new Float64Array(matrix), n, n, new Float64Array(b), 1e-13, 20 * n)));
process.stdout.write(JSON.stringify(solutions));
"""


def test_solutions_match_numpy(node: NodeRuntime, solver: Built, tmp_path: Path) -> None:
    """Random SPD systems: relative error <= 1e-8 against numpy.linalg.solve."""
    rng = np.random.default_rng(20261121)
    problems, references = [], []
    for n in (2, 10, 100, 300):
        m = rng.standard_normal((n, n))
        a = m @ m.T + n * np.eye(n)
        b = rng.standard_normal(n)
        problems.append({"n": n, "matrix": a.ravel().tolist(), "b": b.tolist()})
        references.append(np.linalg.solve(a, b))
    project = npm_project(node, tmp_path, solver.pkg)
    (project / "numerics.cjs").write_text(NUMERICS)
    (project / "problems.json").write_text(json.dumps(problems))
    result = subprocess.run([str(node.node), "numerics.cjs", "problems.json"], cwd=project,
                            capture_output=True, text=True, check=True)
    for solution, reference in zip(json.loads(result.stdout), references, strict=True):
        relative = np.linalg.norm(np.array(solution) - reference) / np.linalg.norm(reference)
        assert relative <= 1e-8, (len(reference), relative)


@pytest.mark.parametrize("fixture_name", ["solver", "attention", "all_types", "objects", "imaging"])
def test_generated_crate_passes_clippy(fixture_name: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(fixture_name)
    assert_clippy_clean(built.kernel)


@pytest.mark.parametrize(("kernel", "features"), [
    ("kernels/sublinear-solver", ()), ("kernels/attention", ()), ("tests/fixtures/all-types", ()),
    # The rayon code of the threaded modules: its tests check it against the serial code, to the bit.
    ("kernels/sublinear-solver", ("parallel",)), ("kernels/attention", ("parallel",)),
])
def test_kernel_code_also_compiles_natively(kernel: str, features: tuple[str, ...], tmp_path: Path) -> None:
    from tests.conftest import REPO

    # The host toolchain (rustup's default), as the kernel's own authors run it.
    flags = ["--features", ",".join(features)] if features else []
    result = subprocess.run(["cargo", "test", "--quiet", "--target-dir", str(tmp_path), *flags],
                            cwd=REPO / kernel, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


SEED_000 = REPO / "kernels" / "sublinear-solver" / "examples" / "seed"
SEED_BASIC_USAGE = SEED_000 / "basic-usage.ts"
# Seed 000's snippets, each with the edits its README lists, and our two drivers that run them.
SEED_000_SOURCES = {path.name: path.read_text() for path in sorted(SEED_000.glob("*.ts"))}


@pytest.mark.parametrize("resolution", ["node16", "nodenext", "bundler"])
def test_the_seed_snippets_type_check(node: NodeRuntime, ts_project: Path, resolution: str) -> None:
    result = tsc_files(node, ts_project, SEED_000_SOURCES, resolution)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("driver", "sections"), [
    ("drive-library.ts", ["2.2", "2.4", "2.5", "3.4", "5.1", "5.3", "5.4", "5.5"]),
    ("drive-bench.ts", ["6.1", "6.2", "6.3", "6.4"]),
])
def test_the_seed_snippets_run(node: NodeRuntime, ts_project: Path, driver: str, sections: list[str]) -> None:
    # Each driver runs its snippets against the package and throws on a wrong result.
    for name, source in SEED_000_SOURCES.items():
        (ts_project / name).write_text(source)
    ran = compile_and_run(node, ts_project, driver, SEED_000_SOURCES[driver], timeout=300)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    for section in sections:
        assert f"§{section} ok: " in ran.stdout, ran.stdout


def test_the_seed_example_runs(node: NodeRuntime, ts_project: Path) -> None:
    ran = compile_and_run(node, ts_project, "basic-usage.ts", SEED_BASIC_USAGE.read_text(), timeout=120)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    assert ran.stdout.startswith("Solution: Float64Array(2) [ 0.09090909090909091, 0.6363636363636364 ]")
    assert "Converged!" in ran.stdout and "Batch solutions: [" in ran.stdout
    assert "Float64Array(2) [ 0.4545454545454545, 1.1818181818181819 ]" in ran.stdout  # (3, 4): x = [5/11, 13/11]
    assert "Memory usage: { used: " in ran.stdout
