import assert from 'node:assert/strict';
import { canonicalJson, fingerprintAll, fingerprintOf } from '../../src/executor/fingerprint.ts';
import { chain, instance } from './kinds.ts';

describe('fingerprints', () => {
  it('write objects with sorted keys, so key order does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }), '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    const one = fingerprintOf(instance('a', { x: 1, y: 2 }), new Map());
    const two = fingerprintOf(instance('a', { y: 2, x: 1 }), new Map());
    assert.equal(one, two);
  });

  it('change with the settings, the seed, the version and the upstream fingerprints', () => {
    const base = fingerprintOf(instance('a', { x: 1 }), new Map());
    assert.notEqual(fingerprintOf(instance('a', { x: 2 }), new Map()), base);
    assert.notEqual(fingerprintOf(instance('a', { x: 1 }, { seed: 1 }), new Map()), base);
    assert.notEqual(fingerprintOf(instance('a', { x: 1 }), new Map(), '9.9.9'), base);
    const changed = fingerprintAll(chain('other b').instances);
    const original = fingerprintAll(chain().instances);
    assert.equal(changed.get('a'), original.get('a'));
    assert.notEqual(changed.get('c'), original.get('c'));
  });

  it('do not depend on the instance id, so a renamed stage keeps its cache', () => {
    assert.equal(fingerprintOf(instance('a', { x: 1 }), new Map()), fingerprintOf(instance('renamed', { x: 1 }), new Map()));
  });
});

describe('fingerprints of stages that read files', () => {
  it('change when a data file the stage reads changes, and not otherwise', async () => {
    const { mkdtempSync, writeFileSync, utimesSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'dpo-run-fp-'));
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, '{"text": "a fine film"}\n');
    const settings = { kind: 'dataset', source: { kind: 'jsonl', path: file } };
    const dataset = (x: Record<string, unknown>) => ({ ...instance('data', x), kind: 'dataset' });
    const before = fingerprintOf(dataset(settings), new Map());
    assert.equal(fingerprintOf(dataset(settings), new Map()), before);
    writeFileSync(file, '{"text": "a fine film"}\n{"text": "a dull one"}\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.notEqual(fingerprintOf(dataset(settings), new Map()), before);
  });
});

describe('fingerprints of stages that read a file by URL', () => {
  it('identify the file by its URL: the same before and after the download, another for another URL', async () => {
    const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { urlCachePath } = await import('../../src/core/io/urlFile.ts');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'dpo-run-fp-url-'));
    try {
      const url = 'https://example.org/data/train.jsonl.gz';
      const dataset = (path: string) => ({ ...instance('data', { kind: 'dataset', source: { kind: 'jsonl', path } }), kind: 'dataset' });
      const before = fingerprintOf(dataset(url), new Map());
      const cached = urlCachePath(url, join(process.env.XDG_CACHE_HOME, 'dpo-run'));
      mkdirSync(dirname(cached), { recursive: true });
      writeFileSync(cached, '{"text": "a fine film"}\n');
      assert.equal(fingerprintOf(dataset(url), new Map()), before);
      assert.notEqual(fingerprintOf(dataset('https://example.org/data/test.jsonl.gz'), new Map()), before);
    } finally {
      rmSync(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
