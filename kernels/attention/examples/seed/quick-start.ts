import { ruVector, AttentionConfig } from '@ruvector/attention-wasm';

// Initialize WASM module
await ruVector.init();

// Create multi-head attention
const config = new AttentionConfig(8, 64);
const attention = ruVector.createMultiHead(config);

// Prepare tensors
const batch = 2, seq = 10, dim = 512;
const query = new Float32Array(batch * seq * dim).fill(Math.random());
const key = new Float32Array(batch * seq * dim).fill(Math.random());
const value = new Float32Array(batch * seq * dim).fill(Math.random());

// Compute attention
const result = attention.forward(
  query, key, value,
  [batch, seq, seq, dim],
  undefined
);

console.log('Output:', result.output);
