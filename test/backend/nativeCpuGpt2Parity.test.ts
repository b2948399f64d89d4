/**
 * The GPT-2 parity fixture (test/model/parity.test.ts: logits of an independent PyTorch
 * forward) on the native-cpu backend, to 1e-4: plain, and with left padding, an attention
 * mask and position ids.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { disposeModel, loadModel, logits } from '../../src/model/index.ts';
import { nativeCpuOrSkip, onBackend } from './compareBackends.ts';

const FIXTURE = new URL('../fixtures/gpt2-tiny/', import.meta.url).pathname;

interface Case {
  ids: number[][];
  attention_mask?: number[][];
  position_ids?: number[][];
  logits: number[][][];
}

describe('GPT-2 parity with an independent implementation, on native-cpu', () => {
  const { cases } = JSON.parse(readFileSync(FIXTURE + 'logits.json', 'utf8')) as { cases: Case[] };
  before(function () {
    nativeCpuOrSkip(this);
  });

  it('matches the reference logits to 1e-4, plain and with left padding, a mask and position ids', async () => {
    await onBackend('native-cpu', async () => {
      const model = await loadModel(FIXTURE);
      try {
        for (const c of cases.slice(0, 2)) {
          const actual = tf.tidy(() => logits(model, tf.tensor2d(c.ids, undefined, 'int32'), c.attention_mask ? {
            attentionMask: tf.tensor2d(c.attention_mask),
            positionIds: tf.tensor2d(c.position_ids!, undefined, 'int32'),
          } : undefined).arraySync()) as number[][][];
          let worst = 0;
          c.logits.forEach((row, b) => row.forEach((expected, t) => {
            if (c.attention_mask && c.attention_mask[b][t] !== 1) return;
            expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(actual[b][t][i] - v))));
          }));
          assert.ok(worst < 1e-4, `largest difference ${worst}`);
        }
      } finally {
        disposeModel(model);
      }
    });
  });
});
