/**
 * The pipelines on disk: every valid one loads; every invalid one gives exactly the
 * codes, paths and positions its `.expected.json` states (with its --set/--sweep).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '../../src/pipeline/index.ts';
import { withToyKinds } from './toyKinds.ts';

const root = 'test/fixtures/pipelines';
const yamlIn = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).sort();

interface Expected {
  set: string[];
  sweep: string[];
  errors: { code: string; path: string; at: string }[];
}

describe('pipeline fixtures', () => {
  withToyKinds();

  for (const name of yamlIn('valid')) {
    it(`loads valid/${name}`, async () => {
      const loaded = await loadPipeline(join(root, 'valid', name), { set: [], sweep: [] });
      assert.deepEqual(loaded.errors, undefined);
      assert.ok(loaded.plans[0].instances.length > 0);
    });
  }

  for (const name of yamlIn('invalid')) {
    it(`reports what invalid/${name} expects`, async () => {
      const file = join(root, 'invalid', name);
      const expected = JSON.parse(readFileSync(file.replace(/\.yaml$/, '.expected.json'), 'utf8')) as Expected;
      const loaded = await loadPipeline(file, { set: expected.set, sweep: expected.sweep });
      assert.ok(loaded.errors, 'expected errors');
      const got = loaded.errors.map((e) => ({ code: e.code, path: e.path, at: e.line > 0 ? `${e.line}:${e.col}` : e.file }));
      assert.deepEqual(got, expected.errors);
      for (const error of loaded.errors) {
        if (error.line > 0) assert.equal(error.file, file);
        else assert.match(error.message, /^--(set|sweep) \S+: /, 'a command-line error names its argument');
      }
    });
  }

  it('finds every pipeline under pipelines/ valid, each starting with the schema modeline', async () => {
    for (const name of readdirSync('pipelines').filter((f) => f.endsWith('.yaml'))) {
      const file = join('pipelines', name);
      assert.match(readFileSync(file, 'utf8'), /^# yaml-language-server: \$schema=\.\.\/schemas\/pipeline\.schema\.json\n/, `${file} starts with the modeline`);
      // The data and model folders a pipeline names are the user's to provide (imdb-paper.yaml's GPT-2 folder).
      const loaded = await loadPipeline(file, { set: [], sweep: [], checkPaths: false });
      assert.deepEqual(loaded.errors, undefined, `${file} is valid`);
    }
  });
});
