import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { disposeModel, loadModel, logits, type GPT } from '../../src/model/index.ts';

const FIXTURE = new URL('../fixtures/gpt2-tiny/', import.meta.url).pathname;

interface Case {
  ids: number[][];
  attention_mask?: number[][];
  position_ids?: number[][];
  logits: number[][][];
}

/** The fixture's logits were computed by an independent PyTorch forward (scripts/makeGpt2Fixture.py). */
describe('GPT-2 parity with an independent implementation', () => {
  let model: GPT;
  const { cases } = JSON.parse(readFileSync(FIXTURE + 'logits.json', 'utf8')) as { cases: Case[] };

  before(async () => {
    await initBackend('wasm');
    model = await loadModel(FIXTURE); // a Hugging Face GPT2Model layout: no `transformer.` prefix, attn.bias buffers
  });
  after(() => disposeModel(model));

  it('matches the reference logits to 1e-4', () => {
    const { ids, logits: expected } = cases[0];
    const actual = tf.tidy(() => logits(model, tf.tensor2d(ids, undefined, 'int32')).arraySync());
    assertClose(actual, expected, () => true);
  });

  it('matches the reference logits with left padding, an attention mask and position ids', () => {
    const c = cases[1];
    const actual = tf.tidy(() =>
      logits(model, tf.tensor2d(c.ids, undefined, 'int32'), {
        attentionMask: tf.tensor2d(c.attention_mask!),
        positionIds: tf.tensor2d(c.position_ids!, undefined, 'int32'),
      }).arraySync(),
    );
    assertClose(actual, c.logits, (b, t) => c.attention_mask![b][t] === 1);
  });
});

function assertClose(actual: number[][][], expected: number[][][], compared: (b: number, t: number) => boolean): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let b = 0; b < expected.length; b++) {
    for (let t = 0; t < expected[b].length; t++) {
      if (!compared(b, t)) continue;
      for (let v = 0; v < expected[b][t].length; v++) worst = Math.max(worst, Math.abs(actual[b][t][v] - expected[b][t][v]));
    }
  }
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
}
