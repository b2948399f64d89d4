/**
 * A training stage interrupted (SIGINT, through the real CLI) before its first checkpoint
 * starts over on the rerun, and its metrics.csv and samples.jsonl then read like an
 * uninterrupted run's: the rows the first attempt logged are dropped, not kept ahead of
 * the new ones (a step column of 0 5 0 5 10 ...).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');
// pipelines/quick.yaml with a longer sft (40 steps, a row every 5, no checkpoint before the last step).
const args = [join(root, 'pipelines', 'quick.yaml'), '--set', 'stages.sft.train.epochs=3', '--set', 'stages.sft.train.max_steps=40'];
const env = { ...process.env, CI: '1' };

/** The sft stage's work folder in the runs cache, once there is one. */
function partialSft(runsDir: string): string | undefined {
  const cache = join(runsDir, 'cache');
  const name = existsSync(cache) ? readdirSync(cache).find((n) => n.startsWith('sft-') && n.endsWith('.partial')) : undefined;
  return name && join(cache, name);
}

/** Runs the CLI; sends SIGINT once the sft work folder's metrics.csv has `rows` rows. */
function runInterrupted(runsDir: string, rows: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args, '--runs-dir', runsDir], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const poll = setInterval(() => {
      const dir = partialSft(runsDir);
      const metrics = dir && join(dir, 'metrics.csv');
      if (metrics && existsSync(metrics) && readFileSync(metrics, 'utf8').trim().split('\n').length > rows) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

function run(runsDir: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args, '--runs-dir', runsDir], { cwd: root, encoding: 'utf8', env });
}

/** The finished sft output: metrics rows without the timing column, and samples.jsonl. */
function sftOutput(runsDir: string): { rows: Record<string, string>[]; samples: string } {
  const [runId] = readdirSync(join(runsDir, 'quick')).sort().slice(-1);
  const sft = join(runsDir, 'quick', runId, 'outputs', 'sft');
  const rows: Record<string, string>[] = parse(readFileSync(join(sft, 'metrics.csv'), 'utf8'), { columns: true });
  return { rows: rows.map(({ tokens_per_second: _, ...rest }) => rest), samples: readFileSync(join(sft, 'samples.jsonl'), 'utf8') };
}

describe('a training stage interrupted before its first checkpoint', function () {
  this.timeout(180000);
  const dirs: string[] = [];
  const tempDir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'dpo-run-early-interrupt-')));
    return dirs.at(-1)!;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('drops the rows the interrupted attempt logged, so that a rerun logs each step once', async () => {
    const uninterrupted = tempDir();
    assert.equal(run(uninterrupted).status, 0);
    const expected = sftOutput(uninterrupted);

    const runsDir = tempDir();
    const interrupted = await runInterrupted(runsDir, 2); // rows for steps 0 and 5
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const partial = partialSft(runsDir)!;
    assert.ok(!existsSync(join(partial, 'checkpoints')), 'interrupted before the first checkpoint');
    assert.ok(readFileSync(join(partial, 'samples.jsonl'), 'utf8').length > 0, 'the step-0 samples were logged');

    const rerun = run(runsDir);
    assert.equal(rerun.status, 0, rerun.stderr);
    const { rows, samples } = sftOutput(runsDir);
    assert.deepEqual(rows.map((r) => Number(r.step)), Array.from({ length: 9 }, (_, i) => 5 * i));
    assert.deepEqual(rows, expected.rows);
    assert.equal(samples, expected.samples);
  });
});
