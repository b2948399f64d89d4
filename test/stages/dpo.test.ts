import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { InterruptedError } from '../../src/core/errors.ts';
import { disposeModel, loadStageModel } from '../../src/model/index.ts';
import { REFERENCE_LOGPS_FILE, SHARED_REFERENCE_DIR } from '../../src/pairwise/reference.ts';
import { dpo } from '../../src/stages/dpo.ts';
import type { DpoSettings } from '../../src/core/settings/dpo.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { testContext } from '../helpers/context.ts';
import { assertStopsNonFinite } from '../helpers/nonFinite.ts';
import { cacheRoot, pairsOutput, policyOutput, resolveSettings, sentimentPairs, settingsErrors } from '../preferences/fixtures.ts';

describe('the dpo stage', function () {
  this.timeout(60000);
  let cache: string;
  let inputs: Record<string, StageOutput[]>;

  before(async () => {
    await initBackend('wasm');
    cache = await cacheRoot();
    inputs = { policy: [await policyOutput(cache)], pairs: [await pairsOutput(cache, sentimentPairs(8, 4))] };
  });

  async function runDpo(raw: Record<string, unknown>, options: { outDir?: string; tick?: () => Promise<void>; cache?: Record<string, StageOutput[]> } = {}) {
    const settings = resolveSettings<DpoSettings>('dpo', { policy: 'sft', pairs: 'prefs', ...raw });
    const ctx = await testContext(settings, { inputs: options.cache ?? inputs, outDir: options.outDir, seed: 7 });
    if (options.tick) ctx.tick = options.tick;
    await dpo.run(ctx);
    const summary = JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8'));
    return { ctx, rows: ctx.metricRows['metrics.csv'], summary };
  }

  const train = (extra: Record<string, unknown> = {}) => ({ optimizer: 'adam', lr: 1e-3, batch_size: 8, epochs: 10, max_steps: 2, ...extra });

  it('starts with loss log 2 and zero rewards, the policy being the reference', async () => {
    const { rows } = await runDpo({ beta: 0.1, train: train({ max_steps: 1 }) });
    assert.ok(Math.abs((rows[0].loss as number) - Math.log(2)) < 1e-5, `loss ${rows[0].loss}`);
    for (const name of ['rewards/chosen', 'rewards/rejected', 'rewards/margins']) assert.ok(Math.abs(rows[0][name] as number) < 1e-5, `${name} ${rows[0][name]}`);
    assert.ok(Math.abs((rows[0]['eval/loss'] as number) - Math.log(2)) < 0.05, 'held out: the loss after one small step is near log 2');
  });

  it('moves rewards/margins up with one step of beta = 0.1', async () => {
    const { rows, ctx } = await runDpo({ beta: 0.1, train: train({ eval_every: 1 }) });
    assert.equal(rows.length, 2);
    assert.ok((rows[1]['rewards/margins'] as number) > (rows[0]['rewards/margins'] as number) + 1e-4, `margins ${rows[0]['rewards/margins']} -> ${rows[1]['rewards/margins']}`);
    assert.ok((rows[1].loss as number) < Math.log(2));
    for (const column of ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected', 'grad_norm', 'lr']) {
      assert.equal(typeof rows[1][column], 'number', column);
      assert.equal(typeof rows[1][`eval/${column}`], column === 'grad_norm' || column === 'lr' ? 'undefined' : 'number', `eval/${column}`);
    }
    const { model } = await loadStageModel(ctx.outDir, { trainable: false });
    disposeModel(model);
  });

  it('computes the reference log-probabilities once, before training, not per step', async () => {
    const own = await cacheRoot();
    const ownInputs = { policy: [await policyOutput(own)], pairs: [await pairsOutput(own, sentimentPairs(8, 4))] };
    const { summary, ctx } = await runDpo({ beta: 0.5, train: train({ batch_size: 4, max_steps: 5, eval_every: 2 }) }, { cache: ownInputs });
    assert.equal(summary.reference_logps, 'computed');
    assert.equal(summary.forward_passes.reference, 3, '12 pairs in batches of 4, once');
    assert.equal(summary.forward_passes.policy, 5 + 3 * 1, 'one per step, one per evaluation (steps 2, 4, 5) of 4 held-out pairs');
    const file = JSON.parse(await readFile(join(ctx.outDir, REFERENCE_LOGPS_FILE), 'utf8'));
    assert.equal(file.chosen.length, 12);
  });

  it('shares the reference log-probabilities across a beta sweep', async () => {
    const sweepCache = await cacheRoot();
    const sweepInputs = { policy: [await policyOutput(sweepCache)], pairs: [await pairsOutput(sweepCache, sentimentPairs(8, 4))] };
    const first = await runDpo({ beta: 0.1, train: train({ max_steps: 1 }) }, { cache: sweepInputs });
    const second = await runDpo({ beta: 1, train: train({ max_steps: 1 }) }, { cache: sweepInputs });
    assert.equal(first.summary.forward_passes.reference, 2);
    assert.equal(first.summary.reference_logps, 'computed');
    assert.equal(second.summary.forward_passes.reference, 0);
    assert.equal(second.summary.reference_logps, 'shared');
    assert.ok(existsSync(join(sweepCache, SHARED_REFERENCE_DIR)));
    assert.deepEqual(
      JSON.parse(await readFile(join(second.ctx.outDir, REFERENCE_LOGPS_FILE), 'utf8')),
      JSON.parse(await readFile(join(first.ctx.outDir, REFERENCE_LOGPS_FILE), 'utf8')),
    );
  });

  it('resumes from its last checkpoint and ends where an uninterrupted run ends', async () => {
    const settings = { beta: 0.1, train: train({ batch_size: 4, max_steps: 3, checkpoint_every: 1 }) };
    const whole = await runDpo(settings);
    const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-resume-'));
    let ticks = 0;
    const interrupt = async () => {
      if (++ticks === 2) throw new InterruptedError();
    };
    await assert.rejects(runDpo(settings, { outDir, tick: interrupt }), InterruptedError);
    const resumed = await runDpo(settings, { outDir });
    assert.ok(resumed.ctx.logs.some((line) => /resuming from step 2/.test(line)), resumed.ctx.logs.join('\n'));
    assert.equal(resumed.summary.reference_logps, 'stage');
    assert.deepEqual(resumed.rows.map((r) => r.step), [3]);
    const a = await loadStageModel(whole.ctx.outDir, { trainable: false });
    const b = await loadStageModel(outDir, { trainable: false });
    for (const [name, variable] of a.model.params) {
      const difference = tf.tidy(() => variable.sub(b.model.params.get(name)!).abs().max().dataSync()[0]);
      assert.ok(difference < 1e-5, `${name} differs by ${difference}`);
    }
    disposeModel(a.model);
    disposeModel(b.model);
  });

  it('stops at a non-finite step with lr 1e6 in the shape sft does, saying truthfully whether a checkpoint is kept', async () => {
    for (const checkpoint_every of [0, 1]) {
      const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-dpo-nan-'));
      const settings = { beta: 0.1, train: train({ lr: 1e6, batch_size: 4, max_steps: 20, checkpoint_every }) };
      const error = await assertStopsNonFinite(runDpo(settings, { outDir }), outDir);
      assert.equal(error.checkpoint?.step, checkpoint_every === 0 || error.step === 1 ? undefined : error.step - 1, error.message);
    }
  });

  it('rejects label_smoothing with a loss other than sigmoid, and a missing beta', () => {
    assert.deepEqual(settingsErrors('dpo', { policy: 's', pairs: 'p', beta: 0.1, loss: 'sigmoid', label_smoothing: 0.2, train: { lr: 1 } }), []);
    assert.notDeepEqual(settingsErrors('dpo', { policy: 's', pairs: 'p', beta: 0.1, loss: 'ipo', label_smoothing: 0.2, train: { lr: 1 } }), []);
    assert.deepEqual(settingsErrors('dpo', { policy: 's', pairs: 'p', beta: 0.1, loss: 'ipo', train: { lr: 1 } }), []);
    assert.notDeepEqual(settingsErrors('dpo', { policy: 's', pairs: 'p', loss: 'sigmoid', train: { lr: 1 } }), []);
    assert.notDeepEqual(settingsErrors('dpo', { policy: 's', pairs: 'p', beta: 0.1, label_smoothing: 0.5, train: { lr: 1 } }), []);
  });

  it('leaves no tensors behind', async () => {
    await runDpo({ beta: 0.1, train: train({ max_steps: 1 }) }); // warm up kernels and caches
    const before = tf.memory().numTensors;
    await runDpo({ beta: 0.1, loss: 'ipo', sft_weight: 0.5, train: train({ max_steps: 2 }) });
    assert.equal(tf.memory().numTensors, before);
  });
});
