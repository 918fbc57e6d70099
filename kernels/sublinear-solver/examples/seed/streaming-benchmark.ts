// bench/streaming-benchmark.ts
import { initSolver, type Matrix, type SublinearSolver } from 'sublinear-time-solver';

export interface StreamingMetrics {
  firstYield: number;
  averageLatency: number;
  throughput: number;
  bufferUtilization: number[];
  backpressureEvents: number;
}

export class StreamingLatencyBenchmark {
  async measureStreamingPerformance(size = 10000): Promise<StreamingMetrics> {
    const matrix = this.generateLargeMatrix(size, size);
    const vector = this.generateVector(size);

    const metrics: StreamingMetrics = {
      firstYield: 0,
      averageLatency: 0,
      throughput: 0,
      bufferUtilization: [],
      backpressureEvents: 0
    };

    const solver = await this.createStreamingSolver();
    const startTime = performance.now();
    let firstYield = true;
    let totalYields = 0;
    let totalLatency = 0;

    for await (const step of solver.solveStream(matrix, vector)) {
      const currentTime = performance.now();

      if (firstYield) {
        metrics.firstYield = currentTime - startTime;
        firstYield = false;
      }

      // Measure latency between yields
      if (totalYields > 0) {
        const latency = currentTime - this.lastYieldTime;
        totalLatency += latency;
      }

      totalYields++;
      this.lastYieldTime = currentTime;

      // Track buffer utilization
      metrics.bufferUtilization.push(solver.getBufferUtilization());

      // Count backpressure events
      if (solver.isBackpressureActive()) {
        metrics.backpressureEvents++;
      }
    }

    const totalTime = performance.now() - startTime;
    metrics.averageLatency = totalLatency / (totalYields - 1);
    metrics.throughput = totalYields / (totalTime / 1000); // yields per second

    return metrics;
  }

  // Not defined in the seed:
  private lastYieldTime = 0;

  private generateLargeMatrix(rows: number, cols: number): Matrix {
    // Symmetric, strictly diagonally dominant, positive diagonal: positive-definite, so CG converges.
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < i; j++) data[i * cols + j] = data[j * cols + i] = Math.random();
      data[i * cols + i] = cols;
    }
    return {data, rows, cols};
  }

  private generateVector(size: number): Float64Array {
    return Float64Array.from({length: size}, () => Math.random());
  }

  private async createStreamingSolver(): Promise<StreamingSolver> {
    // One step per iteration, so that a solve yields more than once.
    return Object.assign(await initSolver({streamChunkSize: 1}), {
      // solveStream is pull-based: a chunk is computed only when the loop asks for the next step,
      // so no steps are ever buffered and the producer never has to be held back. These two are
      // that fact, not measurements.
      getBufferUtilization: () => 0,
      isBackpressureActive: () => false
    });
  }
}

export type StreamingSolver = SublinearSolver & {
  getBufferUtilization(): number;
  isBackpressureActive(): boolean;
};
