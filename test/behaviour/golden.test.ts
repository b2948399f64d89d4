/**
 * Behaviour pinned across refactors: sft, dpo, reward_model and ppo on fixed tiny settings
 * (test/fixtures/golden/pipeline.yaml) must give the same metrics rows and weights as the
 * recording for the backend they ran on: test/fixtures/golden/expected.json on wasm with the
 * native kernels (--backend wasm), expected-native-cpu.json on the native-cpu backend. Each
 * backend's kernels round differently, so each has its own recording. Timing columns are
 * left out.
 *
 * A change that is meant to change results re-records them, saying why in its commit:
 *   DPO_RUN_RECORD_GOLDEN=1 npx mocha test/behaviour/golden.test.ts            (every backend)
 *   DPO_RUN_RECORD_GOLDEN=native-cpu npx mocha test/behaviour/golden.test.ts   (one)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseSafetensors } from '../../src/model/safetensors.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');
const fixture = join(root, 'test', 'fixtures', 'golden');
/** The backends pinned, and each one's recording. */
const RECORDINGS = [
  { backend: 'wasm', file: join(fixture, 'expected.json') },
  { backend: 'native-cpu', file: join(fixture, 'expected-native-cpu.json') },
];
const STAGES = ['sft', 'dpo', 'rm', 'ppo'];
const TIMING = new Set(['tokens_per_second', 'samples_per_second']);

interface StageRecord {
  metrics: Record<string, string>[];
  /** Per tensor: [sum, sum of absolute values, first value]. */
  weights: Record<string, [number, number, number]>;
}

function weightStats(file: string): Record<string, [number, number, number]> {
  const tensors = parseSafetensors(readFileSync(file), file);
  const out: Record<string, [number, number, number]> = {};
  for (const name of [...tensors.tensors.keys()].sort()) {
    const values = tensors.read(name);
    let sum = 0;
    let abs = 0;
    for (const v of values) {
      sum += v;
      abs += Math.abs(v);
    }
    out[name] = [sum, abs, values[0]];
  }
  return out;
}

function record(outputs: string): Record<string, StageRecord> {
  const result: Record<string, StageRecord> = {};
  for (const stage of STAGES) {
    const dir = join(outputs, stage);
    const rows: Record<string, string>[] = parse(readFileSync(join(dir, 'metrics.csv'), 'utf8'), { columns: true });
    const metrics = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !TIMING.has(key))));
    result[stage] = { metrics, weights: weightStats(join(dir, 'model', 'model.safetensors')) };
  }
  return result;
}

function close(actual: string | number, expected: string | number, where: string): void {
  if (expected === '' || actual === '') return assert.equal(actual, expected, where);
  const a = Number(actual);
  const e = Number(expected);
  assert.ok(Math.abs(a - e) <= 1e-4 * Math.max(1, Math.abs(e)), `${where}: ${a} against the recorded ${e}`);
}

describe('behaviour pinned across refactors', function () {
  this.timeout(300000);
  let runsDir: string;
  before(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-golden-'));
  });
  after(() => rmSync(runsDir, { recursive: true, force: true }));

  // Gradient accumulation (train.micro_batch_size) gives the whole batch's updates: the same recorded metrics.
  const MICRO_BATCHES = ['stages.sft.train.micro_batch_size=4', 'stages.dpo.train.micro_batch_size=2', 'stages.rm.train.micro_batch_size=2', 'stages.ppo.train.micro_batch_size=1'];
  const runs = [
    ...RECORDINGS.map((recording) => ({ ...recording, set: [] as string[], what: '' })),
    { ...RECORDINGS[0], set: MICRO_BATCHES, what: ' with micro-batches of a half to a quarter of each batch (gradient accumulation)' },
  ];
  for (const { backend, file, set, what } of runs) {
    it(`gives the recorded metrics rows${set.length > 0 ? "" : " and weights"} for sft, dpo, reward_model and ppo on ${backend}${what}`, function () {
      const outputs = join(runsDir, `${backend}${set.length > 0 ? '-micro' : ''}`);
      const args = [bin, join(fixture, 'pipeline.yaml'), '--runs-dir', outputs, '--backend', backend, ...set.flatMap((s) => ['--set', s])];
      const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
      if (run.status === 2 && /cannot be used/.test(run.stderr)) {
        console.log(`      skipping ${backend}: ${run.stderr.trim().split('\n')[0]}`);
        this.skip();
      }
      assert.equal(run.status, 0, run.stderr);
      const [runId] = readdirSync(join(outputs, 'golden'));
      const manifest = JSON.parse(readFileSync(join(outputs, 'golden', runId, 'manifest.json'), 'utf8'));
      // Recorded with the native kernels; the stock kernels round differently.
      if (manifest.backend.name !== backend || !manifest.backend.native?.loaded) {
        console.log(`      skipping ${backend}: the native kernels are not loaded (${manifest.backend.native?.reason ?? 'none'})`);
        this.skip();
      }
      const actual = record(join(outputs, 'golden', runId, 'outputs'));
      const recordNow = process.env.DPO_RUN_RECORD_GOLDEN;
      if (set.length === 0 && (recordNow === '1' || recordNow?.split(',').includes(backend))) {
        writeFileSync(file, `${JSON.stringify(actual, null, 1)}\n`);
        return;
      }
      const expected: Record<string, StageRecord> = JSON.parse(readFileSync(file, 'utf8'));
      for (const stage of STAGES) {
        const [want, got] = [expected[stage], actual[stage]];
        assert.equal(got.metrics.length, want.metrics.length, `${stage}: metrics rows`);
        want.metrics.forEach((row, i) => {
          assert.deepEqual(Object.keys(got.metrics[i]), Object.keys(row), `${stage}: columns`);
          for (const key of Object.keys(row)) close(got.metrics[i][key], row[key], `${stage} row ${i} ${key}`);
        });
        assert.deepEqual(Object.keys(got.weights), Object.keys(want.weights), `${stage}: tensor names`);
        // With micro-batches only the metrics: Adam's first steps move a weight by about lr * sign(g), so where a
        // gradient is near 0 the summation's rounding shows in the weights (test/training/microBatches.test.ts
        // compares them after one step with a smooth optimizer).
        if (set.length > 0) continue;
        for (const name of Object.keys(want.weights)) {
          want.weights[name].forEach((value, j) => close(got.weights[name][j], value, `${stage} ${name}[${j}]`));
        }
      }
    });
  }
});
