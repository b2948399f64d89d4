import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { initBackend } from '../../src/backend/index.ts';
import { readFrontier } from '../../src/evaluation/frontierTable.ts';
import { readWinRates } from '../../src/evaluation/winRateTable.ts';
import { readEvaluationIndex } from '../../src/evaluation/evaluationIndex.ts';
import { StageError } from '../../src/core/errors.ts';
import { createModel, disposeModel, modelDir, resolveConfig, saveModel } from '../../src/model/index.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { evaluate } from '../../src/stages/evaluate.ts';
import type { EvaluateSettings } from '../../src/core/settings/evaluate.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';
import { checkpointDir } from '../../src/training/checkpoints.ts';
import { testContext } from '../helpers/context.ts';
import { output, tinyOutputs, type TinyOutputs } from '../evaluation/tinyPolicies.ts';

function resolve(settings: Record<string, unknown>): EvaluateSettings {
  const resolved = structuredClone({ kind: 'evaluate', ...settings });
  const validate = new Ajv({ useDefaults: true, allErrors: true }).compile(stageSchema(evaluate));
  assert.ok(validate(resolved), JSON.stringify(validate.errors));
  return resolved as unknown as EvaluateSettings;
}

describe('evaluate stage', function () {
  this.timeout(120000);
  let outputs: TinyOutputs;
  const base = {
    policies: ['sft', 'dpo'],
    reference: 'sft',
    reward: { kind: 'sentiment_lexicon' },
    data: 'data',
    samples_per_prompt: 8,
    temperatures: [0, 1],
    sampling: { max_new_tokens: 6 },
  };

  before(async () => {
    await initBackend('wasm');
    outputs = await tinyOutputs();
  });

  const inputsFor = (baseline = outputs.sft) => ({ policies: [outputs.sft, outputs.dpo], reference: [outputs.sft], data: [outputs.data], 'win_rate.baseline': [baseline] });

  it('fills in the defaults the schema states', () => {
    const settings = resolve({ policies: ['sft'], reference: 'sft', reward: { kind: 'sentiment_lexicon' }, data: 'data' });
    assert.deepEqual(settings.temperatures, [0, 0.25, 0.5, 0.75, 1]);
    assert.equal(settings.checkpoints, 'final');
    assert.equal(settings.sampling.max_new_tokens, 24);
  });

  it('writes the frontier, the win rates against a policy, and every scored sample', async () => {
    const settings = resolve({ ...base, win_rate: { baseline: 'sft' } });
    const ctx = await testContext(settings, { inputs: inputsFor(), seed: 3 });
    await evaluate.run(ctx);

    const frontier = await readFrontier(ctx.outDir);
    assert.deepEqual(frontier.map((r) => [r.policy, r.temperature]), [['sft', 0], ['sft', 1], ['dpo[beta=0.1]', 0], ['dpo[beta=0.1]', 1]]);
    const [sft0, sft1, dpo0, dpo1] = frontier;
    assert.equal(sft1.kl_mean, 0, 'the reference against itself');
    assert.equal(sft1.kl_sample_mean, 0);
    // Greedy decoding is a point mass: its KL to the reference is -log pi_ref(y|x) of the greedy completion.
    assert.ok(sft0.kl_mean > 0 && Math.abs(sft0.kl_mean - sft0.kl_sample_mean!) < 1e-4, `greedy sft KL ${sft0.kl_mean} vs ${sft0.kl_sample_mean}`);
    assert.equal(sft0.identical_share, 1, 'greedy samples of one prompt are all the same');
    assert.ok(dpo1.kl_mean > 0, `dpo KL ${dpo1.kl_mean}`);
    assert.ok(dpo1.kl_se! < dpo1.kl_sample_se!, 'the per-step KL has the lower variance');
    assert.equal(dpo1.method, 'dpo');
    assert.equal(dpo1.settings, 'beta=0.1');
    assert.equal(dpo1.n_prompts, 6);
    assert.equal(dpo1.n_samples, 48);
    assert.ok(dpo1.distinct_2 > 0 && dpo1.distinct_2 <= 1);
    assert.ok(dpo0.length_mean > 0);

    const winRates = await readWinRates(ctx.outDir);
    assert.equal(winRates.length, 4);
    for (const row of winRates) assert.equal(row.baseline, 'sft');
    // Greedy decoding gives the policy and its own baseline the same completions: all ties.
    const self0 = winRates.find((r) => r.policy === 'sft' && r.temperature === 0)!;
    assert.equal(self0.win_rate, 0.5);
    assert.equal(self0.ties, self0.n_comparisons);
    // At temperature 1 the baseline's samples are drawn independently: 0.5 within noise.
    const self1 = winRates.find((r) => r.policy === 'sft' && r.temperature === 1)!;
    assert.equal(self1.n_comparisons, 48);
    assert.ok(Math.abs(self1.win_rate - 0.5) <= 3 * self1.win_rate_se + 0.02, `${self1.win_rate} ± ${self1.win_rate_se}`);
    for (const r of winRates) assert.ok(r.win_rate_ci_low < r.win_rate && r.win_rate < r.win_rate_ci_high, JSON.stringify(r));
    assert.ok(!existsSync(join(ctx.outDir, 'agreement.csv')), 'the reward judge is not set against itself');

    const samples = readFileSync(join(ctx.outDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(samples.length, 4 * 48 + 2 * 48); // policies at 2 temperatures, and the baseline's
    const policyRow = samples.find((s) => s.role === 'policy' && s.policy === 'dpo[beta=0.1]' && s.temperature === 1);
    assert.deepEqual(Object.keys(policyRow).sort(), ['completion', 'completion_ids', 'kl', 'kl_sample', 'length', 'logp', 'policy', 'prompt', 'prompt_ids', 'prompt_index', 'ref_logp', 'reward', 'role', 'temperature']);
    for (const row of samples.filter((s) => s.role === 'policy')) {
      assert.ok(Math.abs(row.kl_sample - (row.logp - row.ref_logp)) < 1e-5);
      assert.equal(row.prompt_ids[0], 2, 'bos first');
      assert.ok(row.completion_ids.length <= 6 || (row.completion_ids.length === 7 && row.completion_ids[6] === 3), 'at most max_new_tokens text tokens, then eos');
    }
    assert.deepEqual((await readEvaluationIndex(ctx.outDir)).map((i) => i.id), ['sft', 'dpo[beta=0.1]']);
  });

  it("compares with the dataset's own completions when the baseline is a dataset stage", async () => {
    const settings = resolve({ ...base, policies: ['dpo'], temperatures: [1], win_rate: { baseline: 'data' } });
    const ctx = await testContext(settings, { inputs: { ...inputsFor(outputs.data), policies: [outputs.dpo] } });
    await evaluate.run(ctx);
    const [row] = await readWinRates(ctx.outDir);
    assert.equal(row.baseline, 'dataset');
    assert.equal(row.n_comparisons, 48);
  });

  it('sets an llm judge against the ground-truth reward in agreement.csv', async () => {
    // A judge that always answers "A": its choices follow the order drawn, not the completions.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: 'Comparison: ...\nPreferred: A' } }] })));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const base_url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const settings = resolve({ ...base, policies: ['dpo'], temperatures: [1], samples_per_prompt: 2, win_rate: { baseline: 'data', judge: { kind: 'llm', base_url, model: 'm', prompt_template: 'tldr' } } });
      const ctx = await testContext(settings, { inputs: { ...inputsFor(outputs.data), policies: [outputs.dpo] } });
      await evaluate.run(ctx);
      const [rate] = await readWinRates(ctx.outDir);
      assert.equal(rate.judge, 'llm');
      assert.equal(rate.n_comparisons, 12);
      const rows: Record<string, string>[] = parse(readFileSync(join(ctx.outDir, 'agreement.csv'), 'utf8'), { columns: true });
      assert.deepEqual(rows.map((r) => [r.policy, r.temperature, r.judge, r.other_judge, r.n_compared]), [['dpo[beta=0.1]', '1', 'llm', 'reward', '12']]);
      const agreement = Number(rows[0].agreement);
      assert.ok(agreement >= 0 && agreement <= 1 && Math.abs(agreement * 12 - Math.round(agreement * 12)) < 1e-4, String(agreement));
    } finally {
      server.close();
    }
  });

  it('evaluates every checkpoint of a stage at checkpoint_temperatures, each a point labelled with its step', async () => {
    // A "training stage" whose final model is the dpo policy and whose checkpoints at steps 4 and 8 are the sft model and the dpo policy.
    const dir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-checkpoints-'));
    await cp(outputs.dpo.dir, dir, { recursive: true });
    for (const [step, from] of [[4, outputs.sft.dir], [8, outputs.dpo.dir]] as const) {
      await cp(modelDir(from), checkpointDir(dir, step), { recursive: true });
      await writeFile(join(checkpointDir(dir, step), 'trainer.json'), JSON.stringify({ step }));
    }
    const trained = output('dpo', 'dpo', dir, { beta: 0.1 }, { beta: 0.1 });
    const settings = resolve({ ...base, policies: ['dpo'], checkpoints: 'all', temperatures: [0, 1] });
    assert.deepEqual(settings.checkpoint_temperatures, [1]);
    const ctx = await testContext(settings, { inputs: { ...inputsFor(), policies: [trained] }, seed: 3 });
    await evaluate.run(ctx);
    const frontier = await readFrontier(ctx.outDir);
    // The step-8 checkpoint holds the final weights: it is the final model's point, not a second one.
    assert.deepEqual(frontier.map((r) => [r.policy, r.checkpoint_step, r.temperature]), [['dpo[beta=0.1]@step=4', 4, 1], ['dpo[beta=0.1]', null, 0], ['dpo[beta=0.1]', null, 1]]);
    const [step4, , final1] = frontier;
    assert.equal(step4.instance, 'dpo[beta=0.1]');
    assert.ok(Math.abs(step4.kl_mean) < 1e-6, 'the step-4 checkpoint is the reference itself');
    assert.ok(final1.kl_mean > 0);
  });

  it('stops with a StageError when a policy has another tokenizer than the reference', async () => {
    const tokenizer = buildTokenizer({ kind: 'char', vocabSize: 100, lowercase: true, splitPunctuation: true } as never, ['abc def']);
    const dir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-other-'));
    const model = createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 24, nLayer: 1, nHead: 2, nEmbd: 16 }), { seed: 1 });
    await saveModel(modelDir(dir), model, tokenizer.toJSON());
    disposeModel(model);
    const settings = resolve({ ...base, policies: ['other'], temperatures: [0] });
    const ctx = await testContext(settings, { inputs: { ...inputsFor(), policies: [output('other', 'sft', dir)] } });
    await assert.rejects(evaluate.run(ctx), (e: unknown) => e instanceof StageError && /different tokenizer/.test(e.message));
  });
});
