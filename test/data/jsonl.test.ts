import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { StageError } from '../../src/core/errors.ts';
import { readJsonl, readJsonlObjects, writeJsonl } from '../../src/core/io/jsonl.ts';

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('jsonl files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-jsonl-'));
  });

  it('writes rows atomically and reads them back with their line numbers', async () => {
    const path = join(dir, 'rows.jsonl');
    await writeJsonl(path, [{ a: 1 }, { b: 'two\nlines' }]);
    assert.deepEqual(await collect(readJsonl(path)), [
      { value: { a: 1 }, line: 1 },
      { value: { b: 'two\nlines' }, line: 2 },
    ]);
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp-')), []);
  });

  it('reads a .jsonl.gz through gunzip, skipping blank lines', async () => {
    const path = join(dir, 'rows.jsonl.gz');
    await writeFile(path, gzipSync('{"x":1}\n\n{"x":2}\r\n{"x":3}'));
    assert.deepEqual((await collect(readJsonl(path))).map((r) => [r.value, r.line]), [[{ x: 1 }, 1], [{ x: 2 }, 3], [{ x: 3 }, 4]]);
  });

  it('rejects bad JSON naming the file and the line', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, ['{"x":1}', '{"x":2}', '', '{"x":', '{"x":5}'].join('\n'));
    await assert.rejects(collect(readJsonl(path)), (err: Error) => err instanceof StageError && err.message.startsWith(`${path}:4:`));
  });

  it('rejects a line that is not an object naming the line', async () => {
    const path = join(dir, 'array.jsonl');
    await writeFile(path, '{"x":1}\n[1,2]\n');
    await assert.rejects(readJsonlObjects(path, (r) => r), (err: Error) => err instanceof StageError && err.message.startsWith(`${path}:2:`));
  });

  it('names a missing file, and a file that is not gzip', async () => {
    const missing = join(dir, 'nope.jsonl');
    await assert.rejects(collect(readJsonl(missing)), (err: Error) => err instanceof StageError && err.message.startsWith(missing));
    const fake = join(dir, 'fake.jsonl.gz');
    await writeFile(fake, '{"x":1}\n');
    await assert.rejects(collect(readJsonl(fake)), (err: Error) => err instanceof StageError && err.message.startsWith(fake));
  });
});
