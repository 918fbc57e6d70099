// Worker execution of a built package (bench/parallel.py runs this; see there).
//   node parallel.mjs <pkg dir> stall|batch|startup [--workers N]
//   node parallel.mjs <pkg dir> threads-call|threads-async --kernel solver|attention --threads N
// Prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const [pkgDir, what] = process.argv.slice(2);
const workersArg = process.argv[process.argv.indexOf("--workers") + 1];
const workers = Number(workersArg ?? 0);
const pkg = await import(pathToFileURL(path.join(pkgDir, 'node.js')).href);

// The 1-D Laplacian (2 on the diagonal, -1 beside it), dense: SPD with a condition number
// that grows as n², so conjugate gradient needs about n iterations — a long solve. A larger
// `diagonal` shifts it and bounds the iterations.
function laplacian(n, diagonal = 2) {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = diagonal;
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

const option = (name) => process.argv[process.argv.indexOf(name) + 1];

// What one kernel call computes, for a package API: the solver's dense CG (n = 2000, the
// Laplacian shifted by 0.05: about 110 iterations) or attention's multi-head forward
// (8 heads × 64, batch 4, seq 256). `run(api)` is the synchronous call, `runAsync(api)` its
// async variant (a worker's, with `init({ workers })`).
function workload(kernel) {
  if (kernel === 'solver') {
    const n = 2000;
    const matrix = laplacian(n, 2.05);
    const b = rhs(n);
    const solver = (api) => new api.SublinearSolver({ maxIterations: 5000, tolerance: 1e-10 });
    return {
      run: (api) => solver(api).solve(matrix, b),
      runAsync: (api) => solver(api).solveAsync(matrix, b),
      first: (x) => x[0],
    };
  }
  const [batchSize, seq, dim] = [4, 256, 512];
  const tensor = (seed) => ({ data: Float32Array.from(rhs(batchSize * seq * dim, seed)), shape: [batchSize, seq, dim] });
  const [q, k, v] = [tensor(1), tensor(2), tensor(3)];
  const layer = (api) => new api.MultiHeadAttention(new api.AttentionConfig(8, 64), 5);
  return {
    run: (api) => layer(api).forward(q, k, v),
    runAsync: (api) => layer(api).forwardAsync(q, k, v),
    first: (out) => out.output[0],
  };
}

// The package's API on the threaded module, on this thread (Node.js may wait on shared memory
// here), its pool's `threads` threads worker_threads running thread.cjs: the kernel call itself,
// without a worker's messages around it.
async function threadedApi(threads) {
  const file = (name) => path.resolve(pkgDir, name);
  const glue = fs.readdirSync(file('threads')).find((name) => name.endsWith('.web.js'));
  const wasm = fs.readdirSync(file('threads')).find((name) => name.endsWith('.wasm'));
  const raw = await import(pathToFileURL(file(`threads/${glue}`)).href);
  const module = new WebAssembly.Module(fs.readFileSync(file(`threads/${wasm}`)));
  const { memory } = raw.initSync({ module });
  const { startThreads, threadReady } = await import(pathToFileURL(file('workers.js')).href);
  await startThreads(raw, threads, (workerData) => {
    const thread = new Worker(file('thread.cjs'), { workerData });
    thread.unref();
    return threadReady(thread);
  }, { module, memory });
  const { createApi } = await import(pathToFileURL(file('api.js')).href);
  return createApi(raw, { isReady: () => true, init: () => Promise.resolve() });
}

// Median of 5 calls after one to warm up.
async function medianOf(call) {
  await call();
  const times = [];
  let result;
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    result = await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[2] / 1000, result };
}

// The kernel call on this thread: the threaded module with `--threads N` threads, or (0) the
// package's single-threaded SIMD module.
async function threadsCall() {
  const threads = Number(option('--threads'));
  const work = workload(option('--kernel'));
  const api = threads > 0 ? await threadedApi(threads) : pkg;
  const { seconds, result } = await medianOf(() => work.run(api));
  return { seconds, first: work.first(result) };
}

// The same call as a user makes it: the async variant, in one worker with `threads` threads.
async function threadsAsync() {
  const threads = Number(option('--threads'));
  const work = workload(option('--kernel'));
  await pkg.init({ workers: 1, threads });
  const { seconds, result } = await medianOf(() => work.runAsync(pkg));
  const running = pkg.features().threads;
  pkg.disposeWorkers();
  if (running !== threads) throw new Error(`features().threads is ${running}, not ${threads}`);
  return { seconds, first: work.first(result) };
}

const runs = { stall, batch, startup, 'threads-call': threadsCall, 'threads-async': threadsAsync };
console.log(JSON.stringify(await runs[what]()));
