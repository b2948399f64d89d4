import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan, type ManifestData } from '../../src/executor/index.ts';
import { interruptiblePlan } from './interruptible.ts';
import { registerTestKinds, testBackend, unregisterTestKinds } from './kinds.ts';

const script = join(import.meta.dirname, 'interruptible.ts');

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the interruptible plan in a child; sends `kill` once its stderr shows `[slow] step 3`. */
function runChild(runsDir: string, kill?: NodeJS.Signals): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, runsDir], {
      env: { ...process.env, TEST_STEP_DELAY_MS: '50', CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (kill && !sent && stderr.includes('[slow] step 3')) {
        sent = true;
        child.kill(kill);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function latestManifest(runsDir: string): ManifestData {
  const runs = readdirSync(join(runsDir, 'test')).sort();
  return JSON.parse(readFileSync(join(runsDir, 'test', runs.at(-1)!, 'manifest.json'), 'utf8'));
}

/** The texts of every instance's result, from a finished run's manifest. */
function results(manifest: ManifestData): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.instances).map(([id, r]) => [id, readFileSync(join(r.output, 'result.txt'), 'utf8')]));
}

describe('interrupting a run', function () {
  this.timeout(60000);
  let runsDir: string;
  let reference: Record<string, string>;

  before(async () => {
    registerTestKinds();
    const dir = mkdtempSync(join(tmpdir(), 'dpo-run-reference-'));
    const output = { write: () => {} };
    reference = results((await executePlan(interruptiblePlan(), { runsDir: dir, backend: testBackend, output })).manifest);
    rmSync(dir, { recursive: true, force: true });
  });
  after(unregisterTestKinds);
  beforeEach(() => (runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-interrupt-'))));
  afterEach(() => rmSync(runsDir, { recursive: true, force: true }));

  it('exits 130 on SIGINT mid-stage, leaves no complete entry for that stage, and a rerun resumes it', async () => {
    const interrupted = await runChild(runsDir, 'SIGINT');
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const manifest = latestManifest(runsDir);
    assert.equal(manifest.status, 'interrupted');
    assert.deepEqual(Object.values(manifest.instances).map((r) => r.status), ['done', 'interrupted', 'pending']);
    const slow = manifest.instances.slow.output;
    assert.equal(existsSync(slow), false);
    assert.ok(existsSync(`${slow}.partial`));
    assert.equal(existsSync(`${slow}.lock`), false);

    const rerun = await runChild(runsDir);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /\[first\] cached/);
    assert.match(rerun.stderr, /\[slow\] resuming from step [1-9]/);
    const finished = latestManifest(runsDir);
    assert.deepEqual(Object.values(finished.instances).map((r) => r.status), ['cached', 'done', 'done']);
    assert.deepEqual(results(finished), reference);
    assert.equal(existsSync(`${slow}.partial`), false);
  });

  it('completes on a rerun after a SIGKILL mid-stage, with the same results', async () => {
    const killed = await runChild(runsDir, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const manifest = latestManifest(runsDir);
    assert.equal(manifest.instances.slow.status, 'running'); // nobody could mark it
    assert.equal(existsSync(manifest.instances.slow.output), false);

    const rerun = await runChild(runsDir); // takes over the dead run's lock
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(results(latestManifest(runsDir)), reference);
  });
});
