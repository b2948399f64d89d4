/**
 * bin/dpo-run.js runs dist/ (compiled at install by scripts/build.mjs) while dist/ was built
 * from src/ as it is, and the TypeScript through tsx otherwise. Which one ran is read from
 * a module-load hook that names every file:// module loaded (on stderr).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distIsCurrent, sourcePaths } from '../../scripts/sourceStamp.mjs';

const root = join(import.meta.dirname, '..', '..');
const hook = `export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write('loaded ' + url + '\\n'); return next(url, context); }`;
const tracer = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`)}`;

/** `dpo-run ARGS` in `dir`: its exit code, stdout, and whether it ran dist/ or src/. */
function dpoRun(dir: string, ...args: string[]) {
  const env = { ...process.env, DPO_RUN_FROM_SOURCE: '' };
  const result = spawnSync(process.execPath, ['--import', tracer, join(dir, 'bin', 'dpo-run.js'), ...args], { cwd: dir, encoding: 'utf8', env });
  const loaded = [...result.stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]);
  const ran = loaded.some((url) => url.endsWith('/dist/cli/main.js')) ? 'dist' : loaded.some((url) => url.endsWith('/src/cli/main.ts')) ? 'src' : 'neither';
  return { status: result.status, stdout: result.stdout, ran, loaded, stderr: result.stderr };
}

describe('the compiled CLI (dist/)', function () {
  this.timeout(300000);

  before(() => {
    if (distIsCurrent(root)) return;
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.ok(distIsCurrent(root), `scripts/build.mjs did not build dist/: ${build.stderr}`);
  });

  it('answers --version and validate from dist/, loading no TypeScript', () => {
    const version = dpoRun(root, '--version');
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^dpo-run \d+\.\d+\.\d+/);
    assert.equal(version.ran, 'dist');
    const validate = dpoRun(root, 'validate', 'pipelines/imdb.yaml');
    assert.equal(validate.status, 0, validate.stderr);
    assert.match(validate.stdout, /imdb\.yaml: ok/);
    assert.equal(validate.ran, 'dist');
    assert.deepEqual(validate.loaded.filter((url) => url.endsWith('.ts') || /@tensorflow|vega/.test(url)), []);
  });

  describe('in a copy of the project', () => {
    let copy: string;
    before(() => {
      copy = mkdtempSync(join(tmpdir(), 'dpo-run-dist-'));
      for (const path of ['src', 'dist', 'bin', 'scripts', 'schemas', 'pipelines', 'package.json']) cpSync(join(root, path), join(copy, path), { recursive: true, preserveTimestamps: true });
      symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
      for (const path of sourcePaths(root).reverse()) { // the folders' times too, which copying into them changed
        const { atimeMs, mtimeMs } = statSync(join(root, path));
        utimesSync(join(copy, path), atimeMs / 1000, mtimeMs / 1000); // seconds as numbers: a Date would round to the millisecond
      }
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    it('runs dist/ while src/ is as it was built, and the sources once a file changes', () => {
      assert.equal(dpoRun(copy, '--version').ran, 'dist');
      appendFileSync(join(copy, 'src', 'cli', 'help.ts'), '// edited\n');
      const edited = dpoRun(copy, '--version');
      assert.equal(edited.status, 0, edited.stderr);
      assert.equal(edited.ran, 'src');
    });

    it('runs the sources when a file is added to src/ since the build', () => {
      cpSync(join(copy, 'src', 'cli', 'table.ts'), join(copy, 'src', 'cli', 'table2.ts'));
      assert.equal(distIsCurrent(copy), false);
    });
  });
});
