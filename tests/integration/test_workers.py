"""Worker execution (`npm.workers`, issue 10) in the solver package, from its packed tarball
in Node: the async variants run in a pool of worker_threads and give the same numbers as
the calling thread (checked against NumPy), the same typed errors, batches in order with
per-item errors, cancellation that stops the worker's work, transfer against copy, and a
pool that never keeps the process alive."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.integration.conftest import SOLVER_SCRIPT_HELPERS, Built, npm_project, run_node
from wasmforge.toolchain.node import NodeRuntime

PRELUDE = """
import * as S from 'sublinear-time-solver';
""" + SOLVER_SCRIPT_HELPERS


@pytest.fixture(scope="module")
def project(node: NodeRuntime, solver: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("workers-consumer"), solver.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def run_json(node: NodeRuntime, project: Path, script: str) -> dict:
    return json.loads(run_node(node, project, PRELUDE + script).strip().splitlines()[-1])


def tridiagonal(n: int) -> np.ndarray:
    return 4 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


def test_async_variants_run_in_workers_with_the_calling_threads_numbers(node: NodeRuntime, project: Path) -> None:
    result = run_json(node, project, """
const solver = new S.SublinearSolver({ tolerance: 1e-12 });
const [m, b] = [tri(64), rhs(64, 1)];
const here = Array.from(await solver.solveAsync(m, b));
const { threadId } = await import('node:worker_threads');
await S.init({ workers: 2 });
const there = Array.from(await solver.solveAsync(m, b));
const steps = [];
for await (const step of solver.solveStream(m, b)) steps.push(step.iteration);
solver.maxIterations = 3;  // a setting changed after the first remote call reaches the worker
let failed;
try { await solver.solveAsync(m, b); } catch (e) { failed = [e instanceof S.ConvergenceFailure, e instanceof S.SolverError, e.details]; }
out({ here, there, steps, failed, mainThread: threadId });
""")
    expected = np.linalg.solve(tridiagonal(64), np.sin(1 + np.arange(64)))
    assert np.allclose(result["there"], expected, rtol=1e-9)
    assert result["there"] == result["here"]  # the same module and code: the same bits
    assert result["steps"] and result["steps"] == sorted(result["steps"])
    assert result["failed"][:2] == [True, True] and result["failed"][2]["iterations"] == 3


def test_a_batch_keeps_its_order_and_its_per_item_errors(node: NodeRuntime, project: Path) -> None:
    result = run_json(node, project, """
await S.init({ workers: 2 });
const solver = new S.SublinearSolver();
const items = Array.from({ length: 7 }, (_, k) => ({ matrix: tri(8 + k), vector: rhs(8 + k, k) }));
items[4] = { matrix: { data: new Float64Array(6), rows: 2, cols: 3 }, vector: new Float64Array(2) };
const results = await solver.solveBatch(items);
out(results.map((r) => (r instanceof S.InvalidMatrix ? r.details.reason : Array.from(r))));
""")
    assert "square" in result[4]
    for k, solution in enumerate(result):
        if k != 4:
            n = 8 + k
            assert np.allclose(solution, np.linalg.solve(tridiagonal(n), np.sin(k + np.arange(n))), rtol=1e-8)


def test_transfer_moves_the_arrays_and_copying_keeps_them(node: NodeRuntime, project: Path) -> None:
    result = run_json(node, project, """
const solver = new S.SublinearSolver();
await S.init({ workers: 1 });
const copied = rhs(16, 2);
await solver.solveAsync(tri(16), copied);
await S.init({ transfer: true });
const moved = rhs(16, 2);
const matrix = tri(16);
const x = await solver.solveAsync(matrix, moved);
// A view of a larger buffer is copied even so: transferring would take the rest of it too.
const big = new Float64Array(32).fill(1);
await solver.solveAsync(tri(16), big.subarray(0, 16));
// A resident array goes as a copy of its values (the worker has its own memory).
const resident = S.allocFloat64Array(16);
resident.set(rhs(16, 2));
const fromResident = await solver.solveAsync(tri(16), resident);
out({ copied: copied.length, moved: moved.length, matrix: matrix.data.length, x: x.length,
      big: big.length, resident: resident.array.length, same: Array.from(fromResident).join() === Array.from(x).join() });
""")
    assert result == {"copied": 16, "moved": 0, "matrix": 0, "x": 16, "big": 32, "resident": 16, "same": True}


def test_leaving_a_stream_early_stops_the_workers_work(node: NodeRuntime, project: Path) -> None:
    # The worker's side on this thread (serveWorker with an in-process port): after the cancel,
    # the stream is returned (its wasm memory freed) and nothing more is posted for it.
    result = run_json(node, project, """
const { serveWorker } = await import(new URL('./node_modules/sublinear-time-solver/workers.js', import.meta.url));
const posted = [];
let deliver;
serveWorker(S, { post: (message) => posted.push(message), listen: (handler) => (deliver = handler) });
const self = { cls: 'SublinearSolver', key: 1, ctor: [{ streamChunkSize: 1, maxIterations: 1000000, tolerance: 1e-300 }],
               props: {}, log: [], logFrom: 0 };
deliver({ op: 'stream', id: 7, self, method: 'solveStream', args: [tri(200), rhs(200, 3)] });
for (let turn = 0; posted.length < 3 && turn < 10000; turn++) await new Promise((resolve) => setImmediate(resolve));
if (posted.some((m) => m.kind !== 'item')) throw new Error(JSON.stringify(posted.find((m) => m.kind !== 'item')));
await deliver({ op: 'cancel', id: 7 });
const atCancel = posted.length;
for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
out({ atCancel, after: posted.length, kinds: [...new Set(posted.map((m) => m.kind))] });
""")
    assert result["after"] <= result["atCancel"] + 1  # at most the step already under way
    assert result["kinds"] == ["item"]


def test_an_idle_pool_lets_node_exit_and_dispose_rejects_calls_in_flight(node: NodeRuntime, project: Path) -> None:
    started = time.monotonic()
    result = run_json(node, project, """
await S.init({ workers: 2 });
// The 1-D Laplacian: CG needs about n iterations, here seconds of work.
const solver = new S.SublinearSolver({ streamChunkSize: 1, maxIterations: 100000, tolerance: 1e-14 });
const pending = solver.solveAsync(tri(2000, 2), rhs(2000, 4));
await new Promise((resolve) => setTimeout(resolve, 50));
S.disposeWorkers();
let error;
try { await pending; } catch (e) { error = [e instanceof S.Disposed, e.name]; }
const again = (await solver.solveAsync(tri(4), rhs(4, 1))).length;  // a new pool starts
out({ error, again });
""")  # and the process exits by itself: run_node returns
    assert result == {"error": [True, "Disposed"], "again": 4}
    assert time.monotonic() - started < 30


def test_bad_worker_options_are_typed_errors(node: NodeRuntime, project: Path) -> None:
    result = run_json(node, project, """
const errors = [];
for (const options of [{ workers: -1 }, { workers: 1.5 }, { workers: 'many' }, { transfer: 'yes' }]) {
  try { await S.init(options); errors.push(null); } catch (e) { errors.push([e.name, e.details.argument]); }
}
const solver = await S.initSolver({ maxIterations: 7, workers: 'auto' });
out({ errors, maxIterations: solver.maxIterations });
""")
    assert result["errors"] == [["InvalidArgument", "workers"]] * 3 + [["InvalidArgument", "transfer"]]
    assert result["maxIterations"] == 7


def test_require_gets_the_same_workers(node: NodeRuntime, project: Path) -> None:
    script = """
const S = require('sublinear-time-solver');
(async () => {
  await S.init({ workers: 1 });
  const solver = new S.SublinearSolver();
  const x = await solver.solveSparseAsync(
    { values: new Float64Array([2, -1, -1, 2]), colIndices: new Uint32Array([0, 1, 0, 1]),
      rowPtr: new Uint32Array([0, 2, 4]), rows: 2, cols: 2 }, new Float64Array([1, 1]));
  console.log(JSON.stringify(Array.from(x)));
})();
"""
    (project / "script.cjs").write_text(script)
    ran = subprocess.run([str(node.node), "script.cjs"], cwd=project, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert np.allclose(json.loads(ran.stdout), [1, 1])


@pytest.mark.parametrize("workers", [0, 1])
def test_an_abort_signal_stops_a_stream_and_its_events_variant(node: NodeRuntime, project: Path, workers: int) -> None:
    result = run_json(node, project, f"""
await S.init({{ workers: {workers} }});
const solver = new S.SublinearSolver({{ streamChunkSize: 1, maxIterations: 100000, tolerance: 1e-14 }});
const [m, b] = [tri(400, 2), rhs(400, 5)];
const controller = new AbortController();
let steps = 0, streamError;
try {{
  for await (const step of solver.solveStream(m, b, {{ signal: controller.signal }})) {{
    if (++steps === 3) controller.abort(new Error('enough'));
  }}
}} catch (e) {{ streamError = e.message; }}
const late = new AbortController();
const events = [];
solver.addEventListener('error', (event) => events.push(event.detail.name));
solver.addEventListener('progress', () => late.abort(), {{ once: true }});
const running = solver.solveAsync(m, b, {{ signal: late.signal }});
let asyncError;
try {{ await running; }} catch (e) {{ asyncError = e.name; }}
let badSignal;
try {{ solver.solveStream(m, b, {{ signal: 'stop' }}); }} catch (e) {{ badSignal = [e.name, e.details.argument]; }}
out({{ steps, streamError, asyncError, events, badSignal }});
""")
    assert result["steps"] == 3 and result["streamError"] == "enough"
    assert result["asyncError"] == "AbortError" and result["events"] == ["AbortError"]
    assert result["badSignal"] == ["InvalidArgument", "options.signal"]


@pytest.fixture(scope="module")
def attention_project(node: NodeRuntime, attention: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("attention-workers"), attention.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def test_a_worker_acts_for_an_instance_built_from_instances_and_changed_by_mutates_calls(
        node: NodeRuntime, attention_project: Path) -> None:
    # MultiHeadAttention(config: AttentionConfig, seed), then setWeights (`mutates = true`): the
    # worker builds its own AttentionConfig and replays setWeights, so forwardAsync in a worker
    # gives the calling thread's bits; a second setWeights reaches the same worker too. An
    # instance changed before init({ workers }) stays on this thread. (disposeWorkers() right
    # after a call rejects it with Disposed exactly when the call went to a worker.)
    script = """
import * as A from '@ruvector/attention-wasm';
const random = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729));
const t = (seed) => ({ data: random(2 * 3 * 8, seed), shape: [2, 3, 8] });
const [q, k, v] = [t(1), t(2), t(3)];
const weights = (seed) => [0, 1, 2, 3].map((i) => random(64, seed + i));
const bits = (result) => Array.from(result.output).join();
const where = async (promise) => promise.then(() => 'here', (e) => (e instanceof A.Disposed ? 'worker' : String(e)));

const early = new A.MultiHeadAttention(new A.AttentionConfig(2, 4), 7);
early.setWeights(...weights(10));
await A.init({ workers: 1 });
const earlyCall = early.forwardAsync(q, k, v);
A.disposeWorkers();
const earlyWhere = await where(earlyCall);
const earlySame = bits(await early.forwardAsync(q, k, v)) === bits(early.forward(q, k, v));

const late = new A.MultiHeadAttention(new A.AttentionConfig(2, 4), 7);
late.setWeights(...weights(10));
const lateCall = late.forwardAsync(q, k, v);
A.disposeWorkers();
const lateWhere = await where(lateCall);
const same1 = bits(await late.forwardAsync(q, k, v)) === bits(late.forward(q, k, v));
const before = bits(late.forward(q, k, v));
late.setWeights(...weights(20));
const same2 = bits(await late.forwardAsync(q, k, v)) === bits(late.forward(q, k, v));
const changed = bits(late.forward(q, k, v)) !== before;
A.disposeWorkers();
console.log(JSON.stringify({ earlyWhere, earlySame, lateWhere, same1, same2, changed }));
"""
    (attention_project / "mutates.mjs").write_text(script)
    ran = subprocess.run([str(node.node), "mutates.mjs"], cwd=attention_project, capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"earlyWhere": "here", "earlySame": True, "lateWhere": "worker",
                                      "same1": True, "same2": True, "changed": True}
