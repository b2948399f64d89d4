import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { StageError, UserError } from '../../src/core/errors.ts';
import { resolveDatasetSettings, type SourceSettings } from '../../src/data/settings.ts';
import { sourceFor } from '../../src/data/sources/index.ts';
import type { SourceEnv, SourceRow } from '../../src/data/sources/types.ts';

const env: SourceEnv = { log: () => {}, progress: { start() {}, update() {}, stop() {} }, tick: async () => {} };

/** All rows of a source given as a pipeline would write it (defaults filled from the schema). */
async function rowsOf(source: Record<string, unknown>): Promise<SourceRow[]> {
  const settings = resolveDatasetSettings({ source }).source as SourceSettings;
  const rows: SourceRow[] = [];
  for await (const r of sourceFor(settings).read(settings, env)) rows.push(r);
  return rows;
}

function isStageErrorAt(prefix: string) {
  return (err: Error) => err instanceof StageError && err.message.startsWith(prefix);
}

/** A local port that nothing listens on (connections are refused). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Writes a small aclImdb folder: train/{neg,pos,unsup}, test/{neg,pos}. */
async function writeAclImdb(root: string): Promise<void> {
  const files: Record<string, Record<string, string>> = {
    'train/neg': { '10_2.txt': 'Dull film.<br />Skip it.', '2_1.txt': 'Awful acting.' },
    'train/pos': { '0_9.txt': 'A joy to watch.' },
    'train/unsup': { '5_0.txt': 'Saw it on a plane.' },
    'test/neg': { '0_3.txt': 'Not good.' },
    'test/pos': { '1_10.txt': 'Loved it.', '0_8.txt': 'Fine &amp; fun.' },
  };
  for (const [dir, texts] of Object.entries(files)) {
    await mkdir(join(root, dir), { recursive: true });
    for (const [name, text] of Object.entries(texts)) await writeFile(join(root, dir, name), text);
  }
}

describe('data sources', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-sources-'));
  });

  describe('bundled', () => {
    it('reads the 1,000 labelled sentences of each set the sentiment package ships', async () => {
      const rows = await rowsOf({ kind: 'bundled' });
      assert.equal(rows.length, 3000);
      assert.equal(rows.filter((r) => r.label === 1).length, 1500);
      assert.equal(rows.filter((r) => r.label === 0).length, 1500);
      assert.ok(rows.every((r) => r.text.length > 0 && r.split === undefined));
    });

    it('reads only the sets named', async () => {
      const rows = await rowsOf({ kind: 'bundled', sets: ['yelp'] });
      assert.equal(rows.length, 1000);
      assert.match(rows[0].text, /^Wow\.\.\. Loved this place\./);
    });
  });

  describe('jsonl', () => {
    it('reads text and label fields, named or by default', async () => {
      const path = join(dir, 'reviews.jsonl');
      await writeFile(path, '{"text":"good","label":1}\n{"text":"bad","label":0}\n{"text":"meh"}\n');
      assert.deepEqual(await rowsOf({ kind: 'jsonl', path }), [{ text: 'good', label: 1 }, { text: 'bad', label: 0 }, { text: 'meh' }]);

      const other = join(dir, 'other.jsonl');
      await writeFile(other, '{"review":"good","stars":"pos","part":"test"}\n');
      assert.deepEqual(await rowsOf({ kind: 'jsonl', path: other, text_field: 'review', label_field: 'stars', split_field: 'part' }), [
        { text: 'good', label: 'pos', split: 'test' },
      ]);
    });

    it('makes each row a prompt and its completion with prompt_template, as for CNN/DailyMail articles and highlights', async () => {
      const path = join(dir, 'news.jsonl');
      await writeFile(path, '{"article":" Rain fell.\\nRoads shut. ","highlights":"Rain shut roads."}\n{"article":"x"}\n');
      const source = { kind: 'jsonl', path, prompt_template: '{article}\nTL;DR:', text_field: 'highlights' };
      await assert.rejects(rowsOf(source), (e: Error) => e instanceof StageError && e.message.startsWith(`${path}:2:`) && e.message.includes('highlights'));
      await writeFile(path, '{"article":" Rain fell.\\nRoads shut. ","highlights":"Rain shut roads."}\n');
      assert.deepEqual(await rowsOf(source), [{ prompt: 'Rain fell.\nRoads shut.\nTL;DR:', text: 'Rain fell.\nRoads shut.\nTL;DR: Rain shut roads.' }]);
    });

    it('reads .jsonl.gz, and a test_path as the test split', async () => {
      const train = join(dir, 'train.jsonl.gz');
      const test = join(dir, 'test.jsonl.gz');
      await writeFile(train, gzipSync('{"text":"one","label":1}\n{"text":"two","label":0}\n'));
      await writeFile(test, gzipSync('{"text":"three","label":1}\n'));
      assert.deepEqual(await rowsOf({ kind: 'jsonl', path: train, test_path: test }), [
        { text: 'one', label: 1, split: 'train' },
        { text: 'two', label: 0, split: 'train' },
        { text: 'three', label: 1, split: 'test' },
      ]);
    });

    it('rejects a row without the text field, naming the file and the line', async () => {
      const path = join(dir, 'missing-text.jsonl');
      await writeFile(path, '{"text":"a"}\n{"text":"b"}\n{"body":"c"}\n');
      await assert.rejects(rowsOf({ kind: 'jsonl', path }), isStageErrorAt(`${path}:3:`));
    });

    it('rejects bad JSON and a bad split value with their line numbers', async () => {
      const bad = join(dir, 'bad-json.jsonl');
      await writeFile(bad, Array.from({ length: 6 }, (_, i) => `{"text":"t${i}"}`).join('\n') + '\n{"text": oops}\n');
      await assert.rejects(rowsOf({ kind: 'jsonl', path: bad }), isStageErrorAt(`${bad}:7:`));
      const split = join(dir, 'bad-split.jsonl');
      await writeFile(split, '{"text":"a","s":"train"}\n{"text":"b","s":"dev"}\n');
      await assert.rejects(rowsOf({ kind: 'jsonl', path: split, split_field: 's' }), isStageErrorAt(`${split}:2:`));
    });
  });

  describe('csv', () => {
    it('reads the named text and label columns, numbers as numbers, quoted commas and newlines', async () => {
      const path = join(dir, 'reviews.csv');
      await writeFile(path, 'id,review,sentiment\n1,"Good, really",1\n2,"Bad\nvery bad",0\n3,No label,\n');
      assert.deepEqual(await rowsOf({ kind: 'csv', path, text_column: 'review', label_column: 'sentiment' }), [
        { text: 'Good, really', label: 1 },
        { text: 'Bad\nvery bad', label: 0 },
        { text: 'No label' },
      ]);
    });

    it('reads a TSV with a split column', async () => {
      const path = join(dir, 'reviews.tsv');
      await writeFile(path, 'text\tlabel\tsplit\nfine\tpos\ttest\n');
      assert.deepEqual(await rowsOf({ kind: 'csv', path, delimiter: '\t', split_column: 'split' }), [{ text: 'fine', label: 'pos', split: 'test' }]);
    });

    it('rejects a missing text column, naming the file', async () => {
      const path = join(dir, 'no-text.csv');
      await writeFile(path, 'body,label\nhello,1\n');
      await assert.rejects(rowsOf({ kind: 'csv', path }), isStageErrorAt(`${path}:1:`));
    });

    it('rejects a malformed row, naming the file', async () => {
      const path = join(dir, 'ragged.csv');
      await writeFile(path, 'text,label\nfine,1\nextra,1,2\n');
      await assert.rejects(rowsOf({ kind: 'csv', path }), isStageErrorAt(`${path}:3:`));
    });
  });

  describe('aclimdb', () => {
    it('reads the Stanford layout by split, polarity and file id, pos = 1 and neg = 0', async () => {
      const root = join(dir, 'aclImdb');
      await writeAclImdb(root);
      assert.deepEqual(await rowsOf({ kind: 'aclimdb', path: root }), [
        { text: 'Awful acting.', label: 0, split: 'train' },
        { text: 'Dull film.<br />Skip it.', label: 0, split: 'train' },
        { text: 'A joy to watch.', label: 1, split: 'train' },
        { text: 'Not good.', label: 0, split: 'test' },
        { text: 'Fine &amp; fun.', label: 1, split: 'test' },
        { text: 'Loved it.', label: 1, split: 'test' },
      ]);
    });

    it('reads train/unsup unlabelled when asked, and only the splits named', async () => {
      const root = join(dir, 'aclImdb');
      const rows = await rowsOf({ kind: 'aclimdb', path: root, splits: ['train'], unsup: true });
      assert.equal(rows.length, 4);
      assert.deepEqual(rows.at(-1), { text: 'Saw it on a plane.', split: 'train' });
    });

    it('names the missing folder of a wrong layout', async () => {
      const root = join(dir, 'not-acl');
      await mkdir(join(root, 'train', 'pos'), { recursive: true });
      await assert.rejects(rowsOf({ kind: 'aclimdb', path: root }), isStageErrorAt(join(root, 'train', 'neg')));
      await assert.rejects(rowsOf({ kind: 'aclimdb', path: join(dir, 'nowhere') }), isStageErrorAt(join(dir, 'nowhere')));
    });
  });

  describe('imdb', () => {
    it('fails offline with a UserError that names the sources needing no network', async () => {
      const cacheDir = join(dir, 'cache');
      for (const url of ['http://127.0.0.1:9/aclImdb_v1.tar.gz', `http://127.0.0.1:${await closedPort()}/aclImdb_v1.tar.gz`]) {
        await assert.rejects(rowsOf({ kind: 'imdb', url, cache_dir: cacheDir }), (err: Error) => {
          assert.ok(err instanceof UserError);
          const text = `${err.message} ${err.hint}`;
          for (const name of [url, 'aclimdb', 'jsonl', 'csv', 'bundled']) assert.ok(text.includes(name), `mentions ${name}`);
          return true;
        });
      }
      assert.deepEqual(await readdir(cacheDir), [], 'leaves no partial download');
    });

    it('reads an already extracted archive from the cache folder without the network', async () => {
      const cacheDir = join(dir, 'cache-ready');
      await writeAclImdb(join(cacheDir, 'aclImdb'));
      await writeFile(join(cacheDir, 'aclImdb', '.dpo-run-complete'), '');
      const rows = await rowsOf({ kind: 'imdb', url: 'http://127.0.0.1:9/', cache_dir: cacheDir, splits: ['test'] });
      assert.equal(rows.length, 3);
    });
  });
});
