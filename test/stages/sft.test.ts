import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse } from 'csv-parse/sync';
import { initBackend } from '../../src/backend/index.ts';
import { readJsonlObjects } from '../../src/core/io/jsonl.ts';
import { InterruptedError } from '../../src/core/errors.ts';
import { openMetricsWriter } from '../../src/executor/metricsWriter.ts';
import { disposeModel, loadStageModel, WEIGHTS_FILE } from '../../src/model/index.ts';
import { dataset } from '../../src/stages/dataset.ts';
import { loadStageKind, stageKinds } from '../../src/stages/index.ts';
import type { SftSettings } from '../../src/core/settings/sft.ts';
import { SAMPLES_FILE, sft } from '../../src/stages/sft.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { exampleBatch, promptCompletionExamples, textExamples } from '../../src/sft/examples.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';
import { checkpointDir } from '../../src/training/checkpoints.ts';
import { testContext } from '../helpers/context.ts';
import { assertStopsNonFinite } from '../helpers/nonFinite.ts';

/** Resolved sft settings for a tiny model, with `train` overrides. */
function tinySettings(train: Partial<SftSettings['train']> = {}, model: Partial<NonNullable<SftSettings['model']>> = {}): SftSettings {
  return {
    kind: 'sft',
    data: 'data',
    tokenizer: { kind: 'word', vocab_size: 300, lowercase: true, split_punctuation: true },
    model: { family: 'gpt2', n_layer: 2, n_head: 2, n_embd: 32, context_length: 32, dropout: 0, ...model },
    text: 'texts',
    train: {
      optimizer: 'adamw', lr: 3e-3, weight_decay: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, warmup_steps: 2, decay: 'cosine', min_lr_ratio: 0.1,
      max_grad_norm: 1, batch_size: 8, epochs: 10, max_steps: 20, eval_every: 10, eval_size: 16, checkpoint_every: 0, log_every: 1, ...train,
    },
    samples: { count: 2, sampling: { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 8, batch_size: 8 } },
  };
}

/** Runs sft with a real metrics.csv in its folder; `tick` replaces the context's. */
async function runSft(settings: SftSettings, data: StageOutput, options: { outDir?: string; tick?: () => Promise<void> } = {}) {
  const ctx = await testContext(settings, { seed: 3, outDir: options.outDir, inputs: { data: [data] }, id: 'sft' });
  ctx.metrics = (columns, file = 'metrics.csv') => openMetricsWriter(join(ctx.outDir, file), columns);
  if (options.tick) ctx.tick = options.tick;
  await sft.run(ctx);
  return ctx;
}

async function metricsRows(dir: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, 'metrics.csv'), 'utf8'), { columns: true });
}

describe('the sft stage', function () {
  this.timeout(120000);
  let data: StageOutput;

  before(async () => {
    await initBackend('wasm');
    const settings = { kind: 'dataset', source: { kind: 'bundled', sets: ['yelp'] }, limit: 120, split: { test_fraction: 0.2 } };
    const ctx = await testContext(settings, { seed: 1, id: 'data' });
    await dataset.run(ctx as never);
    data = { id: 'data', stage: 'data', kind: 'dataset', dir: ctx.outDir, settings, sweep: {} };
  });

  it('is registered as a kind that reads a dataset and produces a model', async () => {
    assert.equal(stageKinds.sft.schema, sft.schema, 'the registry holds the declaration the file spreads');
    const loaded = await loadStageKind('sft');
    assert.equal(loaded?.kind, 'sft');
    assert.notEqual(loaded, stageKinds.sft, 'loads the file to run it (the registry holds its declaration)');
    assert.deepEqual(sft.produces, ['model']);
    assert.deepEqual(sft.references.map((r) => [r.path, r.accepts]), [['data', ['dataset']], ['init_stage', ['model']]]);
  });

  it('trains a tiny model whose held-out loss falls, logging metrics, samples and a model that loads back', async () => {
    const before = tf.memory().numTensors;
    const ctx = await runSft(tinySettings(), data);
    assert.equal(tf.memory().numTensors, before, 'no tensor outlives the stage');

    const rows = await metricsRows(ctx.outDir);
    assert.deepEqual(Object.keys(rows[0]), ['step', 'epoch', 'loss', 'eval/loss', 'eval/perplexity', 'lr', 'grad_norm', 'tokens_per_second']);
    assert.deepEqual(rows.map((r) => Number(r.step)), Array.from({ length: 21 }, (_, i) => i));
    const evals = rows.filter((r) => r['eval/loss'] !== '');
    assert.deepEqual(evals.map((r) => Number(r.step)), [0, 10, 20]);
    assert.ok(Number(evals[2]['eval/loss']) < Number(evals[0]['eval/loss']) - 0.5, `eval/loss ${evals[0]['eval/loss']} -> ${evals[2]['eval/loss']}`);
    assert.ok(Math.abs(Number(evals[2]['eval/perplexity']) - Math.exp(Number(evals[2]['eval/loss']))) < 1e-3 * Number(evals[2]['eval/perplexity']));

    const samples = await readJsonlObjects(join(ctx.outDir, SAMPLES_FILE), (r) => r);
    assert.deepEqual(samples.map((s) => s.step), [0, 0, 10, 10, 20, 20]);
    assert.ok(samples.every((s) => typeof s.prompt === 'string' && typeof s.completion === 'string'));

    const summary = JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8'));
    assert.equal(summary.steps, 20);
    assert.equal(summary.eval_loss, Number(evals[2]['eval/loss']));
    assert.ok(summary.parameters > 0 && summary.tokens_per_second > 0);
    assert.deepEqual((await readdir(join(ctx.outDir, 'checkpoints'))), ['step-000020']);

    const { model, tokenizer } = await loadStageModel(ctx.outDir, { trainable: false });
    assert.equal(model.config.nLayer, 2);
    assert.equal(model.config.vocabSize, tokenizer.vocabSize);
    disposeModel(model);
  });

  it('cuts sequences to max_length (TRL\'s max_length), and to the context when max_length is longer', async () => {
    const evalLoss = async (maxLength?: number) => {
      const ctx = await runSft({ ...tinySettings({ max_steps: 1, eval_every: 1, eval_size: 16 }), ...(maxLength ? { max_length: maxLength } : {}) }, data);
      const [first] = (await metricsRows(ctx.outDir)).filter((r) => r['eval/loss'] !== '');
      return { loss: Number(first['eval/loss']), logs: ctx.logs.join('\n') };
    };
    const whole = await evalLoss();
    const longer = await evalLoss(64);
    const cut = await evalLoss(6);
    assert.equal(longer.loss, whole.loss, 'a max_length past the context (32) changes nothing');
    assert.doesNotMatch(longer.logs, /sequences cut/);
    assert.match(cut.logs, /context 32 \(sequences cut to 6 tokens\)/);
    assert.notEqual(cut.loss, whole.loss, 'the held-out examples are cut too');
  });

  it('starts from an upstream model stage and trains on prompt/completion pairs with the prompt masked', async () => {
    const upstream = await runSft(tinySettings({ max_steps: 2 }), data);
    const { model: _m, tokenizer: _t, ...rest } = tinySettings({ max_steps: 3, eval_every: 0 });
    const settings: SftSettings = { ...rest, text: 'prompt_completion', init_stage: 'base' };
    const ctx = await testContext(settings, {
      seed: 3,
      inputs: { data: [data], init_stage: [{ id: 'base', stage: 'base', kind: 'sft', dir: upstream.outDir, settings: {}, sweep: {} }] },
    });
    await sft.run(ctx);
    const trained = await readFile(join(ctx.outDir, 'model', 'tokenizer.json'), 'utf8');
    assert.equal(trained, await readFile(join(upstream.outDir, 'model', 'tokenizer.json'), 'utf8'), 'the upstream tokenizer is kept');
    const summary = JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8'));
    assert.equal(summary.steps, 3);
    assert.equal(summary.parameters, JSON.parse(await readFile(join(upstream.outDir, 'summary.json'), 'utf8')).parameters);
  });

  it('resumes an interrupted run from its last checkpoint and ends as an uninterrupted run does', async () => {
    const settings = tinySettings({ max_steps: 6, checkpoint_every: 2, eval_every: 3 }, { dropout: 0.1 });
    const whole = await runSft(settings, data);

    const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-sft-resume-'));
    let ticks = 0;
    const interruptAtStep5 = async () => {
      if (++ticks === 5) throw new InterruptedError();
    };
    await assert.rejects(runSft(settings, data, { outDir, tick: interruptAtStep5 }), InterruptedError);
    assert.deepEqual(await readdir(join(outDir, 'checkpoints')), ['step-000002', 'step-000004']);
    assert.ok(!existsSync(join(outDir, 'model')));

    const resumed = await runSft(settings, data, { outDir });
    assert.ok(resumed.logs.some((line) => /resuming from .*step-000004/.test(line)));
    const weights = async (dir: string) => readFile(join(dir, 'model', WEIGHTS_FILE));
    assert.ok((await weights(resumed.outDir)).equals(await weights(whole.outDir)), 'the same final weights');
    const summary = async (dir: string) => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    assert.equal((await summary(resumed.outDir)).eval_loss, (await summary(whole.outDir)).eval_loss);
    assert.equal((await summary(resumed.outDir)).train_loss, (await summary(whole.outDir)).train_loss);
    // metrics.csv and samples.jsonl read as the uninterrupted run's (speed aside)
    const withoutSpeed = (rows: Record<string, string>[]) => rows.map(({ tokens_per_second: _, ...rest }) => rest);
    assert.deepEqual(withoutSpeed(await metricsRows(resumed.outDir)), withoutSpeed(await metricsRows(whole.outDir)));
    assert.deepEqual(await readFile(join(resumed.outDir, SAMPLES_FILE), 'utf8'), await readFile(join(whole.outDir, SAMPLES_FILE), 'utf8'));
  });

  describe('with a checkpoint that does not load', () => {
    const settings = tinySettings({ max_steps: 6, checkpoint_every: 2, eval_every: 3 }, { dropout: 0.1 });
    let whole: Awaited<ReturnType<typeof runSft>>;
    before(async () => {
      whole = await runSft(settings, data);
    });

    /** An attempt interrupted at step 5, after its checkpoints at steps 2 and 4, with `truncated` cut in half. */
    async function interruptedWith(truncated: number[]): Promise<string> {
      const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-sft-corrupt-'));
      let ticks = 0;
      const interruptAtStep5 = async () => {
        if (++ticks === 5) throw new InterruptedError();
      };
      await assert.rejects(runSft(settings, data, { outDir, tick: interruptAtStep5 }), InterruptedError);
      for (const step of truncated) {
        const file = join(checkpointDir(outDir, step), WEIGHTS_FILE);
        await truncate(file, Math.floor((await stat(file)).size / 2));
      }
      return outDir;
    }

    async function assertLikeWhole(resumed: Awaited<ReturnType<typeof runSft>>): Promise<void> {
      const weights = async (dir: string) => readFile(join(dir, 'model', WEIGHTS_FILE));
      assert.ok((await weights(resumed.outDir)).equals(await weights(whole.outDir)), 'the same final weights');
      const withoutSpeed = (rows: Record<string, string>[]) => rows.map(({ tokens_per_second: _, ...rest }) => rest);
      assert.deepEqual(withoutSpeed(await metricsRows(resumed.outDir)), withoutSpeed(await metricsRows(whole.outDir)));
      assert.deepEqual(await readFile(join(resumed.outDir, SAMPLES_FILE), 'utf8'), await readFile(join(whole.outDir, SAMPLES_FILE), 'utf8'));
      assert.deepEqual(await readdir(join(resumed.outDir, 'checkpoints')), ['step-000002', 'step-000004', 'step-000006']);
    }

    it('falls back from a truncated newest checkpoint to the older one, saying which and why', async () => {
      const resumed = await runSft(settings, data, { outDir: await interruptedWith([4]) });
      assert.ok(resumed.logs.some((line) => /step-000004 does not load \(.*safetensors.*\).*falling back to .*step-000002/.test(line)), resumed.logs.join('\n'));
      assert.ok(resumed.logs.some((line) => /resuming from step 2 /.test(line)), resumed.logs.join('\n'));
      await assertLikeWhole(resumed);
    });

    it('starts the stage over when no checkpoint loads, saying so', async () => {
      const resumed = await runSft(settings, data, { outDir: await interruptedWith([2, 4]) });
      assert.ok(resumed.logs.some((line) => /no checkpoint loads: starting the stage over/.test(line)), resumed.logs.join('\n'));
      assert.ok(!resumed.logs.some((line) => /resuming from/.test(line)));
      await assertLikeWhole(resumed);
    });
  });

  it('stops with a StageError naming the step when the loss is not finite, keeping the last good checkpoint', async () => {
    const settings = tinySettings({ lr: 1e30, max_grad_norm: 0, warmup_steps: 0, decay: 'constant', max_steps: 6, checkpoint_every: 1, eval_every: 0 });
    const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-sft-nan-'));
    const before = tf.memory().numTensors;
    const error = await assertStopsNonFinite(runSft(settings, data, { outDir }), outDir);
    assert.equal(tf.memory().numTensors, before, 'no tensor outlives the failed stage');
    assert.ok(error.step >= 2, error.message);
    assert.equal(error.checkpoint?.step, error.step - 1);
  });

  it('stops at a non-finite step with lr 1e6, saying that no checkpoint was saved before it', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-sft-nan-'));
    const settings = tinySettings({ lr: 1e6, warmup_steps: 0, decay: 'constant', max_steps: 20, checkpoint_every: 0, eval_every: 0 });
    const error = await assertStopsNonFinite(runSft(settings, data, { outDir }), outDir);
    assert.equal(error.checkpoint, undefined);
  });
});

describe('sft examples', () => {
  before(async () => {
    await initBackend('wasm');
  });
  const tokenizer = buildTokenizer({ kind: 'word', vocabSize: 50, lowercase: true, splitPunctuation: true }, ['a good film', 'a bad film .']);
  const { bos, eos } = tokenizer;

  it('makes each text <bos> text <eos>, cut to the context, every token after <bos> a target', () => {
    const [example] = textExamples([{ text: 'a good film', split: 'train' }], tokenizer, 4);
    assert.deepEqual(example.ids, [bos, ...tokenizer.encode('a good film')]); // <eos> cut
    assert.equal(example.lossFrom, 1);
  });

  it('masks the prompt of a prompt/completion pair and drops pairs with no room for the completion', () => {
    const pairs = [
      { prompt: 'a good', completion: ' film', split: 'train' as const },
      { prompt: 'a bad film', completion: ' .', split: 'train' as const },
    ];
    const examples = promptCompletionExamples(pairs, tokenizer, 4);
    assert.equal(examples.length, 1);
    assert.deepEqual(examples[0], { ids: [bos, ...tokenizer.encode('a good film')], lossFrom: 3 });
    assert.deepEqual(promptCompletionExamples(pairs, tokenizer, 8)[1].ids.at(-1), eos);
  });

  it('pads a batch on the right and marks exactly the targets in the loss mask', () => {
    const batch = exampleBatch([{ ids: [2, 5, 6, 3], lossFrom: 3 }, { ids: [2, 7], lossFrom: 1 }], 0);
    assert.deepEqual(batch.ids.arraySync(), [[2, 5, 6, 3], [2, 7, 0, 0]]);
    assert.deepEqual(batch.lossMask.arraySync(), [[0, 0, 1], [1, 0, 0]]);
    assert.equal(batch.targets, 2);
    assert.equal(batch.tokens, 6);
    batch.ids.dispose();
    batch.lossMask.dispose();
  });
});
