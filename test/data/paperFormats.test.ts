import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Random } from '../../src/core/random.ts';
import { StageError } from '../../src/core/errors.ts';
import { makePrompts } from '../../src/data/prompts.ts';
import { prepareTexts } from '../../src/data/prepare.ts';
import { resolveDatasetSettings, type SourceSettings } from '../../src/data/settings.ts';
import { sourceFor } from '../../src/data/sources/index.ts';
import type { SourceEnv, SourceRow } from '../../src/data/sources/types.ts';
import { readPreferenceSource } from '../../src/preferences/source.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'data', 'fixtures', name);
const env: SourceEnv = { log: () => {}, progress: { start() {}, update() {}, stop() {} }, tick: async () => {} };

async function rowsOf(source: Record<string, unknown>): Promise<SourceRow[]> {
  const settings = resolveDatasetSettings({ source }).source as SourceSettings;
  const rows: SourceRow[] = [];
  for await (const r of sourceFor(settings).read(settings, env)) rows.push(r);
  return rows;
}

const stageErrorAt = (prefix: string) => (err: Error) => err instanceof StageError && err.message.startsWith(prefix);
const lines = (name: string) => readFileSync(fixture(name), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

describe('the TL;DR, HH and CNN/DailyMail data formats of the DPO paper', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-formats-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('the tldr source', () => {
    it('fills the TL;DR template from {subreddit, title, post} and completes it with the summary', async () => {
      const rows = await rowsOf({ kind: 'tldr', path: fixture('tldr-sft.jsonl') });
      const [first] = lines('tldr-sft.jsonl');
      assert.equal(rows.length, 150);
      assert.equal(rows[0].prompt, `SUBREDDIT: r/${first.subreddit}\nTITLE: ${first.title}\nPOST: ${first.post}\nTL;DR:`);
      assert.equal(rows[0].text, rows[0].prompt + first.summary);
      assert.equal(rows[0].split, 'train');
      assert.equal(rows[4].split, 'test'); // "valid" is held out
    });

    it('reads the {prompt, label} layout to the same prompts and texts, gzipped too', async () => {
      const gz = join(dir, 'carper.jsonl.gz');
      await writeFile(gz, gzipSync(readFileSync(fixture('tldr-sft-carper.jsonl'))));
      const carper = await rowsOf({ kind: 'tldr', path: gz });
      const filtered = (await rowsOf({ kind: 'tldr', path: fixture('tldr-sft.jsonl') })).slice(0, 20);
      assert.deepEqual(carper.map((r) => [r.prompt, r.text]), filtered.map((r) => [r.prompt, r.text]));
    });

    it('takes the template from the settings', async () => {
      const rows = await rowsOf({ kind: 'tldr', path: fixture('tldr-sft.jsonl'), template: 'POST: {post}\nTL;DR:' });
      assert.match(rows[0].prompt!, /^POST: I am \d+ and .*\nTL;DR:$/s);
    });

    it('names the file and line of a row without a summary, or of bad JSON', async () => {
      const path = join(dir, 'bad.jsonl');
      const good = JSON.stringify({ subreddit: 'a', title: 'b', post: 'c', summary: 'd' });
      await writeFile(path, `${good}\n${good}\n${JSON.stringify({ subreddit: 'a', title: 'b', post: 'c' })}\n`);
      await assert.rejects(rowsOf({ kind: 'tldr', path }), stageErrorAt(`${path}:3: "summary" is missing`));
      await writeFile(path, `${good}\n{"subreddit": \n`);
      await assert.rejects(rowsOf({ kind: 'tldr', path }), stageErrorAt(`${path}:2: not valid JSON`));
    });
  });

  describe('the hh_rlhf source', () => {
    it('splits a conversation of several turns after its last "\\n\\nAssistant:", as extract_anthropic_prompt does', async () => {
      const rows = await rowsOf({ kind: 'hh_rlhf', path: fixture('hh-rlhf.jsonl') });
      const { chosen } = lines('hh-rlhf.jsonl')[2]; // three human turns
      assert.equal(chosen.split('\n\nHuman:').length - 1, 3);
      const cut = chosen.lastIndexOf('\n\nAssistant:') + '\n\nAssistant:'.length;
      assert.equal(rows[2].prompt, chosen.slice(0, cut));
      assert.equal(rows[2].text, chosen);
      assert.ok(rows[2].prompt!.includes('\n\nAssistant: Keep a regular bedtime')); // earlier assistant turns stay in the prompt
      assert.equal(rows[2].text.slice(rows[2].prompt!.length), ' Then change one thing at a time, so you can tell what helped.');
    });

    it('keeps the turns\' newlines through the dataset stage and gives the conversations as prompts', async () => {
      const settings = resolveDatasetSettings({ source: { kind: 'hh_rlhf', path: fixture('hh-rlhf.jsonl'), test_path: fixture('hh-rlhf-test.jsonl') }, split: { mode: 'source' } });
      const { texts } = await prepareTexts(sourceFor(settings.source).read(settings.source, env), settings, new Random(0), async () => {});
      const prompts = makePrompts(texts, settings.prompts, new Random(1));
      assert.equal(prompts.filter((p) => p.split === 'test').length, texts.filter((t) => t.split === 'test').length);
      for (const p of prompts) {
        assert.ok(p.prompt.startsWith('\n\nHuman: ') && p.prompt.endsWith('\n\nAssistant:'), JSON.stringify(p.prompt));
        assert.ok(p.completion.startsWith(' ') && !p.completion.includes('\n\nHuman:'));
      }
    });

    it('names the file and line of a transcript without an assistant turn', async () => {
      const path = join(dir, 'hh-bad.jsonl');
      await writeFile(path, `${JSON.stringify({ chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: no' })}\n${JSON.stringify({ chosen: '\n\nHuman: hi', rejected: 'x' })}\n`);
      await assert.rejects(rowsOf({ kind: 'hh_rlhf', path }), stageErrorAt(`${path}:2: "chosen" has no "Assistant:" turn`));
    });
  });

  describe('the cnn_dailymail source', () => {
    const words = (text: string) => text.split(/\s+/).filter(Boolean);

    it('puts each article in the TL;DR template for news and completes it with its highlights, validation held out', async () => {
      const rows = await rowsOf({ kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl') });
      const published = lines('cnn-dailymail-hf.jsonl');
      assert.equal(rows.length, 300);
      assert.equal(rows[0].prompt, `ARTICLE: ${published[0].article}\nTL;DR:`);
      assert.equal(rows[0].text, `${rows[0].prompt} ${published[0].highlights.split('\n').join(' ')}`);
      assert.deepEqual(rows.slice(7, 10).map((r) => r.split), ['train', 'test', 'test']); // train, validation, test
    });

    it('keeps the first max_article_words words of a long article (500 by default; null keeps all)', async () => {
      const long = lines('cnn-dailymail-hf.jsonl')[9].article as string;
      assert.ok(words(long).length > 500);
      const [cut] = (await rowsOf({ kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl') })).slice(9);
      assert.equal(cut.prompt, `ARTICLE: ${words(long).slice(0, 500).join(' ')}\nTL;DR:`);
      const [short] = (await rowsOf({ kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl'), max_article_words: 12 })).slice(9);
      assert.equal(short.prompt, `ARTICLE: ${words(long).slice(0, 12).join(' ')}\nTL;DR:`);
      const [whole] = (await rowsOf({ kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl'), max_article_words: null })).slice(9);
      assert.equal(whole.prompt, `ARTICLE: ${long}\nTL;DR:`);
    });

    it('reads a CSV export (and a gzipped one) to the same prompts and texts as the JSON lines', async () => {
      const gz = join(dir, 'cnn.csv.gz');
      await writeFile(gz, gzipSync(readFileSync(fixture('cnn-dailymail-hf.csv'))));
      const fromJsonl = (await rowsOf({ kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl') })).slice(0, 20).map((r) => [r.prompt, r.text]);
      for (const path of [fixture('cnn-dailymail-hf.csv'), gz]) {
        assert.deepEqual((await rowsOf({ kind: 'cnn_dailymail', path })).map((r) => [r.prompt, r.text]), fromJsonl);
      }
    });

    it('gives the highlights as the dataset\'s own completions of the article prompts (the win-rate baseline)', async () => {
      const settings = resolveDatasetSettings({ source: { kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.jsonl'), template: 'Article: {article}\nTL;DR:' }, split: { mode: 'source' } });
      const { texts } = await prepareTexts(sourceFor(settings.source).read(settings.source, env), settings, new Random(0), async () => {});
      const prompts = makePrompts(texts, settings.prompts, new Random(1));
      const highlights = new Map(lines('cnn-dailymail-hf.jsonl').map((r) => [`Article: ${words(r.article).slice(0, 500).join(' ')}\nTL;DR:`, r.highlights as string]));
      assert.equal(prompts.length, 300);
      assert.equal(prompts.filter((p) => p.split === 'test').length, 60);
      for (const p of prompts) assert.equal(p.completion, ` ${highlights.get(p.prompt)!.split('\n').join(' ')}`);
    });

    it('names the file and line of a row without highlights, of bad JSON, a CSV without the column, and refuses Parquet', async () => {
      const path = join(dir, 'cnn-bad.jsonl');
      const good = JSON.stringify({ article: 'A story.', highlights: 'It happened .', id: 'x' });
      await writeFile(path, `${good}\n${good}\n${JSON.stringify({ article: 'A story.', id: 'y' })}\n`);
      await assert.rejects(rowsOf({ kind: 'cnn_dailymail', path }), stageErrorAt(`${path}:3: "highlights" is missing`));
      await writeFile(path, `${good}\n{"article": \n`);
      await assert.rejects(rowsOf({ kind: 'cnn_dailymail', path }), stageErrorAt(`${path}:2: not valid JSON`));
      const csvPath = join(dir, 'cnn-bad.csv');
      await writeFile(csvPath, 'id,article,summary\nx,A story.,It happened.\n');
      await assert.rejects(rowsOf({ kind: 'cnn_dailymail', path: csvPath }), stageErrorAt(`${csvPath}:1: no column "highlights"`));
      const parquet = join(dir, 'test-00000-of-00001.parquet');
      await writeFile(parquet, 'PAR1');
      await assert.rejects(rowsOf({ kind: 'cnn_dailymail', path: parquet }), stageErrorAt(`${parquet}: Parquet files are not read`));
    });
  });

  describe('preference pairs from the published files', () => {
    it('reads summarize_from_feedback comparisons: the templated post, summaries[choice] chosen, valid1 held out', async () => {
      const pairs = await readPreferenceSource(fixture('tldr-comparisons.jsonl'), 'auto');
      const rows = lines('tldr-comparisons.jsonl');
      assert.equal(pairs.length, 150);
      for (const [i, r] of rows.entries()) {
        assert.equal(pairs[i].prompt, `SUBREDDIT: r/${r.info.subreddit}\nTITLE: ${r.info.title}\nPOST: ${r.info.post}\nTL;DR:`);
        assert.equal(pairs[i].chosen, r.summaries[r.choice].text);
        assert.equal(pairs[i].rejected, r.summaries[1 - r.choice].text);
        assert.equal(pairs[i].split, r.split === 'train' ? 'train' : 'test');
      }
    });

    it('names the file and line of a comparison whose choice is not 0 or 1', async () => {
      const path = join(dir, 'cmp-bad.jsonl');
      const [row] = lines('tldr-comparisons.jsonl');
      await writeFile(path, `${JSON.stringify(row)}\n${JSON.stringify({ ...row, choice: 2 })}\n`);
      await assert.rejects(readPreferenceSource(path, 'summarize_from_feedback'), stageErrorAt(`${path}:2: "choice" must be 0 or 1`));
    });

    it('reads HH-RLHF transcripts as pairs sharing the prompt before the last assistant turn', async () => {
      const pairs = await readPreferenceSource(fixture('hh-rlhf.jsonl'), 'auto');
      const rows = lines('hh-rlhf.jsonl');
      assert.equal(pairs.length, 150);
      assert.equal(pairs[2].prompt + pairs[2].chosen, rows[2].chosen);
      assert.equal(pairs[2].prompt + pairs[2].rejected, rows[2].rejected);
    });
  });
});
