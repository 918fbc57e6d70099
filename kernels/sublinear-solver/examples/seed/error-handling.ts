// src/error-handling.ts
export enum SolverErrorType {
  InvalidMatrix = 'INVALID_MATRIX',
  ConvergenceFailure = 'CONVERGENCE_FAILURE',
  MemoryError = 'MEMORY_ERROR',
  WasmError = 'WASM_ERROR'
}

export class SolverError extends Error {
  constructor(
    public type: SolverErrorType,
    message: string,
    public details?: any
  ) {
    super(message);
    this.name = 'SolverError';
  }
}

// WASM error handler
export function handleWasmError(errorCode: number, context: string): never {
  const errorMap: Record<number, {type: SolverErrorType, message: string}> = {
    1: {type: SolverErrorType.InvalidMatrix, message: 'Matrix dimensions invalid'},
    2: {type: SolverErrorType.ConvergenceFailure, message: 'Failed to converge'},
    3: {type: SolverErrorType.MemoryError, message: 'Memory allocation failed'},
    99: {type: SolverErrorType.WasmError, message: 'Unknown WASM error'}
  };

  const error = errorMap[errorCode] || errorMap[99];
  throw new SolverError(error.type, `${error.message} in ${context}`, {errorCode});
}
