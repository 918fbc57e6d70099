"""Resident arrays (issue 9), used from Node.js as a user would: the same
numbers as the copy path bit for bit (and as NumPy), `{ out }`, struct views,
use after free, arrays of another instance of the module, memory growth
during a call, aliasing and flat memory — on the nodejs and web entries.

Verification runs the generic resident cases on every target already (see
verify/resident.py); these tests go further with realistic sizes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.integration.conftest import Built, npm_project, run_node
from wasmforge.toolchain.node import NodeRuntime

LOADERS = {
    "nodejs": "const api = await import('sublinear-time-solver');",
    "web": """const api = await import('sublinear-time-solver/web');
await api.default((await import('node:fs')).readFileSync('node_modules/sublinear-time-solver/sublinear_time_solver_bg.wasm'));""",
}
ENTRIES = pytest.mark.parametrize("entry", sorted(LOADERS))


@pytest.fixture(scope="module")
def project(node: NodeRuntime, solver: Built, attention: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("resident-consumer")
    return npm_project(node, directory, [solver.pkg, attention.pkg],
                       {"name": "consumer", "private": True, "type": "module"})


def scenario(node: NodeRuntime, project: Path, entry: str, body: str) -> dict:
    return json.loads(run_node(node, project, f"{LOADERS[entry]}\n{body}"))


def _spd(n: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((n, n))
    return m @ m.T / n + np.eye(n)


SOLVES = """
const { readFileSync } = await import('node:fs');
const n = %(n)d;
const bytes = readFileSync('system.f64');
const all = new Float64Array(bytes.buffer, bytes.byteOffset, n * n + n);
const [a, b] = [all.slice(0, n * n), all.slice(n * n)];
const solver = new api.SublinearSolver({ tolerance: 1e-12, maxIterations: 5000 });
const copies = solver.solve({ data: a, rows: n, cols: n }, b);

const view = new api.MatrixView(n, n);
view.dataView().set(a);
const rb = api.allocFloat64Array(n);
rb.set(b);
const out = api.allocFloat64Array(n);
const viewSolve = solver.solve(view, rb);
const outSolve = solver.solve(view, rb, { out });
const plainOut = new Float64Array(n);
const plainOutSolve = solver.solve(view, b, { out: plainOut });
const objectSolve = solver.solve({ data: view.data, rows: n, cols: n }, rb.array);
const packageOut = api.allocFloat64Array(n);
api.solve(view.dataView(), n, n, rb, 1e-12, 5000, { out: packageOut });
const packageCopies = api.solve(a, n, n, b, 1e-12, 5000);
const same = (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
console.log(JSON.stringify({
  solution: Array.from(copies),
  viewSame: same(viewSolve, copies),
  outSame: same(outSolve, copies) && outSolve === out.array,
  plainOutSame: same(plainOutSolve, copies) && plainOutSolve === plainOut,
  objectSame: same(objectSolve, copies),
  packageSame: same(packageOut.array, packageCopies),
  residualSame: Object.is(api.residualNorm(view.dataView(), n, n, out, rb), api.residualNorm(a, n, n, copies, b)),
}));
"""


@ENTRIES
def test_resident_solves_equal_the_copy_path_bit_for_bit(node: NodeRuntime, project: Path, entry: str) -> None:
    n = 300
    a, b = _spd(n, 5), np.random.default_rng(6).standard_normal(n)
    np.concatenate([a.ravel(), b]).astype("<f8").tofile(project / "system.f64")
    result = scenario(node, project, entry, SOLVES % {"n": n})
    assert {key: value for key, value in result.items() if key != "solution"} == {
        "viewSame": True, "outSame": True, "plainOutSame": True, "objectSame": True, "packageSame": True,
        "residualSame": True}
    reference = np.linalg.solve(a, b)
    assert np.linalg.norm(np.array(result["solution"]) - reference) <= 1e-8 * np.linalg.norm(reference)


SPARSE = """
const n = 2000;
const values = [], cols = [], rowPtr = [0];
for (let i = 0; i < n; i++) {
  if (i > 0) { values.push(-1); cols.push(i - 1); }
  values.push(4); cols.push(i);
  if (i + 1 < n) { values.push(-1); cols.push(i + 1); }
  rowPtr.push(values.length);
}
const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
const solver = new api.SublinearSolver({ tolerance: 1e-12 });
const copies = solver.solveSparse({ values: new Float64Array(values), colIndices: new Uint32Array(cols),
  rowPtr: new Uint32Array(rowPtr), rows: n, cols: n }, b);
const view = new api.CsrMatrixView(n, n, values.length);
view.setValues(values);
view.set_col_indices(cols);
view.rowPtrView().set(rowPtr);
const out = api.allocFloat64Array(n);
const resident = solver.solveSparse(view, b, { out });
console.log(JSON.stringify({ same: resident.every((v, i) => Object.is(v, copies[i])), nnz: view.nnz }));
"""


def test_csr_views_solve_like_plain_csr(node: NodeRuntime, project: Path) -> None:
    assert scenario(node, project, "nodejs", SPARSE) == {"same": True, "nnz": 5998}


ATTENTION = """
const at = await import('@ruvector/attention-wasm');
const [batch, seq, dim] = [2, 48, 64];
const length = batch * seq * dim;
const data = Float32Array.from({ length: 3 * length }, (_, i) => Math.sin(i * 0.37));
const shape = [batch, seq, dim];
const plain = [0, 1, 2].map((i) => ({ data: data.slice(i * length, (i + 1) * length), shape }));
const resident = plain.map(({ data: values }) => {
  const array = at.allocFloat32Array(values.length);
  array.set(values);
  return { data: array, shape };
});
const same = (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
const flash = new at.FlashAttention(dim, 16);
const out = at.allocFloat32Array(length);
const flashCopies = flash.forward(...plain);
const flashOut = flash.forward(...resident, undefined, { out });
const views = resident.map(({ data: array }) => ({ data: array.array, shape }));
const multi = new at.MultiHeadAttention(new at.AttentionConfig(4, 16), 7);
const dot = new at.ScaledDotProductAttention(dim);
console.log(JSON.stringify({
  flash: same(flashOut, flashCopies) && flashOut === out.array,
  flashViews: same(flash.forward(...views), flashCopies),
  multiHead: same(multi.forward(...resident).output, multi.forward(...plain).output),
  scaledDot: same(dot.forward(...resident), dot.forward(...plain)),
}));
"""


def test_attention_with_resident_tensors_equals_the_copy_path(node: NodeRuntime, project: Path) -> None:
    assert scenario(node, project, "nodejs", ATTENTION) == {
        "flash": True, "flashViews": True, "multiHead": True, "scaledDot": True}


SAFETY = """
const name = (f) => { try { f(); return 'returned'; } catch (e) { return `${e.name}: ${e.message}`; } };
const a = api.allocFloat64Array(4);
a.set([4, 1, 1, 3]);
const b = api.allocFloat64Array(2);
b.set([1, 2]);
const freed = api.allocFloat64Array(2);
freed.free();
const view = new api.MatrixView(2, 2);
view.setData([4, 1, 1, 3]);
view.dispose();
// A second instance of the module: the web entry, instantiated from bytes.
const web = await import('sublinear-time-solver/web');
const { readFileSync } = await import('node:fs');
web.initSync(readFileSync('node_modules/sublinear-time-solver/sublinear_time_solver_bg.wasm'));
const foreign = web.allocFloat64Array(2);
const whole = api.allocFloat64Array(6);
whole.set([4, 1, 1, 3, 1, 2]);
console.log(JSON.stringify({
  freed: name(() => api.residualNorm(a, 2, 2, freed, b)),
  disposedView: name(() => new api.SublinearSolver().solve(view, b)),
  disposedArray: name(() => view.dataView()),
  foreign: name(() => api.residualNorm(a, 2, 2, foreign, b)),
  wrongType: name(() => api.residualNorm(api.allocFloat32Array(4), 2, 2, b, b)),
  aliasedOut: name(() => api.solve(a, 2, 2, b, undefined, undefined, { out: b })),
  overlappingOut: name(() => api.solve(whole.array.subarray(0, 4), 2, 2, whole.array.subarray(4),
    undefined, undefined, { out: whole.array.subarray(3, 5) })),
  disjointViews: Array.from(api.solve(whole.array.subarray(0, 4), 2, 2, whole.array.subarray(4))),
  shortOut: name(() => api.solve(a, 2, 2, b, undefined, undefined, { out: api.allocFloat64Array(3) })),
  unknownOption: name(() => api.solve(a, 2, 2, b, undefined, undefined, { into: b })),
}));
"""


def test_misuse_is_a_typed_error_never_a_trap(node: NodeRuntime, project: Path) -> None:
    result = scenario(node, project, "nodejs", SAFETY)
    assert result["freed"].startswith("InvalidArgument: residualNorm(): `x` must be a live ResidentArray of f64, "
                                      "got a ResidentArray after free()")
    assert result["disposedView"].startswith("InvalidArgument: SublinearSolver.solve(): `matrix.data` must be a live")
    assert result["disposedArray"] == "Disposed: ResidentArray.array was read after free()"
    assert "a ResidentArray of another instance of the module" in result["foreign"]
    assert "got a ResidentArray of f32" in result["wrongType"]
    assert "`out` must be memory apart from the inputs (it overlaps `b`)" in result["aliasedOut"]
    assert "it overlaps `matrix`" in result["overlappingOut"]  # elements 3..5 touch the matrix (0..4) and b (4..6)
    assert result["disjointViews"] == pytest.approx([1 / 11, 7 / 11], rel=1e-9)
    assert "`out` must be of length rows = 2, got length 3" in result["shortOut"]
    assert result["unknownOption"].startswith("InvalidArgument: solve(): `options.into` must be absent")


GROWTH = """
const n = 1000;
const a = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? n : 1 / (1 + (k % 7))));
const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
const view = new api.MatrixView(n, n);
view.setData(a);
const before = view.dataView();
const capacity = api.memoryUsage().capacity;
// The stream copies the 8 MB matrix inside the call: the memory grows while the kernel runs.
const solver = new api.SublinearSolver({ tolerance: 1e-10, streamChunkSize: 1000 });
let streamed;
const steps = solver.solveStream(view, b);
for (;;) { const { value, done } = await steps.next(); if (done) { streamed = value; break; } }
const grewInCall = api.memoryUsage().capacity > capacity;
const direct = solver.solve({ data: a, rows: n, cols: n }, b);
// A view passed with a plain array big enough to grow the memory while the call takes its arrays.
const x = api.allocFloat64Array(n);
x.set(direct);
const big = api.memoryUsage().capacity / 8 + 8;
const wide = new Float64Array(big - (big % n)).fill(0.5);
const rows = wide.length / n;
const capacity2 = api.memoryUsage().capacity;
const residual = api.residualNorm(wide, rows, n, x.array, new Float64Array(rows));
console.log(JSON.stringify({
  grewInCall,
  detachedBefore: before.length === 0,
  freshAfter: view.dataView().length === n * n && view.dataView()[0] === n,
  streamSame: streamed.every((v, i) => Object.is(v, direct[i])),
  grewTaking: api.memoryUsage().capacity > capacity2,
  residual, expected: Math.sqrt(rows) * 0.5 * Array.from(direct).reduce((s, v) => s + v, 0),
}));
"""


def test_memory_growth_during_a_call(node: NodeRuntime, project: Path) -> None:
    result = scenario(node, project, "nodejs", GROWTH)
    assert result["grewInCall"] and result["detachedBefore"] and result["freshAfter"] and result["streamSame"]
    assert result["grewTaking"]
    assert result["residual"] == pytest.approx(abs(result["expected"]), rel=1e-9)


FLAT = """
const a = api.allocFloat64Array(16);
a.set(Float64Array.from({ length: 16 }, (_, i) => (i %% 5 === 0 ? 8 : 1)));
const b = api.allocFloat64Array(4);
b.set([1, 2, 3, 4]);
const out = api.allocFloat64Array(4);
const view = new api.MatrixView(4, 4);
view.setData(a.array);
const solver = new api.SublinearSolver();
const call = () => {
  api.residualNorm(a, 4, 4, b, b);
  solver.solve(view, b, { out });
};
for (let i = 0; i < 1000; i++) call();
const before = api.memoryUsage();
for (let i = 0; i < %(calls)d; i++) call();
console.log(JSON.stringify({ before, after: api.memoryUsage() }));
"""


@ENTRIES
def test_memory_stays_flat_over_100000_resident_calls(node: NodeRuntime, project: Path, entry: str) -> None:
    result = scenario(node, project, entry, FLAT % {"calls": 100_000})
    assert result["after"] == result["before"]


DROPPED = """
const api = await import('sublinear-time-solver');
// The module's table of resident arrays grows to 100 entries once, and stays.
Array.from({ length: 100 }, () => api.allocFloat64Array(1)).forEach((array) => array.free());
const start = api.memoryUsage().used;
(() => {
  for (let i = 0; i < 100; i++) api.allocFloat64Array(10_000); // 8 MB never freed by the program
})();
const held = api.memoryUsage().used;
for (let round = 0; round < 20 && api.memoryUsage().used > start; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run between tasks
}
console.log(JSON.stringify({ start, held, end: api.memoryUsage().used }));
"""


def test_dropped_resident_arrays_are_freed_by_the_safety_net(node: NodeRuntime, project: Path) -> None:
    result = json.loads(run_node(node, project, DROPPED, flags=("--expose-gc",)))
    assert result["held"] - result["start"] >= 100 * 10_000 * 8
    assert result["end"] == result["start"]
