// The Node half of bench/call_overhead.py: times residualNorm of the built
// sublinear-time-solver package (kernels/sublinear-solver) and of the hand-written binding on an n × n system,
// in interleaved batches, and prints one JSON line of median ns per call.
//
//   node call_overhead.mjs <package node.cjs> <hand-written glue .js> <n>

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [packageEntry, handGlue, size] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const api = require(packageEntry);
const hand = require(handGlue);
const n = Number(size);

const BATCHES = 15;
const TARGET_MS = 8; // per batch: long enough for the timer, short enough to interleave often

// A deterministic, well-scaled system; every side gets the same values.
function filled(length, seed) {
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = ((Math.imul(i + seed, 2654435761) >>> 8) / 16777216) - 0.5;
  return values;
}

const matrix = filled(n * n, 1);
const x = filled(n, 2);
const b = filled(n, 3);

function resident(values) {
  const array = api.allocFloat64Array(values.length);
  array.set(values);
  return array;
}

const residentMatrix = resident(matrix);
const residentX = resident(x);
const residentB = resident(b);

function handPointer(values) {
  const pointer = hand.alloc_f64(values.length);
  new Float64Array(hand.wasm_memory().buffer, pointer, values.length).set(values);
  return pointer;
}

const pointers = [handPointer(matrix), handPointer(x), handPointer(b)];

const sides = {
  generated_plain: () => api.residualNorm(matrix, n, n, x, b),
  generated_resident: () => api.residualNorm(residentMatrix, n, n, residentX, residentB),
  hand_plain: () => hand.residual_norm(matrix, n, n, x, b),
  hand_pointer: () => hand.residual_norm_ptr(pointers[0], n * n, n, n, pointers[1], n, pointers[2], n),
};

// Every side must compute the very same number, or the comparison means nothing.
const values = Object.fromEntries(Object.entries(sides).map(([side, call]) => [side, call()]));
const distinct = new Set(Object.values(values));
if (distinct.size !== 1) throw new Error(`the sides disagree: ${JSON.stringify(values)}`);

function batch(call, reps) {
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < reps; i++) sink += call();
  const elapsed = performance.now() - start;
  if (Number.isNaN(sink)) throw new Error('NaN result');
  return (elapsed * 1e6) / reps;
}

// Warm up every side (the JIT tiers up), then size a batch to about TARGET_MS.
const reps = {};
for (const [side, call] of Object.entries(sides)) {
  batch(call, 2000);
  const nsPerCall = batch(call, 200);
  reps[side] = Math.max(5, Math.round((TARGET_MS * 1e6) / nsPerCall));
}

const samples = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
for (let round = 0; round < BATCHES; round++) {
  for (const [side, call] of Object.entries(sides)) samples[side].push(batch(call, reps[side]));
}

function median(list) {
  const sorted = [...list].sort((p, q) => p - q);
  return sorted[sorted.length >> 1];
}

console.log(JSON.stringify({
  n,
  simd: api.features().simd,
  ns: Object.fromEntries(Object.entries(samples).map(([side, list]) => [side, median(list)])),
}));
