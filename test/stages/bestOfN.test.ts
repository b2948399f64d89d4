import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { readBestOfN, readPool } from '../../src/bestOfN/artifact.ts';
import { bestOfNKlBound, bestOfNKlEstimate } from '../../src/bestOfN/kl.ts';
import { bestOfFirst } from '../../src/bestOfN/pool.ts';
import { selectBestOfN } from '../../src/bestOfN/select.ts';
import type { PoolRecord } from '../../src/bestOfN/artifact.ts';
import { disposeModel, type GPT } from '../../src/model/index.ts';
import { encodePrompt, sampleCompletions } from '../../src/model/sampleCompletions.ts';
import { Random } from '../../src/core/random.ts';
import { bestOfN } from '../../src/stages/bestOfN.ts';
import { loadStageKind, stageKinds } from '../../src/stages/index.ts';
import type { BestOfNSettings } from '../../src/core/settings/bestOfN.ts';
import type { Tokenizer } from '../../src/tokenizer/index.ts';
import { testContext } from '../helpers/context.ts';
import { datasetStage, modelStage, PROMPTS, tinyModel, tinyTokenizer } from '../ppo/fixtures.ts';

const sampling = { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 6, batch_size: 8 };

function settings(overrides: Partial<BestOfNSettings> = {}): BestOfNSettings {
  return {
    kind: 'best_of_n',
    policy: 'sft',
    data: 'data',
    reward: { kind: 'sentiment_lexicon', text: 'prompt_and_completion', scale: 0.25 } as BestOfNSettings['reward'],
    n: [16, 1, 4],
    sampling,
    max_prompts: 0,
    kl_pool: 8,
    ...overrides,
  };
}

describe('best-of-N KL', () => {
  it('gives the closed-form bound log N - (N-1)/N', () => {
    assert.equal(bestOfNKlBound(1), 0);
    assert.ok(Math.abs(bestOfNKlBound(4) - (Math.log(4) - 0.75)) < 1e-15); // 0.6363
    assert.ok(Math.abs(bestOfNKlBound(16) - 1.835088722) < 1e-9);
    assert.ok(Math.abs(bestOfNKlBound(64) - 3.174508083) < 1e-9);
  });

  it('estimates log N + (N-1) log F(r*) with log F = -sum_j C(a, j) / C(M, j) / j over the CDF samples', () => {
    // r* above all 4 CDF samples: a = 0, log F = 0, the estimate is log N
    assert.ok(Math.abs(bestOfNKlEstimate(0.5, [0.1, 0.4, 0.3, 0.2], 4) - Math.log(4)) < 1e-12);
    // 2 of 4 above: log F = -(2/4)/1 - (2*1)/(4*3)/2 = -1/2 - 1/12
    assert.ok(Math.abs(bestOfNKlEstimate(0.25, [0.1, 0.4, 0.3, 0.2], 4) - (Math.log(4) + 3 * (-0.5 - 1 / 12))) < 1e-12);
    // all 4 above: log F = -(1 + 1/2 + 1/3 + 1/4), finite
    assert.ok(Math.abs(bestOfNKlEstimate(0, [0.1, 0.4, 0.3, 0.2], 4) - (Math.log(4) - 3 * (25 / 12))) < 1e-12);
    assert.equal(bestOfNKlEstimate(0.1, [0.1, 0.4], 1), 0);
  });

  it('gives 0 when every completion scores the same (best-of-N is then the policy itself)', () => {
    assert.equal(bestOfNKlEstimate(0.5, [0.5, 0.5, 0.5], 16), 0);
    // a tie at a level of mass 1/2 with nothing below: log((1/2)^N / (1/2)) = (N-1) log(1/2)
    assert.ok(Math.abs(bestOfNKlEstimate(0.5, [0.5, 0.9], 4) - 3 * Math.log(0.5)) < 1e-12);
  });

  it('matches the closed form log N - (N-1)/N on continuous rewards, unbiased (N = 4, 16, 64)', function () {
    this.timeout(20000);
    // Standard normal rewards: best-of-N's KL is exactly log N - (N-1)/N for any continuous reward.
    const random = new Random(1);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    const prompts = 30000;
    const empty = new Array<string>(64).fill('');
    const ids = new Array<number[]>(64).fill([]);
    const pool: PoolRecord[] = Array.from({ length: prompts }, () => ({
      prompt: '',
      completions: empty,
      completion_ids: ids,
      scores: Array.from({ length: 64 }, normal),
      cdf_scores: Array.from({ length: 32 }, normal),
    }));
    const { entries } = selectBestOfN(pool, [4, 16, 64]);
    for (const e of entries) {
      const error = e.kl_estimate - bestOfNKlBound(e.n);
      assert.ok(Math.abs(error) < 0.03, `N = ${e.n}: ${e.kl_estimate.toFixed(4)} ± ${e.kl_estimate_se.toFixed(4)} vs ${bestOfNKlBound(e.n).toFixed(4)}`);
      assert.ok(Math.abs(error) < 4 * e.kl_estimate_se, `N = ${e.n}: off by ${error} with se ${e.kl_estimate_se}`);
    }
    assert.deepEqual(entries.map((e) => e.kl_cdf_samples), [92, 80, 32]);
  });

  it('chooses the best of the first N, the earliest on ties', () => {
    assert.equal(bestOfFirst([0.2, 0.5, 0.5, 0.9], 3), 1);
    assert.equal(bestOfFirst([0.2, 0.5, 0.5, 0.9], 4), 3);
    assert.equal(bestOfFirst([0.2, 0.5, 0.5, 0.9], 1), 0);
  });
});

describe('the best_of_n stage', function () {
  this.timeout(60000);
  let tokenizer: Tokenizer;
  let model: GPT;
  let outDir: string;

  before(async () => {
    await initBackend('wasm');
    tokenizer = tinyTokenizer();
    model = tinyModel(tokenizer, 7);
    const ctx = await testContext(settings(), { seed: 11, inputs: { policy: [await modelStage(model, tokenizer)], data: [await datasetStage()] } });
    await bestOfN.run(ctx);
    outDir = ctx.outDir;
  });
  after(() => disposeModel(model));

  it('is registered and produces samples', async () => {
    assert.equal(stageKinds.best_of_n.schema, bestOfN.schema, 'the registry holds the declaration the file spreads');
    const loaded = await loadStageKind('best_of_n');
    assert.equal(loaded?.kind, 'best_of_n');
    assert.notEqual(loaded, stageKinds.best_of_n, 'loads the file to run it (the registry holds its declaration)');
    assert.deepEqual(bestOfN.produces, ['samples']);
  });

  it('writes a pool of max(n) scored completions per held-out prompt', async () => {
    const pool = await readPool(outDir);
    assert.deepEqual(pool.map((row) => row.prompt), PROMPTS);
    for (const row of pool) {
      assert.equal(row.completions.length, 16);
      assert.equal(row.scores.length, 16);
      row.completion_ids.forEach((ids, k) => assert.equal(tokenizer.decode(ids), row.completions[k]));
    }
  });

  it('makes N = 1 plain sampling with the same seed', async () => {
    const prompts = PROMPTS.map((p) => encodePrompt(tokenizer, p, model.config.contextLength, sampling.max_new_tokens));
    const plain = await sampleCompletions(model, tokenizer, prompts, sampling, new Random(11));
    const [one] = await readBestOfN(outDir);
    assert.equal(one.n, 1);
    assert.deepEqual(one.samples.map((s) => s.completion_ids), plain.map((c) => c.response));
    assert.ok(one.samples.every((s) => s.index === 0));
  });

  it('chooses for N = 16 a completion that scores at least as high as N = 4 on every prompt', async () => {
    const policies = await readBestOfN(outDir);
    assert.deepEqual(policies.map((p) => p.n), [1, 4, 16]);
    const [one, four, sixteen] = policies;
    const pool = await readPool(outDir);
    sixteen.samples.forEach((choice, p) => {
      assert.ok(choice.score >= four.samples[p].score && four.samples[p].score >= one.samples[p].score);
      assert.equal(choice.score, Math.max(...pool[p].scores));
      assert.ok(four.samples[p].index < 4);
    });
    assert.ok(sixteen.score_mean > one.score_mean, 'sixteen samples of random text should find a better one');
  });

  it('records each N\'s closed-form KL bound and the measured estimate', async () => {
    const summary = JSON.parse(await readFile(join(outDir, 'best_of_n.json'), 'utf8'));
    assert.deepEqual(summary.n, [1, 4, 16]);
    assert.equal(summary.pool_size, 16);
    assert.equal(summary.kl_pool, 8);
    for (const entry of summary.entries) {
      assert.ok(Math.abs(entry.kl_bound - bestOfNKlBound(entry.n)) < 1e-12);
      assert.ok(entry.kl_estimate <= Math.log(entry.n) + 1e-12);
      assert.ok(entry.kl_estimate_se >= 0);
    }
    assert.deepEqual(summary.entries.map((e: { kl_cdf_samples: number }) => e.kl_cdf_samples), [23, 20, 8]);
    for (const row of await readPool(outDir)) assert.equal(row.cdf_scores.length, 8);
    assert.equal(summary.entries[0].kl_estimate, 0);
  });
});
