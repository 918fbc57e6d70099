// examples/node/basic.mjs
import { ruVector, AttentionConfig, HyperbolicConfig } from '@ruvector/attention-wasm';

async function demonstrateAttention() {
  // Initialize
  await ruVector.init();
  console.log('✓ RuVector initialized');

  // 1. Scaled Dot-Product Attention
  console.log('\n1. Scaled Dot-Product Attention');
  const scaledDot = ruVector.createScaledDotProduct(64, 0.0);

  const batch = 1;
  const seq = 5;
  const dim = 64;

  const q = new Float32Array(batch * seq * dim).fill(1.0);
  const k = new Float32Array(batch * seq * dim).fill(0.5);
  const v = new Float32Array(batch * seq * dim).fill(0.8);

  const output1 = scaledDot.forward(
    q, k, v,
    [batch, seq, dim],
    [batch, seq, dim],
    [batch, seq, dim],
    undefined
  );

  console.log(`  Output size: ${output1.length}`);
  console.log(`  Scale factor: ${scaledDot.scale}`);

  // 2. Multi-Head Attention
  console.log('\n2. Multi-Head Attention');
  const config = new AttentionConfig(8, 8);
  const multiHead = ruVector.createMultiHead(config);

  const output2 = multiHead.forward(
    q, k, v,
    [batch, seq, seq, dim],
    undefined
  );

  console.log(`  Num parameters: ${multiHead.num_parameters()}`);
  console.log(`  Output available: ${output2.output !== undefined}`);

  // 3. Hyperbolic Attention
  console.log('\n3. Hyperbolic Attention');
  const hypConfig = new HyperbolicConfig(-1.0, 4);
  const hyperbolic = ruVector.createHyperbolic(hypConfig);

  const output3 = hyperbolic.forward(
    q, k, v,
    [batch, seq, dim]
  );

  console.log(`  Curvature: ${hyperbolic.curvature}`);
  console.log(`  Output size: ${output3.length}`);

  // 4. Linear Attention (O(n) complexity)
  console.log('\n4. Linear Attention');
  const linear = ruVector.createLinear(512, 256);

  const q4 = new Float32Array(batch * seq * 512).fill(1.0);
  const k4 = new Float32Array(batch * seq * 512).fill(0.5);
  const v4 = new Float32Array(batch * seq * 512).fill(0.8);

  const output4 = linear.forward(
    q4, k4, v4,
    [batch, seq, 512]
  );

  console.log(`  Feature dim: ${linear.feature_dim}`);
  console.log(`  Output size: ${output4.length}`);

  // Memory usage
  const mem = ruVector.getMemoryUsage();
  console.log(`\nMemory: ${(mem.total / 1024 / 1024).toFixed(2)} MB`);
}

demonstrateAttention().catch(console.error);
