// examples/node/performance.mjs
import { ruVector, AttentionConfig, PerfTimer } from '@ruvector/attention-wasm';

async function benchmark() {
  await ruVector.init();

  const config = new AttentionConfig(8, 64);
  const attention = ruVector.createMultiHead(config);

  const batchSizes = [1, 2, 4, 8];
  const seqLengths = [16, 32, 64, 128, 256];
  const modelDim = 512;

  console.log('Running performance benchmarks...\n');
  console.log('Batch | SeqLen | Time (ms) | Throughput (ops/sec)');
  console.log('------|--------|-----------|---------------------');

  for (const batch of batchSizes) {
    for (const seq of seqLengths) {
      const size = batch * seq * modelDim;
      const q = new Float32Array(size).fill(Math.random());
      const k = new Float32Array(size).fill(Math.random());
      const v = new Float32Array(size).fill(Math.random());

      // Warmup
      attention.forward(q, k, v, [batch, seq, seq, modelDim], undefined);

      // Benchmark
      const iterations = 10;
      const timer = new PerfTimer();

      for (let i = 0; i < iterations; i++) {
        attention.forward(q, k, v, [batch, seq, seq, modelDim], undefined);
      }

      const elapsed = timer.elapsed();
      const avgTime = elapsed / iterations;
      const throughput = 1000 / avgTime;

      console.log(
        `${batch.toString().padStart(5)} | ` +
        `${seq.toString().padStart(6)} | ` +
        `${avgTime.toFixed(2).padStart(9)} | ` +
        `${throughput.toFixed(2).padStart(19)}`
      );
    }
  }
}

benchmark().catch(console.error);
