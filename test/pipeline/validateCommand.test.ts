/**
 * `dpo-run validate`: every problem of every file at once, exit 2; `--json`; 0 when valid.
 */
import assert from 'node:assert/strict';
import { validateCommand } from '../../src/cli/validate.ts';
import { withToyKinds } from './toyKinds.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, output: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

const valid = 'test/fixtures/pipelines/valid/toy-frontier.yaml';
const invalid = 'test/fixtures/pipelines/invalid';

describe('validate command', () => {
  withToyKinds();

  it('exits 0 and says ok for a valid pipeline', async () => {
    const { out, output } = capture();
    assert.equal(await validateCommand([valid], { json: false }, output), 0);
    assert.match(out.stdout, /toy-frontier\.yaml: ok/);
    assert.equal(out.stderr, '');
  });

  it('prints the problems of all files at once and exits 2', async () => {
    const { out, output } = capture();
    const code = await validateCommand([`${invalid}/unknown-key.yaml`, valid, `${invalid}/cycle.yaml`], { json: false }, output);
    assert.equal(code, 2);
    assert.match(out.stderr, /unknown-key\.yaml:9:5: error\[unknown-key\]/);
    assert.match(out.stderr, /cycle\.yaml:13:13: error\[cycle\]/);
    assert.match(out.stderr, /3 errors; nothing was run\.\n$/);
  });

  it('prints a JSON array of the diagnostics with --json', async () => {
    const { out, output } = capture();
    assert.equal(await validateCommand([`${invalid}/bad-enum.yaml`], { json: true }, output), 2);
    const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
    assert.equal(rows.length, 3);
    assert.deepEqual(Object.keys(rows[2]), ['file', 'line', 'col', 'code', 'path', 'message', 'suggestion']);
    assert.deepEqual([rows[2].line, rows[2].col, rows[2].code, rows[2].path, rows[2].suggestion], [12, 11, 'enum', '/stages/dpo/loss', 'sigmoid']);
  });
});
