// src/streaming/async-iterator.ts
import { SublinearSolver, MatrixView, allocFloat64Array, type Matrix, type SolutionStep } from 'sublinear-time-solver';

export class StreamingSolver {
  private solver = new SublinearSolver();
  private steps: AsyncGenerator<SolutionStep, Float64Array> | null = null;
  private controller: ReadableStreamDefaultController<SolutionStep> | null = null;
  private stream: ReadableStream<SolutionStep> | null = null;

  async *solve(matrix: Matrix, vector: Float64Array): AsyncIterableIterator<SolutionStep> {
    const stream = this.createSolutionStream(matrix, vector);
    const reader = stream.getReader();

    try {
      while (true) {
        const {done, value} = await reader.read();
        if (done) break;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  private createSolutionStream(matrix: Matrix, vector: Float64Array): ReadableStream<SolutionStep> {
    return new ReadableStream<SolutionStep>({
      start: (controller) => {
        this.controller = controller;
        this.startWasmSolver(matrix, vector);
      },

      cancel: () => {
        this.stopWasmSolver();
      }
    });
  }

  private startWasmSolver(matrix: Matrix, vector: Float64Array): void {
    // Transfer data to WASM
    const matrixPtr = this.transferMatrix(matrix);
    const vectorPtr = this.transferVector(vector);

    // Start streaming solve
    const callback = this.createStreamCallback();
    const steps = this.solver.solveStream(matrixPtr, vectorPtr);
    this.steps = steps;
    (async () => {
      for await (const step of steps) callback(step);
    })()
      .catch((error) => this.controller?.error(error))
      .finally(() => { matrixPtr.dispose(); vectorPtr.free(); });
  }

  private stopWasmSolver(): void {
    void this.steps?.return(new Float64Array(0));
  }

  private transferMatrix(matrix: Matrix): MatrixView {
    const view = new MatrixView(matrix.rows, matrix.cols);
    view.setData(matrix.data);
    return view;
  }

  private transferVector(vector: Float64Array) {
    const resident = allocFloat64Array(vector.length);
    resident.set(vector);
    return resident;
  }

  private createStreamCallback(): (step: SolutionStep) => void {
    // Create callback that WASM can call
    const callback = (step: SolutionStep) => {
      if (this.controller) {
        this.controller.enqueue(step);

        if (step.convergence) {
          this.controller.close();
        }
      }
    };

    return callback;
  }
}
