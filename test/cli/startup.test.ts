/**
 * The commands that run no stage start without TensorFlow.js: --help, --version, validate,
 * a dry run, runs, status, cache, and a run the cache holds whole load neither it nor any
 * stage's code (what made them take seconds).
 * `npm run bench` gives the times; this checks the cause, not the clock.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** A pipeline whose one stage needs no backend, run twice below: the second run finds it in the cache. */
const tiny = `name: tiny
seed: 1
backend: cpu
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 20
`;

/** Runs main(argv) in a fresh process; whether TensorFlow.js's engine exists afterwards. */
function loadsTensorFlow(argv: string[]): boolean {
  const script = `const { main } = await import(${JSON.stringify(join(root, 'src', 'cli', 'main.ts'))});
const code = await main(${JSON.stringify(argv)});
console.log(JSON.stringify({ code, tf: globalThis._tfengine !== undefined }));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const last = result.stdout.trim().split('\n').at(-1)!;
  const { code, tf } = JSON.parse(last) as { code: number; tf: boolean };
  assert.equal(code, 0, `${argv.join(' ')}: ${result.stderr}`);
  return tf;
}

describe('starting the CLI', function () {
  this.timeout(60000);
  let runsDir: string;
  before(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-startup-'));
    writeFileSync(join(runsDir, 'tiny.yaml'), tiny);
  });
  after(() => rmSync(runsDir, { recursive: true, force: true }));

  for (const argv of [['--help'], ['--version'], ['validate', 'pipelines/imdb.yaml'], ['pipelines/imdb.yaml', '--dry-run', '--runs-dir', 'RUNS'], ['runs', 'RUNS'], ['cache', '--runs-dir', 'RUNS']]) {
    it(`does not load TensorFlow.js for ${argv.join(' ')}`, () => {
      assert.equal(loadsTensorFlow(argv.map((a) => (a === 'RUNS' ? runsDir : a))), false);
    });
  }

  it('does not load TensorFlow.js for a run the cache holds whole, nor for status', () => {
    const tinyRun = [join(runsDir, 'tiny.yaml'), '--runs-dir', runsDir];
    loadsTensorFlow(tinyRun); // fills the cache
    assert.equal(loadsTensorFlow(tinyRun), false);
    assert.equal(loadsTensorFlow(['status', join(runsDir, 'tiny', readdirSync(join(runsDir, 'tiny'))[0])]), false);
  });

  it('loads it for dpo-run env (the check sees it when it is there)', () => {
    assert.equal(loadsTensorFlow(['env']), true);
  });
});
