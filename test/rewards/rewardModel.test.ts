import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { StageError, UserError } from '../../src/core/errors.ts';
import { createModel, disposeModel, lastTokenScores, loadStageModel, modelDir, resolveConfig, saveModel } from '../../src/model/index.ts';
import { padRight } from '../../src/rewards/sequences.ts';
import { createReward, rewardKinds } from '../../src/rewards/index.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';

const TEXTS = ['the film was great fun', 'the film was an awful bore', 'what a movie'];
const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 64, lowercase: true, splitPunctuation: true }, TEXTS);
const config = resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, nLayer: 1, nHead: 2, nEmbd: 16 });

async function rewardModelOutput(scalarHead = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dpo-run-rm-'));
  const model = createModel(config, { seed: 11, scalarHead });
  await saveModel(modelDir(dir), model, tokenizer.toJSON());
  disposeModel(model);
  return dir;
}

describe('reward_model reward', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
    dir = await rewardModelOutput();
  });

  it('is a registered reward kind', () => {
    assert.ok(Object.hasOwn(rewardKinds, 'reward_model') && Object.hasOwn(rewardKinds, 'classifier'));
  });

  it('gives the scalar head at the last token of [bos, prompt completion], unsquashed', async () => {
    const reward = await createReward({ kind: 'reward_model', model: 'rm' }, { dir });
    const scores = await reward.score(['the film was', 'what'], ['great fun', 'a movie']);
    reward.dispose?.();
    const { model } = await loadStageModel(dir, { trainable: false });
    const want = tf.tidy(() => {
      const { ids, attentionMask } = padRight(['the film was great fun', 'what a movie'].map((t) => [tokenizer.bos, ...tokenizer.encode(t)]), tokenizer.pad);
      return Array.from(lastTokenScores(model, ids, attentionMask).dataSync());
    });
    disposeModel(model);
    scores.forEach((s, i) => assert.ok(Math.abs(s - want[i]) < 1e-5, `${s} vs ${want[i]}`));
  });

  it('cuts a text longer than the context to its first tokens instead of failing', async () => {
    const reward = await createReward({ kind: 'reward_model', model: 'rm', text: 'completion' }, { dir });
    const long = 'the film was great fun and the film was great fun';
    const [cut, first] = await reward.score(['', ''], [long, 'the film was great fun and the']); // 7 words + bos = the context of 8
    reward.dispose?.();
    assert.ok(Math.abs(cut - first) < 1e-6);
  });

  it('leaks no tensors across score() calls', async () => {
    const reward = await createReward({ kind: 'reward_model', model: 'rm' }, { dir });
    await reward.score(['what'], ['a movie']);
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await reward.score(['the film', 'what', ''], ['was great fun', 'a movie', 'an awful bore']);
    assert.equal(tf.memory().numTensors, loaded);
    reward.dispose?.();
  });

  it('refuses a missing stage and a model without a scalar head', async () => {
    await assert.rejects(createReward({ kind: 'reward_model', model: 'rm' }, {}), UserError);
    await assert.rejects(createReward({ kind: 'reward_model', model: 'rm' }, { dir: await rewardModelOutput(false) }), StageError);
  });
});
