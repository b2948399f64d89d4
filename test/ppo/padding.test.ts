import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { createPpoModels, disposePpoModels, trainedModels, type PpoModels } from '../../src/ppo/models.ts';
import { measureRollout } from '../../src/ppo/rollout.ts';
import { ppoLoss, type PpoExamples } from '../../src/ppo/update.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';
import { optimizerUpdate } from '../../src/training/update.ts';
import { disposeModel } from '../../src/model/index.ts';
import { assertClose } from '../losses/close.ts';
import { tinyModel, tinyTokenizer } from './fixtures.ts';

/** Rows of different prompt and response lengths, so that a batch of them is padded. */
const rows = [
  { prompt: [1, 7, 8, 9], response: [10, 11, 12, 13, 14, 2] },
  { prompt: [1, 5], response: [6] },
  { prompt: [1, 20, 21], response: [22, 23] },
];

const settings = { cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 0.1, temperature: 1 };

function examplesOf(measured: { logprobs: number[][]; values: number[][] }, shift: number): PpoExamples {
  // Old log-probabilities and values shifted from the current ones, so that ratios and clipping are exercised.
  return {
    rows,
    oldLogprobs: measured.logprobs.map((row, b) => row.map((x, t) => x + shift * Math.sin(b + t))),
    oldValues: measured.values.map((row, b) => row.map((x, t) => x - shift * Math.cos(b * t))),
    advantages: measured.values.map((row, b) => row.map((_, t) => Math.sin(3 * b + t))),
    returns: measured.values.map((row, b) => row.map((_, t) => 0.5 * t - b)),
  };
}

async function scalars(stats: Record<string, tf.Scalar>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(stats)) out[name] = (await value.data())[0];
  tf.dispose(Object.values(stats));
  return out;
}

for (const share_backbone of [false, true]) {
  describe(`ppo statistics never include padding (share_backbone ${share_backbone})`, () => {
    let models: PpoModels;
    before(async () => {
      await initBackend('wasm');
      const tokenizer = tinyTokenizer();
      const initial = tinyModel(tokenizer, 3);
      models = createPpoModels(initial, { share_backbone, init: 'policy' }, { seed: 4 });
      disposeModel(initial);
    });
    after(() => disposePpoModels(models));

    it('measures each row of a padded rollout batch as it measures the row alone', async () => {
      const together = await measureRollout(models, rows, { pad: 0, chunk: 8, temperature: 1 });
      for (let b = 0; b < rows.length; b++) {
        const alone = await measureRollout(models, [rows[b]], { pad: 0, chunk: 8, temperature: 1 });
        for (const key of ['logprobs', 'refLogprobs', 'values', 'entropy'] as const) {
          assert.equal(together[key][b].length, rows[b].response.length);
          assertClose(together[key][b], alone[key][0], 1e-4);
        }
      }
      // The reference is the initial policy: before any update the two agree.
      assertClose(together.logprobs.flat(), together.refLogprobs.flat(), 1e-5);
    });

    it('gives the same losses and statistics with more padding columns and another pad id', async () => {
      const measured = await measureRollout(models, rows, { pad: 0, chunk: 8, temperature: 1 });
      const examples = examplesOf(measured, 0.3);
      const plain = ppoLoss(models, examples, 0, settings);
      const padded = ppoLoss(models, examples, 17, settings, 20);
      const a = await scalars({ loss: plain.loss, ...plain.stats });
      const b = await scalars({ loss: padded.loss, ...padded.stats });
      for (const name of Object.keys(a)) assertClose([b[name]], [a[name]], 1e-5);
      assert.ok(a['policy/clipfrac'] > 0, 'the example should clip some ratios');
    });

    it('takes optimisation steps without growing the number of tensors', async () => {
      const measured = await measureRollout(models, rows, { pad: 0, chunk: 8, temperature: 1 });
      const examples = examplesOf(measured, 0);
      const optimizer = createOptimizer({ name: 'adam', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      const step = () =>
        optimizerUpdate(trainedModels(models), optimizer, () => {
          const { loss, stats } = ppoLoss(models, examples, 0, settings);
          return { loss, kept: stats };
        }, { maxGradNorm: 1, lr: 1e-3 });
      const first = await step(); // creates the optimizer's slots
      const before = tf.memory().numTensors;
      await step();
      await step();
      assert.equal(tf.memory().numTensors, before);
      assert.ok(first.stepped && Number.isFinite(first.loss) && first.gradNorm > 0);
      // With the old log-probabilities equal to the current ones, the first step's ratio is 1 everywhere.
      assertClose([first.kept['policy/approxkl'][0], first.kept['policy/clipfrac'][0]], [0, 0], 1e-6);
      optimizer.dispose();
    });
  });
}
