// bench/memory-profiler.ts
import {
  allocFloat64Array, memoryUsage, MatrixView, ResidentArray, SublinearSolver, type Matrix
} from 'sublinear-time-solver';

export interface MemorySnapshot {
  label: string;
  timestamp: number;
  wasmMemory: number;
  jsHeap: number;
  totalMemory: number;
}

export interface MemoryProfile {
  snapshots: MemorySnapshot[];
  peakUsage: number;
  memoryGrowth: {wasmMemory: number; jsHeap: number};
  potentialLeaks: string[];
  recommendations: string[];
}

export class MemoryProfiler {
  private memorySnapshots: MemorySnapshot[] = [];

  async profileSolverMemory(matrix: Matrix, vector: Float64Array): Promise<MemoryProfile> {
    this.startProfiling();

    // Initialize solver
    this.takeSnapshot('initialization');
    const solver = await this.createSolver();
    this.takeSnapshot('solver_created');

    // Transfer data
    const matrixPtr = solver.transferMatrix(matrix);
    this.takeSnapshot('matrix_transferred');

    const vectorPtr = solver.transferVector(vector);
    this.takeSnapshot('vector_transferred');

    // Solve
    const solution = await solver.solve(matrixPtr, vectorPtr);
    this.takeSnapshot('solution_complete');

    // Cleanup
    solver.dispose();
    this.takeSnapshot('cleanup_complete');

    return this.generateProfile();
  }

  private takeSnapshot(label: string): void {
    const snapshot = {
      label,
      timestamp: Date.now(),
      wasmMemory: this.getWasmMemoryUsage(),
      jsHeap: this.getJSHeapUsage(),
      totalMemory: usedJSHeapSize()
    };

    this.memorySnapshots.push(snapshot);
  }

  private getWasmMemoryUsage(): number {
    return memoryUsage().capacity;
  }

  private getJSHeapUsage(): number {
    return usedJSHeapSize();
  }

  private generateProfile(): MemoryProfile {
    const peak = Math.max(...this.memorySnapshots.map(s => s.totalMemory));
    const growth = this.calculateMemoryGrowth();
    const leaks = this.detectMemoryLeaks();

    return {
      snapshots: this.memorySnapshots,
      peakUsage: peak,
      memoryGrowth: growth,
      potentialLeaks: leaks,
      recommendations: this.generateRecommendations()
    };
  }

  // Not defined in the seed:
  private wasmHeapAtStart = 0;

  private startProfiling(): void {
    this.memorySnapshots = [];
    this.wasmHeapAtStart = memoryUsage().used;
  }

  private async createSolver(): Promise<TransferringSolver> {
    return new TransferringSolver();
  }

  private calculateMemoryGrowth(): MemoryProfile['memoryGrowth'] {
    const first = this.memorySnapshots[0], last = this.memorySnapshots[this.memorySnapshots.length - 1];
    return {wasmMemory: last.wasmMemory - first.wasmMemory, jsHeap: last.jsHeap - first.jsHeap};
  }

  private detectMemoryLeaks(): string[] {
    // Bytes of the module's heap still allocated after cleanup that were not before the profile.
    const retained = memoryUsage().used - this.wasmHeapAtStart;
    return retained > 0 ? [`${retained} bytes of the wasm heap still allocated after cleanup`] : [];
  }

  private generateRecommendations(): string[] {
    const recommendations: string[] = [];
    const growth = this.calculateMemoryGrowth();
    if (growth.wasmMemory > 0)
      recommendations.push(`The wasm memory grew by ${growth.wasmMemory} bytes and never shrinks: ` +
        'reuse the solver, MatrixView and resident arrays across solves.');
    if (this.detectMemoryLeaks().length > 0)
      recommendations.push('Dispose every MatrixView and free every resident array after use (the ' +
        "module's first use also keeps a few bytes for good: profile twice to tell them apart).");
    return recommendations;
  }
}

/**
 * Not defined in the seed: SublinearSolver has no transferMatrix/transferVector. This one copies
 * them into the module's memory once (a MatrixView and a resident array: solve() then takes them
 * without copying) and frees them in dispose().
 */
export class TransferringSolver extends SublinearSolver {
  private transferred: {dispose(): void}[] = [];

  transferMatrix(matrix: Matrix): MatrixView {
    const view = new MatrixView(matrix.rows, matrix.cols);
    this.transferred.push(view);
    view.setData(matrix.data instanceof ResidentArray ? matrix.data.array : matrix.data);
    return view;
  }

  transferVector(vector: Float64Array): ResidentArray<Float64Array> {
    const resident = allocFloat64Array(vector.length);
    this.transferred.push({dispose: () => resident.free()});
    resident.set(vector);
    return resident;
  }

  override dispose(): void {
    for (const held of this.transferred.splice(0)) held.dispose();
    super.dispose();
  }
}

/**
 * performance.memory (Chrome only) is not in TypeScript's DOM types and not in Node.js, where
 * process.memoryUsage() reports the JS heap; NaN (not measured) where neither exists.
 */
function usedJSHeapSize(): number {
  const g = globalThis as {
    performance?: {memory?: {usedJSHeapSize: number}};
    process?: {memoryUsage(): {heapUsed: number}};
  };
  return g.performance?.memory?.usedJSHeapSize ?? g.process?.memoryUsage().heapUsed ?? NaN;
}
