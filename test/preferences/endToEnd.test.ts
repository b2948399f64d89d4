import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

/** dataset -> sft -> preferences (sampled, lexicon-labelled) -> dpo swept over beta, all tiny. */
const pipeline = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: prefs
seed: 0
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 400
    split: {test_fraction: 0.2}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 500}
    model: {n_layer: 2, n_head: 2, n_embd: 32, context_length: 32}
    train: {lr: 0.003, batch_size: 16, max_steps: 40, eval_size: 16}
    samples: {count: 0}
  prefs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon, text: completion}
    k: 4
    max_prompts: 120
    max_test_prompts: 40
    sampling: {max_new_tokens: 10, batch_size: 64}
  dpo:
    kind: dpo
    policy: sft
    pairs: prefs
    sweep: {beta: [0.1, 0.5]}
    train: {optimizer: adam, lr: 0.002, batch_size: 16, epochs: 3, max_steps: 60, eval_every: 30, eval_size: 128, log_every: 4}
`;

describe('preference pairs and DPO end to end', function () {
  this.timeout(180000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-prefs-e2e-'));
    writeFileSync(join(dir, 'prefs.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('samples and labels pairs, then trains DPO, whose held-out reward accuracy ends above 0.5', () => {
    const result = spawnSync(process.execPath, [bin, 'prefs.yaml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(dir, 'runs', 'prefs'));
    const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'prefs', runId, 'manifest.json'), 'utf8'));
    const output = (id: string) => manifest.instances[id].output as string;

    const prefs = JSON.parse(readFileSync(join(output('prefs'), 'summary.json'), 'utf8'));
    assert.ok(prefs.pairs.train > 0 && prefs.pairs.test > 0, JSON.stringify(prefs.pairs));
    assert.ok(prefs.mean_chosen_score > prefs.mean_rejected_score);

    const rows = parse(readFileSync(join(output('dpo[beta=0.1]'), 'metrics.csv'), 'utf8'), { columns: true, cast: true }) as Record<string, number | string>[];
    const evaluations = rows.filter((r) => r['eval/rewards/accuracies'] !== '');
    assert.equal(evaluations.length, 2);
    assert.ok((evaluations.at(-1)!['eval/rewards/accuracies'] as number) > 0.5, `held-out accuracy ${evaluations.at(-1)!['eval/rewards/accuracies']}`);

    // The sweep computed the reference log-probabilities once.
    const passes = ['dpo[beta=0.1]', 'dpo[beta=0.5]'].map((id) => JSON.parse(readFileSync(join(output(id), 'summary.json'), 'utf8')));
    assert.deepEqual(passes.map((s) => s.reference_logps).sort(), ['computed', 'shared']);
    assert.equal(passes.reduce((n, s) => n + (s.forward_passes.reference > 0 ? 1 : 0), 0), 1);
  });
});
