import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';
import { createModel, disposeModel, generate, resolveConfig, transformer, type GPT, type LayerCache } from '../../src/model/index.ts';
import { canDecodeFused, FusedDecoder } from '../../src/model/fusedDecoder.ts';
import { param } from '../../src/model/gpt.ts';
import { Random } from '../../src/core/random.ts';
import { assertClose, withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

/** Logits (B, V) of the composed forward for `ids` (B, T) after `past`, and its new caches. */
function composedStep(model: GPT, ids: number[][], positions: number[][], mask: number[][], past: LayerCache[]) {
  return tf.tidy(() => {
    const [B, T] = [ids.length, ids[0].length];
    const run = transformer(model, tf.tensor2d(ids, [B, T], 'int32'), { attentionMask: tf.tensor2d(mask), positionIds: tf.tensor2d(positions, [B, T], 'int32') }, past);
    const C = model.config.nEmbd;
    const last = run.hidden.slice([0, T - 1, 0], [B, 1, C]).reshape([B, C]);
    return { logits: tf.matMul(last, param(model, 'transformer.wte.weight'), false, true), present: run.present! };
  });
}

describe('the fused decode step', () => {
  let model: GPT;
  before(async function () {
    await nativeKernelsOrSkip(this);
    model = createModel(resolveConfig({ vocabSize: 53, contextLength: 24, nLayer: 2, nHead: 2, nEmbd: 16 }), { seed: 3 });
  });
  after(() => model && disposeModel(model));

  it('is taken on the native kernels and not on the stock ones', () => {
    assert.ok(canDecodeFused(model));
    withStockKernels(() => assert.ok(!canDecodeFused(model)));
  });

  it('gives the logits of the composed forward, step after step, with left padding', () => {
    // Two prompts, the second one token shorter (left-padded, masked, positions from its first token).
    const prompt = [[5, 9, 11, 2], [0, 7, 3, 8]];
    const mask = [[1, 1, 1, 1], [0, 1, 1, 1]];
    const positionOf = (b: number, t: number) => Math.max(0, t - (b === 1 ? 1 : 0));
    const first = composedStep(model, prompt, prompt.map((row, b) => row.map((_, t) => positionOf(b, t))), mask, []);
    const decoder = new FusedDecoder(model, first.present);
    const wteT = param(model, 'transformer.wte.weight').transpose() as tf.Tensor2D;
    let past = first.present;
    first.logits.dispose();
    const tokens = [[4, 17], [30, 1], [52, 0]];
    for (const [s, next] of tokens.entries()) {
      const position = prompt[0].length + s;
      mask.forEach((row) => row.push(1));
      const composed = composedStep(model, next.map((t) => [t]), next.map((_, b) => [positionOf(b, position)]), mask, past);
      const fused = decoder.step(next, next.map((_, b) => positionOf(b, position)), mask, position, wteT);
      assertClose(fused, composed.logits, `step ${s}`);
      tf.dispose([fused, composed.logits, ...past.flatMap((c) => [c.key, c.value])]);
      past = composed.present;
    }
    tf.dispose([wteT, ...past.flatMap((c) => [c.key, c.value])]);
    decoder.dispose();
  });

  it('generates the tokens the composed path does, and leaves no tensors behind', async () => {
    const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9]];
    const options = { temperature: 0, maxNewTokens: 12 };
    const before = tf.memory().numTensors;
    const fused = await generate(model, prompts, { ...options, random: new Random(1) });
    assert.equal(tf.memory().numTensors, before);
    unregisterNativeKernels(); // generate awaits, so not withStockKernels (which restores them at once)
    let composed: number[][];
    try {
      composed = await generate(model, prompts, { ...options, random: new Random(1) });
    } finally {
      registerNativeKernels();
    }
    assert.deepEqual(fused, composed);
    assert.ok(fused.every((row) => row.length === 12));
  });
});
