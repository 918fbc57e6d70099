// src/init.ts
import { SublinearSolver, type SolverConfig } from 'sublinear-time-solver';

export async function initSolver(config?: Partial<SolverConfig>): Promise<SublinearSolver> {
  // Dynamic import for better code splitting
  const wasmModule = await import('sublinear-time-solver');
  await wasmModule.default(); // Initialize WASM module

  return new SublinearSolver(config);
}

// Lazy initialization pattern
let solverPromise: Promise<SublinearSolver> | null = null;

export function getSolver(config?: Partial<SolverConfig>): Promise<SublinearSolver> {
  if (!solverPromise) {
    solverPromise = initSolver(config);
  }
  return solverPromise;
}
