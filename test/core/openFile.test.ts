import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readLines } from '../../src/core/io/openFile.ts';
import { redirectWarnings } from '../../src/core/warnings.ts';

/** The lines of `file` and the warnings given while reading it. */
async function read(file: string): Promise<{ lines: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const restore = redirectWarnings((message) => warnings.push(message));
  try {
    const lines: string[] = [];
    for await (const { text } of readLines(file)) lines.push(text);
    return { lines, warnings };
  } finally {
    restore();
  }
}

describe('reading a data file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts invalid UTF-8 and warns once, naming the file and the first line', async () => {
    const file = join(dir, 'reviews.txt');
    const bytes = Buffer.concat([
      Buffer.from('a fine film\n'),
      Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n'), // Latin-1, not UTF-8
      Buffer.from('ok \uFFFD kept\n'), // a real U+FFFD, written in UTF-8: not counted
      Buffer.from([0xff, 0xfe]), Buffer.from(' end'),
    ]);
    writeFileSync(file, bytes);
    const { lines, warnings } = await read(file);
    assert.deepEqual(lines, ['a fine film', 'caf\uFFFD au lait', 'ok \uFFFD kept', '\uFFFD\uFFFD end']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`^${file}: 3 invalid UTF-8 byte sequences \\(first on line 2\\) read as U\\+FFFD`));
  });

  it('warns about nothing when the file is UTF-8, gzipped or not', async () => {
    const text = 'naïve café \uFFFD ok\nzwei Zeilen\n'.repeat(20000); // larger than one read chunk
    writeFileSync(join(dir, 'a.txt'), text);
    writeFileSync(join(dir, 'a.txt.gz'), gzipSync(text));
    for (const name of ['a.txt', 'a.txt.gz']) {
      const { lines, warnings } = await read(join(dir, name));
      assert.equal(lines.length, 40000);
      assert.deepEqual(warnings, []);
    }
  });
});
