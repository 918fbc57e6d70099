// bench/js-overhead.ts
import { allocFloat64Array, residualNorm, type ResidentArray } from 'sublinear-time-solver';

export interface OverheadResult {
  size: number;
  directTime: number;
  wrapperTime: number;
  copyTime: number;
  wrapperOverhead: number;
  copyOverhead: number;
}

export interface OverheadResults {
  results: OverheadResult[];
  summary: {meanWrapperOverhead: number; meanCopyOverhead: number};
}

export class JavaScriptOverheadBenchmark {
  async measureDataTransferOverhead(): Promise<OverheadResults> {
    const sizes = [100, 1000, 10000, 100000];
    const results = [];

    for (const size of sizes) {
      const data = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        data[i] = Math.random();
      }

      // Measure direct WASM call
      const directTime = await this.measureDirectCall(data);

      // Measure with JS wrapper
      const wrapperTime = await this.measureWrapperCall(data);

      // Measure data copying
      const copyTime = await this.measureDataCopy(data);

      const overhead = {
        size,
        directTime,
        wrapperTime,
        copyTime,
        wrapperOverhead: ((wrapperTime - directTime) / directTime) * 100,
        copyOverhead: (copyTime / directTime) * 100
      };

      results.push(overhead);
      console.log(`Size ${size}: Direct=${directTime}ms, Wrapper=${wrapperTime}ms, Copy=${copyTime}ms`);
    }

    return {results, summary: this.calculateSummary(results)};
  }

  private async measureDirectCall(data: Float64Array): Promise<number> {
    const ptr = this.allocateWasmMemory(data.length);
    this.copyToWasmMemory(ptr, data);

    const start = performance.now();
    this.wasmModule.direct_computation(ptr, data.length);
    const end = performance.now();

    this.freeWasmMemory(ptr);
    return end - start;
  }

  private async measureWrapperCall(data: Float64Array): Promise<number> {
    const start = performance.now();
    this.solver.computeWithWrapper(data);
    const end = performance.now();

    return end - start;
  }

  private async measureDataCopy(data: Float64Array): Promise<number> {
    const start = performance.now();
    const copy = new Float64Array(data);
    const end = performance.now();

    return end - start;
  }

  // Not defined in the seed. The package exports no raw wasm function: its lowest entry is the
  // checked JS function itself, which takes the data in place when it is resident in the module's
  // memory ("direct") and copies a plain Float64Array in ("wrapper"). The computation, the same
  // on both paths: residualNorm of the 1 × n matrix `data` at x = `data`, b = data[0], i.e.
  // |data[0] − Σ data[i]²|.
  readonly wasmModule = {
    direct_computation: (ptr: ResidentArray<Float64Array>, length: number): number =>
      residualNorm(ptr, 1, length, ptr, ptr.array.subarray(0, 1))
  };

  readonly solver = {
    computeWithWrapper: (data: Float64Array): number =>
      residualNorm(data, 1, data.length, data, data.subarray(0, 1))
  };

  private allocateWasmMemory(length: number): ResidentArray<Float64Array> {
    return allocFloat64Array(length);
  }

  private copyToWasmMemory(ptr: ResidentArray<Float64Array>, data: Float64Array): void {
    ptr.set(data);
  }

  private freeWasmMemory(ptr: ResidentArray<Float64Array>): void {
    ptr.free();
  }

  private calculateSummary(results: OverheadResult[]): OverheadResults['summary'] {
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      meanWrapperOverhead: mean(results.map(r => r.wrapperOverhead)),
      meanCopyOverhead: mean(results.map(r => r.copyOverhead))
    };
  }
}
