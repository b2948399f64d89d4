import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

/** The paper's flow in miniature: a classifier as the ground truth labels sampled pairs, and a reward model learns them. */
const pipeline = `name: rm
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 240
    split: {test_fraction: 0.2}
  clf:
    kind: classifier
    data: data
    tokenizer: {kind: word, vocab_size: 400}
    model: {n_layer: 1, n_head: 2, n_embd: 16, context_length: 32}
    train: {lr: 0.003, batch_size: 16, max_steps: 12}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 400}
    model: {n_layer: 1, n_head: 2, n_embd: 32, context_length: 32}
    train: {lr: 0.003, batch_size: 16, max_steps: 10}
    samples: {count: 0}
  prefs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: classifier, model: clf}
    k: 3
    max_prompts: 24
    max_test_prompts: 8
    sampling: {max_new_tokens: 8}
  rm:
    kind: reward_model
    init: sft
    pairs: prefs
    train: {lr: 0.003, batch_size: 16, epochs: 2, eval_every: 3, checkpoint_every: 4}
`;

describe('a pipeline with a classifier and a reward model, through the CLI', function () {
  this.timeout(180000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-rm-'));
    writeFileSync(join(dir, 'rm.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains the classifier, labels pairs with it, and trains the reward model with held-out evaluations', () => {
    const result = spawnSync(process.execPath, [bin, 'rm.yaml', '--runs-dir', 'runs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(dir, 'runs', 'rm'));
    const run = join(dir, 'runs', 'rm', runId);
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    for (const stage of ['data', 'clf', 'sft', 'prefs', 'rm']) assert.equal(manifest.instances[stage].status, 'done', stage);

    const clf = JSON.parse(readFileSync(join(run, 'outputs', 'clf', 'summary.json'), 'utf8'));
    assert.ok(clf['eval/accuracy'] >= 0 && clf['eval/accuracy'] <= 1);
    const rm = join(run, 'outputs', 'rm');
    const summary = JSON.parse(readFileSync(join(rm, 'summary.json'), 'utf8'));
    assert.ok(summary.train_pairs > 0 && summary.heldout_pairs > 0, JSON.stringify(summary));
    assert.ok(summary['eval/accuracy'] >= 0 && summary['eval/accuracy'] <= 1);
    const rows: Record<string, string>[] = parse(readFileSync(join(rm, 'metrics.csv'), 'utf8'), { columns: true });
    assert.ok(rows.length > 0 && rows.every((r) => Number.isFinite(Number(r.loss))));
    assert.ok(rows.filter((r) => r['eval/accuracy'] !== '').length >= 2);
    for (const file of ['model/config.json', 'model/model.safetensors', 'model/tokenizer.json']) assert.ok(existsSync(join(rm, file)), file);
  });
});
