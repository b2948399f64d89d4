import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.ts';
import { UserError } from '../../src/core/errors.ts';
import { createModel, disposeModel, generate, resolveConfig, type GPT } from '../../src/model/index.ts';
import { encodePrompt, sampleCompletionIds, sampleCompletions, type SamplingSettings } from '../../src/model/sampleCompletions.ts';
import { Random } from '../../src/core/random.ts';
import { buildTokenizer, type Tokenizer } from '../../src/tokenizer/index.ts';

const TEXTS = ['the movie was good and the acting was fine', 'the film was bad and the plot was dull', 'a good story with good actors', 'i liked this movie a lot'];
const PROMPT_TEXTS = ['the movie', 'the film was bad and', 'a story', 'i'];
const SAMPLING: SamplingSettings = { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 6, batch_size: 3 };

describe('sampling completions', () => {
  let tokenizer: Tokenizer;
  let model: GPT;
  let prompts: number[][];
  before(async () => {
    await initBackend('wasm');
    tokenizer = buildTokenizer({ kind: 'word', vocabSize: 40, lowercase: true, splitPunctuation: true }, TEXTS);
    model = createModel(resolveConfig({ vocabSize: tokenizer.vocabSize, contextLength: 12, nLayer: 1, nHead: 2, nEmbd: 16 }), { seed: 3 });
    prompts = PROMPT_TEXTS.map((p) => encodePrompt(tokenizer, p, model.config.contextLength, SAMPLING.max_new_tokens));
  });
  after(() => disposeModel(model));

  it('draws batch after batch from one Random, as generate does on each batch in turn', async () => {
    // 4 prompts x 2 samples = 8 rows in batches of 3: batches cut across prompts.
    const random = new Random(5);
    const sampled = await sampleCompletions(model, tokenizer, prompts, SAMPLING, random, { samplesPerPrompt: 2 });

    const expected = new Random(5);
    const rows = prompts.flatMap((p) => [p, p]);
    const byBatch: number[][] = [];
    for (const start of [0, 3, 6]) {
      const options = { temperature: 1, topK: 0, topP: 1, maxNewTokens: 6, eos: tokenizer.eos, random: expected };
      byBatch.push(...(await generate(model, rows.slice(start, start + 3), options)));
    }
    assert.deepEqual(sampled.map((c) => c.completionIds), byBatch);
    assert.deepEqual(sampled.map((c) => c.prompt), rows);
    assert.deepEqual(random.state(), expected.state());
  });

  it('is reproducible from the seed', async () => {
    const a = await sampleCompletions(model, tokenizer, prompts, SAMPLING, new Random(9));
    const b = await sampleCompletions(model, tokenizer, prompts, SAMPLING, new Random(9));
    const c = await sampleCompletions(model, tokenizer, prompts, SAMPLING, new Random(10));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('keeps to max_new_tokens and ends a response with eos exactly when the completion stopped early', async () => {
    const sampled = await sampleCompletions(model, tokenizer, prompts, { ...SAMPLING, temperature: 2 }, new Random(1), { samplesPerPrompt: 4 });
    const stopped = sampled.filter((c) => c.completionIds.length < SAMPLING.max_new_tokens);
    const full = sampled.filter((c) => c.completionIds.length === SAMPLING.max_new_tokens);
    assert.ok(stopped.length > 0 && full.length > 0, 'this seed gives both kinds');
    assert.equal(stopped.length + full.length, sampled.length);
    for (const c of stopped) assert.deepEqual([c.response, c.endedWithEos], [[...c.completionIds, tokenizer.eos], true]);
    for (const c of full) assert.deepEqual([c.response, c.endedWithEos], [c.completionIds, false]);
    assert.ok(sampled.every((c) => !c.completionIds.includes(tokenizer.eos)));
  });

  it('decodes each completion to text that encodes back to its ids (special tokens aside)', async () => {
    const sampled = await sampleCompletions(model, tokenizer, prompts, SAMPLING, new Random(2), { samplesPerPrompt: 3 });
    const [unknown] = tokenizer.encode('zebra'); // <unk> decodes to text that does not encode back to it
    const special = new Set([tokenizer.bos, tokenizer.eos, tokenizer.pad]);
    const known = sampled.filter((c) => !c.completionIds.includes(unknown));
    assert.ok(known.length >= sampled.length / 2, `${known.length} of ${sampled.length} rows without <unk>`);
    for (const c of sampled) assert.equal(c.text, tokenizer.decode(c.completionIds));
    for (const c of known) assert.deepEqual(tokenizer.encode(c.text), c.completionIds.filter((id) => !special.has(id)));
  });

  it('gives the same ids with or without decoding, and reports the rows done after each batch', async () => {
    const done: number[] = [];
    const ids = await sampleCompletionIds(model, prompts, SAMPLING, new Random(4), { eos: tokenizer.eos, samplesPerPrompt: 2, onBatch: async (rows) => void done.push(rows) });
    const decoded = await sampleCompletions(model, tokenizer, prompts, SAMPLING, new Random(4), { samplesPerPrompt: 2 });
    assert.deepEqual(ids, decoded.map(({ prompt, response, completionIds, endedWithEos }) => ({ prompt, response, completionIds, endedWithEos })));
    assert.deepEqual(done, [3, 6, 8]);
  });

  it('cuts a long prompt to bos and its last tokens, leaving room for max_new_tokens', () => {
    const ids = encodePrompt(tokenizer, 'the film was bad and the plot was dull', 12, 6);
    assert.equal(ids.length, 6);
    assert.deepEqual(ids, [tokenizer.bos, ...tokenizer.encode('and the plot was dull')]);
    assert.deepEqual(encodePrompt(tokenizer, 'a story', 12, 6), [tokenizer.bos, ...tokenizer.encode('a story')]);
  });

  it('rejects max_new_tokens that leave no room for a prompt', () => {
    assert.throws(() => encodePrompt(tokenizer, 'a story', 12, 11), UserError);
  });
});
