// The Node half of bench/solver.py: times the built sublinear-solver package on
// the systems bench/solver.py wrote as raw little-endian files, and prints one
// JSON line. Only the package call is timed, as in examples/native_bench.rs.
//
//   node solver.mjs <pkg-dir> dense|sparse|residual <dir> <n> <reps> [--baseline] [--resident]
//   node solver.mjs <pkg-dir> init [--baseline]
//
// With --baseline, WebAssembly.validate() refuses the package's SIMD probe (the
// only module it validates before loading), so the baseline module is loaded.
// With --resident, the system lives in the module's memory (MatrixView,
// CsrMatrixView, ResidentArrays) and solutions are written into a resident
// `{ out }`: no copy in or out, and nothing allocated per call.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const baseline = args.includes('--baseline');
const resident = args.includes('--resident');
const [pkgDir, kind, dir, n, reps] = args.filter((arg) => !arg.startsWith('--'));

if (baseline) {
  const validate = WebAssembly.validate;
  WebAssembly.validate = (bytes) => (bytes.byteLength < 64 ? false : validate(bytes));
}

const CONFIG = { maxIterations: 10000, tolerance: 1e-10, method: 'conjugate-gradient' };

function load() {
  // The CommonJS entry, as `require('sublinear-time-solver')` resolves it in Node.
  return createRequire(import.meta.url)(path.resolve(pkgDir, 'node.cjs'));
}

function read(name, Type) {
  const bytes = readFileSync(path.join(dir, name));
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function timeReps(count, call) {
  call(); // warm-up, untimed
  let total = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    call();
    total += performance.now() - start;
  }
  return total / count;
}

function measureInit() {
  const start = performance.now();
  const api = load();
  const solver = new api.SublinearSolver(CONFIG);
  solver.solve({ data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 }, new Float64Array([1, 2]));
  const initMs = performance.now() - start;
  return { kind: 'init', init_ms: initMs, simd: api.features().simd };
}

// The same problems with every array resident in the module's memory.
function residentCall(api, solver, size) {
  const b = api.allocFloat64Array(size);
  b.set(read('b.f64', Float64Array));
  const out = api.allocFloat64Array(size);
  if (kind === 'dense') {
    const matrix = new api.MatrixView(size, size);
    matrix.setData(read('matrix.f64', Float64Array));
    return () => solver.solve(matrix, b, { out });
  }
  if (kind === 'sparse') {
    const values = read('values.f64', Float64Array);
    const matrix = new api.CsrMatrixView(size, size, values.length);
    matrix.setValues(values);
    matrix.setColIndices(read('col_indices.u32', Uint32Array));
    matrix.setRowPtr(read('row_ptr.u32', Uint32Array));
    return () => solver.solveSparse(matrix, b, { out });
  }
  if (kind === 'residual') {
    // Seed 000 §3.2: a Float64Array over the module's memory is passed by offset.
    const matrix = new api.MatrixView(size, size);
    matrix.setData(read('matrix.f64', Float64Array));
    return () => api.residualNorm(matrix.dataView(), size, size, b.array, b.array);
  }
  throw new Error(`unknown kind ${kind}: expected dense, sparse or residual`);
}

function measure() {
  const api = load();
  const size = Number(n);
  const b = read('b.f64', Float64Array);
  const solver = new api.SublinearSolver(CONFIG);
  if (resident) {
    const ms = timeReps(Number(reps), residentCall(api, solver, size));
    return { kind, n: size, reps: Number(reps), ms_per_op: ms, simd: api.features().simd, resident };
  }
  let call;
  if (kind === 'dense') {
    const matrix = { data: read('matrix.f64', Float64Array), rows: size, cols: size };
    call = () => solver.solve(matrix, b);
  } else if (kind === 'sparse') {
    const matrix = {
      values: read('values.f64', Float64Array),
      colIndices: read('col_indices.u32', Uint32Array),
      rowPtr: read('row_ptr.u32', Uint32Array),
      rows: size,
      cols: size,
    };
    call = () => solver.solveSparse(matrix, b);
  } else if (kind === 'residual') {
    const matrix = read('matrix.f64', Float64Array);
    call = () => api.residualNorm(matrix, size, size, b, b);
  } else {
    throw new Error(`unknown kind ${kind}: expected dense, sparse, residual or init`);
  }
  const ms = timeReps(Number(reps), call);
  return { kind, n: size, reps: Number(reps), ms_per_op: ms, simd: api.features().simd, resident };
}

console.log(JSON.stringify(kind === 'init' ? measureInit() : measure()));
