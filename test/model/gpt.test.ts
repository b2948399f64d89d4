import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import { cloneModel, createModel, disposeModel, logits, parameterCount, resolveConfig } from '../../src/model/index.ts';

const config = resolveConfig({ vocabSize: 50, contextLength: 8, nLayer: 4, nHead: 2, nEmbd: 32 });

function std(values: ArrayLike<number>): number {
  const mean = Array.from(values).reduce((s, x) => s + x, 0) / values.length;
  return Math.sqrt(Array.from(values).reduce((s, x) => s + (x - mean) ** 2, 0) / values.length);
}

describe('GPT model', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('initialises as GPT-2 does, reproducibly from the seed', () => {
    const a = createModel(config, { seed: 1 });
    const b = createModel(config, { seed: 1 });
    const wte = a.params.get('transformer.wte.weight')!.dataSync();
    assert.deepEqual(wte, b.params.get('transformer.wte.weight')!.dataSync());
    assert.ok(Math.abs(std(wte) - 0.02) < 0.002);
    const proj = a.params.get('transformer.h.0.mlp.c_proj.weight')!.dataSync();
    assert.ok(Math.abs(std(proj) - 0.02 / Math.sqrt(8)) < 0.001);
    assert.deepEqual([...a.params.get('transformer.h.3.ln_2.weight')!.dataSync()], new Array(32).fill(1));
    assert.deepEqual([...a.params.get('transformer.h.3.attn.c_attn.bias')!.dataSync()], new Array(96).fill(0));
    // V*C + N*C + layers * (12 C^2 + 13 C) + 2C
    assert.equal(parameterCount(a), 50 * 32 + 8 * 32 + 4 * (12 * 32 * 32 + 13 * 32) + 2 * 32);
    disposeModel(a);
    disposeModel(b);
  });

  it('keeps a clone unchanged when the original is trained', () => {
    const policy = createModel(config, { seed: 2 });
    const reference = cloneModel(policy, { trainable: false });
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    const before = tf.tidy(() => logits(reference, ids).arraySync());
    for (const variable of policy.params.values()) variable.assign(tf.tidy(() => variable.add(0.1)));
    assert.deepEqual(tf.tidy(() => logits(reference, ids).arraySync()), before);
    assert.notDeepEqual(tf.tidy(() => logits(policy, ids).arraySync()), before);
    assert.ok([...reference.params.values()].every((v) => !v.trainable));
    ids.dispose();
    disposeModel(policy);
    disposeModel(reference);
  });

  it('refuses a sequence longer than its context', () => {
    const model = createModel(config, { seed: 3 });
    const ids = tf.zeros([1, 9], 'int32') as tf.Tensor2D;
    assert.throws(() => tf.tidy(() => logits(model, ids)), UserError);
    ids.dispose();
    disposeModel(model);
  });

  it('rejects a width that the heads do not divide', () => {
    assert.throws(() => resolveConfig({ vocabSize: 5, contextLength: 4, nLayer: 1, nHead: 3, nEmbd: 8 }), UserError);
  });
});
