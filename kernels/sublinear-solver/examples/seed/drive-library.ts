// Runs seed 000's library snippets (§2.2, §2.4, §2.5, §3.4, §5.1, §5.3–§5.5), as copied next to
// this file, against the installed package, and checks what each one returns: one `§… ok:` line
// per snippet. Any wrong result throws (the process exits non-zero).
import * as solverPackage from 'sublinear-time-solver';
import { SublinearSolver, SolverError as PackageError, type Matrix, type SolutionStep } from 'sublinear-time-solver';
import { initSolver, getSolver } from './init.js';
import { SolverErrorType, SolverError, handleWasmError } from './error-handling.js';
import { SolutionStream } from './streaming.js';
import { BatchSolver } from './batch-operations.js';
import { StreamingSolver } from './async-iterator.js';
import { SolverEventEmitter } from './event-emitter.js';
import { BackpressureController } from './backpressure.js';
import { ProgressTracker } from './progress.js';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
}

/** ‖b − A x‖ / ‖b‖, computed here in JavaScript. */
function relativeResidual(matrix: Matrix, x: Float64Array, b: Float64Array): number {
  let residual = 0;
  let norm = 0;
  for (let i = 0; i < matrix.rows; i++) {
    let ax = 0;
    for (let j = 0; j < matrix.cols; j++) ax += matrix.data[i * matrix.cols + j] * x[j];
    residual += (b[i] - ax) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(residual / norm);
}

/** The 1-D Laplacian tridiag(-1, 2, -1): conjugate gradient needs many iterations on it. */
function laplacian(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = 2;
    if (i > 0) data[i * n + i - 1] = -1;
    if (i + 1 < n) data[i * n + i + 1] = -1;
  }
  return { data, rows: n, cols: n };
}

const small: Matrix = { data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 };
const smallB = new Float64Array([1, 2]);
const lap = laplacian(120);
const lapB = Float64Array.from({ length: 120 }, (_, i) => Math.sin(i / 7) + 1);

async function errorType(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    check(error instanceof PackageError, `${error} is the package's error class`);
    return (error as PackageError).type;
  }
  throw new Error('check failed: no error thrown');
}

// §2.2: initSolver / getSolver, with the package's default export as the init function.
const solver = await initSolver({ maxIterations: 1000, tolerance: 1e-12 });
const x = solver.solve(small, smallB);
check(solver instanceof SublinearSolver && relativeResidual(small, x, smallB) <= 1e-10, '§2.2 solve');
const [first, second] = await Promise.all([getSolver(), getSolver()]);
check(first === second && first instanceof SublinearSolver, '§2.2 getSolver shares one solver');
console.log(`§2.2 ok: initSolver() solved [[4, 1], [1, 3]] x = [1, 2]: x = [${Array.from(x).join(', ')}]; getSolver() returns one shared solver`);

// §2.4: the package's errors carry the seed's `type` strings; the snippet's own handler maps codes.
const typesSeen = [
  await errorType(() => solver.solve({ ...small, data: new Float64Array([4, NaN, 1, 3]) }, smallB)),
  await errorType(() => new SublinearSolver({ maxIterations: 1 }).solve(lap, lapB)),
  await errorType(() => new SublinearSolver({ memoryLimit: 64 }).solve(lap, lapB)),
];
check(
  typesSeen.join() === [SolverErrorType.InvalidMatrix, SolverErrorType.ConvergenceFailure, SolverErrorType.MemoryError].join(),
  `§2.4 types ${typesSeen}`,
);
const mapped = [1, 2, 3, 42].map((code) => {
  try {
    handleWasmError(code, 'solve');
  } catch (error) {
    check(error instanceof SolverError, '§2.4 handleWasmError throws SolverError');
    return `${code} → ${(error as SolverError).type} ("${(error as SolverError).message}")`;
  }
  return 'no error';
});
console.log(`§2.4 ok: the package throws error.type ${typesSeen.join(', ')}; handleWasmError maps ${mapped.join(', ')}`);

// §2.5: the snippet's SolutionStream, fed by the package's stream through onData/onComplete/onError.
const buffered = new SolutionStream(0, solverPackage);
void (async () => {
  try {
    for await (const step of solver.solveStream(lap, lapB)) buffered.onData(step);
    buffered.onComplete();
  } catch (error) {
    buffered.onError(error as Error);
  }
})();
const steps25: SolutionStep[] = [];
for await (const step of buffered) steps25.push(step);
check(steps25.length >= 2 && steps25[steps25.length - 1].convergence, '§2.5 steps end converged');
console.log(`§2.5 ok: SolutionStream delivered ${steps25.length} steps, the last converged at iteration ${steps25[steps25.length - 1].iteration}`);

// §3.4: BatchSolver sorts by priority, packs the arrays, solves each item; per-item errors.
const batchResults = await new BatchSolver().solveBatch([
  { id: 'low', matrix: small, vector: smallB, priority: 1 },
  { id: 'high', matrix: lap, vector: lapB, priority: 5 },
  { id: 'nan', matrix: small, vector: new Float64Array([1, NaN]), priority: 3 },
]);
check(batchResults.map((r) => r.id).join() === 'high,nan,low', '§3.4 priority order');
check(relativeResidual(lap, batchResults[0].solution, lapB) <= 1e-8 && batchResults[0].iterations > 100, '§3.4 high');
check(relativeResidual(small, batchResults[2].solution, smallB) <= 1e-8 && batchResults[2].error === undefined, '§3.4 low');
check(batchResults[1].error !== undefined && batchResults[1].solution.length === 0, '§3.4 per-item error');
console.log(`§3.4 ok: ${batchResults.map((r) => `${r.id}: ${r.error ?? `${r.iterations} iterations`}`).join('; ')}`);

// §5.1: StreamingSolver's ReadableStream of steps, from resident copies of the system.
const steps51: SolutionStep[] = [];
for await (const step of new StreamingSolver().solve(lap, lapB)) steps51.push(step);
check(steps51.length >= 2 && steps51[steps51.length - 1].convergence, '§5.1 steps end converged');
console.log(`§5.1 ok: StreamingSolver yielded ${steps51.length} steps, iterations ${steps51.map((s) => s.iteration).join(', ')}`);

// §5.3: SolverEventEmitter's progress / complete events.
const solution53 = await new SolverEventEmitter().solve(lap, lapB);
check(relativeResidual(lap, solution53, lapB) <= 1e-8, '§5.3 solution');
let error53 = '';
await new SolverEventEmitter().solve(small, new Float64Array([1])).catch((error: PackageError) => { error53 = error.type; });
check(error53 === 'INVALID_MATRIX', '§5.3 error event');
console.log(`§5.3 ok: 'complete' carried a solution with residual ${relativeResidual(lap, solution53, lapB).toExponential(1)}; 'error' carried ${error53}`);

// §5.4: BackpressureController pauses a producer pulling one-iteration steps from the package.
const controller = new BackpressureController(10, 0.8, 0.2);
const queue: SolutionStep[] = [];
let produced = 0;
let deepest = 0;
let finished = false;
const producer = (async () => {
  for await (const step of new SublinearSolver({ streamChunkSize: 1 }).solveStream(laplacian(60), lapB.subarray(0, 60))) {
    queue.push(step);
    produced++;
    deepest = Math.max(deepest, queue.length);
    controller.addToBuffer(1);
    await controller.whenResumed();
  }
  finished = true;
})();
let consumed = 0;
while (!finished || queue.length > 0) {
  if (queue.shift() !== undefined) {
    consumed++;
    controller.removeFromBuffer(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await producer;
check(produced > 20 && consumed === produced && deepest === 8, `§5.4 backpressure (${produced}, ${consumed}, ${deepest})`);
console.log(`§5.4 ok: ${produced} steps through a buffer of 10 (high water mark 8): never more than ${deepest} waiting`);

// §5.5: ProgressTracker over the package's steps.
const tracker = new ProgressTracker();
tracker.startTracking();
const reports = [];
for await (const step of new SublinearSolver({ streamChunkSize: 20 }).solveStream(lap, lapB)) {
  reports.push(tracker.updateProgress(step));
}
const last = reports[reports.length - 1];
check(reports.length >= 3 && last.percentage === 100 && last.residual <= 1e-10, '§5.5 progress reaches 100%');
console.log(`§5.5 ok: ${reports.map((r) => `${r.percentage.toFixed(0)}%`).join(' → ')} (convergence rate ${last.convergenceRate.toFixed(3)})`);
