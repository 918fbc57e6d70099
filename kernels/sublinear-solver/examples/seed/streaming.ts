// src/streaming.ts
import type { SolutionStep } from 'sublinear-time-solver';

type WasmModule = typeof import('sublinear-time-solver');

export class SolutionStream implements AsyncIterableIterator<SolutionStep> {
  private wasmSolver: number;
  private wasmModule: WasmModule;
  private buffer: SolutionStep[] = [];
  private isComplete = false;
  private error: Error | null = null;

  constructor(wasmSolver: number, wasmModule: WasmModule) {
    this.wasmSolver = wasmSolver;
    this.wasmModule = wasmModule;
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<SolutionStep> {
    while (!this.isComplete && !this.error) {
      if (this.buffer.length > 0) {
        yield this.buffer.shift()!;
      } else {
        await this.waitForData();
      }
    }

    if (this.error) {
      throw this.error;
    }

    // Yield remaining buffered items
    while (this.buffer.length > 0) {
      yield this.buffer.shift()!;
    }
  }

  async next(): Promise<IteratorResult<SolutionStep>> {
    if (this.buffer.length > 0) {
      return {value: this.buffer.shift()!, done: false};
    }

    if (this.isComplete) {
      return {value: undefined, done: true};
    }

    if (this.error) {
      throw this.error;
    }

    await this.waitForData();
    return this.next();
  }

  private async waitForData(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        reject(new Error('Stream timeout'));
      }, 10000);

      const checkData = () => {
        if (this.buffer.length > 0 || this.isComplete || this.error) {
          clearTimeout(timeout);
          resolve();
        } else {
          setTimeout(checkData, 10);
        }
      };

      checkData();
    });
  }

  // Called from WASM via callback
  onData(step: SolutionStep): void {
    this.buffer.push(step);
  }

  onComplete(): void {
    this.isComplete = true;
  }

  onError(error: Error): void {
    this.error = error;
  }
}
