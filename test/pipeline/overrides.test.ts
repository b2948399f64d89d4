/**
 * The command line's word wins: --set of a swept setting replaces the file's sweep, ~PATH
 * removes a key, a sweep of any path inside a stage makes instances, and the messages a
 * mistyped override gets.
 */
import assert from 'node:assert/strict';
import { firstSentence } from '../../src/pipeline/ajvIssues.ts';
import { loadPipeline } from '../../src/pipeline/index.ts';
import { closest } from '../../src/pipeline/suggest.ts';

const imdb = 'pipelines/imdb.yaml';
const quick = 'pipelines/quick.yaml';
const load = (file: string, set: string[], sweep: string[] = []) => loadPipeline(file, { set, sweep });
const codesOf = (errors: { code: string; path: string }[] | undefined) => (errors ?? []).map(({ code, path }) => ({ code, path }));

describe('command-line overrides', () => {
  it('replaces the file’s sweep of a setting that --set names, and says so', async () => {
    const loaded = await load(imdb, ['stages.dpo.beta=0.1']);
    assert.equal(loaded.errors, undefined);
    const dpo = loaded.plans[0].instances.filter((i) => i.stage === 'dpo');
    assert.deepEqual(dpo.map((i) => [i.id, i.settings.beta]), [['dpo', 0.1]]);
    assert.equal(loaded.notes.length, 1);
    assert.match(loaded.notes[0], /stages\.dpo\.beta=0\.1/);
  });

  it('keeps the file’s sweep when --set names another setting', async () => {
    const loaded = await load(imdb, ['stages.dpo.train.lr=0.001']);
    assert.equal(loaded.errors, undefined);
    assert.equal(loaded.plans[0].instances.filter((i) => i.stage === 'dpo').length, 4);
    assert.deepEqual(loaded.notes, []);
  });

  it('removes a key with ~PATH', async () => {
    const loaded = await load(imdb, ['~stages.dpo.sweep', 'stages.dpo.beta=0.5']);
    assert.equal(loaded.errors, undefined);
    assert.deepEqual(loaded.plans[0].instances.filter((i) => i.stage === 'dpo').map((i) => i.settings.beta), [0.5]);
    const missing = await load(imdb, ['~stages.dpo.sweep']);
    assert.deepEqual(codesOf(missing.errors), [{ code: 'required', path: '/stages/dpo/beta' }]);
  });

  it('rejects ~PATH of a key the pipeline does not have, suggesting a close one', async () => {
    const loaded = await load(imdb, ['~stages.dpo.swep']);
    assert.deepEqual(codesOf(loaded.errors), [{ code: 'bad-set', path: '/stages/dpo/swep' }]);
    assert.equal(loaded.errors![0].suggestion, 'sweep');
  });

  it('names the stage a --set path misses, with the closest one', async () => {
    const loaded = await load(imdb, ['stages.dop.beta=0.1']);
    assert.deepEqual(codesOf(loaded.errors), [{ code: 'bad-set', path: '/stages/dop' }]);
    assert.equal(loaded.errors![0].suggestion, 'dpo');
    assert.equal(closest('dop', ['data', 'dpo', 'sft']), 'dpo');
  });

  it('makes one instance per value for a swept path deep inside a stage', async () => {
    const loaded = await load(quick, [], ['stages.sft.train.lr=0.001,0.002']);
    assert.equal(loaded.errors, undefined);
    assert.equal(loaded.plans.length, 1, 'one run');
    assert.equal(loaded.sweep, false);
    const sft = loaded.plans[0].instances.filter((i) => i.stage === 'sft');
    assert.deepEqual(sft.map((i) => i.id), ['sft[train.lr=0.001]', 'sft[train.lr=0.002]']);
    assert.deepEqual(sft.map((i) => (i.settings.train as { lr: number; batch_size: number }).lr), [0.001, 0.002]);
    assert.equal((sft[0].settings.train as { batch_size: number }).batch_size, 16, 'the other train settings stay');
  });

  it('checks each value of a deep sweep at its place in the sweep', async () => {
    const loaded = await load(quick, [], ['stages.sft.train.lr=0.001,-1']);
    assert.deepEqual(codesOf(loaded.errors), [{ code: 'bad-sweep', path: '/stages/sft/sweep/train.lr/1' }]);
  });

  it('says which setting excludes which, at the setting, instead of "must NOT be valid"', async () => {
    const loaded = await load(imdb, ['stages.sft.init=/models/gpt2']);
    assert.deepEqual(codesOf(loaded.errors), [
      { code: 'conflict', path: '/stages/sft/tokenizer' },
      { code: 'conflict', path: '/stages/sft/model' },
    ]);
    assert.ok(loaded.errors!.every((e) => e.line > 0 && e.file === imdb), 'at the settings in the file');
  });

  it('reports a model folder or data file that does not exist before anything runs', async () => {
    const loaded = await load(imdb, ['stages.sft.init=/no/such/gpt2', '~stages.sft.tokenizer', '~stages.sft.model']);
    assert.deepEqual(codesOf(loaded.errors), [{ code: 'bad-set', path: '/stages/sft/init' }]);
  });

  it('gives a missing setting’s description whole, parentheses and all', async () => {
    const loaded = await load(quick, ['~stages.sft.train.lr']);
    assert.deepEqual(codesOf(loaded.errors), [{ code: 'bad-set', path: '/stages/sft/train/lr' }]);
    const { message } = loaded.errors![0];
    assert.equal(message.split('(').length, message.split(')').length, message);
    assert.equal(firstSentence('The peak rate (required: it changes results). More.'), 'The peak rate (required: it changes results)');
  });
});
