/**
 * The parse cache: a file loaded cleanly once is loaded the next time from its parsed data
 * (the same plan, no parser), and a problem found that way is still reported at its line
 * and column; an edited file, a damaged cache file and data JSON cannot hold are parsed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from '../../src/pipeline/index.ts';
import { readParsed, storeParsed } from '../../src/pipeline/parsedCache.ts';

const pipeline = (data: string) => `name: parsed
seed: 0
stages:
  data:
    kind: dataset
    source: {kind: jsonl, path: ${data}, text_field: text, label_field: label}
    split: {test_fraction: 0.5}
`;

describe('the parse cache', () => {
  let dir: string;
  const previous = process.env.DPO_RUN_PARSE_CACHE;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-parsed-'));
    process.env.DPO_RUN_PARSE_CACHE = join(dir, 'cache');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.DPO_RUN_PARSE_CACHE;
    else process.env.DPO_RUN_PARSE_CACHE = previous;
  });

  it('loads a file seen before from its parsed data, to the same plan', async () => {
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, '{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n');
    const file = join(dir, 'p.yaml');
    writeFileSync(file, pipeline(data));
    const first = await loadPipeline(file);
    assert.equal(first.errors, undefined);
    assert.equal(readdirSync(join(dir, 'cache')).length, 1);
    const cached = readParsed(pipeline(data)) as { stages: { data: { source: { path: string } } } };
    assert.equal(cached.stages.data.source.path, data);
    const second = await loadPipeline(file);
    assert.deepEqual(second.plans, first.plans);
  });

  it('reports a problem found from the parsed data at its line and column', async () => {
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, '{"text": "a", "label": 1}\n');
    const file = join(dir, 'p.yaml');
    writeFileSync(file, pipeline(data));
    assert.equal((await loadPipeline(file)).errors, undefined);
    unlinkSync(data); // the cached data is clean, its plan reads a file that is gone
    const loaded = await loadPipeline(file);
    assert.equal(loaded.errors?.length, 1);
    assert.deepEqual([loaded.errors![0].line, loaded.errors![0].col], [6, 33]);
    assert.match(loaded.errors![0].message, /rows\.jsonl/);
  });

  it('parses again an edited file, and ignores a damaged cache file', async () => {
    const file = join(dir, 'p.yaml');
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, '{"text": "a", "label": 1}\n');
    writeFileSync(file, pipeline(data));
    await loadPipeline(file);
    writeFileSync(file, pipeline(data).replace('seed: 0', 'seed: 7'));
    assert.equal((await loadPipeline(file)).plans![0].instances[0].seed, 7);
    for (const name of readdirSync(join(dir, 'cache'))) writeFileSync(join(dir, 'cache', name), '{"name": ');
    assert.equal((await loadPipeline(file)).plans![0].instances[0].seed, 7);
  });

  it('keeps no data that JSON cannot hold exactly', () => {
    storeParsed('x: .inf', { x: Infinity });
    assert.equal(readParsed('x: .inf'), undefined);
    storeParsed('x: 1', { x: 1 });
    assert.deepEqual(readParsed('x: 1'), { x: 1 });
  });
});
