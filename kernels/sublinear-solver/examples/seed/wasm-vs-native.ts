// bench/wasm-vs-native.ts
import { initSolver, type Matrix, type SublinearSolver } from 'sublinear-time-solver';

export interface BenchmarkResults {
  wasm: {size: number; time: number}[];
  native: {size: number; time: number}[];
  overhead: {size: number; overhead: number}[];
}

export class WasmNativeBenchmark {
  async runComparison(sizes: number[]): Promise<BenchmarkResults> {
    const results: BenchmarkResults = {
      wasm: [],
      native: [],
      overhead: []
    };

    for (const size of sizes) {
      const matrix = this.generateMatrix(size, size);
      const vector = this.generateVector(size);

      // WASM benchmark
      const wasmTime = await this.benchmarkWasm(matrix, vector);
      results.wasm.push({size, time: wasmTime});

      // Native Rust benchmark (via Node.js addon)
      const nativeTime = await this.benchmarkNative(matrix, vector);
      results.native.push({size, time: nativeTime});

      // Calculate overhead
      const overhead = ((wasmTime - nativeTime) / nativeTime) * 100;
      results.overhead.push({size, overhead});

      console.log(`Size ${size}: WASM=${wasmTime}ms, Native=${nativeTime}ms, Overhead=${overhead.toFixed(2)}%`);
    }

    return results;
  }

  private async benchmarkWasm(matrix: Matrix, vector: Float64Array): Promise<number> {
    const solver = await this.createWasmSolver();

    const start = performance.now();
    const result = solver.solve(matrix, vector);
    const end = performance.now();

    return end - start;
  }

  private async benchmarkNative(matrix: Matrix, vector: Float64Array): Promise<number> {
    // This would call a native Node.js addon for comparison
    // Implementation depends on your native benchmark setup
    // (none exists for this npm package: NaN, not a time; the Native and Overhead columns print NaN)
    return NaN;
  }

  // Not defined in the seed:
  generateMatrix(rows: number, cols: number): Matrix {
    // Symmetric, strictly diagonally dominant, positive diagonal: positive-definite, so CG converges.
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < i; j++) data[i * cols + j] = data[j * cols + i] = Math.random();
      data[i * cols + i] = cols;
    }
    return {data, rows, cols};
  }

  generateVector(size: number): Float64Array {
    return Float64Array.from({length: size}, () => Math.random());
  }

  private async createWasmSolver(): Promise<SublinearSolver> {
    return initSolver();
  }
}
