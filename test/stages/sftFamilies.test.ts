/**
 * The sft stage trains a model from scratch in each family `model.family` names (Llama,
 * GPT-NeoX, GPT-J; GPT-2 is sft.test.ts's), writing a model folder of that family that
 * reloads to the same logits, and that the memory estimate counts as it is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import type { SftSettings } from '../../src/core/settings/sft.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { disposeModel, loadModel, loadStageModel, logits, modelDir, parameterCount, resolveConfig, saveModel, type GPT } from '../../src/model/index.ts';
import { parameterCountOf } from '../../src/model/memoryEstimate.ts';
import { scratchConfig } from '../../src/model/scratchConfig.ts';
import { dataset } from '../../src/stages/dataset.ts';
import { sftDeclaration } from '../../src/stages/declarations.ts';
import { sft } from '../../src/stages/sft.ts';
import { testContext } from '../helpers/context.ts';

type ScratchSettings = NonNullable<SftSettings['model']>;

function familySettings(model: Partial<ScratchSettings>): SftSettings {
  return {
    kind: 'sft',
    data: 'data',
    tokenizer: { kind: 'word', vocab_size: 200, lowercase: true, split_punctuation: true },
    model: { family: 'gpt2', n_layer: 1, n_head: 2, n_embd: 16, context_length: 24, dropout: 0, ...model },
    text: 'texts',
    train: {
      optimizer: 'adamw', lr: 1e-2, weight_decay: 0, beta1: 0.9, beta2: 0.99, eps: 1e-8, warmup_steps: 0, decay: 'constant', min_lr_ratio: 0,
      max_grad_norm: 1, batch_size: 8, epochs: 10, max_steps: 6, eval_every: 6, eval_size: 16, checkpoint_every: 0, log_every: 1,
    },
    samples: { count: 1, sampling: { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 4, batch_size: 8 } },
  };
}

/** The logits of `model` on a fixed batch of ids, as an array. */
function logitsOf(model: GPT): number[] {
  return tf.tidy(() => Array.from(logits(model, tf.tensor2d([[1, 5, 9, 13, 7, 2], [3, 4, 4, 8, 11, 6]], [2, 6], 'int32')).dataSync()));
}

describe('the sft stage training a model from scratch in each family', function () {
  this.timeout(180000);
  let data: StageOutput;

  before(async () => {
    await initBackend('wasm');
    const settings = { kind: 'dataset', source: { kind: 'bundled', sets: ['yelp'] }, limit: 80, split: { test_fraction: 0.2 } };
    const ctx = await testContext(settings, { seed: 1, id: 'data' });
    await dataset.run(ctx as never);
    data = { id: 'data', stage: 'data', kind: 'dataset', dir: ctx.outDir, settings, sweep: {} };
  });

  const cases: { model: Partial<ScratchSettings>; modelType: string; fields: Record<string, unknown> }[] = [
    // Llama's intermediate_size by default: 8 * 16 / 3 = 42, rounded up to a multiple of 8.
    { model: { family: 'llama', n_head: 4, n_kv_head: 2 }, modelType: 'llama', fields: { num_key_value_heads: 2, num_attention_heads: 4, intermediate_size: 48, tie_word_embeddings: false } },
    // Pythia's defaults: 4 n_embd, a quarter of each head rotary, parallel residual.
    { model: { family: 'gpt_neox' }, modelType: 'gpt_neox', fields: { intermediate_size: 64, rotary_pct: 0.25, use_parallel_residual: true } },
    { model: { family: 'gpt_neox', rotary_pct: 0.5, parallel_residual: false, intermediate_size: 40 }, modelType: 'gpt_neox', fields: { intermediate_size: 40, rotary_pct: 0.5, use_parallel_residual: false } },
    // GPT-J: a quarter of the head size 8, n_inner null for 4 n_embd.
    { model: { family: 'gptj' }, modelType: 'gptj', fields: { rotary_dim: 2, n_inner: null } },
  ];
  for (const { model, modelType, fields } of cases) {
    it(`trains a ${JSON.stringify(model)} model whose folder is model_type ${modelType} and reloads to the same logits`, async () => {
      const settings = familySettings(model);
      const ctx = await testContext(settings, { seed: 3, inputs: { data: [data] }, id: 'sft' });
      const before = tf.memory().numTensors;
      await sft.run(ctx);
      assert.equal(tf.memory().numTensors, before, 'no tensor outlives the stage');

      const rows = ctx.metricRows['metrics.csv'].filter((r) => r['eval/loss'] !== undefined);
      assert.deepEqual(rows.map((r) => Number(r.step)), [0, 6]);
      assert.ok(Number(rows[1]['eval/loss']) < Number(rows[0]['eval/loss']), `eval/loss ${rows[0]['eval/loss']} -> ${rows[1]['eval/loss']}`);

      const json = JSON.parse(await readFile(join(modelDir(ctx.outDir), 'config.json'), 'utf8'));
      assert.equal(json.model_type, modelType);
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(json[key], value, key);

      const { model: trained, tokenizer } = await loadStageModel(ctx.outDir, { trainable: false });
      assert.deepEqual(trained.config, resolveConfig(scratchConfig(settings.model!, tokenizer.vocabSize)), 'the family\'s settings survive config.json');
      // The memory estimate plans with the family's dims (at the tokenizer's largest vocabulary, 200): at the real vocabulary they count the trained model's parameters.
      const dims = sftDeclaration.modelDims!(settings, () => undefined)!;
      assert.equal(dims.vocabSize, 200);
      assert.equal(parameterCountOf({ ...dims, vocabSize: tokenizer.vocabSize }, false), parameterCount(trained));
      const again = await mkdtemp(join(tmpdir(), 'dpo-run-family-'));
      await saveModel(again, trained, tokenizer.toJSON());
      const reloaded = await loadModel(again, { trainable: false });
      const [a, b] = [logitsOf(trained), logitsOf(reloaded)];
      assert.equal(a.length, 2 * 6 * tokenizer.vocabSize);
      assert.ok(a.every(Number.isFinite));
      assert.deepEqual(b, a);
      disposeModel(trained);
      disposeModel(reloaded);
    });
  }
});
