// src/streaming/event-emitter.ts
import { SublinearSolver, type Matrix, type SolutionStep } from 'sublinear-time-solver';

export class SolverEventEmitter extends EventTarget {
  solve(matrix: Matrix, vector: Float64Array): Promise<Float64Array> {
    return new Promise((resolve, reject) => {
      this.addEventListener('progress', ((event: CustomEvent<SolutionStep>) => {
        // Handle progress updates
        console.log(`Iteration ${event.detail.iteration}: residual=${event.detail.residual}`);
      }) as EventListener);

      this.addEventListener('complete', ((event: CustomEvent<Float64Array>) => {
        resolve(event.detail);
      }) as EventListener);

      this.addEventListener('error', ((event: CustomEvent<Error>) => {
        reject(event.detail);
      }) as EventListener);

      // Start WASM solver with event callbacks
      this.startSolverWithEvents(matrix, vector);
    });
  }

  private startSolverWithEvents(matrix: Matrix, vector: Float64Array): void {
    const progressCallback = (step: SolutionStep) => {
      this.dispatchEvent(new CustomEvent('progress', {detail: step}));
    };

    const completeCallback = (solution: Float64Array) => {
      this.dispatchEvent(new CustomEvent('complete', {detail: solution}));
    };

    const errorCallback = (error: Error) => {
      this.dispatchEvent(new CustomEvent('error', {detail: error}));
    };

    (async () => {
      const steps = new SublinearSolver().solveStream(matrix, vector);
      let step = await steps.next();
      for (; !step.done; step = await steps.next()) progressCallback(step.value);
      completeCallback(step.value);
    })().catch(errorCallback);
  }
}
