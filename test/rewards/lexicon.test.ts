import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createReward, rewardKinds } from '../../src/rewards/index.ts';

const imdb = createRequire(import.meta.url)('sentiment/test/fixtures/imdb.json') as { text: string; class: 0 | 1 }[];
const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('sentiment_lexicon reward', () => {
  it('scores a clearly positive review above 0.5 and a clearly negative one below', async () => {
    const reward = await createReward({ kind: 'sentiment_lexicon' });
    const [positive, negative] = await reward.score(
      ['The film', 'The film'],
      ['was wonderful, moving and beautifully acted. I loved it.', 'was a boring, awful mess. I hated every minute.'],
    );
    assert.ok(positive > 0.5 && 0.5 > negative, `${positive} ${negative}`);
  });

  it('maps the comparative score through sigma(comparative / scale)', async () => {
    const reward = await createReward({ kind: 'sentiment_lexicon', text: 'completion', scale: 0.25 });
    // "great" (+3) and "loved" (+3) among 7 words: comparative 6/7, reward sigma(6/7 / 0.25) = sigma(3.428571) = 0.968586
    // no sentiment word: comparative 0, reward 0.5; empty text: 0.5
    const scores = await reward.score(['', '', ''], ['This movie was great, I loved it!', 'The movie is two hours long.', '']);
    assert.deepEqual(scores, [sigma(6 / 7 / 0.25), 0.5, 0.5]);
    assert.ok(Math.abs(scores[0] - 0.968586) < 1e-6);
  });

  it('scores the prompt with the completion by default, or the completion alone when told', async () => {
    // "terrible" (-3) + "great" (+3): 0 in 3 words -> 0.5; "great" alone in 2 words: sigma(1.5 / 0.25) = sigma(6)
    const both = await createReward({ kind: 'sentiment_lexicon' });
    const completionOnly = await createReward({ kind: 'sentiment_lexicon', text: 'completion' });
    assert.deepEqual(await both.score(['A terrible'], ['but great']), [0.5]);
    assert.deepEqual(await completionOnly.score(['A terrible'], ['but great']), [sigma(6)]);
  });

  it('is deterministic', async () => {
    const reward = await createReward({ kind: 'sentiment_lexicon' });
    const texts = imdb.slice(0, 50).map((row) => row.text);
    const prompts = texts.map(() => '');
    assert.deepEqual(await reward.score(prompts, texts), await reward.score(prompts, texts));
  });

  it("agrees with most of the package's labelled IMDb sentences", async () => {
    const reward = await createReward({ kind: 'sentiment_lexicon' });
    const scores = await reward.score(imdb.map(() => ''), imdb.map((row) => row.text));
    const decided = imdb.map((row, i) => ({ label: row.class, score: scores[i] })).filter((r) => r.score !== 0.5);
    const accuracy = decided.filter((r) => (r.score > 0.5) === (r.label === 1)).length / decided.length;
    assert.ok(accuracy > 0.75, `accuracy ${accuracy}`);
  });

  it('rejects an unknown kind and bad settings', async () => {
    await assert.rejects(createReward({ kind: 'vader' }), { name: 'UserError' });
    await assert.rejects(createReward({ kind: 'sentiment_lexicon', scale: 0 }), { name: 'UserError' });
    await assert.rejects(createReward({ kind: 'sentiment_lexicon', text: 'prompt' }), { name: 'UserError' });
    assert.ok('sentiment_lexicon' in rewardKinds);
  });
});
