import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { initBackend } from '../../src/backend/index.ts';
import { loadStageModel, disposeModel } from '../../src/model/index.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { createReward } from '../../src/rewards/index.ts';
import { classifier } from '../../src/stages/classifier.ts';
import { dataset } from '../../src/stages/dataset.ts';
import type { ClassifierSettings } from '../../src/core/settings/classifier.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { testContext } from '../helpers/context.ts';

function resolve(settings: Record<string, unknown>): { valid: boolean; settings: ClassifierSettings } {
  const resolved = structuredClone({ kind: 'classifier', ...settings });
  const valid = new Ajv({ useDefaults: true, allErrors: true }).compile(stageSchema(classifier))(resolved);
  return { valid, settings: resolved as unknown as ClassifierSettings };
}

/** A dataset stage's output: the bundled labelled sentences. */
async function bundledDataset(): Promise<StageOutput> {
  const ctx = await testContext({ source: { kind: 'bundled', sets: ['imdb', 'amazon', 'yelp'] }, split: { test_fraction: 0.1 } }, { seed: 0 });
  await dataset.run(ctx as never);
  return { id: 'data', stage: 'data', kind: 'dataset', dir: ctx.outDir, settings: {}, sweep: {} };
}

describe('classifier stage', function () {
  let data: StageOutput;
  before(async () => {
    await initBackend('wasm');
    data = await bundledDataset();
  });

  it('accepts a new backbone or an init stage, not both, and not a tokenizer with init', () => {
    const train = { lr: 1e-3 };
    const model = { n_layer: 1, n_head: 1, n_embd: 8, context_length: 16 };
    assert.ok(resolve({ data: 'data', model, train }).valid);
    assert.ok(resolve({ data: 'data', init: 'sft', train }).valid);
    assert.ok(!resolve({ data: 'data', init: 'sft', model, train }).valid);
    assert.ok(!resolve({ data: 'data', init: 'sft', tokenizer: { kind: 'word' }, train }).valid);
    assert.ok(!resolve({ data: 'data', train }).valid);
  });

  it('learns sentiment from the bundled sentences well above chance, and scores as a reward', async () => {
    const { settings } = resolve({
      data: 'data',
      tokenizer: { kind: 'word', vocab_size: 2000 },
      model: { n_layer: 1, n_head: 2, n_embd: 32, context_length: 32 },
      train: { lr: 3e-3, batch_size: 16, epochs: 1, eval_every: 84, eval_size: 100, log_every: 10 },
    });
    const ctx = await testContext(settings, { inputs: { data: [data] }, seed: 1, id: 'clf' });
    await classifier.run(ctx);
    const summary = JSON.parse(readFileSync(join(ctx.outDir, 'summary.json'), 'utf8'));
    assert.ok(summary.heldout_texts > 250);
    assert.ok(summary['eval/accuracy'] > 0.7, `held-out accuracy ${summary['eval/accuracy']}`);
    assert.ok(existsSync(join(ctx.outDir, 'model', 'tokenizer.json')));
    assert.deepEqual(ctx.metricRows['metrics.csv'].filter((r) => r['eval/accuracy'] !== undefined).map((r) => r.step), [84, 168]);
    const { model } = await loadStageModel(ctx.outDir, { trainable: false });
    assert.ok(model.scalarHead);
    disposeModel(model);

    const reward = await createReward({ kind: 'classifier', model: 'clf', text: 'completion' }, { dir: ctx.outDir });
    const [positive, negative] = await reward.score(['', ''], ['Great food, friendly staff, I loved it and will be back.', 'Terrible service, the worst food ever. Do not waste your money.']);
    reward.dispose?.();
    assert.ok(positive > 0.5 && negative < 0.5, `p(positive) ${positive} and ${negative}`);
  });

  it('trains a backbone of the family model.family names, written as that family\'s sequence classifier', async () => {
    const { valid, settings } = resolve({
      data: 'data',
      tokenizer: { kind: 'word', vocab_size: 300 },
      model: { family: 'gpt_neox', n_layer: 1, n_head: 2, n_embd: 16, context_length: 24, rotary_pct: 0.5 },
      train: { lr: 3e-3, batch_size: 8, max_steps: 3, eval_size: 16 },
    });
    assert.ok(valid);
    const ctx = await testContext(settings, { inputs: { data: [data] }, seed: 1, id: 'clf' });
    await classifier.run(ctx);
    const config = JSON.parse(readFileSync(join(ctx.outDir, 'model', 'config.json'), 'utf8'));
    assert.deepEqual([config.model_type, config.architectures, config.rotary_pct, config.intermediate_size], ['gpt_neox', ['GPTNeoXForSequenceClassification'], 0.5, 64]);
    const { model } = await loadStageModel(ctx.outDir, { trainable: false });
    assert.ok(model.scalarHead && model.config.neox);
    disposeModel(model);
  });
});
