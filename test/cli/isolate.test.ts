/**
 * --isolate: each stage instance to compute runs in a child process (`dpo-run run-instance`).
 * Real processes through the CLI: the same metrics as without it; a child killed by SIGKILL
 * (what the OOM killer sends) fails its instance alone while an independent one completes;
 * Ctrl-C reaches the child, which stops after its step, and the run exits 130.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

const pipeline = (maxSteps: number) => `name: iso
seed: 1
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
    train: {lr: 0.003, batch_size: 8, epochs: 10000, max_steps: ${maxSteps}, log_every: 1, eval_size: 8}
    samples: {count: 1, sampling: {max_new_tokens: 4}}
`;

const SWEEP = ['--sweep', 'stages.sft.train.lr=0.003,0.01'];
const A = 'sft[train.lr=0.003]';
const B = 'sft[train.lr=0.01]';

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onLine` sees each stderr line as it comes, with the parent process. */
function dpoRun(cwd: string, args: string[], onLine: (line: string, pid: number) => void = () => {}): Promise<Ran> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr += line + '\n';
    onLine(line, child.pid!);
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function manifestOf(ran: Ran) {
  return JSON.parse(readFileSync(join(ran.stdout.trim(), 'manifest.json'), 'utf8'));
}

/** The metrics rows of an instance of a run, less the throughput (which varies). */
function metricsRows(ran: Ran, id: string): object[] {
  const text = readFileSync(join(ran.stdout.trim(), 'outputs', id, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const { tokens_per_second: _, ...row } = JSON.parse(line);
      return row;
    });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('dpo-run --isolate', function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-isolate-'));
    writeFileSync(join(dir, 'short.yaml'), pipeline(2));
    writeFileSync(join(dir, 'long.yaml'), pipeline(100_000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same metrics rows as a run in one process', async () => {
    const plain = await dpoRun(dir, ['short.yaml', ...SWEEP, '--runs-dir', 'plain']);
    const isolated = await dpoRun(dir, ['short.yaml', ...SWEEP, '--runs-dir', 'isolated', '--isolate']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(isolated.status, 0, isolated.stderr);
    assert.match(isolated.stderr, /\[sft\[train\.lr=0\.003\]\] running in a child process, pid \d+/);
    assert.match(isolated.stderr, /\[sft\[train\.lr=0\.003\]\] 2\/2 \(100%\)/, 'the child\'s progress is relayed');
    for (const id of [A, B]) assert.deepEqual(metricsRows(isolated, id), metricsRows(plain, id));
    const manifest = manifestOf(isolated);
    assert.equal(manifest.status, 'done');
    for (const record of Object.values(manifest.instances) as { status: string; job?: unknown }[]) {
      assert.equal(record.status, 'done');
      assert.equal(record.job, undefined);
    }
    // run again: every instance from the cache, no child started
    const again = await dpoRun(dir, ['short.yaml', ...SWEEP, '--runs-dir', 'isolated', '--isolate']);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /child process/);
  });

  it('isolates by itself when an instance is estimated above 2 GB, and not with --no-isolate', async () => {
    // GPT-2's vocabulary and a 512-token context at batch 64: estimated at gigabytes of
    // logits, though the bundled sentences are short and one step takes a moment.
    writeFileSync(join(dir, 'large.yaml'), pipeline(1).replace('{kind: word, vocab_size: 100}', '{kind: gpt2}').replace('context_length: 16', 'context_length: 512').replace('batch_size: 8', 'batch_size: 64'));
    const auto = await dpoRun(dir, ['large.yaml', '--runs-dir', 'large', '--skip-memory-check']);
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stderr, /note: each stage instance runs in its own process: sft is estimated at [\d.]+ GB/);
    assert.match(auto.stderr, /\[sft\] running in a child process, pid \d+/);
    const inProcess = await dpoRun(dir, ['large.yaml', '--runs-dir', 'large-in-process', '--skip-memory-check', '--no-isolate']);
    assert.equal(inProcess.status, 0, inProcess.stderr);
    assert.doesNotMatch(inProcess.stderr, /child process/);
    const small = await dpoRun(dir, ['short.yaml', '--runs-dir', 'small']);
    assert.equal(small.status, 0, small.stderr);
    assert.doesNotMatch(small.stderr, /child process/, 'small models stay in one process');
  });

  it('fails only the instance whose child is killed (SIGKILL, as the OOM killer sends); an independent one completes', async () => {
    let killed = 0;
    const ran = await dpoRun(dir, ['short.yaml', ...SWEEP, '--runs-dir', 'killed', '--isolate'], (line) => {
      const match = /^\[sft\[train\.lr=0\.003\]\] running in a child process, pid (\d+)$/.exec(line);
      if (match) {
        killed = Number(match[1]);
        process.kill(killed, 'SIGKILL');
      }
    });
    assert.ok(killed > 0, ran.stderr);
    assert.equal(ran.status, 1, ran.stderr);
    const failures = ran.stderr.split('\n').filter((line) => line.startsWith(`[${A}] failed`));
    assert.deepEqual(failures, [`[${A}] failed: its process (pid ${killed}) was killed by SIGKILL (the OOM killer sends SIGKILL when memory runs out); its partial output and checkpoints are kept`]);
    const manifest = manifestOf(ran);
    assert.equal(manifest.status, 'failed');
    assert.equal(manifest.instances[A].status, 'failed');
    assert.match(manifest.instances[A].error, /SIGKILL/);
    assert.equal(manifest.instances[B].status, 'done');
    assert.equal(manifest.instances.data.status, 'done');
    assert.ok(readdirSync(join(ran.stdout.trim(), 'outputs')).includes(B));
  });

  it('forwards Ctrl-C to the child: it stops after its step, and the run ends interrupted (exit 130)', async () => {
    let child = 0;
    let sent = false;
    const ran = await dpoRun(dir, ['long.yaml', '--runs-dir', 'interrupted', '--isolate'], (line, parent) => {
      const match = /^\[sft\] running in a child process, pid (\d+)$/.exec(line);
      if (match) child = Number(match[1]);
      if (!sent && /^\[sft\] \d+ parameters/.test(line)) {
        sent = true;
        setTimeout(() => process.kill(parent, 'SIGINT'), 1500); // a few steps in
      }
    });
    assert.ok(sent, ran.stderr);
    assert.equal(ran.status, 130, ran.stderr);
    assert.match(ran.stderr, /to resume: .* --isolate$/m);
    assert.doesNotMatch(ran.stderr, /failed/);
    assert.ok(!isAlive(child), 'the child is gone');
    const manifest = manifestOf(ran);
    assert.equal(manifest.status, 'interrupted');
    assert.equal(manifest.instances.sft.status, 'interrupted');
    assert.equal(manifest.instances.data.status, 'done');
  });
});
