/**
 * Faults the user can fix (a bad --runs-dir, a read-only or full disk, a lock held by
 * another run, a damaged cache entry) end as one line naming the path and what to do,
 * with exit 1 (2 for a bad command line), never a stack, and nothing half-done committed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

const pipeline = `name: faults
seed: 1
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 300
    split: {test_fraction: 0.2}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 100}
    model: {n_layer: 1, n_head: 1, n_embd: 8, context_length: 16}
    train: {lr: 0.003, batch_size: 8, max_steps: 2, log_every: 1, eval_size: 8}
    samples: {count: 1, sampling: {max_new_tokens: 4}}
`;

/**
 * Runs main() in this process (for commands that start no backend and throw no error:
 * under mocha a module imported both statically and dynamically loads twice, so an
 * error class from a dynamically imported command is not the one main.ts checks).
 */
async function inProcess(cwd: string, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write, cwd: process.cwd() };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    return { status: await main(argv), ...out };
  } finally {
    process.chdir(original.cwd);
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

/** The lines of stderr that report an error; a stack would show as `    at ...` lines. */
function errorLines(stderr: string): string[] {
  assert.doesNotMatch(stderr, /^\s+at .*:\d+:\d+\)?$/m, `no stack:\n${stderr}`);
  assert.doesNotMatch(stderr, /internal error/);
  return stderr.split('\n').filter((line) => line.startsWith('error:'));
}

/** Mounts a tmpfs at `dir`; false where mount is not allowed (the tests then skip). */
function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0;
}

/** Finished cache entries (folders with cache-entry.json) under `runsDir`. */
function committed(runsDir: string): string[] {
  const cache = join(runsDir, 'cache');
  return existsSync(cache) ? readdirSync(cache).filter((name) => existsSync(join(cache, name, 'cache-entry.json'))) : [];
}

describe('faults the user can fix, through the CLI', function () {
  this.timeout(120000);
  let dir: string;
  const mounts: string[] = [];
  const dpoRun = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const mounted = function (this: Mocha.Context, path: string, options: string): void {
    // Needs root with mount rights (as in the container the tests run in); elsewhere skip.
    if (!mountTmpfs(path, options)) this.skip();
    mounts.push(path);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-faults-'));
    writeFileSync(join(dir, 'faults.yaml'), pipeline);
  });
  afterEach(() => {
    for (const path of mounts.splice(0)) spawnSync('umount', [path]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 with one line when --runs-dir names a file', () => {
    writeFileSync(join(dir, 'not-a-folder'), '');
    const result = dpoRun('faults.yaml', '--runs-dir', 'not-a-folder');
    assert.equal(result.status, 2, result.stderr);
    const [line, ...more] = errorLines(result.stderr);
    assert.deepEqual(more, []);
    assert.match(line, /--runs-dir .*not-a-folder is a file, not a folder; name a folder/);
  });

  it('exits 1 with one line naming the folder when the runs folder is read-only', function () {
    mounted.call(this, join(dir, 'ro-runs'), 'ro,size=64k');
    const result = dpoRun('faults.yaml', '--runs-dir', 'ro-runs', '--only', 'data');
    assert.equal(result.status, 1, result.stderr);
    const [line, ...more] = errorLines(result.stderr);
    assert.deepEqual(more, []);
    assert.match(line, /^error: cannot create .*ro-runs.*: read-only file system; choose a writable folder \(--runs-dir\)$/);
  });

  it('exits 1 with one line naming the lock when the cache folder is read-only, committing nothing', function () {
    mounted.call(this, join(dir, 'runs', 'cache'), 'ro,size=64k');
    const result = dpoRun('faults.yaml', '--only', 'data');
    assert.equal(result.status, 1, result.stderr);
    const [line, ...more] = errorLines(result.stderr);
    assert.deepEqual(more, []);
    assert.match(line, /^error: cannot open .*runs\/cache\/dataset-[0-9a-f]{16}\.lock: read-only file system/);
    const [run] = readdirSync(join(dir, 'runs', 'faults'));
    const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'faults', run, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'failed');
    assert.deepEqual(committed(join(dir, 'runs')), []);
  });

  it('fails the stage with one line naming the file when the disk is full, committing nothing', function () {
    mounted.call(this, join(dir, 'small'), 'size=24k');
    const result = dpoRun('faults.yaml', '--runs-dir', 'small', '--only', 'data');
    assert.equal(result.status, 1, result.stderr);
    const [line, ...more] = errorLines(result.stderr);
    assert.deepEqual(more, []);
    assert.match(line, /^error: data failed: cannot write .*small\/cache\/dataset-[0-9a-f]{16}\.partial\/\w+\.jsonl: no space left on the device; free some space/);
    assert.deepEqual(committed(join(dir, 'small')), []);
  });

  it('exits 1, not 2, when another run holds the lock of a cache entry', async () => {
    const dry = await inProcess(dir, ['faults.yaml', '--dry-run']);
    const entry = /data +(dataset-[0-9a-f]{16})/.exec(dry.stdout)![1];
    mkdirSync(join(dir, 'runs', 'cache'), { recursive: true });
    writeFileSync(join(dir, 'runs', 'cache', `${entry}.lock`), JSON.stringify({ pid: process.pid })); // this test's process: alive
    const result = dpoRun('faults.yaml', '--only', 'data');
    assert.equal(result.status, 1, result.stderr);
    assert.match(errorLines(result.stderr)[0], new RegExp(`locked by another dpo-run \\(pid ${process.pid}`));
  });

  it('reruns a stage whose committed model was truncated, and verify names the damaged file', async () => {
    const first = dpoRun('faults.yaml');
    assert.equal(first.status, 0, first.stderr);
    const [run] = readdirSync(join(dir, 'runs', 'faults'));
    const runDir = join('runs', 'faults', run);
    const model = join(dir, runDir, 'outputs', 'sft', 'model', 'model.safetensors');
    truncateSync(model, 100);

    const verify = await inProcess(dir, ['verify', runDir]);
    assert.equal(verify.status, 1, verify.stderr);
    assert.match(verify.stdout, /^damaged: .*sft-[0-9a-f]{16}\/model\/model\.safetensors: 100 bytes, recorded \d+$/m);
    assert.match(verify.stdout, /2 cache entries checked, 1 damaged/);

    const second = dpoRun('faults.yaml');
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /\[sft\] cache entry sft-[0-9a-f]{16} is damaged \(model\/model\.safetensors: 100 bytes, recorded \d+\); running it again/);
    assert.match(second.stderr, /\[data\] cached/);
    assert.doesNotMatch(second.stderr, /\[sft\] cached/);
    assert.equal((await inProcess(dir, ['verify', 'runs/cache'])).status, 0);

    const status = await inProcess(dir, ['status', runDir]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /: done, started/);
    assert.match(status.stdout, /^ {2}sft +done$/m);
  });
});
