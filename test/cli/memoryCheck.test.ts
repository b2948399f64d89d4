/**
 * The memory check through the real CLI: --dry-run prints each instance's estimate, and a
 * run whose stage cannot fit the backend's memory stops with exit 2 before anything runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');
/** quick.yaml's sft with GPT-2's vocabulary (50257) and 256 sequences a step: ~10 GB of logits and their gradients. */
const huge = ['--set', 'stages.sft.tokenizer.kind=gpt2', '--set', 'stages.sft.train.batch_size=256', '--backend', 'wasm'];

function dpoRun(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, join(root, 'pipelines', 'quick.yaml'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1', ...env } });
}

describe('the memory check', function () {
  this.timeout(60000);
  let runsDir: string;
  before(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-memory-'));
  });
  after(() => rmSync(runsDir, { recursive: true, force: true }));

  it('prints each model stage instance\'s estimate in --dry-run', () => {
    const result = dpoRun(['--dry-run', '--runs-dir', runsDir, '--backend', 'native-cpu']);
    assert.equal(result.status, 0, result.stderr);
    const sft = result.stdout.split('\n').find((line) => line.trim().startsWith('sft '));
    assert.match(sft ?? '', /mem ~[\d.]+ MB \(weights [\d.]+, grads [\d.]+, optimizer [\d.]+, activations [\d.]+\) of the machine's \d+ GB$/);
    const data = result.stdout.split('\n').find((line) => line.trim().startsWith('data '));
    assert.doesNotMatch(data ?? '', /mem/);
  });

  it('says in --dry-run that a stage does not fit the wasm heap', () => {
    const result = dpoRun(['--dry-run', '--runs-dir', runsDir, ...huge]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /sft .*mem ~[\d.]+ GB .* of the wasm heap's 3\.5 GB: does not fit/);
  });

  it('stops a run whose stage cannot fit the wasm heap with exit 2, the stage named, before anything runs', () => {
    const result = dpoRun(['--runs-dir', runsDir, ...huge]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /stage instance sft needs mem ~[\d.]+ GB/);
    assert.match(result.stderr, /--backend native-cpu/);
    assert.match(result.stderr, /DPO_RUN_SKIP_MEMORY_CHECK=1/);
    assert.equal(existsSync(join(runsDir, 'quick')), false, 'no run folder');
    assert.equal(existsSync(join(runsDir, 'cache')), false, 'no cache entry (not even the dataset stage ran)');
  });
});
