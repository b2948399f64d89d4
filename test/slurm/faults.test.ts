/**
 * Faults of runs on a real single-node Slurm cluster: a job cancelled or requeued
 * mid-training keeps its checkpoints and nothing half-done is taken as done, and it resumes;
 * a failed instance's dependents are cancelled and `status` says which and why; a cache
 * entry locked from another host is waited for while its heartbeat is fresh, taken over
 * once it is stale.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheEntry, fingerprintAll } from '../../src/executor/index.ts';
import { STALE_AFTER_MS } from '../../src/executor/lock.ts';
import { loadPipeline } from '../../src/pipeline/index.ts';
import { dpoRun, jobFields, jobsOf, localCluster, readJson, runFolderOf, slurm, startDpoRun, statusOf, until } from './localCluster.ts';

/** A dataset and an SFT long enough to be stopped part-way, with a checkpoint every 10 steps. */
const longPipeline = `name: long
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 200
    split: {test_fraction: 0.2}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 300}
    model: {n_layer: 2, n_head: 2, n_embd: 32, context_length: 32}
    train: {lr: 0.003, batch_size: 16, epochs: 20, max_steps: 80, checkpoint_every: 10, log_every: 5, eval_size: 8}
    samples: {count: 0}
`;

/** `bad` fails (a line of its file is not JSON); `sft` uses it; `good` does not. */
const failingPipeline = `name: failing
backend: wasm
stages:
  good:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 40
  bad:
    kind: dataset
    source: {kind: jsonl, path: bad.jsonl, text_field: text, label_field: label}
  sft:
    kind: sft
    data: bad
    tokenizer: {kind: word, vocab_size: 50}
    model: {n_layer: 1, n_head: 1, n_embd: 8, context_length: 16}
    train: {lr: 0.003, batch_size: 4, max_steps: 2}
`;

const lockedPipeline = `name: locked
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [amazon]}
    limit: 30
`;

describe('faults of runs on Slurm', function () {
  this.timeout(240_000);
  const cluster = localCluster();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-slurm-faults-'));
    writeFileSync(join(dir, 'long.yaml'), longPipeline);
    writeFileSync(join(dir, 'failing.yaml'), failingPipeline);
    writeFileSync(join(dir, 'locked.yaml'), lockedPipeline);
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "a fine line", "label": 1}\n{not json\n');
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** The checkpoints an instance's work folder holds. */
  const checkpoints = (runDir: string, id: string): string[] => {
    const partial = `${readJson(join(runDir, 'manifest.json')).instances[id].output}.partial/checkpoints`;
    return existsSync(partial) ? readdirSync(partial).filter((name) => /^step-\d+$/.test(name)) : [];
  };
  const logOf = (runDir: string, id: string) => readFileSync(readJson(join(runDir, 'manifest.json')).instances[id].job.log, 'utf8');
  const state = (job: string) => jobFields(cluster(), job).JobState;

  it('keeps the checkpoints of a job cancelled mid-training, takes nothing of it as done, and the same command resumes it', async () => {
    const submit = dpoRun(cluster(), dir, ['long.yaml', '--launcher', 'slurm']);
    assert.equal(submit.status, 0, submit.stderr);
    const runDir = runFolderOf(submit.stderr);
    const sftJob = jobsOf(submit.stderr).get('sft')!;
    await until('a checkpoint of sft', () => checkpoints(runDir, 'sft').length > 0);
    slurm(cluster(), 'scancel', [sftJob]);
    await until('the cancelled job to end', () => state(sftJob) === 'CANCELLED');

    const manifest = readJson(join(runDir, 'manifest.json'));
    assert.equal(existsSync(join(manifest.instances.sft.output, 'cache-entry.json')), false, 'no entry taken as done');
    assert.ok(checkpoints(runDir, 'sft').length > 0);
    const status = { stdout: await statusOf(cluster(), runDir) };
    assert.match(status.stdout, new RegExp(`^  sft +interrupted \\(job ${sftJob}\\): interrupted \\(SIGTERM`, 'm'));
    assert.match(status.stdout, /: interrupted \(Slurm\)/);
    assert.match(logOf(runDir, 'sft'), /interrupting: stopping after the current step/);

    const rerun = dpoRun(cluster(), dir, ['long.yaml', '--launcher', 'slurm', '--wait']);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.deepEqual([...jobsOf(rerun.stderr).keys()], ['sft'], 'data is cached: only sft is submitted again');
    const resumed = runFolderOf(rerun.stderr);
    assert.match(logOf(resumed, 'sft'), /\[sft\] resuming from step [1-9]\d*/);
    assert.equal(readJson(join(resumed, 'manifest.json')).instances.sft.status, 'done');
    assert.equal(readJson(join(resumed, 'manifest.json')).instances.data.status, 'cached');
  });

  it('resumes a requeued (pre-empted) job from its last checkpoint', async () => {
    const follow = startDpoRun(cluster(), dir, ['long.yaml', '--launcher', 'slurm', '--wait', '--set', 'stages.sft.seed=1']);
    await until('the job of sft', () => /^\[sft\] job \d+$/m.test(follow.stderr()));
    const runDir = runFolderOf(follow.stderr());
    const job = jobsOf(follow.stderr()).get('sft')!;
    await until('a checkpoint of sft', () => checkpoints(runDir, 'sft').length > 0);
    slurm(cluster(), 'scontrol', ['requeue', job]);
    await until('the job to be queued again', () => jobFields(cluster(), job).Restarts === '1' && state(job) === 'PENDING');
    // Not the two minutes Slurm waits after a requeue, but not within the second of the kill either: the node refuses
    // to start a job in the second its previous attempt's credential was revoked ("Job credential revoked"), and fails it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    slurm(cluster(), 'scontrol', ['update', `JobId=${job}`, 'StartTime=now']);

    const result = await follow.done;
    assert.equal(result.status, 0, result.stderr);
    const log = logOf(runDir, 'sft');
    assert.match(log, /DUE TO JOB REQUEUE/);
    assert.match(log, /\[sft\] resuming from step [1-9]\d*/);
    assert.equal(readJson(join(runDir, 'manifest.json')).instances.sft.status, 'done');
    assert.match(result.stderr, /^done: (1 cached, 1 done|2 done);/m);
  });

  it('cancels the dependents of a failed instance, says so in status, and exits 1 with --wait', async () => {
    const result = dpoRun(cluster(), dir, ['failing.yaml', '--launcher', 'slurm', '--wait']);
    assert.equal(result.status, 1, result.stderr);
    const jobs = jobsOf(result.stderr);
    assert.match(result.stderr, new RegExp(`^\\[bad\\] failed \\(job ${jobs.get('bad')}, exit 1\\): bad.jsonl:2: not valid JSON`, 'm'));
    assert.match(result.stderr, /^ {4}\| error: bad failed: bad.jsonl:2: not valid JSON/m);
    assert.match(result.stderr, new RegExp(`^\\[sft\\] cancelled \\(job ${jobs.get('sft')}\\): not run: bad failed$`, 'm'));
    assert.match(result.stderr, /^failed: /m);
    const sft = jobFields(cluster(), jobs.get('sft')!);
    assert.equal(sft.JobState, 'CANCELLED');
    assert.equal(sft.Reason, 'DependencyNeverSatisfied');

    const runDir = runFolderOf(result.stderr);
    const status = { stdout: await statusOf(cluster(), runDir) };
    assert.match(status.stdout, /: failed \(Slurm\)/);
    assert.match(status.stdout, /^  good +done on /m);
    assert.match(status.stdout, /^  bad +failed \(job \d+, exit 1\): bad.jsonl:2: not valid JSON/m);
    assert.match(status.stdout, /^  sft +cancelled \(job \d+\): not run: bad failed$/m);
    const manifest = readJson(join(runDir, 'manifest.json'));
    assert.deepEqual(Object.values(manifest.instances).map((r: any) => r.status), ['done', 'failed', 'cancelled']);
  });

  it('waits for a cache entry locked from another host while its heartbeat is fresh, and takes it over once stale', async () => {
    const { plans } = await loadPipeline(join(dir, 'locked.yaml'));
    const lockFile = cacheEntry(join(dir, 'runs'), 'dataset', fingerprintAll(plans![0].instances).get('data')!).lockFile;
    const writeLock = (age: number) => {
      const heartbeat = new Date(Date.now() - age).toISOString();
      writeFileSync(lockFile, JSON.stringify({ pid: 4242, host: 'another-node', started: heartbeat, heartbeat }) + '\n');
    };
    writeLock(0);
    const follow = startDpoRun(cluster(), dir, ['locked.yaml', '--launcher', 'slurm', '--wait']);
    await until('the job of data', () => /^\[data\] job \d+$/m.test(follow.stderr()));
    const log = join(runFolderOf(follow.stderr()), 'logs', 'data.log');
    await until('the job to wait for the lock', () => existsSync(log) && readFileSync(log, 'utf8').includes('waiting for the lock'));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.match(readFileSync(lockFile, 'utf8'), /another-node/, 'a fresh heartbeat is respected');
    writeLock(STALE_AFTER_MS + 1000);

    const result = await follow.done;
    assert.equal(result.status, 0, result.stderr);
    const runDir = runFolderOf(result.stderr);
    assert.equal(readJson(join(runDir, 'manifest.json')).instances.data.status, 'done');
    assert.equal(existsSync(lockFile), false);
  });
});
