/**
 * PPO samples and scores the same distribution: at the sampling temperature T its
 * rollout's log-probabilities (the old ones of the ratio, and the KL penalty's policy
 * term) and its entropy are those of softmax(logits / T), the update's new ones match
 * them, the reference's stay at temperature 1, and sampling settings that have no such
 * log-probabilities (T = 0, top-k, top-p) are refused.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import { Random } from '../../src/core/random.ts';
import { disposeModel, logits, type GPT } from '../../src/model/index.ts';
import { encodePrompt } from '../../src/model/sampleCompletions.ts';
import { createPpoModels, disposePpoModels, type PpoModels } from '../../src/ppo/models.ts';
import { collectRollout, type Rollout } from '../../src/ppo/rollout.ts';
import { ppoSamplingProblems } from '../../src/ppo/sampling.ts';
import { trainPpo } from '../../src/ppo/trainPpo.ts';
import { ppoLoss } from '../../src/ppo/update.ts';
import type { PpoSettings } from '../../src/core/settings/ppo.ts';
import type { Tokenizer } from '../../src/tokenizer/index.ts';
import { testContext } from '../helpers/context.ts';
import { PROMPTS, tinyModel, tinyTokenizer, WordFractionReward } from './fixtures.ts';

const T = 0.6;

/** Per response token of `row`, from the model's logits by hand: log softmax(logits / t)[token] and the entropy of softmax(logits / t). */
function byHand(model: GPT, row: { prompt: number[]; response: number[] }, t: number): { logprobs: number[]; entropy: number[] } {
  const ids = [...row.prompt, ...row.response];
  const rows = tf.tidy(() => logits(model, tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync() as number[][][])[0];
  const logprobs: number[] = [];
  const entropy: number[] = [];
  row.response.forEach((token, j) => {
    const scaled = rows[row.prompt.length + j - 1].map((x) => x / t);
    const max = Math.max(...scaled);
    const logSum = max + Math.log(scaled.reduce((s, x) => s + Math.exp(x - max), 0));
    const logp = scaled.map((x) => x - logSum);
    logprobs.push(logp[token]);
    entropy.push(-logp.reduce((s, lp) => s + Math.exp(lp) * lp, 0));
  });
  return { logprobs, entropy };
}

function assertNear(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-4, `${what}[${i}]: ${a} against ${expected[i]}`));
}

describe('ppo at its sampling temperature', function () {
  this.timeout(30000);
  let tokenizer: Tokenizer;
  let initial: GPT;
  let models: PpoModels;
  let rollout: Rollout;
  const sampling = { temperature: T, top_k: 0, top_p: 1, max_new_tokens: 12, batch_size: 8 };

  before(async () => {
    await initBackend('wasm');
    tokenizer = tinyTokenizer();
    initial = tinyModel(tokenizer, 2);
    models = createPpoModels(initial, { share_backbone: false, init: 'policy' }, { seed: 3 });
    const prompts = PROMPTS.map((text) => ({ text, ids: encodePrompt(tokenizer, text, 32, 12) }));
    rollout = await collectRollout(models, tokenizer, new WordFractionReward('good'), prompts, sampling, new Random(4));
  });
  after(() => {
    disposePpoModels(models);
    disposeModel(initial);
  });

  it('measures the sampled tokens\' log-probabilities and the entropy as log softmax(logits / T), the reference\'s at T = 1', () => {
    assert.ok(rollout.rows.some((row) => row.response.at(-1) === tokenizer.eos), 'some completion stopped: eos is scored like any token');
    rollout.rows.forEach((row, b) => {
      const atT = byHand(models.policy, row, T);
      assertNear(rollout.logprobs[b], atT.logprobs, `logprobs of row ${b}`);
      assertNear(rollout.entropy[b], atT.entropy, `entropy of row ${b}`);
      assertNear(rollout.refLogprobs[b], byHand(models.reference, row, 1).logprobs, `reference logprobs of row ${b}`);
    });
  });

  it('gives the update the same log-probabilities: a ratio of 1 before any step', async () => {
    const examples = {
      rows: rollout.rows,
      oldLogprobs: rollout.logprobs,
      oldValues: rollout.values,
      advantages: rollout.values.map((row) => row.map((_, t) => Math.sin(t))),
      returns: rollout.values,
    };
    const statsAt = async (temperature: number) => {
      const { loss, stats } = ppoLoss(models, examples, tokenizer.pad, { cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 0.1, temperature });
      const values = { approxkl: (await stats['policy/approxkl'].data())[0], clipfrac: (await stats['policy/clipfrac'].data())[0] };
      tf.dispose([loss, ...Object.values(stats)]);
      return values;
    };
    const same = await statsAt(T);
    assert.ok(same.approxkl < 1e-10 && same.clipfrac === 0, JSON.stringify(same));
    const mismatched = await statsAt(1); // what the update computed before: temperature-1 log-probabilities against T-sampled ones
    assert.ok(mismatched.approxkl > 1e-3, JSON.stringify(mismatched));
  });

  it('refuses temperature 0, top_k and top_p, in the rule the pipeline validates with and in trainPpo', async () => {
    assert.deepEqual(ppoSamplingProblems({ temperature: 0.7, top_k: 0, top_p: 1 }), []);
    assert.deepEqual(ppoSamplingProblems({}), []);
    assert.deepEqual(ppoSamplingProblems({ temperature: 0, top_k: 5, top_p: 0.9 }).map((p) => p.key), ['temperature', 'top_k', 'top_p']);
    const settings = { sampling: { ...sampling, temperature: 0 }, rollout_batch: 4 } as unknown as PpoSettings;
    const ctx = await testContext(settings);
    await assert.rejects(trainPpo(ctx, { policy: initial, tokenizer, prompts: PROMPTS, reward: new WordFractionReward('good') }), (error: Error) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /temperature > 0/);
      return true;
    });
  });
});
