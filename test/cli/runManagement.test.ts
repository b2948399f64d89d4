/**
 * Where things are and run management, on real run folders made here through the CLI
 * (pipelines/quick.yaml, shortened): the run folder on stdout, the progress of the whole
 * run, metrics.jsonl, the manifest's command line and versions, the command that resumes
 * an interrupted run, dpo-run runs, compare, cache and cache prune.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseAge } from '../../src/cli/cache.ts';
import { pruneCandidates, type CacheUsage } from '../../src/executor/cacheUsage.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');
const quick = join(root, 'pipelines', 'quick.yaml');
const short = ['--set', 'stages.sft.train.max_steps=8', '--set', 'stages.sft.train.eval_every=4'];

describe('where a run’s results are, and managing runs', function () {
  this.timeout(180000);
  let runsDir: string;
  let firstRun: string;
  let sweepDir: string;
  const dpoRun = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });

  before(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-runs-'));
  });
  after(() => rmSync(runsDir, { recursive: true, force: true }));

  it('prints the run folder alone on stdout, the progress of the whole run on stderr, and records how it was asked', () => {
    const result = dpoRun(quick, '--runs-dir', runsDir, ...short);
    assert.equal(result.status, 0, result.stderr);
    firstRun = result.stdout.trim();
    assert.equal(result.stdout, `${firstRun}\n`);
    assert.ok(existsSync(join(firstRun, 'manifest.json')));
    assert.match(result.stderr, /\[data\] running dataset .*stage 1 of 2/);
    assert.match(result.stderr, /\[sft\] running sft .*stage 2 of 2/);
    assert.doesNotMatch(result.stderr, /\[sft\] sft /, 'the id is not repeated as the label');
    const manifest = JSON.parse(readFileSync(join(firstRun, 'manifest.json'), 'utf8'));
    assert.match(manifest.command, /quick\.yaml --runs-dir .* --set stages\.sft\.train\.max_steps=8/);
    assert.deepEqual(manifest.overrides, { set: ['stages.sft.train.max_steps=8', 'stages.sft.train.eval_every=4'], sweep: [] });
    assert.deepEqual(Object.keys(manifest.versions), ['dpo_run', 'node', 'tfjs', 'backend']);
  });

  it('writes metrics.jsonl beside metrics.csv, row for row', () => {
    const sft = join(firstRun, 'outputs', 'sft');
    const csv = parse(readFileSync(join(sft, 'metrics.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const jsonl = readFileSync(join(sft, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    assert.equal(jsonl.length, csv.length);
    jsonl.forEach((row, i) => {
      const fromCsv = Object.fromEntries(Object.entries(csv[i]).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)]));
      assert.deepEqual(row, fromCsv);
    });
  });

  it('prints the sweep folder on stdout for a command-line sweep', () => {
    const result = dpoRun(quick, '--runs-dir', runsDir, ...short, '--sweep', 'seed=0,1');
    assert.equal(result.status, 0, result.stderr);
    sweepDir = result.stdout.trim();
    assert.ok(existsSync(join(sweepDir, 'sweep.json')), sweepDir);
  });

  it('lists the runs with their status, sweep values, overrides and headline figure', () => {
    const result = dpoRun('runs', runsDir);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0], /^run +pipeline +started +status +sweep +overrides +wall +headline$/);
    assert.equal(lines.length, 4);
    assert.match(lines[2], /seed=0 .*done .*seed=0 .*--sweep seed=0,1 .*sft eval loss \d/);
  });

  it('compares the runs of a sweep: the settings that differ and the figures side by side', () => {
    const result = dpoRun('compare', sweepDir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^seed +0 +1$/m);
    assert.doesNotMatch(result.stdout, /^stages\.sft\.train\.lr /m, 'equal settings are left out');
    assert.match(result.stdout, /^sft eval loss +\d\S* +\d\S*$/m);
    assert.equal(dpoRun('compare', firstRun).status, 2, 'one run is nothing to compare');
  });

  it('shows the cache by kind, and prunes only the entries no run folder uses, never a locked one', async () => {
    const before = dpoRun('cache', '--runs-dir', runsDir);
    assert.match(before.stdout, /^sft +2 /m, 'the sweep’s seed=0 run took both of its entries from the first run');
    assert.doesNotMatch(before.stdout, /entries no run folder uses/);

    rmSync(join(sweepDir, 'seed=1'), { recursive: true }); // its dataset and sft entries are now unused
    const listed = dpoRun('cache', '--runs-dir', runsDir);
    assert.match(listed.stdout, /^all +4 +\S+ \S+ +2 /m);
    const dry = dpoRun('cache', 'prune', '--dry-run', '--runs-dir', runsDir);
    assert.match(dry.stdout, /would delete 2 unused entries/);
    assert.equal(cacheNames().length, 4);

    const [sftEntry] = unusedNames().filter((n) => n.startsWith('sft-'));
    const holder = await liveProcess();
    try {
      writeFileSync(join(runsDir, 'cache', `${sftEntry}.lock`), JSON.stringify({ pid: holder.pid }));
      const pruned = dpoRun('cache', 'prune', '--runs-dir', runsDir);
      assert.equal(pruned.status, 0, pruned.stderr);
      assert.match(pruned.stdout, new RegExp(`kept ${sftEntry}: .*locked`));
      assert.match(pruned.stdout, /deleted 1 unused entry/);
      assert.ok(cacheNames().includes(sftEntry));
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    const again = dpoRun('cache', 'prune', '--runs-dir', runsDir);
    assert.match(again.stdout, /deleted 1 unused entry/);
    assert.deepEqual(unusedNames(), []);
    assert.equal(dpoRun('verify', firstRun).status, 0, 'the entries in use are intact');
  });

  it('selects entries to prune by age and keeps the newest on --keep-last', () => {
    const day = 86400e3;
    const now = new Date('2026-01-31T00:00:00Z');
    const entry = (name: string, daysAgo: number, used = false) => ({ name, dir: name, kind: 'sft', bytes: 1, completed: new Date(now.getTime() - daysAgo * day), usedBy: used ? ['run'] : [] });
    const usage: CacheUsage = { cacheDir: '', partial: [], unreadable: [], entries: [entry('a', 40), entry('b', 10), entry('c', 1), entry('d', 50, true)] };
    assert.deepEqual(pruneCandidates(usage, { now }).map((e) => e.name), ['c', 'b', 'a']);
    assert.deepEqual(pruneCandidates(usage, { now, keepLast: 1 }).map((e) => e.name), ['b', 'a']);
    assert.deepEqual(pruneCandidates(usage, { now, olderThanMs: parseAge('30d') }).map((e) => e.name), ['a']);
    assert.equal(parseAge('12h'), 12 * 3600e3);
    assert.throws(() => parseAge('soon'));
  });

  it('prints the command that resumes an interrupted run, and that command finishes it', async () => {
    const args = [quick, '--runs-dir', runsDir, '--set', 'stages.sft.train.epochs=9', '--set', 'stages.sft.train.max_steps=40'];
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, CI: '1' } });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('[sft] running sft') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    const resume = /^to resume: (.*)$/m.exec(stderr)?.[1];
    assert.ok(resume, stderr);
    assert.match(resume, /quick\.yaml --set stages\.sft\.train\.epochs=9 --set stages\.sft\.train\.max_steps=40 --runs-dir /);
    assert.ok(existsSync(join(stdout.trim(), 'manifest.json')), 'the interrupted run folder on stdout');
    const again = spawnSync('sh', ['-c', resume], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /\[data\] cached/);
    assert.match(again.stderr, /\[sft\] running sft/);
  });

  function cacheNames(): string[] {
    return readdirSync(join(runsDir, 'cache')).filter((n) => !/\.(lock|partial)$/.test(n));
  }

  /** The entries `dpo-run cache` lists as used by no run folder. */
  function unusedNames(): string[] {
    const listed = dpoRun('cache', '--runs-dir', runsDir).stdout.split('entries no run folder uses')[1] ?? '';
    return [...listed.matchAll(/^(\w+-[0-9a-f]{16}) /gm)].map((m) => m[1]);
  }
});

/** A process that stays alive until killed (the holder of a lock). */
function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('spawn', () => resolve(child)));
}
