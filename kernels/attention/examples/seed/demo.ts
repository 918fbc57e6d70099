// examples/browser/demo.ts
import { ruVector, createTensor, AttentionConfig } from '@ruvector/attention-wasm';

async function main() {
  // Initialize WASM
  console.log('Initializing RuVector WASM...');
  await ruVector.init();

  // Create attention config
  const config = new AttentionConfig(8, 64); // 8 heads, 64 dim per head
  config.set_dropout(0.1);

  // Create multi-head attention
  const attention = ruVector.createMultiHead(config);
  console.log('Created attention with', attention.num_parameters(), 'parameters');

  // Create sample data
  const batchSize = 2;
  const seqLen = 10;
  const modelDim = 512;

  const query = new Float32Array(batchSize * seqLen * modelDim);
  const key = new Float32Array(batchSize * seqLen * modelDim);
  const value = new Float32Array(batchSize * seqLen * modelDim);

  // Fill with random data
  for (let i = 0; i < query.length; i++) {
    query[i] = Math.random();
    key[i] = Math.random();
    value[i] = Math.random();
  }

  // Run attention
  console.log('Running attention...');
  const startTime = performance.now();

  const result = attention.forward(
    query,
    key,
    value,
    [batchSize, seqLen, seqLen, modelDim],
    undefined // no mask
  );

  const endTime = performance.now();
  console.log(`Attention computed in ${(endTime - startTime).toFixed(2)}ms`);

  // Display results
  const output = result.output;
  console.log('Output shape:', [batchSize, seqLen, modelDim]);
  console.log('Output sample:', output.slice(0, 10));

  // Memory usage
  const memUsage = ruVector.getMemoryUsage();
  console.log('Memory usage:', memUsage);
}

// Run on page load
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', main);
} else {
  main();
}
