// src/batch-operations.ts
import { SublinearSolver, type Matrix } from 'sublinear-time-solver';

export interface BatchSolveRequest {
  id: string;
  matrix: Matrix;
  vector: Float64Array;
  priority?: number;
}

export interface BatchSolveResult {
  id: string;
  solution: Float64Array;
  iterations: number;
  error?: string;
}

export class BatchSolver {
  private requestQueue: BatchSolveRequest[] = [];
  private processing = false;
  private solver = new SublinearSolver();

  async solveBatch(requests: BatchSolveRequest[]): Promise<BatchSolveResult[]> {
    // Sort by priority
    requests.sort((a, b) => (b.priority || 0) - (a.priority || 0));

    // Batch allocate memory
    const totalMatrixElements = requests.reduce(
      (sum, req) => sum + req.matrix.rows * req.matrix.cols, 0
    );
    const totalVectorElements = requests.reduce(
      (sum, req) => sum + req.vector.length, 0
    );

    const matrixBuffer = new Float64Array(totalMatrixElements);
    const vectorBuffer = new Float64Array(totalVectorElements);

    // Copy data in batches
    let matrixOffset = 0;
    let vectorOffset = 0;

    const batchInfo = requests.map(req => {
      const matrixStart = matrixOffset;
      const vectorStart = vectorOffset;

      matrixBuffer.set(req.matrix.data, matrixOffset);
      vectorBuffer.set(req.vector, vectorOffset);

      matrixOffset += req.matrix.data.length;
      vectorOffset += req.vector.length;

      return {
        id: req.id,
        matrixStart,
        matrixLength: req.matrix.data.length,
        vectorStart,
        vectorLength: req.vector.length,
        rows: req.matrix.rows,
        cols: req.matrix.cols
      };
    });

    // Call WASM batch solver
    return this.callWasmBatchSolver(matrixBuffer, vectorBuffer, batchInfo);
  }

  private async callWasmBatchSolver(
    matrices: Float64Array,
    vectors: Float64Array,
    batchInfo: any[]
  ): Promise<BatchSolveResult[]> {
    // Implementation calls WASM batch processing function
    // Returns processed results
    return Promise.all(batchInfo.map(async (info): Promise<BatchSolveResult> => {
      const matrix = {data: matrices.subarray(info.matrixStart, info.matrixStart + info.matrixLength), rows: info.rows, cols: info.cols};
      const vector = vectors.subarray(info.vectorStart, info.vectorStart + info.vectorLength);
      let iterations = 0;
      try {
        const steps = this.solver.solveStream(matrix, vector);
        for (let step = await steps.next(); ; step = await steps.next()) {
          if (step.done) return {id: info.id, solution: step.value, iterations};
          iterations = step.value.iteration;
        }
      } catch (error) {
        return {id: info.id, solution: new Float64Array(0), iterations, error: (error as Error).message};
      }
    }));
  }
}
