import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors.ts';
import { datasetSchema, resolveDatasetSettings } from '../../src/data/settings.ts';
import { sources } from '../../src/data/sources/index.ts';

/** Every subschema that declares `properties`, with its JSON path. */
function propertySchemas(schema: unknown, path = ''): [string, Record<string, any>][] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as Record<string, any>;
  const found: [string, Record<string, any>][] = [];
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' && path.split('/').at(-1) !== 'if') {
      for (const [name, prop] of Object.entries(value as object)) found.push([`${path}/${name}`, prop]);
    }
    found.push(...propertySchemas(value, `${path}/${key}`));
  }
  return found;
}

describe('dataset settings', () => {
  it('describes every property in the schema', () => {
    const props = propertySchemas(datasetSchema);
    assert.ok(props.length > 20);
    for (const [path, prop] of props) assert.equal(typeof prop.description, 'string', `${path} has a description`);
  });

  it('fills in the schema\'s defaults for every source kind, with exactly the keys the types name', () => {
    const expected: Record<string, string[]> = {
      bundled: ['kind', 'sets'],
      jsonl: ['kind', 'path', 'text_field', 'label_field', 'split_field', 'prompt_template'],
      csv: ['kind', 'path', 'text_column', 'label_column', 'split_column', 'delimiter'],
      aclimdb: ['kind', 'path', 'splits', 'unsup'],
      imdb: ['kind', 'url', 'cache_dir', 'splits', 'unsup'],
      tldr: ['kind', 'path', 'template'],
      hh_rlhf: ['kind', 'path'],
      cnn_dailymail: ['kind', 'path', 'template', 'max_article_words'],
    };
    assert.deepEqual(Object.keys(expected).sort(), Object.keys(sources).sort());
    for (const [kind, keys] of Object.entries(expected)) {
      const source = kind === 'bundled' || kind === 'imdb' ? { kind } : { kind, path: 'x' };
      const resolved = resolveDatasetSettings({ source });
      assert.deepEqual(Object.keys(resolved.source).sort(), [...keys].sort(), kind);
    }
    const resolved = resolveDatasetSettings({ source: { kind: 'bundled' } });
    assert.deepEqual(resolved.prompts, { min_words: 2, max_words: 8, max_per_split: null });
    assert.deepEqual(resolved.split, { mode: 'random', test_fraction: 0.1 });
    assert.equal(resolved.limit, null);
    assert.deepEqual(resolveDatasetSettings(resolved as unknown as Record<string, unknown>), resolved);
  });

  it('allows the common stage keys kind, sweep and seed', () => {
    resolveDatasetSettings({ kind: 'dataset', seed: 3, sweep: { limit: [10, 20] }, source: { kind: 'bundled' } });
  });

  it('rejects unknown keys, a source without its path, a bad enum and prefixes that cannot be drawn', () => {
    const bad = [
      { source: { kind: 'bundled' }, limitt: 3 },
      { source: { kind: 'jsonl' } },
      { source: { kind: 'jsonl', path: 'x', text: 'body' } },
      { source: { kind: 'web' } },
      { source: { kind: 'bundled', sets: ['imdb', 'netflix'] } },
      { source: { kind: 'bundled' }, split: { mode: 'stratified' } },
      { source: { kind: 'bundled' }, prompts: { min_words: 5, max_words: 3 } },
    ];
    for (const settings of bad) assert.throws(() => resolveDatasetSettings(settings), UserError, JSON.stringify(settings));
  });
});
