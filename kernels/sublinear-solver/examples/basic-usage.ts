// The seed's examples/basic-usage.ts, against the package wasmforge generates.
// Compiled with `tsc --strict` and run in Node by tests/integration/test_solver.py.

import {
  initSolver,
  InvalidMatrix,
  SolverError,
  type Matrix,
  type ProgressInfo,
} from 'sublinear-time-solver';

async function basicExample(): Promise<void> {
  const solver = await initSolver({
    maxIterations: 1000,
    tolerance: 1e-10,
    simdEnabled: true,
    streamChunkSize: 1,
  });

  const matrix: Matrix = { data: new Float64Array([4, 1, 1, 3]), rows: 2, cols: 2 };
  const vector = new Float64Array([1, 2]);

  // Synchronous solve.
  const solution = solver.solve(matrix, vector);
  console.log('Solution:', Array.from(solution).map((x) => x.toFixed(4)).join(', '));

  // Streaming solve: one step per chunk of iterations.
  for await (const step of solver.solveStream(matrix, vector)) {
    console.log(`Iteration ${step.iteration}: residual=${step.residual.toExponential(2)}`);
    if (step.convergence) console.log(`Converged after ${step.iteration} iterations`);
  }

  // Batch solve: one call into WebAssembly; each problem's result or error.
  const results = await solver.solveBatch([
    { matrix, vector },
    { matrix, vector: new Float64Array([2, 3]) },
    { matrix: { data: new Float64Array(6), rows: 2, cols: 3 }, vector: new Float64Array([1, 2]) },
    { matrix, vector: new Float64Array([3, 4]) },
  ]);
  const failures = results.filter((r): r is SolverError => r instanceof SolverError);
  const names = failures.map((e) => (e instanceof InvalidMatrix ? 'InvalidMatrix' : e.name)).join(', ');
  console.log(`Batch: ${results.length - failures.length} solutions, ${failures.length} error (${names})`);

  const memory = solver.getMemoryUsage();
  console.log(`Memory: ${memory.used} bytes of working vectors, ${memory.capacity} bytes of wasm memory`);
  solver.dispose();
}

async function eventDrivenExample(): Promise<void> {
  const solver = await initSolver({ streamChunkSize: 5 });
  solver.addEventListener('progress', (event) => {
    const info: ProgressInfo = event.detail;
    console.log(`progress: ${info.percentage.toFixed(0)}%`);
  });
  solver.addEventListener('complete', (event) => {
    console.log('complete:', event.detail ? Array.from(event.detail).length : 0, 'unknowns');
  });

  const n = 100;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = 4;
    if (i > 0) data[i * n + i - 1] = -1;
    if (i < n - 1) data[i * n + i + 1] = -1;
  }
  await solver.solveAsync({ data, rows: n, cols: n }, new Float64Array(n).fill(1));
  solver.dispose();
}

// A failure rejects the chain; Node.js exits non-zero on the unhandled rejection.
await basicExample();
await eventDrivenExample();
