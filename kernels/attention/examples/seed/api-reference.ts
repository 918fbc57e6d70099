// Seed 001 §9.1 README, "## API Reference": each signature the seed lists, called once.
// The seed writes signatures (`createLinear(modelDim: number, featureDim: number)`); here
// they are calls with values of those types (the edits: see README.md in this directory).
import { ruVector, AttentionConfig, HyperbolicConfig } from '@ruvector/attention-wasm';

const [numHeads, headDim, dropout, curvature, modelDim, featureDim, blockSize] = [8, 64, 0.1, -1, 512, 256, 32];

// ### Initialization
(await ruVector.init()) satisfies void;

// #### Scaled Dot-Product Attention
ruVector.createScaledDotProduct(headDim, dropout);
ruVector.createScaledDotProduct(headDim);

// #### Multi-Head Attention
{
  const config = new AttentionConfig(numHeads, headDim);
  ruVector.createMultiHead(config);
}

// #### Hyperbolic Attention
{
  const config = new HyperbolicConfig(curvature, numHeads);
  ruVector.createHyperbolic(config);
}

// #### Linear Attention (O(n))
ruVector.createLinear(modelDim, featureDim);

// #### Cross Attention
{
  const config = new AttentionConfig(numHeads, headDim);
  ruVector.createCross(config);
}

// #### Flash Attention
ruVector.createFlash(headDim, blockSize);
ruVector.createFlash(headDim);

console.log('api reference: ok');
