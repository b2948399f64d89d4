/**
 * The real stages give the same losses with and without the native kernels: a pipeline of
 * SFT (20 steps) and DPO (20 steps, on pairs read from a file, so that no sampling can
 * diverge) runs through the CLI on the stock wasm kernels (DPO_RUN_NATIVE=0), on wasm with
 * the native kernels, and on the native-cpu backend (--backend native-cpu), and every
 * logged loss of the native runs agrees with the stock one within 1e-4.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { onWasm } from './compareWithStock.ts';
import { registerNativeKernels } from '../../src/backend/native/index.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

const pipeline = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: parity
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [imdb]}
    limit: 300
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 600}
    model: {n_layer: 2, n_head: 2, n_embd: 32, context_length: 32}
    train: {lr: 0.003, batch_size: 16, max_steps: 20, eval_every: 10, eval_size: 16}
    samples: {count: 0}
  prefs:
    kind: preferences
    policy: sft
    source: {path: pairs.jsonl}
  dpo:
    kind: dpo
    policy: sft
    pairs: prefs
    beta: 0.1
    train: {optimizer: adam, lr: 0.002, batch_size: 8, epochs: 2, max_steps: 20, eval_every: 10, eval_size: 16}
`;

/** Pairs whose chosen completion is a positive review sentence and rejected a negative one. */
function pairsFile(): string {
  const sentences = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'sentiment', 'test', 'fixtures', 'imdb.json'), 'utf8')) as { text: string; class: number }[];
  const positive = sentences.filter((s) => s.class === 1).slice(0, 60);
  const negative = sentences.filter((s) => s.class === 0).slice(0, 60);
  return positive.map((p, i) => JSON.stringify({ prompt: 'The film', chosen: ` ${p.text.trim()}`, rejected: ` ${negative[i].text.trim()}` })).join('\n') + '\n';
}

type Run = 'stock wasm' | 'native wasm' | 'native-cpu';

function losses(dir: string, run: Run): Record<string, number[]> {
  const env = { ...process.env, CI: '1', ...(run === 'stock wasm' ? { DPO_RUN_NATIVE: '0' } : {}) };
  const runsDir = `runs-${run.replace(' ', '-')}`;
  const backend = run === 'native-cpu' ? ['--backend', 'native-cpu'] : [];
  const result = spawnSync(process.execPath, [bin, 'parity.yaml', '--runs-dir', runsDir, ...backend], { cwd: dir, encoding: 'utf8', env });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, run === 'stock wasm' ? /native kernels off/ : run === 'native wasm' ? /backend: wasm .*native kernels: BLIS/ : /backend: native-cpu .*native kernels: BLIS/);
  const [runId] = readdirSync(join(dir, runsDir, 'parity'));
  const manifest = JSON.parse(readFileSync(join(dir, runsDir, 'parity', runId, 'manifest.json'), 'utf8'));
  if (run === 'native-cpu') assert.equal(manifest.backend.name, 'native-cpu');
  const column = (id: string, name: string) =>
    (parse(readFileSync(join(manifest.instances[id].output, 'metrics.csv'), 'utf8'), { columns: true, cast: true }) as Record<string, number | string>[])
      .map((row) => row[name])
      .filter((v): v is number => typeof v === 'number');
  return { sft: column('sft', 'loss'), 'sft eval': column('sft', 'eval/loss'), dpo: column('dpo', 'loss'), 'dpo eval': column('dpo', 'eval/loss') };
}

describe('the stages with and without the native kernels', function () {
  this.timeout(240000);
  let dir: string;

  before(async function () {
    await onWasm();
    const native = registerNativeKernels();
    if (!native.loaded) {
      console.log(`      skipping: the native kernels are not loaded (${native.reason})`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-parity-'));
    writeFileSync(join(dir, 'parity.yaml'), pipeline);
    writeFileSync(join(dir, 'pairs.jsonl'), pairsFile());
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  let stock: Record<string, number[]>;
  for (const run of ['native wasm', 'native-cpu'] as const) {
    it(`log the same SFT and DPO losses over twenty steps each, within 1e-4: ${run} against stock wasm`, () => {
      stock ??= losses(dir, 'stock wasm');
      const native = losses(dir, run);
      for (const [name, values] of Object.entries(stock)) {
        assert.equal(native[name].length, values.length, name);
        assert.ok(values.length >= (name.endsWith('eval') ? 1 : 10), `${name}: ${values.length} values`);
        values.forEach((want, i) => assert.ok(Math.abs(native[name][i] - want) <= 1e-4, `${name} row ${i}: ${run} ${native[name][i]}, stock ${want}`));
      }
    });
  }
});
