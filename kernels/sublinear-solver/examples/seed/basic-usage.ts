// examples/basic-usage.ts
import { SublinearSolver, Matrix, initSolver } from 'sublinear-time-solver';

async function basicExample() {
  // Initialize solver
  const solver = await initSolver({
    maxIterations: 1000,
    tolerance: 1e-10,
    simdEnabled: true,
    streamChunkSize: 100
  });

  // Create test matrix and vector
  const matrix: Matrix = {
    data: new Float64Array([4, 1, 1, 3]),
    rows: 2,
    cols: 2
  };
  const vector = new Float64Array([1, 2]);

  // Synchronous solve
  const solution = solver.solve(matrix, vector);
  console.log('Solution:', solution);

  // Streaming solve with progress tracking
  console.log('Streaming solve:');
  for await (const step of solver.solveStream(matrix, vector)) {
    console.log(`Iteration ${step.iteration}: residual=${step.residual}`);
    if (step.convergence) {
      console.log('Converged!');
      break;
    }
  }

  // Batch solving
  const problems = [
    {matrix, vector},
    {matrix: matrix, vector: new Float64Array([2, 3])},
    {matrix: matrix, vector: new Float64Array([3, 4])}
  ];

  const batchSolutions = await solver.solveBatch(problems);
  console.log('Batch solutions:', batchSolutions);

  // Memory usage
  console.log('Memory usage:', solver.getMemoryUsage());

  // Cleanup
  solver.dispose();
}

// Event-driven example
async function eventDrivenExample() {
  const solver = await initSolver();

  solver.addEventListener('progress', (event) => {
    console.log(`Progress: ${event.detail.percentage}%`);
  });

  solver.addEventListener('complete', (event) => {
    console.log('Solution:', event.detail);
  });

  const matrix: Matrix = {
    data: new Float64Array(1000 * 1000),
    rows: 1000,
    cols: 1000
  };
  const vector = new Float64Array(1000);

  solver.solveAsync(matrix, vector);
}

basicExample().catch(console.error);
