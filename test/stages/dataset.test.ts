import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readPrompts, readTexts } from '../../src/data/artifacts.ts';
import { prepareTexts } from '../../src/data/prepare.ts';
import { makePrompts } from '../../src/data/prompts.ts';
import { resolveDatasetSettings } from '../../src/data/settings.ts';
import { sourceFor } from '../../src/data/sources/index.ts';
import { Random } from '../../src/core/random.ts';
import { StageError } from '../../src/core/errors.ts';
import { dataset } from '../../src/stages/dataset.ts';
import { loadStageKind, stageKinds } from '../../src/stages/index.ts';
import { testContext } from '../helpers/context.ts';

async function runDataset(settings: Record<string, unknown>, seed = 0) {
  const ctx = await testContext(settings, { seed });
  await dataset.run(ctx as never);
  const summary = JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8'));
  return { dir: ctx.outDir, summary, texts: await readTexts(ctx.outDir), prompts: await readPrompts(ctx.outDir) };
}

const SHARED_IMDB = new URL('../../../shared/data/imdb/train.jsonl.gz', import.meta.url).pathname;

describe('the dataset stage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-dataset-'));
  });

  it('is registered as a kind that references nothing and produces a dataset', async () => {
    assert.equal(stageKinds.dataset.schema, dataset.schema, 'the registry holds the declaration the file spreads');
    const loaded = await loadStageKind('dataset');
    assert.equal(loaded?.kind, 'dataset');
    assert.notEqual(loaded, stageKinds.dataset, 'loads the file to run it (the registry holds its declaration)');
    assert.equal(dataset.kind, 'dataset');
    assert.deepEqual(dataset.references, []);
    assert.deepEqual(dataset.produces, ['dataset']);
    assert.equal((dataset.schema.properties as any).kind.const, 'dataset');
  });

  it('writes the bundled sentences split 90/10 with prompts and a summary', async () => {
    const { dir: out, summary, texts, prompts } = await runDataset({ source: { kind: 'bundled' } });
    assert.equal(summary.read, 3000);
    assert.equal(texts.length, 3000 - summary.duplicates - summary.short);
    assert.ok(summary.duplicates > 0, 'the bundled sets repeat a few sentences');
    assert.equal(summary.texts.test, Math.round(texts.length * 0.1));
    assert.equal(summary.labels.train['0'] + summary.labels.train['1'], summary.texts.train);
    assert.equal(prompts.length, summary.prompts.train + summary.prompts.test);
    assert.ok(prompts.every((p) => { const n = p.prompt.split(' ').length; return n >= 2 && n <= 8; }));
    assert.deepEqual(await readTexts(out, 'test'), texts.filter((t) => t.split === 'test'));
    assert.deepEqual((await readdir(out)).sort(), ['prompts.jsonl', 'summary.json', 'texts.jsonl']);
  });

  it('gives the same output for the same seed and another split for another seed', async () => {
    const settings = { source: { kind: 'bundled', sets: ['imdb'] }, limit: 200 };
    const a = await runDataset(settings, 1);
    const b = await runDataset(settings, 1);
    const c = await runDataset(settings, 2);
    assert.deepEqual(a.texts, b.texts);
    assert.deepEqual(a.prompts, b.prompts);
    assert.equal(a.texts.length, 200);
    const testOf = (r: typeof a) => r.texts.filter((t) => t.split === 'test').map((t) => t.text).sort();
    assert.notDeepEqual(testOf(a), testOf(c));
  });

  it('reads an aclimdb folder keeping its splits and cleaning <br />', async () => {
    const root = join(dir, 'aclImdb');
    for (const [sub, id, text] of [
      ['train/neg', '0_1', 'Bad movie.<br /><br />Really bad.'],
      ['train/pos', '0_9', 'Good movie, I liked it a lot.'],
      ['test/neg', '0_2', 'Terrible &amp; boring film.'],
      ['test/pos', '0_8', 'A wonderful little film.'],
    ]) {
      await mkdir(join(root, sub), { recursive: true });
      await writeFile(join(root, sub, `${id}.txt`), text);
    }
    const { texts, summary } = await runDataset({ source: { kind: 'aclimdb', path: root }, split: { mode: 'source' } });
    assert.deepEqual(summary.texts, { train: 2, test: 2 });
    assert.deepEqual(summary.labels, { train: { '0': 1, '1': 1 }, test: { '0': 1, '1': 1 } });
    assert.ok(texts.some((t) => t.text === 'Bad movie. Really bad.' && t.label === 0 && t.split === 'train'));
    assert.ok(texts.some((t) => t.text === 'Terrible & boring film.' && t.split === 'test'));
  });

  it('reads jsonl.gz and csv sources', async () => {
    const gz = join(dir, 'reviews.jsonl.gz');
    await writeFile(gz, gzipSync(Array.from({ length: 20 }, (_, i) => JSON.stringify({ body: `review ${i} says this film is fine`, y: i % 2 })).join('\n')));
    const fromJsonl = await runDataset({ source: { kind: 'jsonl', path: gz, text_field: 'body', label_field: 'y' } });
    assert.equal(fromJsonl.texts.length, 20);
    assert.deepEqual(fromJsonl.summary.texts, { train: 18, test: 2 });

    const csv = join(dir, 'reviews.csv');
    await writeFile(csv, 'review,stars\n' + Array.from({ length: 10 }, (_, i) => `"review ${i}, in a csv file",${i % 2}`).join('\n'));
    const fromCsv = await runDataset({ source: { kind: 'csv', path: csv, text_column: 'review', label_column: 'stars' }, split: { test_fraction: 0.3 } });
    assert.deepEqual(fromCsv.summary.texts, { train: 7, test: 3 });
    assert.ok(fromCsv.texts.every((t) => t.label === 0 || t.label === 1));
  });

  it('fails with the file and line of a bad row, leaving no texts.jsonl', async () => {
    const path = join(dir, 'broken.jsonl');
    await writeFile(path, '{"text":"a fine review"}\n{"text":"another"}\n{"txt":"oops"}\n');
    const ctx = await testContext({ source: { kind: 'jsonl', path } });
    await assert.rejects(dataset.run(ctx as never), (err: Error) => err instanceof StageError && err.message.startsWith(`${path}:3:`));
    assert.deepEqual(await readdir(ctx.outDir), []);
  });

  it('reads the first rows of the shared aclImdb jsonl.gz and prepares them with a limit', async function () {
    if (!existsSync(SHARED_IMDB)) {
      console.log(`      (skipped: ${SHARED_IMDB} is absent)`);
      this.skip();
    }
    const source = resolveDatasetSettings({ source: { kind: 'jsonl', path: SHARED_IMDB } }).source;
    const first = async function* () {
      let n = 0;
      for await (const row of sourceFor(source).read(source, await testContext({}))) {
        yield row;
        if (++n === 300) return; // closes the file: the rest is never read
      }
    };
    const settings = resolveDatasetSettings({ source, limit: 200 });
    const { texts, counts } = await prepareTexts(first(), settings, new Random(0), async () => {});
    assert.equal(counts.read, 300);
    assert.equal(texts.length, 200);
    assert.ok(texts.every((t) => !t.text.includes('<br') && (t.label === 0 || t.label === 1)));
    assert.equal(makePrompts(texts, settings.prompts, new Random(0)).length, 200);
  });
});
