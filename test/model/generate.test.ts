import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { Random } from '../../src/core/random.ts';
import { argmax, createModel, disposeModel, generate, logits, resolveConfig, sampleToken, type GPT } from '../../src/model/index.ts';

const config = resolveConfig({ vocabSize: 31, contextLength: 24, nLayer: 2, nHead: 2, nEmbd: 16 });
const prompts = [[1, 2, 3, 4, 5], [6], [7, 8, 9]];

describe('generation', () => {
  let model: GPT;
  before(async () => {
    await initBackend('wasm');
    model = createModel(config, { seed: 5 });
  });
  after(() => disposeModel(model));

  it('gives the same tokens with and without the KV cache for the same seed', async () => {
    const options = { maxNewTokens: 10, temperature: 1, topK: 20, topP: 0.95 };
    const cached = await generate(model, prompts, { ...options, random: new Random(3) });
    const uncached = await generate(model, prompts, { ...options, random: new Random(3), useCache: false });
    assert.deepEqual(cached, uncached);
    assert.deepEqual(cached.map((g) => g.length), [10, 10, 10]);
  });

  it('is reproducible from the seed', async () => {
    const options = { maxNewTokens: 8, temperature: 1.5 };
    const a = await generate(model, prompts, { ...options, random: new Random(9) });
    const b = await generate(model, prompts, { ...options, random: new Random(9) });
    const c = await generate(model, prompts, { ...options, random: new Random(10) });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('decodes greedily as the argmax of the full forward pass', async () => {
    const [tokens] = await generate(model, [prompts[0]], { maxNewTokens: 8, temperature: 0, random: new Random(0) });
    const sequence = [...prompts[0]];
    for (const token of tokens) {
      const row = tf.tidy(() => logits(model, tf.tensor2d([sequence], undefined, 'int32')).arraySync()[0][sequence.length - 1]);
      assert.equal(token, argmax(row));
      sequence.push(token);
    }
  });

  it('gives each prompt of a mixed-length batch what it gives alone', async () => {
    const options = { maxNewTokens: 8, temperature: 0, random: new Random(0) };
    const together = await generate(model, prompts, options);
    for (let i = 0; i < prompts.length; i++) {
      const [alone] = await generate(model, [prompts[i]], options);
      assert.deepEqual(together[i], alone, `prompt ${i}`);
    }
  });

  it('stops each sequence at its first eos, without the eos', async () => {
    const options = { maxNewTokens: 10, temperature: 0 };
    const free = await generate(model, prompts, { ...options, random: new Random(0) });
    const eos = free[0][3];
    const stopped = await generate(model, prompts, { ...options, eos, random: new Random(0) });
    free.forEach((tokens, i) => {
      const cut = tokens.indexOf(eos);
      assert.deepEqual(stopped[i], cut < 0 ? tokens : tokens.slice(0, cut));
    });
  });

  it('stops when the context is full', async () => {
    const [tokens] = await generate(model, [new Array(20).fill(1)], { maxNewTokens: 10, temperature: 1, random: new Random(1) });
    assert.equal(tokens.length, 4);
  });
});

describe('sampleToken', () => {
  // probabilities 1/6, 2/6, 3/6
  const row = [0, Math.log(2), Math.log(3)];

  it('inverts the cumulative distribution at u', () => {
    assert.deepEqual([0.1, 0.2, 0.49, 0.51, 0.99].map((u) => sampleToken(row, { temperature: 1 }, u)), [0, 1, 1, 2, 2]);
  });

  it('keeps the k most likely tokens', () => {
    // weights 3 (id 2), 2 (id 1) of 5
    assert.deepEqual([0.1, 0.59, 0.61, 0.99].map((u) => sampleToken(row, { temperature: 1, topK: 2 }, u)), [2, 2, 1, 1]);
  });

  it('keeps the smallest nucleus reaching p', () => {
    assert.deepEqual([0, 0.99].map((u) => sampleToken(row, { temperature: 1, topP: 0.5 }, u)), [2, 2]);
    assert.deepEqual([0.59, 0.61].map((u) => sampleToken(row, { temperature: 1, topP: 0.6 }, u)), [2, 1]);
  });

  it('picks the argmax at temperature 0', () => {
    assert.equal(sampleToken([0.5, 2, -1], { temperature: 0 }, 0.99), 1);
  });
});
