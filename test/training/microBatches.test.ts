/**
 * Gradient accumulation (train.micro_batch_size): one step on micro-batches of a half or a
 * quarter of the batch gives the same updated weights, loss, gradient norm and logged
 * metrics as the whole batch at once, for sft, the pairwise objectives (dpo with its SFT
 * term, unlikelihood, preferred_ft), the reward model, the classifier and a PPO minibatch.
 * The sequences have different lengths and different numbers of loss tokens, so that a
 * mean over tokens must weigh each micro-batch by its share of the batch's tokens. The
 * optimizer's eps is large, so that its update is smooth in the gradient (Adam's first
 * step is otherwise close to lr * sign(g), which turns rounding into differences of lr),
 * and clipping is on, so that the clip of the summed gradient is exercised too. A
 * micro_batch_size that does not divide the batch is an error with a position, exit 2.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { validateCommand } from '../../src/cli/validate.ts';
import { UserError } from '../../src/core/errors.ts';
import { cloneModel, createModel, disposeModel, resolveConfig, type GPT } from '../../src/model/index.ts';
import { dpoObjective, preferredFtObjective, unlikelihoodObjective, type PairwiseObjective } from '../../src/pairwise/objectives.ts';
import { pairwiseStepLosses } from '../../src/pairwise/stepLosses.ts';
import { createPpoModels, disposePpoModels, trainedModels, type PpoModels } from '../../src/ppo/models.ts';
import { measureRollout } from '../../src/ppo/rollout.ts';
import { ppoStepLosses, type PpoExamples } from '../../src/ppo/update.ts';
import { classifierStepLosses, rewardModelStepLosses } from '../../src/rewards/stepLosses.ts';
import { sftStepLosses } from '../../src/sft/stepLosses.ts';
import { microBatchSize } from '../../src/training/microBatches.ts';
import { createOptimizer } from '../../src/training/optimizer.ts';
import type { TrainSettings } from '../../src/training/settings.ts';
import { optimizerUpdate, type LossFunctions, type UpdateResult } from '../../src/training/update.ts';
import { tinyModel, tinyTokenizer } from '../ppo/fixtures.ts';

const PAD = 0;
const BOS = 1;
const EOS = 2;
const TOLERANCE = 1e-5;

/** Ragged token sequences over a vocabulary of `vocab`: lengths 3..(3 + n), different in every row. */
function sequence(i: number, length: number, vocab: number): number[] {
  return [BOS, ...Array.from({ length: length - 1 }, (_, t) => 3 + ((i * 7 + t * 5) % (vocab - 3)))];
}

/** One optimizer step of `models` on `losses` with clipping on and a smooth Adam (eps 1). */
async function step(models: GPT[], losses: LossFunctions): Promise<UpdateResult> {
  const optimizer = createOptimizer({ name: 'adamw', weight_decay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1 });
  const out = await optimizerUpdate(models, optimizer, losses, { lr: 0.05, maxGradNorm: 0.5 });
  optimizer.dispose();
  assert.ok(out.stepped);
  return out;
}

function weights(models: GPT[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  models.forEach((model, i) => {
    for (const [name, variable] of model.params) out.set(`${i}:${name}`, variable.dataSync() as Float32Array);
  });
  return out;
}

function maxDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, values] of a) {
    const other = b.get(name)!;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] - other[i]));
  }
  return max;
}

function sumKept(out: UpdateResult): Record<string, number> {
  return Object.fromEntries(Object.entries(out.kept).map(([name, values]) => [name, values.reduce((a, b) => a + b, 0)]));
}

/**
 * Runs `stepOn` (one step with a micro-batch size) on copies of `base` for the whole batch
 * and for each of `micros`, and checks weights, loss, gradient norm and `compare`'s values.
 */
async function assertSameStep(
  base: GPT[],
  batchSize: number,
  micros: number[],
  stepOn: (models: GPT[], micro: number) => LossFunctions,
  compare: (out: UpdateResult) => Record<string, number> = () => ({}),
): Promise<void> {
  const before = weights(base);
  const run = async (micro: number) => {
    const models = base.map((m) => cloneModel(m, { trainable: true }));
    const losses = stepOn(models, micro);
    assert.equal(Array.isArray(losses) ? losses.length : 1, batchSize / micro, 'one loss per micro-batch');
    const out = await step(models, losses);
    const after = weights(models);
    models.forEach(disposeModel);
    return { out, after };
  };
  const whole = await run(batchSize);
  assert.ok(maxDifference(whole.after, before) > 1e-3, 'the step should move the weights');
  assert.ok(whole.out.gradNorm > 0.5, 'the gradient should be clipped');
  for (const micro of micros) {
    const accumulated = await run(micro);
    const where = `micro_batch_size ${micro} of ${batchSize}`;
    const difference = maxDifference(accumulated.after, whole.after);
    assert.ok(difference <= TOLERANCE, `${where}: weights differ by ${difference}`);
    assert.ok(Math.abs(accumulated.out.loss - whole.out.loss) <= TOLERANCE, `${where}: loss ${accumulated.out.loss} against ${whole.out.loss}`);
    assert.ok(Math.abs(accumulated.out.gradNorm - whole.out.gradNorm) <= TOLERANCE * whole.out.gradNorm, `${where}: grad_norm ${accumulated.out.gradNorm} against ${whole.out.gradNorm}`);
    const [got, want] = [compare(accumulated.out), compare(whole.out)];
    for (const name of Object.keys(want)) assert.ok(Math.abs(got[name] - want[name]) <= TOLERANCE, `${where}: ${name} ${got[name]} against ${want[name]}`);
  }
}

describe('gradient accumulation (train.micro_batch_size)', function () {
  this.timeout(120000);
  const config = resolveConfig({ vocabSize: 20, contextLength: 24, nLayer: 1, nHead: 2, nEmbd: 16 });
  let lm: GPT;
  let scorer: GPT;
  before(async () => {
    await initBackend('wasm');
    lm = createModel(config, { seed: 7, trainable: true });
    scorer = createModel(config, { seed: 8, scalarHead: true, trainable: true });
  });
  after(() => {
    disposeModel(lm);
    disposeModel(scorer);
  });

  it('takes the same sft step on micro-batches of a half and a quarter of the batch, the token mean weighted by each one\'s tokens', async () => {
    // 8 examples of 3..17 tokens, the loss from different positions: micro-batches with very different target counts.
    const examples = Array.from({ length: 8 }, (_, i) => ({ ids: sequence(i, 3 + ((i * 5) % 15), 20), lossFrom: 1 + (i % 3) }));
    await assertSameStep([lm], 8, [4, 2], ([model], micro) => sftStepLosses(model, examples, { pad: PAD, microBatchSize: micro }).losses);
  });

  it('does not keep tensors from one accumulated step to the next', async () => {
    const examples = Array.from({ length: 4 }, (_, i) => ({ ids: sequence(i, 4 + 3 * i, 20), lossFrom: 1 }));
    const model = cloneModel(lm, { trainable: true });
    const optimizer = createOptimizer({ name: 'adamw', weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const once = () => optimizerUpdate([model], optimizer, sftStepLosses(model, examples, { pad: PAD, microBatchSize: 1 }).losses, { lr: 1e-3, maxGradNorm: 1 });
    await once(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    await once();
    await once();
    assert.equal(tf.memory().numTensors, before);
    optimizer.dispose();
    disposeModel(model);
  });

  const pairs = Array.from({ length: 4 }, (_, i) => ({
    prompt_ids: sequence(i, 2 + (i % 3), 20),
    chosen_ids: [...sequence(i + 10, 2 + ((i * 3) % 7), 20).slice(1), ...(i % 2 === 0 ? [EOS] : [])],
    rejected_ids: sequence(i + 20, 2 + ((i * 5) % 6), 20).slice(1),
  }));
  const reference = { chosen: [-9.5, -4.25, -12, -7.5], rejected: [-6, -11.5, -3.25, -8] };
  const objectives: [string, PairwiseObjective][] = [
    ['dpo with an SFT term', dpoObjective({ beta: 0.5, loss: 'sigmoid', labelSmoothing: 0.1, referenceFree: false, sftWeight: 0.7 })],
    ['unlikelihood', unlikelihoodObjective(0.5)],
    ['preferred_ft', preferredFtObjective()],
  ];
  for (const [name, objective] of objectives) {
    it(`takes the same ${name} step and logs the same metrics on micro-batches of a half and a quarter of the pairs`, async () => {
      await assertSameStep(
        [lm],
        4,
        [2, 1],
        ([model], micro) => pairwiseStepLosses(model, objective, pairs, objective.usesReference ? reference : undefined, { pad: PAD, microBatchSize: micro }),
        sumKept,
      );
    });
  }

  it('takes the same reward model step and keeps the same rewards on micro-batches of a half and a quarter of the pairs', async () => {
    const sequences = pairs.map((p) => ({ chosen: [...p.prompt_ids, ...p.chosen_ids], rejected: [...p.prompt_ids, ...p.rejected_ids] }));
    await assertSameStep([scorer], 4, [2, 1], ([model], micro) => rewardModelStepLosses(model, sequences, { pad: PAD, microBatchSize: micro, margin: 0.2 }), (out) => ({
      ...Object.fromEntries(out.kept.chosen.map((r, i) => [`chosen ${i}`, r])),
      ...Object.fromEntries(out.kept.rejected.map((r, i) => [`rejected ${i}`, r])),
    }));
  });

  it('takes the same classifier step on micro-batches of a half and a quarter of the texts', async () => {
    const examples = Array.from({ length: 8 }, (_, i) => ({ ids: sequence(i, 2 + ((i * 7) % 11), 20), label: i % 3 === 0 ? 1 : 0 }));
    await assertSameStep([scorer], 8, [4, 2], ([model], micro) => classifierStepLosses(model, examples, { pad: PAD, microBatchSize: micro }), (out) =>
      Object.fromEntries(out.kept.logits.map((z, i) => [`logit ${i}`, z])),
    );
  });

  for (const share_backbone of [false, true]) {
    it(`takes the same PPO minibatch step (policy and value) and logs the same statistics on micro-batches (share_backbone ${share_backbone})`, async () => {
      const tokenizer = tinyTokenizer();
      const initial = tinyModel(tokenizer, 3);
      const models: PpoModels = createPpoModels(initial, { share_backbone, init: 'policy' }, { seed: 4 });
      disposeModel(initial);
      try {
        // Ragged rows: responses of 1 to 6 tokens.
        const rows = [
          { prompt: [1, 7, 8, 9], response: [10, 11, 12, 13, 14, 2] },
          { prompt: [1, 5], response: [6] },
          { prompt: [1, 20, 21], response: [22, 23] },
          { prompt: [1, 15], response: [16, 17, 18, 19] },
        ];
        const measured = await measureRollout(models, rows, { pad: PAD, chunk: 1, temperature: 1 }); // one row per forward pass
        const examples: PpoExamples = {
          rows,
          oldLogprobs: measured.logprobs.map((row, b) => row.map((x, t) => x + 0.3 * Math.sin(b + t))),
          oldValues: measured.values.map((row, b) => row.map((x, t) => x - 0.3 * Math.cos(b * t))),
          advantages: measured.values.map((row, b) => row.map((_, t) => Math.sin(3 * b + t))),
          returns: measured.values.map((row, b) => row.map((_, t) => 0.5 * t - b)),
        };
        const settings = { cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 0.1, temperature: 1 };
        const base = trainedModels(models);
        await assertSameStep(
          base,
          4,
          [2, 1],
          (copies, micro) => {
            // The copies in the PpoModels shape: the policy is the value model without its head when the backbone is shared.
            const copy: PpoModels = share_backbone
              ? { ...models, value: copies[0], policy: { ...copies[0], params: new Map([...copies[0].params].filter(([n]) => n !== 'score.weight')), scalarHead: false } }
              : { ...models, policy: copies[0], value: copies[1] };
            return ppoStepLosses(copy, examples, PAD, settings, micro);
          },
          sumKept,
        );
      } finally {
        disposePpoModels(models);
      }
    });
  }

  it('refuses a micro_batch_size that does not divide the batch', () => {
    const train = { batch_size: 8, micro_batch_size: 3 } as TrainSettings;
    assert.throws(() => microBatchSize(train), (error: unknown) => error instanceof UserError && /micro_batch_size 3 does not divide the batch of 8/.test(error.message));
    assert.equal(microBatchSize({ batch_size: 8 } as TrainSettings), 8);
    assert.equal(microBatchSize({ batch_size: 8, micro_batch_size: 2 } as TrainSettings), 2);
    assert.equal(microBatchSize({ batch_size: 8, micro_batch_size: 2 } as TrainSettings, 4), 2); // ppo: of minibatch_size
  });

  it('reports a micro_batch_size that does not divide the batch at its position, and exits 2', async () => {
    let stderr = '';
    const code = await validateCommand(['test/fixtures/pipelines/invalid/micro-batch.yaml'], { json: false }, { stdout: () => {}, stderr: (t: string) => (stderr += t) });
    assert.equal(code, 2);
    assert.match(stderr, /micro-batch\.yaml:10:57: error\[micro-batch\] \/stages\/sft\/train\/micro_batch_size: train\.micro_batch_size 3 does not divide train\.batch_size 8/);
    assert.match(stderr, /micro-batch\.yaml:25:42: error\[micro-batch\] \/stages\/ppo\/train\/micro_batch_size: .*minibatch_size 4/);
  });
});
