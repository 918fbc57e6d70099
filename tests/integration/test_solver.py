"""The sublinear-solver package (issue 3), used from Node.js as its users would:
numerics against NumPy, streaming, batches, errors, dispose, memory, SIMD —
on the nodejs target, and the stream/batch/error behaviour again on the web
target instantiated from bytes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO
from tests.integration.conftest import Built, npm_project, run_node
from tests.integration.test_consumers import TSC
from wasmforge.toolchain.node import NodeRuntime

# How each entry is loaded: the nodejs build by name, the web build from bytes.
LOADERS = {
    "nodejs": "const api = await import('sublinear-time-solver');",
    "web": """const api = await import('sublinear-time-solver/web');
const { readFileSync } = await import('node:fs');
await api.default(readFileSync('node_modules/sublinear-time-solver/sublinear_time_solver_bg.wasm'));""",
}


@pytest.fixture(scope="module")
def project(node: NodeRuntime, solver: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("solver-consumer"), solver.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def scenario(node: NodeRuntime, project: Path, entry: str, body: str) -> dict:
    return json.loads(run_node(node, project, f"{LOADERS[entry]}\n{body}"))


# --- numerics ---------------------------------------------------------------------------

def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.standard_normal((n, n))
    return m @ m.T / n + np.eye(n)


def _dominant(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.uniform(-1, 1, (n, n))
    np.fill_diagonal(a, 0)
    np.fill_diagonal(a, 1.5 * np.abs(a).sum(axis=1) + 1)
    return a


NUMERICS = """
const { readFileSync, writeFileSync } = await import('node:fs');
const problems = JSON.parse(readFileSync('problems.json', 'utf8'));
const solutions = [];
for (const { method, n, file } of problems) {
  const bytes = readFileSync(file);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset, n * n + n);
  const solver = new api.SublinearSolver({ method, tolerance: 1e-13, maxIterations: 5000 });
  solutions.push(Array.from(solver.solve({ data: all.slice(0, n * n), rows: n, cols: n }, all.slice(n * n))));
  solver.dispose();
}
writeFileSync('solutions.json', JSON.stringify(solutions));
console.log(JSON.stringify({ solved: solutions.length }));
"""


def test_solutions_match_numpy_for_every_method_and_size(node: NodeRuntime, project: Path) -> None:
    """Random SPD (conjugate gradient) and strictly diagonally dominant (Jacobi,
    Neumann) systems, n in {2, 10, 100, 1000}: relative error <= 1e-8."""
    rng = np.random.default_rng(3)
    problems, references = [], []
    for method, make in (("conjugate-gradient", _spd), ("jacobi", _dominant), ("neumann", _dominant)):
        for n in (2, 10, 100, 1000):
            a, b = make(rng, n), rng.standard_normal(n)
            file = project / f"{method}-{n}.f64"
            np.concatenate([a.ravel(), b]).astype("<f8").tofile(file)
            problems.append({"method": method, "n": n, "file": file.name})
            references.append(np.linalg.solve(a, b))
    (project / "problems.json").write_text(json.dumps(problems))
    assert scenario(node, project, "nodejs", NUMERICS) == {"solved": 12}
    solutions = json.loads((project / "solutions.json").read_text())
    for problem, solution, reference in zip(problems, solutions, references, strict=True):
        error = np.linalg.norm(np.array(solution) - reference) / np.linalg.norm(reference)
        assert error <= 1e-8, (problem, error)


def test_sparse_poisson_system_of_100000_unknowns_converges(node: NodeRuntime, project: Path) -> None:
    n = 100_000
    result = scenario(node, project, "nodejs", f"""
const n = {n};
const values = [], colIndices = [], rowPtr = [0];
for (let i = 0; i < n; i++) {{
  if (i > 0) {{ values.push(-1); colIndices.push(i - 1); }}
  values.push(4); colIndices.push(i);
  if (i < n - 1) {{ values.push(-1); colIndices.push(i + 1); }}
  rowPtr.push(values.length);
}}
const b = new Float64Array(n).map((_, i) => Math.sin(i));
const solver = new api.SublinearSolver({{ tolerance: 1e-10 }});
const x = solver.solveSparse({{ values: new Float64Array(values), colIndices: new Uint32Array(colIndices),
  rowPtr: new Uint32Array(rowPtr), rows: n, cols: n }}, b);
const {{ writeFileSync }} = await import('node:fs');
writeFileSync('x.f64', Buffer.from(x.buffer));
console.log(JSON.stringify({{ length: x.length }}));
""")
    assert result == {"length": n}
    x = np.fromfile(project / "x.f64", dtype="<f8")
    b = np.sin(np.arange(n))
    ax = 4 * x
    ax[1:] -= x[:-1]
    ax[:-1] -= x[1:]
    assert np.linalg.norm(b - ax) / np.linalg.norm(b) <= 1e-9


def _runs_of_blocks(rng: np.random.Generator) -> np.ndarray:
    """A block-diagonal SPD matrix whose rows come in runs of 1 to 9 entries:
    diagonal stretches, dense 2×2, 4×4, 6×6 and 8×8 blocks, bands of 3, 5, 7
    and 9 diagonals, in random order and sizes."""
    blocks = []
    for _ in range(90):
        kind, size = int(rng.integers(9)), int(rng.integers(1, 12))
        if kind == 0:
            blocks.append(np.diag(rng.uniform(1, 3, size)))
        elif kind <= 4:
            width = 2 * kind
            g = rng.standard_normal((width, width))
            blocks.extend([g @ g.T + width * np.eye(width)] * max(1, size // width))
        else:
            offsets, size = tuple(range(1, kind - 3)), size + 2 * (kind - 4)
            band = np.diag(np.full(size, 10.0))
            for offset in offsets:
                band += np.diag(np.full(size - offset, -1.0), offset) + np.diag(np.full(size - offset, -1.0), -offset)
            blocks.append(band)
    n = sum(len(b) for b in blocks)
    a, at = np.zeros((n, n)), 0
    for b in blocks:
        a[at:at + len(b), at:at + len(b)] = b
        at += len(b)
    return a


SPARSE_BITS = """
const { readFileSync, writeFileSync } = await import('node:fs');
const read = (name, Type) => new Type(new Uint8Array(readFileSync(name)).buffer);  // a copy: aligned
const matrix = { values: read('runs-values.f64', Float64Array), colIndices: read('runs-cols.u32', Uint32Array),
  rowPtr: read('runs-rowptr.u32', Uint32Array) };
matrix.rows = matrix.cols = matrix.rowPtr.length - 1;
const b = read('runs-b.f64', Float64Array);
const solutions = [{}, { simdEnabled: false }].map((options) => {
  const solver = new api.SublinearSolver({ tolerance: 1e-12, ...options });
  const x = solver.solveSparse(matrix, b);
  solver.dispose();
  return x;
});
writeFileSync(`runs-x-${api.features().simd ? 'simd' : 'baseline'}.f64`, Buffer.concat(solutions.map((x) => Buffer.from(x.buffer))));
console.log(JSON.stringify({ simd: api.features().simd }));
"""


def test_sparse_rows_in_runs_give_the_same_bits_in_every_module(node: NodeRuntime, project: Path) -> None:
    """The CSR product sums runs of equal rows in blocks (two rows per f64x2
    in the SIMD module): the same bits as the scalar kernels of the SIMD
    module and as the baseline module, and NumPy's solution."""
    rng = np.random.default_rng(11)
    a = _runs_of_blocks(rng)
    rows, cols = np.nonzero(a)
    order = np.lexsort((rng.permutation(rows.size), rows))  # columns unsorted within each row
    rows, cols = rows[order], cols[order]
    a[rows, cols].astype("<f8").tofile(project / "runs-values.f64")
    cols.astype("<u4").tofile(project / "runs-cols.u32")
    np.searchsorted(rows, np.arange(len(a) + 1)).astype("<u4").tofile(project / "runs-rowptr.u32")
    b = rng.standard_normal(len(a))
    b.astype("<f8").tofile(project / "runs-b.f64")
    lengths = set(np.diff(np.searchsorted(rows, np.arange(len(a) + 1))))
    assert set(range(1, 10)) <= lengths

    assert scenario(node, project, "nodejs", SPARSE_BITS) == {"simd": True}
    baseline = run_node(node, project, "WebAssembly.validate = () => false;\n" + LOADERS["nodejs"] + SPARSE_BITS)
    assert json.loads(baseline) == {"simd": False}
    simd = (project / "runs-x-simd.f64").read_bytes()
    assert simd[:len(simd) // 2] == simd[len(simd) // 2:], "simdEnabled: false changed the bits"
    assert simd == (project / "runs-x-baseline.f64").read_bytes(), "the baseline module gave other bits"
    x, reference = np.frombuffer(simd[:len(simd) // 2], dtype="<f8"), np.linalg.solve(a, b)
    assert np.linalg.norm(x - reference) / np.linalg.norm(reference) <= 1e-10


# --- streaming, batches, errors: on both entries --------------------------------------------

STREAM = """
const { SublinearSolver, ConvergenceFailure, SolverError, trackProgress } = api;
const matrix = { data: new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]), rows: 3, cols: 3 };
const vector = new Float64Array([1, 2, 3]);
const solver = new SublinearSolver({ streamChunkSize: 1 });
const steps = [];
const stream = solver.solveStream(matrix, vector);
for (;;) { const { value, done } = await stream.next(); if (done) { steps.push({ result: Array.from(value) }); break; } steps.push(value); }
const reports = [];
for await (const report of trackProgress(solver.solveStream(matrix, vector), { target: solver.tolerance, limit: solver.maxIterations })) reports.push(report);
const before = solver.getMemoryUsage().used;
let seen = 0;
const early = solver.solveStream(matrix, vector);
for await (const step of early) { seen += 1; break; }
const afterBreak = await early.next();
let rejected;
const tight = new SublinearSolver({ maxIterations: 1, streamChunkSize: 1 });
try { for await (const step of tight.solveStream(matrix, vector)) { } } catch (error) { rejected = error; }
console.log(JSON.stringify({
  steps, reports, seen, afterBreak: afterBreak.done, sameMemory: solver.getMemoryUsage().used === before,
  rejected: { name: rejected.name, typed: rejected instanceof ConvergenceFailure, base: rejected instanceof SolverError,
              code: rejected.code, type: rejected.type, details: rejected.details },
}));
solver.dispose(); tight.dispose();
"""


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_streaming_yields_steps_stops_on_break_and_rejects_typed(node: NodeRuntime, project: Path, entry: str) -> None:
    result = scenario(node, project, entry, STREAM)
    steps, final = result["steps"][:-1], result["steps"][-1]
    assert [s["iteration"] for s in steps] == list(range(1, len(steps) + 1))
    assert all(isinstance(s["timestamp"], (int, float)) and s["timestamp"] > 1.6e12 for s in steps)
    assert [s["convergence"] for s in steps] == [False] * (len(steps) - 1) + [True]
    assert steps[-1]["residual"] <= 1e-10 < steps[0]["residual"]
    reference = np.linalg.solve(np.array([[4, 1, 0], [1, 3, 1], [0, 1, 2]]), [1, 2, 3])
    assert np.allclose(final["result"], reference, rtol=1e-9)
    report = result["reports"][-1]
    assert set(report) == {"percentage", "estimatedTimeRemaining", "currentIteration", "totalIterations", "residual",
                           "convergenceRate"} and report["percentage"] == 100
    assert result["seen"] == 1 and result["afterBreak"] is True and result["sameMemory"] is True
    rejected = result["rejected"]
    assert rejected["typed"] and rejected["base"] and rejected["code"] == rejected["type"] == "CONVERGENCE_FAILURE"
    assert rejected["details"]["iterations"] == 1 and rejected["details"]["residual"] > 0


EVENTS = """
const solver = new api.SublinearSolver({ streamChunkSize: 1 });
const events = [];
solver.addEventListener('progress', (e) => events.push(['progress', e.detail.percentage]));
solver.addEventListener('complete', (e) => events.push(['complete', Array.from(e.detail)]));
solver.addEventListener('error', (e) => events.push(['error', e.detail.name]));
const matrix = { data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 };
const solution = await solver.solveAsync(matrix, new Float64Array([1, 2]));
solver.maxIterations = 1;
solver.solveAsync({ data: new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]), rows: 3, cols: 3 }, new Float64Array([1, 2, 3]));
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ solution: Array.from(solution), events }));
solver.dispose();
"""


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_event_target_variant_emits_progress_complete_and_error(node: NodeRuntime, project: Path, entry: str) -> None:
    result = scenario(node, project, entry, EVENTS)
    kinds = [e[0] for e in result["events"]]
    assert kinds[-2:] == ["complete", "error"] and kinds.count("progress") >= 2
    assert result["events"][-1] == ["error", "ConvergenceFailure"]
    assert np.allclose(result["solution"], [1 / 11, 7 / 11]) and np.allclose(result["events"][-2][1], [1 / 11, 7 / 11])


BATCH = """
const { SublinearSolver, InvalidMatrix, InvalidArgument, SolverError } = api;
const solver = new SublinearSolver();
const good = { data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 };
const results = await solver.solveBatch([
  { matrix: good, vector: new Float64Array([1, 2]) },
  { matrix: { data: new Float64Array(6), rows: 2, cols: 3 }, vector: new Float64Array([1, 2]) },
  { matrix: good, vector: new Float64Array([2, 3]) },
  { matrix: good, vector: [2, 3] },
]);
console.log(JSON.stringify(results.map((r) => r instanceof SolverError
  ? { error: r.name, invalidMatrix: r instanceof InvalidMatrix, invalidArgument: r instanceof InvalidArgument }
  : Array.from(r))));
solver.dispose();
"""


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_batch_with_one_bad_problem_fails_only_that_problem(node: NodeRuntime, project: Path, entry: str) -> None:
    first, second, third, fourth = scenario(node, project, entry, BATCH)
    assert np.allclose(first, np.linalg.solve([[4, 1], [1, 3]], [1, 2]))
    assert second == {"error": "InvalidMatrix", "invalidMatrix": True, "invalidArgument": False}
    assert np.allclose(third, np.linalg.solve([[4, 1], [1, 3]], [2, 3]))
    assert fourth == {"error": "InvalidArgument", "invalidMatrix": False, "invalidArgument": True}


ERRORS = """
const { SublinearSolver, SolverError } = api;
const attempt = (thunk) => { try { thunk(); return null; } catch (e) {
  return { name: e.name, base: e instanceof SolverError, own: e instanceof api[e.name], code: e.code, details: e.details }; } };
const dominant = new SublinearSolver({ method: 'jacobi' });
const limited = new SublinearSolver({ memoryLimit: 16 });
const budget = new SublinearSolver({ maxIterations: 1 });
const disposed = new SublinearSolver(); disposed.dispose();
const m3 = { data: new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]), rows: 3, cols: 3 };
console.log(JSON.stringify({
  invalidMatrix: attempt(() => new SublinearSolver().solve({ data: new Float64Array([1, 2, 2, 1]), rows: 2, cols: 2 }, new Float64Array([1, -1]))),
  notDominant: attempt(() => dominant.solve({ data: new Float64Array([1, 2, 0, 2, 5, 1, 0, 1, 1]), rows: 3, cols: 3 }, new Float64Array(3).fill(1))),
  convergence: attempt(() => budget.solve(m3, new Float64Array([1, 2, 3]))),
  memory: attempt(() => limited.solve(m3, new Float64Array([1, 2, 3]))),
  unknownKey: attempt(() => new SublinearSolver({ tolerence: 1e-3 })),
  wrongType: attempt(() => new SublinearSolver({ maxIterations: '10' })),
  badMethod: attempt(() => new SublinearSolver({ method: 'gauss' })),
  disposed: attempt(() => disposed.solve(m3, new Float64Array(3))),
  setter: attempt(() => { dominant.tolerance = -1; }),
}));
"""


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_every_error_class_with_its_details(node: NodeRuntime, project: Path, entry: str) -> None:
    errors = scenario(node, project, entry, ERRORS)
    assert all(e["base"] and e["own"] for e in errors.values()), errors
    assert errors["invalidMatrix"]["name"] == "InvalidMatrix" and "positive-definite" in errors["invalidMatrix"]["details"]["reason"]
    assert errors["notDominant"]["name"] == "NotDiagonallyDominant"
    assert errors["notDominant"]["details"] == {"row": 0, "diagonal": 1, "offDiagonal": 2}
    assert errors["convergence"]["name"] == "ConvergenceFailure" and errors["convergence"]["details"]["iterations"] == 1
    assert errors["memory"] == {**errors["memory"], "name": "MemoryError", "code": "MEMORY_ERROR",
                                "details": {"bytes": 96}}
    assert errors["unknownKey"]["details"]["argument"] == "config.tolerence"
    assert errors["wrongType"]["details"]["argument"] == "config.maxIterations"
    assert "one of 'conjugate-gradient', 'jacobi', 'neumann'" in errors["badMethod"]["details"]["expected"]
    assert errors["disposed"]["name"] == "Disposed"
    assert errors["setter"]["name"] == "InvalidArgument" and errors["setter"]["details"]["argument"] == "tolerance"


def test_web_entry_refuses_calls_before_init(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { SublinearSolver, NotInitialized, initSolver } from 'sublinear-time-solver/web';
try { new SublinearSolver(); } catch (error) { console.log(JSON.stringify({ name: error.name, typed: error instanceof NotInitialized })); }
""")
    assert json.loads(output) == {"name": "NotInitialized", "typed": True}


# --- memory, SIMD, init -------------------------------------------------------------------------

def test_ten_thousand_solves_then_dispose_keep_memory_flat(node: NodeRuntime, project: Path) -> None:
    result = scenario(node, project, "nodejs", """
const { SublinearSolver, memoryUsage } = api;
const matrix = { data: new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]), rows: 3, cols: 3 };
// The facade's scratch arena (where plain arrays are copied) is allocated by the first call and reused.
new SublinearSolver().solve(matrix, new Float64Array([1, 2, 3]));
const start = memoryUsage();
const solver = new SublinearSolver();
for (let i = 0; i < 10000; i++) solver.solve(matrix, new Float64Array([1, 2, i]));
const own = solver.getMemoryUsage();
solver.dispose();
const end = memoryUsage();
console.log(JSON.stringify({ start, end, own }));
""")
    assert result["end"]["capacity"] - result["start"]["capacity"] <= 65536
    assert result["end"]["used"] <= result["start"]["used"]
    assert result["own"]["used"] == 4 * 3 * 8 and result["own"]["capacity"] == result["end"]["capacity"]


def test_simd_is_picked_where_supported_and_reported_truthfully(node: NodeRuntime, project: Path) -> None:
    probe = """
const { SublinearSolver, features } = api;
const on = new SublinearSolver(), off = new SublinearSolver({ simdEnabled: false });
const m = { data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 };
console.log(JSON.stringify({ features: features(), on: on.simdEnabled, off: off.simdEnabled,
  same: Array.from(on.solve(m, new Float64Array([1, 2]))).join() === Array.from(off.solve(m, new Float64Array([1, 2]))).join() }));
"""
    simd = scenario(node, project, "nodejs", probe)
    assert simd == {"features": {"simd": True, "parallel": False, "workers": 0, "threads": 0}, "on": True, "off": False,
                    "same": True}
    baseline = json.loads(run_node(node, project, "WebAssembly.validate = () => false;\n" + LOADERS["nodejs"] + probe))
    assert baseline == {"features": {"simd": False, "parallel": False, "workers": 0, "threads": 0}, "on": False, "off": False,
                        "same": True}


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_init_solver_and_shared_get_solver(node: NodeRuntime, project: Path, entry: str) -> None:
    result = scenario(node, project, entry, """
const solver = await api.initSolver({ tolerance: 1e-12 });
const [first, second] = await Promise.all([api.getSolver(), api.getSolver()]);
console.log(JSON.stringify({ tolerance: solver.tolerance, shared: first === second, fresh: first !== solver,
  version: api.version() }));
""")
    assert result == {"tolerance": 1e-12, "shared": True, "fresh": True, "version": "0.1.0"}


# --- the seed's example, in TypeScript ---------------------------------------------------------------

def test_basic_usage_example_compiles_strict_and_runs(node: NodeRuntime, project: Path) -> None:
    example = REPO / "kernels" / "sublinear-solver" / "examples" / "basic-usage.ts"
    (project / "basic-usage.ts").write_text(example.read_text())
    config = {"compilerOptions": {"strict": True, "target": "es2022", "module": "nodenext",
                                  "moduleResolution": "nodenext", "outDir": "out", "skipLibCheck": False,
                                  "lib": ["es2022", "dom"], "types": []}, "files": ["basic-usage.ts"]}
    (project / "tsconfig.json").write_text(json.dumps(config))
    compiled = subprocess.run(node.script(TSC, "-p", str(project)), cwd=project, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout
    ran = subprocess.run([str(node.node), "out/basic-usage.js"], cwd=project, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert "Solution: 0.0909" in ran.stdout and "Converged after" in ran.stdout
    assert "Batch: 3 solutions, 1 error (InvalidMatrix)" in ran.stdout and "complete:" in ran.stdout
