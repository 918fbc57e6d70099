"""wasm threads (`build.threads_feature`, issue 10 part 3) in the bundled kernels, from their
packed tarballs in Node: `init({ workers, threads })` runs the async variants in workers on
the threaded module, whose kernels split over rayon's threads and give the single-threaded
module's numbers to the bit (and NumPy's); errors stay typed; entries that cannot run threads
fall back and features() says so; and a process with a thread pool still exits by itself."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO
from tests.integration.conftest import SOLVER_SCRIPT_HELPERS, Built, build, copy_kernel, npm_project, run_node
from wasmforge.toolchain.node import NodeRuntime

SOLVER_PRELUDE = """
import * as S from 'sublinear-time-solver';
// The 1-D Laplacian shifted by 0.05 (SPD, ~100 CG iterations), n = 600: the dense product is
// large enough (600² >= 512²) to split over threads on every iteration.
const shifted = (n) => tri(n, 2.05);
""" + SOLVER_SCRIPT_HELPERS


@pytest.fixture(scope="module")
def solver_project(node: NodeRuntime, solver: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("threads-solver"), solver.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


@pytest.fixture(scope="module")
def attention_project(node: NodeRuntime, attention: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("threads-attention"), attention.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def run_json(node: NodeRuntime, project: Path, script: str) -> dict:
    return json.loads(run_node(node, project, script).strip().splitlines()[-1])


def shifted_laplacian(n: int) -> np.ndarray:
    return 2.05 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


def test_the_threaded_solver_gives_the_single_threaded_bits_and_numpys_numbers(
        node: NodeRuntime, solver_project: Path) -> None:
    result = run_json(node, solver_project, SOLVER_PRELUDE + """
const solver = new S.SublinearSolver({ tolerance: 1e-12, maxIterations: 5000 });
const [m, b] = [shifted(600), rhs(600, 1)];
const here = Array.from(solver.solve(m, b));
await S.init({ workers: 1, threads: 2 });
const features = S.features();
const threaded = Array.from(await solver.solveAsync(m, b));
const steps = [];
for await (const step of solver.solveStream(m, b)) steps.push(step.iteration);
const batch = (await solver.solveBatch([{ matrix: m, vector: b }, { matrix: m, vector: rhs(600, 2) }])).map((x) => Array.from(x));
S.disposeWorkers();
out({ here, threaded, steps, batch, features });
""")
    assert result["features"] == {"simd": True, "parallel": True, "workers": 1, "threads": 2}
    assert result["threaded"] == result["here"]  # split by rows, each row as serially: the same bits
    assert result["batch"][0] == result["here"]
    expected = np.linalg.solve(shifted_laplacian(600), np.sin(1 + np.arange(600)))
    assert np.allclose(result["threaded"], expected, rtol=1e-9)
    other = np.linalg.solve(shifted_laplacian(600), np.sin(2 + np.arange(600)))
    assert np.allclose(result["batch"][1], other, rtol=1e-9)
    assert len(result["steps"]) >= 2 and result["steps"] == sorted(result["steps"])


def test_threaded_multi_head_attention_gives_the_single_threaded_bits(
        node: NodeRuntime, attention_project: Path) -> None:
    # Batch 3, model dim 256: the projections (rows · D² >= 2²¹) and the batch entries split.
    result = run_json(node, attention_project, """
import * as A from '@ruvector/attention-wasm';
const random = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729));
const t = (seed) => ({ data: random(3 * 40 * 256, seed), shape: [3, 40, 256] });
const layer = new A.MultiHeadAttention(new A.AttentionConfig(4, 64), 9);
const [q, k, v] = [t(1), t(2), t(3)];
const here = layer.forward(q, k, v);
await A.init({ threads: 2 });  // threads without workers: one worker
const there = await layer.forwardAsync(q, k, v);
const features = A.features();
A.disposeWorkers();
const same = (x, y) => x.length === y.length && x.every((value, i) => Object.is(value, y[i]));
console.log(JSON.stringify({ features, output: same(here.output, there.output), weights: same(here.weights, there.weights),
  length: there.output.length }));
""")
    assert result["features"] == {"simd": True, "parallel": True, "workers": 1, "threads": 2}
    assert result["output"] and result["weights"] and result["length"] == 3 * 40 * 256


def test_errors_from_the_threaded_module_stay_typed(node: NodeRuntime, solver_project: Path) -> None:
    result = run_json(node, solver_project, SOLVER_PRELUDE + """
await S.init({ workers: 1, threads: 2 });
const solver = new S.SublinearSolver({ maxIterations: 3 });
const failures = [];
try { await solver.solveAsync(shifted(600), rhs(600, 1)); } catch (e) { failures.push([e.name, e instanceof S.ConvergenceFailure, e.details]); }
const bad = { data: new Float64Array([1, NaN, 1, 1]), rows: 2, cols: 2 };
try { await solver.solveAsync(bad, new Float64Array(2)); } catch (e) { failures.push([e.name, e instanceof S.InvalidMatrix, e.details]); }
for (const threads of [-1, 1.5, 'many']) {
  // With a valid `workers` beside it: a refused init() changes nothing.
  try { await S.init({ workers: 3, threads }); } catch (e) { failures.push([e.name, e.details.argument, e.details.expected]); }
}
failures.push(S.features());
S.disposeWorkers();
out(failures);
""")
    assert result[0][:2] == ["ConvergenceFailure", True] and result[0][2]["iterations"] == 3
    assert result[1][:2] == ["InvalidMatrix", True] and "NaN" in result[1][2]["reason"]
    assert [failure[:2] for failure in result[2:5]] == [["InvalidArgument", "threads"]] * 3
    assert "'auto'" in result[2][2]
    assert result[5] == {"simd": True, "parallel": True, "workers": 1, "threads": 2}


def test_entries_without_threads_fall_back_and_say_so(node: NodeRuntime, solver_project: Path) -> None:
    # The bundler entry's workers (index.js: the inlined no-modules script) run the
    # single-threaded module: threads asked for are not there, and features() says 0.
    result = run_json(node, solver_project, SOLVER_PRELUDE.replace("'sublinear-time-solver'",
                                                                    "'sublinear-time-solver/bundler'") + """
const solver = new S.SublinearSolver({ tolerance: 1e-12, maxIterations: 5000 });
const [m, b] = [shifted(600), rhs(600, 1)];
const here = Array.from(solver.solve(m, b));
await S.init({ workers: 1, threads: 2 });
const features = S.features();
const there = Array.from(await solver.solveAsync(m, b));
S.disposeWorkers();
out({ features, same: here.length === there.length && here.every((x, i) => Object.is(x, there[i])) });
""")
    assert result["features"] == {"simd": True, "parallel": False, "workers": 1, "threads": 0}
    assert result["same"]


def test_a_process_with_a_thread_pool_exits_by_itself(node: NodeRuntime, solver_project: Path) -> None:
    script = SOLVER_PRELUDE + """
await S.init({ workers: 2, threads: 2 });
const x = await new S.SublinearSolver().solveAsync(shifted(600), rhs(600, 1));
out({ first: x[0], threads: S.features().threads });
"""
    (solver_project / "exits.mjs").write_text(script)
    started = time.monotonic()
    ran = subprocess.run([str(node.node), "exits.mjs"], cwd=solver_project, capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.strip().splitlines()[-1])["threads"] == 2
    assert time.monotonic() - started < 30  # no disposeWorkers(): the idle workers and threads let it end


@pytest.mark.parametrize("entry", ["require", "web"])
def test_threads_run_from_the_commonjs_and_web_entries(node: NodeRuntime, solver_project: Path, entry: str) -> None:
    # node.cjs's workers are worker.cjs (thread.cjs threads); the web entry's are worker.js
    # (thread.js threads, worker_threads in Node.js).
    load = {"require": "const S = require('sublinear-time-solver');",
            "web": "const S = await import('sublinear-time-solver/web');"
                   " await S.default(require('node:fs').readFileSync(require.resolve('sublinear-time-solver/"
                   "simd/sublinear_time_solver_bg.wasm')));"}[entry]
    script = f"""
(async () => {{
{load}
await S.init({{ workers: 1, threads: 2 }});
const n = 600;
const data = new Float64Array(n * n);
for (let i = 0; i < n; i++) {{ data[i * n + i] = 2.05; if (i) data[i * n + i - 1] = -1; if (i < n - 1) data[i * n + i + 1] = -1; }}
const b = Float64Array.from({{ length: n }}, (_, i) => Math.sin(1 + i));
const solver = new S.SublinearSolver({{ tolerance: 1e-12, maxIterations: 5000 }});
const here = solver.solve({{ data, rows: n, cols: n }}, b);
const there = await solver.solveAsync({{ data, rows: n, cols: n }}, b);
console.log(JSON.stringify({{ features: S.features(), same: here.every((x, i) => Object.is(x, there[i])) }}));
S.disposeWorkers();
}})();
"""
    result = json.loads(run_node(node, solver_project, script, module=False).strip().splitlines()[-1])
    assert result == {"features": {"simd": True, "parallel": True, "workers": 1, "threads": 2}, "same": True}


@pytest.fixture(scope="module")
def panicking_project(node: NodeRuntime, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # tests/fixtures/threads: Σ v² on rayon's threads, panicking there on a negative value.
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "threads", tmp_path_factory.mktemp("threads") / "threads")
    return npm_project(node, tmp_path_factory.mktemp("threads-fixture"), build(kernel).pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def test_a_thread_that_panics_fails_the_call_instead_of_hanging_it(node: NodeRuntime, panicking_project: Path) -> None:
    # The worker waits for its threads inside the module and cannot answer: the dying thread
    # tells the caller's pool, which loses the worker (InternalError) and starts another.
    result = run_json(node, panicking_project, """
import * as T from '@wasmforge-test/threads';
await T.init({ workers: 1, threads: 2 });
const before = await T.sumSquaresAsync(new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]));
let failure;
try { await T.sumSquaresAsync(new Float64Array([1, 2, 3, 4, 5, 6, -7, 8])); } catch (e) { failure = [e.name, e.message]; }
const after = await T.sumSquaresAsync(new Float64Array([2, 2]));
console.log(JSON.stringify({ before, failure, after, features: T.features() }));
""")
    assert result["before"] == 204 and result["after"] == 8
    assert result["failure"][0] == "InternalError" and "a thread of the threaded module failed" in result["failure"][1]
    assert result["features"]["threads"] == 2
