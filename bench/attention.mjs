// The Node half of bench/attention.py: times one mechanism of the built
// @ruvector/attention-wasm package on the same inputs as
// examples/native_bench.rs, and prints one JSON line.
//
//   node attention.mjs <pkg-dir> <multihead|flash> <batch> <seq> <model_dim> <heads> <reps> [--baseline] [--resident]
//
// With --baseline, WebAssembly.validate() refuses the package's SIMD probe (the
// only module it validates before loading), so the baseline module is loaded.
// With --resident, query, key and value are ResidentArrays (no copy per call)
// and flash writes its output into a resident `{ out }`.

import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const baseline = args.includes('--baseline');
const resident = args.includes('--resident');
const [pkgDir, mechanism, ...numbers] = args.filter((arg) => !arg.startsWith('--'));
const [batch, seq, modelDim, heads, reps] = numbers.map(Number);

if (baseline) {
  const validate = WebAssembly.validate;
  WebAssembly.validate = (bytes) => (bytes.byteLength < 64 ? false : validate(bytes));
}

// Must match the kernel's `bench_inputs` bit for bit: a multiplicative hash of
// the index, scaled into [-0.5, 0.5). Every step is exact in f32.
function benchInputs(length) {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = (Math.imul(i, 2654435761) >>> 8) / 16777216 - 0.5;
  return values;
}

const SEED = 0; // the native runner's multi-head weights seed
const BLOCK = 64; // the native runner's flash tile size

const api = createRequire(import.meta.url)(path.resolve(pkgDir, 'node.cjs'));
const length = batch * seq * modelDim;
const inputs = benchInputs(3 * length);
const shape = [batch, seq, modelDim];
function tensorData(i) {
  const data = inputs.subarray(i * length, (i + 1) * length);
  if (!resident) return data;
  const array = api.allocFloat32Array(length);
  array.set(data);
  return array;
}

const [query, key, value] = [0, 1, 2].map((i) => ({ data: tensorData(i), shape }));

let forward;
if (mechanism === 'multihead') {
  const attention = new api.MultiHeadAttention(new api.AttentionConfig(heads, modelDim / heads), SEED);
  forward = () => attention.forward(query, key, value).output[0];
} else if (mechanism === 'flash') {
  const attention = new api.FlashAttention(modelDim, BLOCK);
  if (resident) {
    const out = api.allocFloat32Array(length);
    forward = () => attention.forward(query, key, value, undefined, { out })[0];
  } else {
    forward = () => attention.forward(query, key, value)[0];
  }
} else {
  throw new Error(`unknown mechanism ${mechanism}: expected multihead or flash`);
}

let sink = forward(); // warm-up, untimed
const start = performance.now();
for (let i = 0; i < reps; i++) sink += forward();
const msPerCall = (performance.now() - start) / reps;
console.log(JSON.stringify({ mechanism, batch, seq, model_dim: modelDim, heads, reps, ms_per_call: msPerCall,
  simd: api.features().simd, resident, first_output: sink / (reps + 1) }));
