import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { InterruptedError } from '../../src/core/errors.ts';
import { disposeModel, loadStageModel, logits, type GPT } from '../../src/model/index.ts';
import { trainPpo } from '../../src/ppo/trainPpo.ts';
import { PPO_COLUMNS } from '../../src/ppo/trainPpo.ts';
import { loadStageKind, stageKinds } from '../../src/stages/index.ts';
import { ppo } from '../../src/stages/ppo.ts';
import type { PpoSettings } from '../../src/core/settings/ppo.ts';
import type { Tokenizer } from '../../src/tokenizer/index.ts';
import { checkpointDir } from '../../src/training/checkpoints.ts';
import { testContext } from '../helpers/context.ts';
import { assertStopsNonFinite } from '../helpers/nonFinite.ts';
import { datasetStage, modelStage, PROMPTS, tinyModel, tinyTokenizer, WordFractionReward } from '../ppo/fixtures.ts';

function settings(overrides: Partial<PpoSettings> = {}): PpoSettings {
  return {
    kind: 'ppo',
    policy: 'sft',
    data: 'data',
    reward: { kind: 'sentiment_lexicon', text: 'prompt_and_completion', scale: 0.25 } as PpoSettings['reward'],
    value: { share_backbone: false, init: 'policy' },
    kl_coef: 0,
    kl_horizon: 10000,
    iterations: 5,
    rollout_batch: 8,
    sampling: { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 4, batch_size: 8 },
    ppo_epochs: 2,
    minibatch_size: 4,
    gamma: 1,
    lam: 0.95,
    cliprange: 0.2,
    cliprange_value: 0.2,
    vf_coef: 0.1,
    whiten_rewards: false,
    reward_norm: { normalize: false, clip: 0 },
    train: {
      optimizer: 'adam', lr: 1e-2, weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, warmup_steps: 0, decay: 'constant', min_lr_ratio: 0,
      max_grad_norm: 1, batch_size: 16, epochs: 1, max_steps: 0, eval_every: 0, eval_size: 64, checkpoint_every: 0, log_every: 1,
    },
    ...overrides,
  };
}

/** The policy's next-token distribution after each prompt, log-softmaxed: (prompts, V). */
function nextTokenLogProbs(model: GPT, tokenizer: Tokenizer): tf.Tensor2D {
  return tf.tidy(() => tf.concat(PROMPTS.map((prompt) => {
    const ids = [tokenizer.bos, ...tokenizer.encode(prompt)];
    const out = logits(model, tf.tensor2d([ids], [1, ids.length], 'int32')); // (1, T, V)
    return tf.logSoftmax(out.slice([0, ids.length - 1, 0], [1, 1, -1]).reshape([1, -1]));
  })) as tf.Tensor2D);
}

/** The mean over prompts of p(token | prompt) for the next token. */
function tokenProbability(model: GPT, tokenizer: Tokenizer, token: number): number {
  return tf.tidy(() => tf.mean(tf.exp(nextTokenLogProbs(model, tokenizer).slice([0, token], [-1, 1]))).dataSync()[0]);
}

/** The exact mean over prompts of KL(pi(.|prompt) || pi_ref(.|prompt)) for the next token. */
function nextTokenKl(model: GPT, reference: GPT, tokenizer: Tokenizer): number {
  return tf.tidy(() => {
    const p = nextTokenLogProbs(model, tokenizer);
    const q = nextTokenLogProbs(reference, tokenizer);
    return tf.mean(tf.sum(tf.mul(tf.exp(p), tf.sub(p, q)), 1)).dataSync()[0];
  });
}

describe('the ppo stage', function () {
  this.timeout(120000);
  let tokenizer: Tokenizer;
  let initial: GPT;
  const good = () => tokenizer.encode('good')[0];

  before(async () => {
    await initBackend('wasm');
    tokenizer = tinyTokenizer();
    initial = tinyModel(tokenizer, 1);
  });
  after(() => disposeModel(initial));

  async function trainWith(overrides: Partial<PpoSettings>) {
    const ctx = await testContext(settings(overrides), { seed: 2 });
    await trainPpo(ctx, { policy: initial, tokenizer, prompts: PROMPTS, reward: new WordFractionReward('good') });
    const { model } = await loadStageModel(ctx.outDir, { trainable: false });
    return { ctx, model, rows: ctx.metricRows['metrics.csv'] };
  }

  it('is registered, references its policy, data and reward model, and produces a model', async () => {
    assert.equal(stageKinds.ppo.schema, ppo.schema, 'the registry holds the declaration the file spreads');
    const loaded = await loadStageKind('ppo');
    assert.equal(loaded?.kind, 'ppo');
    assert.notEqual(loaded, stageKinds.ppo, 'loads the file to run it (the registry holds its declaration)');
    assert.deepEqual(ppo.references.map((r) => r.path), ['policy', 'data', 'reward.model']);
    assert.deepEqual(ppo.produces, ['model']);
  });

  describe('against a reward that prefers one word', () => {
    let free: Awaited<ReturnType<typeof trainWith>>;
    let held: Awaited<ReturnType<typeof trainWith>>;
    before(async () => {
      free = await trainWith({ kl_coef: 0 });
      held = await trainWith({ kl_coef: 50 });
    });
    after(() => {
      disposeModel(free.model);
      disposeModel(held.model);
    });

    it('raises the probability of that word with kl_coef 0', () => {
      const before = tokenProbability(initial, tokenizer, good());
      const after = tokenProbability(free.model, tokenizer, good());
      assert.ok(after > 3 * before, `p(good) went from ${before} to ${after}`);
      assert.ok(free.rows.at(-1)!['objective/scores']! > free.rows[0]['objective/scores']!);
    });

    it('keeps the policy near the reference with a large kl_coef', () => {
      const heldKl = nextTokenKl(held.model, initial, tokenizer);
      const freeKl = nextTokenKl(free.model, initial, tokenizer);
      assert.ok(heldKl < 0.15 && heldKl < freeKl / 4, `next-token KL ${heldKl} with kl_coef 50, ${freeKl} with 0`);
      const measured = held.rows.map((row) => row['objective/kl'] as number);
      const meanAbs = measured.reduce((s, kl) => s + Math.abs(kl), 0) / measured.length;
      assert.ok(meanAbs < 0.5, `objective/kl per iteration: ${measured.join(', ')}`);
    });

    it('logs every column at every iteration, with kl_coef and rlhf_reward consistent', () => {
      assert.equal(free.rows.length, 5);
      for (const row of held.rows) {
        for (const column of PPO_COLUMNS) assert.ok(Number.isFinite(row[column]), `${column} is ${row[column]}`);
        assert.equal(row['objective/kl_coef'], 50);
        const expected = (row['objective/scores'] as number) - 50 * (row['objective/kl'] as number);
        assert.ok(Math.abs((row['objective/rlhf_reward'] as number) - expected) < 1e-9);
      }
    });
  });

  it('stops at a non-finite step with lr 1e6 in the shape sft does, where it used to step on a NaN gradient', async () => {
    const inputs = () => ({ policy: initial, tokenizer, prompts: PROMPTS, reward: new WordFractionReward('good') });
    const train = { ...settings().train, checkpoint_every: 1 };
    const fresh = await testContext(settings({ iterations: 6, train: { ...train, lr: 1e6 } }), { seed: 2 });
    assert.equal((await assertStopsNonFinite(trainPpo(fresh, inputs()), fresh.outDir)).checkpoint, undefined);

    // Resumed from a checkpoint at iteration 2, the same error keeps that checkpoint.
    const interrupted = await testContext(settings({ iterations: 6, train }), { seed: 2 });
    interrupted.tick = async () => {
      if (existsSync(checkpointDir(interrupted.outDir, 2))) throw new InterruptedError();
    };
    await assert.rejects(trainPpo(interrupted, inputs()), InterruptedError);
    const resumed = await testContext(settings({ iterations: 6, train: { ...train, lr: 1e6 } }), { seed: 2, outDir: interrupted.outDir });
    const error = await assertStopsNonFinite(trainPpo(resumed, inputs()), resumed.outDir);
    // The first non-finite step comes after the resumed checkpoint (which one depends on the kernels' rounding).
    // It keeps the last checkpoint before that step (one per step here), the resumed one or a later one.
    assert.ok(error.step > 2, `stopped at step ${error.step}`);
    assert.equal(error.checkpoint?.step, error.step - 1);
  });

  it('runs from its inputs, saves the policy without the value head, and resumes with the KL controller and random state', async () => {
    const sft = await modelStage(initial, tokenizer);
    const data = await datasetStage();
    const resumable = settings({
      iterations: 4,
      kl_coef: 0.2,
      kl_target: 0.05,
      kl_horizon: 16, // the coefficient moves by up to 10% per iteration of 8 samples
      value: { share_backbone: true, init: 'policy' },
      train: { ...settings().train, lr: 3e-3, checkpoint_every: 2 },
    });
    const inputs = { policy: [sft], data: [data] };

    const whole = await testContext(resumable, { seed: 5, inputs });
    await ppo.run(whole);

    const interrupted = await testContext(resumable, { seed: 5, inputs });
    interrupted.tick = async () => {
      if (existsSync(checkpointDir(interrupted.outDir, 2))) throw new InterruptedError();
    };
    await assert.rejects(ppo.run(interrupted), InterruptedError);
    const resumed = await testContext(resumable, { seed: 5, inputs, outDir: interrupted.outDir });
    await ppo.run(resumed);
    assert.ok(resumed.logs.some((line) => /resuming from step 2/.test(line)));

    const wholeRows = whole.metricRows['metrics.csv'];
    const resumedRows = resumed.metricRows['metrics.csv'];
    assert.deepEqual(resumedRows.map((r) => r.iteration), [3, 4]);
    assert.notEqual(wholeRows[3]['objective/kl_coef'], 0.2, 'the adaptive controller should have moved');
    for (const [i, row] of resumedRows.entries()) {
      for (const column of ['objective/kl_coef', 'objective/scores', 'objective/kl', 'response_length', 'loss/value']) {
        assert.ok(Math.abs((row[column] as number) - (wholeRows[i + 2][column] as number)) < 1e-5, `${column} at iteration ${row.iteration}`);
      }
    }

    const { model } = await loadStageModel(resumed.outDir, { trainable: false });
    assert.equal(model.scalarHead, false);
    const wholeModel = (await loadStageModel(whole.outDir, { trainable: false })).model;
    assert.ok(nextTokenKl(model, wholeModel, tokenizer) < 1e-6);
    disposeModel(model);
    disposeModel(wholeModel);
    assert.deepEqual(await readdir(join(resumed.outDir, 'checkpoints')), ['step-000002', 'step-000004']);
    assert.deepEqual(await readdir(join(resumed.outDir, 'value')), ['step-000002.safetensors', 'step-000004.safetensors']);
  });
});
