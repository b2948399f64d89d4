import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { StageError } from '../../src/core/errors.ts';
import { readPairs } from '../../src/data/pairs.ts';
import { splitEos } from '../../src/model/completionTokens.ts';
import { preferences } from '../../src/stages/preferences.ts';
import type { PreferencesSettings } from '../../src/core/settings/preferences.ts';
import type { StageOutput } from '../../src/core/stageContract.ts';
import { testContext } from '../helpers/context.ts';
import { cacheRoot, datasetOutput, NEUTRAL, policyOutput, resolveSettings, settingsErrors, wordTokenizer } from '../preferences/fixtures.ts';

describe('the preferences stage', function () {
  this.timeout(30000);
  let cache: string;
  let policy: StageOutput;
  let data: StageOutput;

  before(async () => {
    await initBackend('wasm');
    cache = await cacheRoot();
    policy = await policyOutput(cache);
    const prompts = Array.from({ length: 8 }, (_, i) => ({
      prompt: `${NEUTRAL[i]} ${NEUTRAL[(i + 1) % NEUTRAL.length]}`,
      completion: ' rest',
      split: i < 6 ? ('train' as const) : ('test' as const),
    }));
    data = await datasetOutput(cache, prompts);
  });

  async function run(raw: Record<string, unknown>) {
    const settings = resolveSettings<PreferencesSettings>('preferences', { policy: 'sft', ...raw });
    const inputs: Record<string, StageOutput[]> = { policy: [policy], ...(raw.data ? { data: [data] } : {}) };
    const ctx = await testContext(settings, { inputs, seed: 5 });
    await preferences.run(ctx);
    return { ctx, summary: JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8')) };
  }

  it('samples K completions per prompt, scores them and writes the pairs with their token ids', async () => {
    const { ctx, summary } = await run({
      data: 'data',
      reward: { kind: 'sentiment_lexicon', text: 'completion' },
      k: 4,
      sampling: { max_new_tokens: 6, batch_size: 8 },
    });
    const pairs = await readPairs(ctx.outDir);
    assert.ok(pairs.length > 0);
    const tokenizer = wordTokenizer();
    for (const p of pairs) {
      assert.ok(p.chosen_score! > p.rejected_score!, 'the chosen completion scores higher');
      assert.equal(p.prompt_ids[0], tokenizer.bos);
      assert.deepEqual(p.prompt_ids.slice(1), tokenizer.encode(p.prompt));
      assert.equal(tokenizer.decode(p.chosen_ids), p.chosen);
      assert.ok(p.chosen_ids.length >= 1 && p.chosen_ids.length <= 6);
      for (const ids of [p.chosen_ids, p.rejected_ids]) {
        const { textIds, endedWithEos } = splitEos(ids, tokenizer.eos);
        assert.equal(endedWithEos, textIds.length < 6, 'eos exactly where the policy stopped before max_new_tokens');
      }
    }
    assert.ok(pairs.filter((p) => p.split === 'train').length <= 6 * 6, 'at most K(K-1)/2 pairs per prompt');
    assert.deepEqual(summary.pairs, { train: pairs.filter((p) => p.split === 'train').length, test: pairs.filter((p) => p.split === 'test').length });
    assert.deepEqual(summary.prompts, { train: 6, test: 2 });
    assert.ok(summary.mean_chosen_score > summary.mean_rejected_score);
    assert.ok(summary.fraction_prompts_without_pair >= 0 && summary.fraction_prompts_without_pair <= 1);
  });

  it('makes at most one pair per prompt with best_vs_worst', async () => {
    const { ctx } = await run({ data: 'data', reward: { kind: 'sentiment_lexicon', text: 'completion' }, pairs: 'best_vs_worst', max_prompts: 3, max_test_prompts: 0, sampling: { max_new_tokens: 6 } });
    const pairs = await readPairs(ctx.outDir);
    assert.ok(pairs.length <= 3);
    assert.equal(new Set(pairs.map((p) => p.prompt)).size, pairs.length);
    assert.ok(pairs.every((p) => p.split === 'train'));
  });

  describe('with existing preference data', () => {
    async function fromFile(lines: unknown[], extra: Record<string, unknown> = {}) {
      const path = join(cache, `source-${Math.random().toString(36).slice(2)}.jsonl`);
      await writeFile(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
      return run({ source: { path, ...extra } });
    }

    it('reads {prompt, chosen, rejected}, {prompt, a, b, label} and HH-RLHF rows', async () => {
      const { ctx } = await fromFile([
        { prompt: 'the movie', chosen: ' was great', rejected: ' was awful', split: 'train' },
        { prompt: 'the film', a: ' was bad', b: ' was fun', label: 0, split: 'train' },
        { prompt: 'the plot', a: ' was good', b: ' was dull', label: 1, split: 'test' },
        { chosen: '\n\nHuman: the story?\n\nAssistant: it was loved', rejected: '\n\nHuman: the story?\n\nAssistant: it was hated', split: 'train' },
      ]);
      const pairs = await readPairs(ctx.outDir);
      assert.deepEqual(
        pairs.map((p) => [p.prompt, p.chosen, p.rejected, p.split]),
        [
          ['the movie', ' was great', ' was awful', 'train'],
          ['the film', ' was fun', ' was bad', 'train'],
          ['the plot', ' was good', ' was dull', 'test'],
          ['\n\nHuman: the story?\n\nAssistant:', ' it was loved', ' it was hated', 'train'],
        ],
      );
      assert.equal(pairs[0].chosen_score, null);
      const tokenizer = wordTokenizer();
      assert.deepEqual(pairs[1].chosen_ids, [...tokenizer.encode('was fun'), tokenizer.eos], 'a text completion ends with eos');
      assert.ok(pairs.every((p) => p.chosen_ids.at(-1) === tokenizer.eos && p.rejected_ids.at(-1) === tokenizer.eos));
    });

    it('drops the eos of a completion cut to the context', async () => {
      const long = Array.from({ length: 40 }, () => 'good').join(' ');
      const { ctx } = await fromFile([{ prompt: 'the movie', chosen: long, rejected: ' was awful', split: 'train' }]);
      const [pair] = await readPairs(ctx.outDir);
      const tokenizer = wordTokenizer();
      assert.equal(pair.prompt_ids.length + pair.chosen_ids.length, 24, 'the context of the tiny policy');
      assert.ok(!pair.chosen_ids.includes(tokenizer.eos));
      assert.equal(pair.rejected_ids.at(-1), tokenizer.eos);
    });

    it('reads a pairs file given by URL, downloaded once into the user\'s cache', async () => {
      const body = JSON.stringify({ prompt: 'the movie', chosen: ' was great', rejected: ' was awful', split: 'train' }) + '\n';
      let requests = 0;
      const server = createServer((_, res) => {
        requests++;
        res.end(body);
      }).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const saved = process.env.XDG_CACHE_HOME;
      process.env.XDG_CACHE_HOME = join(cache, `user-cache-${Math.random().toString(36).slice(2)}`);
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pairs.jsonl`;
        for (let i = 0; i < 2; i++) {
          const { ctx } = await run({ source: { path: url } });
          assert.deepEqual((await readPairs(ctx.outDir)).map((p) => [p.prompt, p.chosen, p.rejected]), [['the movie', ' was great', ' was awful']]);
        }
        assert.equal(requests, 1);
      } finally {
        if (saved === undefined) delete process.env.XDG_CACHE_HOME;
        else process.env.XDG_CACHE_HOME = saved;
        server.closeAllConnections();
        server.close();
      }
    });

    for (const [name, lines, line, pattern] of [
      ['a missing field', [{ prompt: 'a', chosen: 'good', rejected: 'bad' }, { prompt: 'a', chosen: 'good' }], 2, /"rejected" is missing/],
      ['an empty completion', [{ prompt: 'a', chosen: 'good', rejected: 'bad' }, { prompt: 'a', chosen: 'good', rejected: 'bad' }, { prompt: 'a', chosen: '  ', rejected: 'bad' }], 3, /"chosen" is an empty completion/],
      ['a label other than 0 or 1', [{ prompt: 'a', a: 'good', b: 'bad', label: 2 }], 1, /"label" must be 0 or 1/],
      ['HH-RLHF conversations with different prompts', [{ chosen: '\n\nHuman: a\n\nAssistant: good', rejected: '\n\nHuman: b\n\nAssistant: bad' }], 1, /differ before/],
      ['a line that is not JSON', [{ prompt: 'a', chosen: 'good', rejected: 'bad' }, '{"prompt": '], 2, /not valid JSON/],
    ] as const) {
      it(`rejects a pairs file with ${name}, naming its line, and keeps nothing`, async () => {
        const settings = resolveSettings<PreferencesSettings>('preferences', { policy: 'sft', source: { path: 'x' } });
        const path = join(cache, `bad-${Math.random().toString(36).slice(2)}.jsonl`);
        await writeFile(path, (lines as readonly unknown[]).map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
        const ctx = await testContext({ ...settings, source: { ...settings.source!, path } }, { inputs: { policy: [policy] } });
        await assert.rejects(preferences.run(ctx), (error: Error) => {
          assert.ok(error instanceof StageError);
          assert.match(error.message, new RegExp(`${path.replace(/[.]/g, '\\.')}:${line}: `));
          assert.match(error.message, pattern);
          return true;
        });
        assert.deepEqual(await readdir(ctx.outDir), []);
      });
    }
  });

  it('requires data and reward without a source, and neither with one', () => {
    assert.notDeepEqual(settingsErrors('preferences', { policy: 'sft', data: 'data' }), []);
    assert.notDeepEqual(settingsErrors('preferences', { policy: 'sft', source: { path: 'p.jsonl' }, data: 'data' }), []);
    assert.deepEqual(settingsErrors('preferences', { policy: 'sft', source: { path: 'p.jsonl' } }), []);
    assert.deepEqual(settingsErrors('preferences', { policy: 'sft', data: 'data', reward: { kind: 'sentiment_lexicon' } }), []);
  });
});
