/**
 * `--launcher slurm` on a real single-node cluster: every instance the cache lacks runs as
 * its own job, after the jobs of the instances it uses, and leaves exactly what the local
 * launcher leaves (weights, metrics rows without their timing columns).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCommand } from '../../src/cli/run.ts';
import { runInstanceCommand } from '../../src/cli/runInstance.ts';
import { dpoRun, jobFields, jobsOf, localCluster, readJson, root, runFolderOf, startDpoRun, statusOf } from './localCluster.ts';

/** dataset -> sft -> preferences -> dpo at two betas: all tiny. */
const sweepPipeline = `name: betas
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 120
    split: {test_fraction: 0.2}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 200}
    model: {n_layer: 1, n_head: 2, n_embd: 16, context_length: 24}
    train: {lr: 0.003, batch_size: 16, max_steps: 6, eval_size: 8}
    samples: {count: 0}
  prefs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon, text: completion}
    k: 2
    max_prompts: 16
    max_test_prompts: 4
    sampling: {max_new_tokens: 6}
  dpo:
    kind: dpo
    policy: sft
    pairs: prefs
    sweep: {beta: [0.1, 0.5]}
    train: {lr: 0.003, batch_size: 4, max_steps: 4, log_every: 1, eval_size: 4}
`;

const TIMING = /per_second|seconds/;

async function capturingStdout(fn: () => Promise<unknown>): Promise<string> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

async function inFolder<T>(folder: string, fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(folder);
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

/** Every file of an instance's cache folder that training writes: model weights and metrics rows without timing columns. */
function results(runDir: string, id: string): Record<string, string> {
  const dir = join(runDir, 'outputs', id);
  const out: Record<string, string> = {};
  const weights = join(dir, 'model', 'model.safetensors');
  if (existsSync(weights)) out.weights = createHash('sha256').update(readFileSync(weights)).digest('hex');
  const metrics = join(dir, 'metrics.csv');
  if (existsSync(metrics)) {
    const rows: Record<string, string>[] = parse(readFileSync(metrics, 'utf8'), { columns: true });
    out.metrics = JSON.stringify(rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !TIMING.test(column)))));
  }
  for (const file of ['texts.jsonl', 'pairs.jsonl']) if (existsSync(join(dir, file))) out[file] = readFileSync(join(dir, file), 'utf8');
  return out;
}

function onlyRun(pipelineDir: string): string {
  const [run, ...more] = readdirSync(pipelineDir);
  assert.deepEqual(more, []);
  return join(pipelineDir, run);
}

describe('the Slurm launcher', function () {
  this.timeout(240_000);
  const cluster = localCluster();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-slurm-'));
    writeFileSync(join(dir, 'betas.yaml'), sweepPipeline);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('runs pipelines/quick.yaml as one job per instance in dependency order, as the local launcher does; the same command again while they run submits nothing new', async () => {
    const quick = join(root, 'pipelines', 'quick.yaml');
    const slurmRuns = join(dir, 'quick-slurm');
    const local = startDpoRun(cluster(), dir, [quick, '--runs-dir', join(dir, 'quick-local'), '--backend', 'wasm']);
    const submit = dpoRun(cluster(), dir, [quick, '--runs-dir', slurmRuns, '--backend', 'wasm', '--launcher', 'slurm']);
    assert.equal(submit.status, 0, submit.stderr);
    const jobs = jobsOf(submit.stderr);
    assert.deepEqual([...jobs.keys()], ['data', 'sft']);
    const runDir = runFolderOf(submit.stderr);
    assert.match(readFileSync(join(runDir, 'slurm', 'sft.sbatch'), 'utf8'), new RegExp(`^#SBATCH --dependency=afterok:${jobs.get('data')}$`, 'm'));

    const again = dpoRun(cluster(), dir, [quick, '--runs-dir', slurmRuns, '--backend', 'wasm', '--launcher', 'slurm', '--wait']);
    assert.equal(again.status, 0, again.stderr);
    // data may have finished meanwhile (then it is cached); what is still queued or running is followed, not submitted again.
    assert.equal(jobsOf(again.stderr).get('sft'), jobs.get('sft'));
    assert.match(again.stderr, /\[sft\] job \d+ \(queued or running already: not submitted again\)/);
    assert.doesNotMatch(again.stderr, /^\[\w+\] job \d+$/m, 'no new job');
    assert.match(again.stderr, /\[sft\] done on /);
    assert.match(again.stderr, /^done: (1 cached, 1 done|2 done); manifest /m);

    const [data, sft] = [jobFields(cluster(), jobs.get('data')!), jobFields(cluster(), jobs.get('sft')!)];
    assert.equal(data.JobState, 'COMPLETED');
    assert.equal(sft.JobState, 'COMPLETED');
    assert.ok(Date.parse(sft.StartTime) >= Date.parse(data.EndTime), `sft started ${sft.StartTime}, data ended ${data.EndTime}`);
    const manifest = readJson(join(runDir, 'manifest.json'));
    assert.equal(manifest.status, 'done');
    assert.equal(manifest.instances.sft.job.id, jobs.get('sft'));
    assert.ok(readFileSync(manifest.instances.sft.job.log, 'utf8').includes('[sft] done in'));

    const localResult = await local.done;
    assert.equal(localResult.status, 0, localResult.stderr);
    const localRun = onlyRun(join(dir, 'quick-local', 'quick'));
    for (const id of ['data', 'sft']) assert.deepEqual(results(runDir, id), results(localRun, id), id);
    assert.ok(results(runDir, 'sft').weights);

    const status = { stdout: await statusOf(cluster(), runDir) };
    assert.match(status.stdout, new RegExp(`^  sft +done on \\S+ \\(job ${jobs.get('sft')}, \\d+s\\)$`, 'm'));
  });

  it('runs a sweep of two DPO betas as a job each, with outputs identical to the local launcher', () => {
    const local = dpoRun(cluster(), dir, ['betas.yaml', '--runs-dir', 'local-runs']);
    assert.equal(local.status, 0, local.stderr);
    const slurm = dpoRun(cluster(), dir, ['betas.yaml', '--runs-dir', 'slurm-runs', '--launcher', 'slurm', '--wait', '--set', 'launcher.gpus.dpo=2']);
    assert.equal(slurm.status, 0, slurm.stderr);
    const jobs = jobsOf(slurm.stderr);
    const ids = ['data', 'sft', 'prefs', 'dpo[beta=0.1]', 'dpo[beta=0.5]'];
    assert.deepEqual([...jobs.keys()], ids);
    assert.equal(new Set(jobs.values()).size, ids.length, 'one job per instance');
    const runDir = runFolderOf(slurm.stderr);
    const script = readFileSync(join(runDir, 'slurm', 'dpo[beta=0.1].sbatch'), 'utf8');
    assert.match(script, new RegExp(`^#SBATCH --dependency=afterok:${jobs.get('sft')}:${jobs.get('prefs')}$`, 'm'));
    assert.match(script, /^#SBATCH --gres=gpu:2$/m);
    assert.doesNotMatch(readFileSync(join(runDir, 'slurm', 'data.sbatch'), 'utf8'), /--gres/);
    for (const id of ids.slice(2)) {
      const [job, upstream] = [jobFields(cluster(), jobs.get(id)!), jobFields(cluster(), jobs.get(id === 'prefs' ? 'sft' : 'prefs')!)];
      assert.ok(Date.parse(job.StartTime) >= Date.parse(upstream.EndTime), `${id} started before its input ended`);
    }

    const localRun = onlyRun(join(dir, 'local-runs', 'betas'));
    for (const id of ids) assert.deepEqual(results(runDir, id), results(localRun, id), id);
    assert.ok(results(runDir, 'dpo[beta=0.5]').weights);
    assert.notDeepEqual(results(runDir, 'dpo[beta=0.5]').weights, results(runDir, 'dpo[beta=0.1]').weights);
  });
});

describe('the Slurm launcher, without a cluster', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-slurm-'));
    writeFileSync(join(dir, 'betas.yaml'), sweepPipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints with --dry-run the job scripts it would submit: settings from --set, GPUs by kind, setup and command', async () => {
    const stdout = await capturingStdout(() =>
      inFolder(dir, () =>
        runCommand({
          file: 'betas.yaml', sweep: [], only: ['sft'], force: [], dryRun: true, runsDir: 'dry-runs', launcher: 'slurm', wait: false,
          set: ['launcher={partition: gpu, account: lab, time: "2:00:00", mem: 8G, cpus_per_task: 4, sbatch_args: [--qos=high], setup: [module load cuda], command: npx dpo-run}'],
        }),
      ),
    );
    const [, data, sft] = stdout.split(/^# .*\.sbatch$/m);
    for (const line of ['--partition=gpu', '--account=lab', '--time=2:00:00', '--mem=8G', '--cpus-per-task=4', '--qos=high', '--requeue', '--kill-on-invalid-dep=yes']) {
      assert.match(sft, new RegExp(`^#SBATCH ${line}$`, 'm'));
    }
    assert.match(sft, /^#SBATCH --gres=gpu:1$/m);
    assert.match(sft, /^#SBATCH --dependency=afterok:<job of data>$/m);
    assert.doesNotMatch(data, /--gres|--dependency/);
    assert.match(sft, /^module load cuda\nexec npx dpo-run run-instance '.*dry-runs\/betas\/<time-id>' sft$/m);
    assert.match(stdout, /^2 sbatch job\(s\) would be submitted$/m);
    assert.equal(existsSync(join(dir, 'dry-runs')), false);
  });

  it('fails a job whose run folder is not there, naming the path (exit 1)', async () => {
    await assert.rejects(runInstanceCommand(join(dir, 'nowhere'), 'sft'), (error: Error & { exitCode?: number; hint?: string }) => {
      assert.match(error.message, /^the run folder .*nowhere is not there on \S+$/);
      assert.match(error.hint ?? '', /file system every node shares/);
      assert.equal(error.exitCode, 1);
      return true;
    });
  });
});
