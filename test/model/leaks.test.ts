import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { Random } from '../../src/core/random.ts';
import {
  buildBatch, createModel, disposeModel, generate, resolveConfig, sequenceLogProbs, trainableVariables, type GPT,
} from '../../src/model/index.ts';

const config = resolveConfig({ vocabSize: 29, contextLength: 16, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0.1 });

describe('tensor memory', () => {
  let model: GPT;
  before(async () => {
    await initBackend('wasm');
    model = createModel(config, { seed: 2 });
  });
  after(() => disposeModel(model));

  it('does not grow over training steps and generation calls', async () => {
    const optimizer = tf.train.adam(1e-3);
    const weightDecay = 0.01;
    const random = new Random(4);
    const variables = trainableVariables(model);
    const losses: number[] = [];
    const step = () => {
      const batch = buildBatch([[1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10]], 0);
      // A next-token loss on the responses, with dropout active.
      const { value, grads } = tf.variableGrads(() => {
        const { logps, counts } = sequenceLogProbs(model, batch, { training: true, random });
        return logps.sum().div(counts.sum()).neg() as tf.Scalar;
      }, variables);
      losses.push(value.dataSync()[0]);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.tidy(() => variables.forEach((v) => v.assign(v.mul(1 - 1e-3 * weightDecay)))); // AdamW's decoupled decay
      tf.dispose([value, grads, batch]);
    };
    const sample = () => generate(model, [[1, 2, 3], [4]], { maxNewTokens: 5, temperature: 1, topK: 10, random });

    step(); // the optimizer creates its moment variables on its first step
    await sample();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      await sample();
      await generate(model, [[5, 6]], { maxNewTokens: 4, temperature: 0, useCache: false, random });
    }
    assert.equal(tf.memory().numTensors, before);
    assert.ok(losses.every(Number.isFinite));
    optimizer.dispose();
  });
});
