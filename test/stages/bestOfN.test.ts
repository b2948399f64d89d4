import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { readBestOfN, readPool } from '../../src/bestOfN/artifact.ts';
import { bestOfNKlBound, bestOfNKlEstimate } from '../../src/bestOfN/kl.ts';
import { bestOfFirst } from '../../src/bestOfN/pool.ts';
import { disposeModel, type GPT } from '../../src/model/index.ts';
import { encodePrompt, sampleCompletions } from '../../src/model/sampleCompletions.ts';
import { Random } from '../../src/core/random.ts';
import { bestOfN } from '../../src/stages/bestOfN.ts';
import { stageKinds } from '../../src/stages/index.ts';
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

  it('estimates log N + (N-1) log F(r*) from the pool\'s empirical CDF', () => {
    // the best of 4 distinct scores has F = 1: the estimate is log 4, above the bound
    assert.ok(Math.abs(bestOfNKlEstimate([0.1, 0.4, 0.3, 0.2], 0.4, 4) - Math.log(4)) < 1e-12);
    // r* is the 3rd of a pool of 4: F = 3/4, log 4 + 3 log 0.75
    assert.ok(Math.abs(bestOfNKlEstimate([0.1, 0.4, 0.3, 0.2], 0.3, 4) - (Math.log(4) + 3 * Math.log(0.75))) < 1e-12);
    assert.equal(bestOfNKlEstimate([0.1, 0.4], 0.1, 1), 0);
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

  it('is registered and produces samples', () => {
    assert.equal(stageKinds.best_of_n, bestOfN);
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
    assert.deepEqual(one.samples.map((s) => s.completion_ids), plain.map((c) => c.completionIds));
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
    for (const entry of summary.entries) {
      assert.ok(Math.abs(entry.kl_bound - bestOfNKlBound(entry.n)) < 1e-12);
      assert.ok(entry.kl_estimate <= Math.log(entry.n) + 1e-12);
    }
    assert.equal(summary.entries[0].kl_estimate, 0);
  });
});
