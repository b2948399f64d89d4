import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { StageError, UserError } from '../../src/core/errors.ts';
import { createModel, disposeModel, lastTokenScores, loadStageModel, modelDir, resolveConfig, saveModel } from '../../src/model/index.ts';
import { padRight } from '../../src/rewards/sequences.ts';
import { createReward } from '../../src/rewards/index.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';

const TEXTS = ['the food was great', 'the service was awful', 'i loved the staff', 'never again , what a mess'];
const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 64, lowercase: true, splitPunctuation: true }, TEXTS);
const config = resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 16, nLayer: 1, nHead: 2, nEmbd: 16 });

/** A classifier stage's output folder holding a random scalar-head model (or, with scalarHead false, a plain LM). */
async function stageOutput(scalarHead = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dpo-run-clf-'));
  const model = createModel(config, { seed: 7, scalarHead });
  await saveModel(modelDir(dir), model, tokenizer.toJSON());
  disposeModel(model);
  return dir;
}

/** sigma of the head at the last token of [bos, text], one text at a time, straight from the model. */
async function expected(dir: string, texts: string[]): Promise<number[]> {
  const { model } = await loadStageModel(dir, { trainable: false });
  const out = texts.map((text) =>
    tf.tidy(() => {
      const { ids, attentionMask } = padRight([[tokenizer.bos, ...tokenizer.encode(text)]], tokenizer.pad);
      return 1 / (1 + Math.exp(-lastTokenScores(model, ids, attentionMask).dataSync()[0]));
    }),
  );
  disposeModel(model);
  return out;
}

describe('classifier reward', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
    dir = await stageOutput();
  });

  it('loads from a classifier stage folder and gives sigma(logit) of the prompt with its completion', async () => {
    const reward = await createReward({ kind: 'classifier', model: 'clf' }, { dir });
    const scores = await reward.score(['the food', 'the service'], ['was great', 'was awful']);
    reward.dispose?.();
    const want = await expected(dir, ['the food was great', 'the service was awful']);
    scores.forEach((s, i) => assert.ok(Math.abs(s - want[i]) < 1e-5 && s > 0 && s < 1, `${s} vs ${want[i]}`));
  });

  it('scores the completion alone when text is completion', async () => {
    const reward = await createReward({ kind: 'classifier', model: 'clf', text: 'completion' }, { dir });
    const [score] = await reward.score(['never again ,'], ['i loved the staff']);
    reward.dispose?.();
    const [want] = await expected(dir, ['i loved the staff']);
    assert.ok(Math.abs(score - want) < 1e-5);
  });

  it('gives each text the same score in a padded batch of many as alone', async () => {
    const reward = await createReward({ kind: 'classifier', model: 'clf', text: 'completion' }, { dir });
    const texts = Array.from({ length: 40 }, (_, i) => TEXTS.slice(0, 1 + (i % 4)).join(' ').split(' ').slice(0, 2 + (i % 9)).join(' '));
    const batched = await reward.score(texts.map(() => ''), texts);
    const alone: number[] = [];
    for (const text of texts) alone.push(...(await reward.score([''], [text])));
    reward.dispose?.();
    batched.forEach((s, i) => assert.ok(Math.abs(s - alone[i]) < 1e-5, `text ${i}: ${s} vs ${alone[i]}`));
  });

  it('leaks no tensors across score() calls and frees its model on dispose()', async () => {
    const start = tf.memory().numTensors;
    const reward = await createReward({ kind: 'classifier', model: 'clf' }, { dir });
    await reward.score(['the food'], ['was great']);
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await reward.score(['the food', 'the service'], ['was great', 'was awful , never again']);
    assert.equal(tf.memory().numTensors, loaded);
    reward.dispose?.();
    assert.equal(tf.memory().numTensors, start);
  });

  it('refuses a missing stage, a model without a scalar head, and an unknown text', async () => {
    await assert.rejects(createReward({ kind: 'classifier', model: 'clf' }, {}), UserError);
    await assert.rejects(createReward({ kind: 'classifier', model: 'clf' }, { dir: await stageOutput(false) }), StageError);
    await assert.rejects(createReward({ kind: 'classifier', model: 'clf', text: 'prompt' }, { dir }), UserError);
  });
});
