import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, loadStageModel, modelDir, resolveConfig, saveModel } from '../../src/model/index.ts';
import { encodePair, writePairs, type PairRecord } from '../../src/data/pairs.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { createReward } from '../../src/rewards/index.ts';
import { reward_model } from '../../src/stages/rewardModel.ts';
import type { RewardModelSettings } from '../../src/core/settings/rewardModel.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { listCheckpoints } from '../../src/training/checkpoints.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';
import { testContext } from '../helpers/context.ts';

const PROMPTS = ['the film was', 'this movie is', 'i thought the plot was', 'the acting felt', 'overall the show is', 'my friends said it was'];
const BEFORE = ['really', 'just', 'quite', 'so'];
const AFTER = ['and long', 'to watch', 'in the end'];

/** Pairs whose chosen completion says "great" and whose rejected one says "awful". */
function syntheticPairs(): { prompt: string; chosen: string; rejected: string; split: 'train' | 'test' }[] {
  const pairs = [];
  let i = 0;
  for (const prompt of PROMPTS) {
    for (const before of BEFORE) {
      for (const after of AFTER) {
        const [chosen, rejected] = [`${before} great ${after}`, `${before} awful ${after}`];
        pairs.push({ prompt, chosen, rejected, split: (i % 4 === 3 ? 'test' : 'train') as 'train' | 'test' });
        i++;
      }
    }
  }
  return pairs; // 72 pairs: 54 train, 18 test
}

/** A dataset-less "sft" output (a tiny random LM) and a preferences output with the synthetic pairs. */
async function upstreamOutputs(): Promise<{ init: StageOutput; pairs: StageOutput }> {
  const texts = syntheticPairs().flatMap((p) => [`${p.prompt} ${p.chosen}`, `${p.prompt} ${p.rejected}`]);
  const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 100, lowercase: true, splitPunctuation: true }, texts);
  const config = resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 32, nLayer: 2, nHead: 2, nEmbd: 32 });
  const sftDir = await mkdtemp(join(tmpdir(), 'dpo-run-sft-'));
  const model = createModel(config, { seed: 3 });
  await saveModel(modelDir(sftDir), model, tokenizer.toJSON());
  disposeModel(model);
  const pairsDir = await mkdtemp(join(tmpdir(), 'dpo-run-pairs-'));
  const records: PairRecord[] = syntheticPairs().map((p) => ({ ...p, chosen_score: 1, rejected_score: 0, ...encodePair(tokenizer, p, 32) }));
  await writePairs(pairsDir, records, tokenizer);
  const output = (stage: string, kind: string, dir: string): StageOutput => ({ id: stage, stage, kind, dir, settings: {}, sweep: {} });
  return { init: output('sft', 'sft', sftDir), pairs: output('pairs', 'preferences', pairsDir) };
}

function resolve(settings: Record<string, unknown>): RewardModelSettings {
  const resolved = structuredClone({ kind: 'reward_model', ...settings });
  const validate = new Ajv({ useDefaults: true, allErrors: true }).compile(stageSchema(reward_model));
  assert.ok(validate(resolved), JSON.stringify(validate.errors));
  return resolved as unknown as RewardModelSettings;
}

describe('reward_model stage', function () {
  let inputs: { init: StageOutput[]; pairs: StageOutput[] };
  const settings = resolve({ init: 'sft', pairs: 'pairs', train: { lr: 3e-3, batch_size: 8, epochs: 3, eval_every: 7, eval_size: 18, checkpoint_every: 7 } });

  before(async () => {
    await initBackend('wasm');
    const { init, pairs } = await upstreamOutputs();
    inputs = { init: [init], pairs: [pairs] };
  });

  it('learns that "great" beats "awful": the loss falls and held-out accuracy beats 0.5', async () => {
    const ctx = await testContext(settings, { inputs, seed: 5, id: 'rm' });
    const tensorsBefore = tf.memory().numTensors;
    await reward_model.run(ctx);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the stage frees every tensor it made');
    const rows = ctx.metricRows['metrics.csv'];
    assert.equal(rows.length, 21); // 54 pairs / 8 = 7 steps per epoch, 3 epochs
    const early = (rows[0].loss as number) + (rows[1].loss as number);
    const late = (rows.at(-1)!.loss as number) + (rows.at(-2)!.loss as number);
    assert.ok(late < early, `loss ${early / 2} -> ${late / 2}`);
    assert.deepEqual(rows.filter((r) => r['eval/accuracy'] !== undefined).map((r) => r.step), [7, 14, 21]);
    const summary = JSON.parse(readFileSync(join(ctx.outDir, 'summary.json'), 'utf8'));
    assert.equal(summary.heldout_pairs, 18);
    assert.ok(summary['eval/accuracy'] > 0.5, `held-out accuracy ${summary['eval/accuracy']}`);
    assert.ok(existsSync(join(ctx.outDir, 'model', 'tokenizer.json')));
    const { model } = await loadStageModel(ctx.outDir, { trainable: false });
    assert.ok(model.scalarHead && model.params.has('score.weight'));
    disposeModel(model);
    assert.deepEqual((await listCheckpoints(ctx.outDir)).map((c) => c.step), [7, 14, 21]);

    // As a reward: a completion with "great" above one with "awful".
    const reward = await createReward({ kind: 'reward_model', model: 'rm' }, { dir: ctx.outDir });
    const before = tf.memory().numTensors;
    const [good, bad] = await reward.score(['the film was', 'the film was'], ['so great to watch', 'so awful to watch']);
    await reward.score(['the film was'], ['quite great']);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(good > bad, `${good} ${bad}`);
    reward.dispose?.();
  });

  it('resumes from its last checkpoint to the same model as an uninterrupted run', async () => {
    const short = resolve({ init: 'sft', pairs: 'pairs', train: { lr: 3e-3, batch_size: 8, max_steps: 4, checkpoint_every: 2 } });
    const whole = await testContext(short, { inputs, seed: 5 });
    await reward_model.run(whole);
    // An interrupted run: its checkpoint at step 2 is all that is left.
    const interrupted = await testContext({ ...short, train: { ...short.train, max_steps: 2 } }, { inputs, seed: 5 });
    await reward_model.run(interrupted);
    const resumed = await testContext(short, { inputs, seed: 5, outDir: interrupted.outDir });
    await reward_model.run(resumed);
    assert.deepEqual(resumed.metricRows['metrics.csv'].map((r) => r.step), [3, 4]);
    assert.ok(resumed.logs.some((line) => /resuming from step 2/.test(line)));
    const a = await loadStageModel(whole.outDir, { trainable: false });
    const b = await loadStageModel(resumed.outDir, { trainable: false });
    const difference = tf.tidy(() => tf.abs(tf.sub(a.model.params.get('score.weight')!, b.model.params.get('score.weight')!)).max().dataSync()[0]);
    assert.ok(difference < 1e-5, `score.weight differs by ${difference}`);
    disposeModel(a.model);
    disposeModel(b.model);
  });

  it('refuses pairs with no train split', async () => {
    const pairsDir = await mkdtemp(join(tmpdir(), 'dpo-run-pairs-'));
    const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 50, lowercase: true, splitPunctuation: true }, ['a b c']);
    await writePairs(pairsDir, [{ prompt: 'a', chosen: 'b', rejected: 'c', chosen_score: 1, rejected_score: 0, ...encodePair(tokenizer, { prompt: 'a', chosen: 'b', rejected: 'c' }, 8), split: 'test' }], tokenizer);
    const ctx = await testContext(settings, { inputs: { ...inputs, pairs: [{ ...inputs.pairs[0], dir: pairsDir }] } });
    await assert.rejects(reward_model.run(ctx), /no train pairs/);
  });
});
