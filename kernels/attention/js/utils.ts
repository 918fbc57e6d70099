// Hand-written helpers shipped with @ruvector/attention-wasm ([npm] extra_sources):
// masks, statistics, tensor construction and timing in plain TypeScript.

// The clock of every runtime the package supports (browsers, Node.js, Deno, Bun, workerd):
// declared here because the helpers compile against the ES library alone.
declare const performance: { now(): number };

/**
 * A row-major tensor: `data.length` is the product of `shape`. The shape is any
 * array-like so the package's own `Tensor` (shape `number[]` or `Uint32Array`) fits.
 */
export interface TensorLike {
  data: Float32Array;
  shape: ArrayLike<number>;
}

/** Summary statistics of a tensor's values (population standard deviation). */
export interface TensorStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** A causal mask [seqLen, seqLen]: 0 on and below the diagonal, -Infinity above. */
export function createCausalMask(seqLen: number): Float32Array {
  requireCount(seqLen, 'seqLen');
  const mask = new Float32Array(seqLen * seqLen);
  for (let i = 0; i < seqLen; i++) {
    for (let j = i + 1; j < seqLen; j++) mask[i * seqLen + j] = -Infinity;
  }
  return mask;
}

/** A padding mask [lengths.length, maxLen]: 0 for the first `lengths[b]` positions of row b, -Infinity after. */
export function createPaddingMask(lengths: ArrayLike<number>, maxLen: number): Float32Array {
  requireCount(maxLen, 'maxLen');
  const mask = new Float32Array(lengths.length * maxLen).fill(-Infinity);
  for (let b = 0; b < lengths.length; b++) {
    const length = lengths[b];
    if (!Number.isInteger(length) || length < 0 || length > maxLen) {
      throw new RangeError(`lengths[${b}] must be an integer in [0, ${maxLen}], got ${length}`);
    }
    mask.fill(0, b * maxLen, b * maxLen + length);
  }
  return mask;
}

/** Mean, standard deviation, minimum and maximum of the values. */
export function computeStats(data: ArrayLike<number>): TensorStats {
  if (data.length === 0) throw new RangeError('computeStats needs at least one value');
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    min = Math.min(min, data[i]);
    max = Math.max(max, data[i]);
  }
  const mean = sum / data.length;
  let squares = 0;
  for (let i = 0; i < data.length; i++) squares += (data[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / data.length), min, max };
}

/** The values shifted to mean 0 and scaled to standard deviation 1 (1e-8 guards a constant input). */
export function normalize(data: ArrayLike<number>): Float32Array {
  const { mean, std } = computeStats(data);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - mean) / (std + 1e-8);
  return out;
}

/** A tensor from values and a shape; the values must fill the shape exactly. */
export function createTensor(data: ArrayLike<number>, shape: number[]): TensorLike & { shape: number[] } {
  shape.forEach((dim, index) => requireCount(dim, `shape[${index}]`));
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (data.length !== size) {
    throw new RangeError(`${data.length} values cannot fill shape [${shape.join(', ')}] (${size} needed)`);
  }
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...shape] };
}

/**
 * `data` as a tensor of `shape` (seed 001 §5.3): the same array, checked to fill the shape
 * exactly — the package's flat call forms take it with the shape beside it.
 */
export function reshape(data: Float32Array, shape: number[]): Float32Array {
  shape.forEach((dim, index) => requireCount(dim, `shape[${index}]`));
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (data.length !== size) {
    throw new RangeError(`Cannot reshape array of length ${data.length} into shape [${shape.join(', ')}]`);
  }
  return data;
}

/** Milliseconds since it was created (seed 001's `PerfTimer`; `performance.now()`, in every runtime). */
export class PerfTimer {
  private readonly start = performance.now();

  /** Milliseconds since construction. */
  elapsed(): number {
    return performance.now() - this.start;
  }
}

/** Named timestamps and the milliseconds between them (seed 001 §5.3). */
export class PerformanceMonitor {
  private readonly marks = new Map<string, number>();

  /** Remember the time now under `label`. */
  mark(label: string): void {
    this.marks.set(label, performance.now());
  }

  /** Milliseconds from mark `startLabel` to mark `endLabel` (or to now). */
  measure(startLabel: string, endLabel?: string): number {
    const start = this.marks.get(startLabel);
    if (start === undefined) throw new Error(`No mark found for: ${startLabel}`);
    const end = endLabel === undefined ? performance.now() : this.marks.get(endLabel);
    if (end === undefined) throw new Error(`No mark found for: ${endLabel}`);
    return end - start;
  }

  /** Forget every mark. */
  clear(): void {
    this.marks.clear();
  }
}

/** Whether the tensor has `expectedDims` dimensions and its data fills its shape. */
export function validateTensorShape(tensor: TensorLike, expectedDims: number): boolean {
  const shape = Array.from(tensor.shape);
  const size = shape.reduce((product, dim) => product * dim, 1);
  return shape.length === expectedDims && tensor.data.length === size;
}

function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
