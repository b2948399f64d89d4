/**
 * Preference pairs carry the stop token where their completion ended: a sampled one when
 * the policy sampled eos (none when it was cut at max_new_tokens), one read from a file
 * always (none when it is cut to the context), and one encoded again with another
 * tokenizer as it was stored.
 */
import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.ts';
import { Random } from '../../src/core/random.ts';
import { encodePair, readPairsFor } from '../../src/data/pairs.ts';
import { createModel, disposeModel, resolveConfig, splitEos, type GPT } from '../../src/model/index.ts';
import { samplePairs } from '../../src/preferences/sample.ts';
import type { Reward } from '../../src/rewards/index.ts';
import { buildTokenizer } from '../../src/tokenizer/index.ts';
import { cacheRoot, NEUTRAL, pairsOutput, wordTokenizer } from './fixtures.ts';

/** A distinct score for every completion (its index in the call), so that every pair of the K is formed. */
class IndexReward implements Reward {
  readonly kind = 'index';
  async score(prompts: readonly string[]): Promise<number[]> {
    return prompts.map((_, i) => i);
  }
}

describe('the stop token in preference pairs', function () {
  this.timeout(30000);
  const tokenizer = wordTokenizer();
  let policy: GPT;
  before(async () => {
    await initBackend('wasm');
    policy = createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 32, nLayer: 1, nHead: 2, nEmbd: 16 }), { seed: 7 });
  });
  after(() => disposeModel(policy));

  it('keeps eos in a sampled pair whose completion stopped, and none in one cut at max_new_tokens', async () => {
    const prompts = Array.from({ length: 24 }, (_, i) => ({ prompt: `${NEUTRAL[i % NEUTRAL.length]} ${NEUTRAL[(i + 5) % NEUTRAL.length]}`, completion: '', split: 'train' as const }));
    const options = { k: 4, pairing: 'all' as const, minMargin: 0, temperature: 1, topK: 0, topP: 1, maxNewTokens: 16, batchSize: 16 };
    const { pairs } = await samplePairs(policy, tokenizer, new IndexReward(), prompts, { ...options, random: new Random(11) });
    assert.ok(pairs.length > 0);

    let stopped = 0;
    let cut = 0;
    for (const pair of pairs) {
      for (const ids of [pair.chosen_ids, pair.rejected_ids]) {
        const { textIds, endedWithEos } = splitEos(ids, tokenizer.eos);
        assert.equal(endedWithEos, textIds.length < 16, `[${ids}]: eos exactly when the completion stopped before max_new_tokens`);
        if (endedWithEos) stopped++;
        else cut++;
      }
      assert.equal(tokenizer.decode(pair.chosen_ids), pair.chosen, 'the text is the text tokens decoded');
    }
    assert.ok(stopped > 0 && cut > 0, `both kinds of completion are in the pairs (${stopped} stopped, ${cut} cut)`);
  });

  it('appends eos to a completion read as text, and drops it when the completion is cut to the context', () => {
    const [good, fun, bad] = ['good', 'fun', 'bad'].map((w) => tokenizer.encode(w)[0]);
    const pair = encodePair(tokenizer, { prompt: 'the movie', chosen: 'good fun', rejected: 'bad' }, 16);
    assert.deepEqual(pair.chosen_ids, [good, fun, tokenizer.eos]);
    assert.deepEqual(pair.rejected_ids, [bad, tokenizer.eos]);
    const long = Array.from({ length: 12 }, () => 'good').join(' ');
    const cut = encodePair(tokenizer, { prompt: 'the movie', chosen: long, rejected: 'bad' }, 8);
    assert.equal(cut.prompt_ids.length + cut.chosen_ids.length, 8);
    assert.ok(!cut.chosen_ids.includes(tokenizer.eos), 'cut to the context: no eos');
    assert.deepEqual(cut.rejected_ids, [bad, tokenizer.eos]);
    assert.deepEqual(encodePair(tokenizer, { prompt: 'the movie', chosen: 'good fun', rejected: 'bad' }, 16, { chosen: false, rejected: true }).chosen_ids, [good, fun]);
  });

  it('keeps each completion\'s eos, or its absence, when the pairs are encoded again for another tokenizer', async () => {
    const cache = await cacheRoot();
    const stored = encodePair(tokenizer, { prompt: 'the movie', chosen: 'good fun', rejected: 'bad' }, 16);
    const record = { prompt: 'the movie', chosen: 'good fun', rejected: 'bad', chosen_score: 1, rejected_score: 0, split: 'train' as const };
    // The rejected completion was cut at max_new_tokens when it was sampled: no eos.
    const pairs = [{ ...record, ...stored, rejected_ids: stored.rejected_ids.slice(0, -1) }];
    const output = await pairsOutput(cache, pairs);
    const other = buildTokenizer({ kind: 'char' }, ['the movie good fun bad']);
    const [again] = await readPairsFor(output.dir, other, 32);
    assert.deepEqual(again.chosen_ids, [...other.encode('good fun'), other.eos]);
    assert.deepEqual(again.rejected_ids, other.encode('bad'));
  });
});
