/**
 * What a diagnostic says beyond its code and position: "did you mean", the allowed values,
 * the argument of a bad --set, and how the lot prints.
 */
import assert from 'node:assert/strict';
import { formatDiagnostics, loadPipeline, type Diagnostic } from '../../src/pipeline/index.ts';
import { closest } from '../../src/pipeline/suggest.ts';
import { withToyKinds } from './toyKinds.ts';

const invalid = 'test/fixtures/pipelines/invalid';

async function errorsOf(file: string, set: string[] = [], sweep: string[] = []): Promise<Diagnostic[]> {
  const loaded = await loadPipeline(file, { set, sweep });
  assert.ok(loaded.errors, 'expected errors');
  return loaded.errors;
}

describe('pipeline diagnostics', () => {
  withToyKinds();

  it('suggests the closest key for a misspelt one', async () => {
    const [, unknown] = await errorsOf(`${invalid}/unknown-key.yaml`);
    assert.equal(unknown.code, 'unknown-key');
    assert.equal(unknown.suggestion, 'beta');
  });

  it('lists the allowed values of an enum and suggests the closest', async () => {
    const errors = await errorsOf(`${invalid}/bad-enum.yaml`);
    const loss = errors.find((e) => e.path === '/stages/dpo/loss')!;
    for (const value of ['sigmoid', 'ipo', 'hinge']) assert.ok(loss.message.includes(`"${value}"`), loss.message);
    assert.equal(loss.suggestion, 'sigmoid');
  });

  it('suggests nothing when no candidate is close', () => {
    assert.equal(closest('learning_rate', ['beta', 'loss', 'train']), undefined);
    assert.equal(closest('bta', ['beta', 'loss']), 'beta');
  });

  it('suggests the closest stage for an unknown reference and kind', async () => {
    const [policy, listed] = await errorsOf(`${invalid}/unknown-stage.yaml`);
    assert.deepEqual([policy.suggestion, listed.suggestion], ['sft', 'dpo']);
    const [kind] = await errorsOf(`${invalid}/unknown-kind.yaml`);
    assert.equal(kind.suggestion, 'toy_source');
  });

  it('names the stages of a cycle in order', async () => {
    const [cycle] = await errorsOf(`${invalid}/cycle.yaml`);
    assert.match(cycle.message, /a -> c -> b -> a/);
  });

  it('reports a missing file without a position', async () => {
    const [error] = await errorsOf(`${invalid}/no-such-file.yaml`);
    assert.deepEqual([error.code, error.line, error.col], ['no-file', 0, 0]);
  });

  it('reports every run of a command-line sweep once', async () => {
    const errors = await errorsOf('test/fixtures/pipelines/valid/toy-frontier.yaml', ['stages.sft.beta=x'], ['seed=1,2']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'bad-set');
  });

  it('prints one line per problem with a caret under the source, then the count', async () => {
    const file = `${invalid}/unknown-key.yaml`;
    const text = formatDiagnostics(await errorsOf(file));
    const lines = text.split('\n');
    assert.equal(lines[3], `${file}:9:5: error[unknown-key] /stages/dpo/betta: unknown key "betta"; allowed: kind, seed, sweep, policy, data, beta, loss, train (did you mean "beta"?)`);
    assert.equal(lines[4], '  9 |     betta: 0.1');
    assert.equal(lines[5], '    |     ^^^^^');
    assert.equal(lines.at(-2), '2 errors; nothing was run.');
    assert.equal(lines.at(-1), '');
  });

  it('prints a command-line problem without an excerpt', () => {
    const text = formatDiagnostics([
      { file: '<command line>', line: 0, col: 0, code: 'bad-set', path: '/seed', message: '--set seed=x: expected integer, got string "x"' },
    ]);
    assert.equal(text, '<command line>: error[bad-set] /seed: --set seed=x: expected integer, got string "x"\n1 error; nothing was run.\n');
  });
});
