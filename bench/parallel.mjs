// Worker execution of a built package (bench/parallel.py runs this; see there).
//   node parallel.mjs <pkg dir> stall|batch|startup [--workers N]
// Prints one JSON line.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, what] = process.argv.slice(2);
const workersArg = process.argv[process.argv.indexOf("--workers") + 1];
const workers = Number(workersArg ?? 0);
const pkg = await import(pathToFileURL(path.join(pkgDir, 'node.js')).href);

// The 1-D Laplacian (2 on the diagonal, -1 beside it), dense: SPD with a condition number
// that grows as n², so conjugate gradient needs about n iterations — a long solve.
function laplacian(n) {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = 2;
    if (i > 0) data[i * n + i - 1] = -1;
    if (i < n - 1) data[i * n + i + 1] = -1;
  }
  return { data, rows: n, cols: n };
}

// A right-hand side with every frequency in it (a smooth one converges much sooner).
function rhs(n, seed = 1) {
  const b = new Float64Array(n);
  let state = seed;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    b[i] = state / 2147483648 - 0.5;
  }
  return b;
}

// Longest gap between ticks of a 1 ms interval timer on this thread while `work` runs.
async function stallOf(work) {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the timer running
  last = performance.now();
  const started = performance.now();
  await work();
  const total = performance.now() - started;
  longest = Math.max(longest, performance.now() - last);
  clearInterval(timer);
  return { total, longest };
}

async function stall() {
  const n = 1500;
  const matrix = laplacian(n);
  const b = rhs(n);
  const solver = new pkg.SublinearSolver({ maxIterations: 5000, tolerance: 1e-10 });
  const result = {};
  result.idle = await stallOf(() => new Promise((resolve) => setTimeout(resolve, 200)));
  result.sync = await stallOf(async () => solver.solve(matrix, b));
  result.async = await stallOf(() => solver.solveAsync(matrix, b));
  await pkg.init({ workers: 2 });
  await solver.solveAsync(laplacian(4), rhs(4)); // the worker started
  result.workers = await stallOf(() => solver.solveAsync(matrix, b));
  // Transferred, the 18 MB matrix is not copied on this thread (structured clone) on the way.
  await pkg.init({ transfer: true });
  const moved = laplacian(n);
  result['workers, transfer'] = await stallOf(() => solver.solveAsync(moved, rhs(n)));
  pkg.disposeWorkers();
  return result;
}

async function batch() {
  const n = 500;
  const items = Array.from({ length: 8 }, () => ({ matrix: laplacian(n), vector: rhs(n) }));
  const solver = new pkg.SublinearSolver({ maxIterations: 5000, tolerance: 1e-10 });
  await pkg.init({ workers, transfer: process.argv.includes("--transfer") });
  if (workers > 0) {
    // The pool started (its own items: with `transfer` the batch's arrays are gone afterwards).
    await solver.solveBatch(Array.from({ length: workers }, () => ({ matrix: laplacian(4), vector: rhs(4) })));
  }
  const started = performance.now();
  const results = await solver.solveBatch(items);
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((r) => r instanceof Error);
  if (failed.length) throw failed[0];
  pkg.disposeWorkers();
  return { seconds, items: results.length };
}

// A fresh process: a pool of 2 workers created and a first call through each.
async function startup() {
  const solver = new pkg.SublinearSolver();
  const tiny = { matrix: laplacian(4), vector: rhs(4) };
  const started = performance.now();
  await pkg.init({ workers: 2 });
  const results = await solver.solveBatch([tiny, tiny]);
  const seconds = (performance.now() - started) / 1000;
  if (results.some((r) => r instanceof Error)) throw results[0];
  return { seconds };
}

const runs = { stall, batch, startup };
console.log(JSON.stringify(await runs[what]()));
