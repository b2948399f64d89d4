import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');

/** dataset -> sft -> preferences -> dpo, reward_model -> ppo, evaluate: all tiny. */
const pipeline = `name: seeds
seed: 0
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 120
    split: {test_fraction: 0.1}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 200}
    model: {n_layer: 1, n_head: 2, n_embd: 16, context_length: 24}
    train: {lr: 0.003, batch_size: 16, max_steps: 4}
  prefs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon}
    k: 2
    max_prompts: 12
    max_test_prompts: 4
    sampling: {max_new_tokens: 6}
  dpo:
    kind: dpo
    policy: sft
    pairs: prefs
    beta: 0.1
    train: {lr: 0.003, batch_size: 4, max_steps: 3}
  rm:
    kind: reward_model
    init: sft
    pairs: prefs
    train: {lr: 0.003, batch_size: 8, max_steps: 2}
  ppo:
    kind: ppo
    policy: sft
    data: data
    reward: {kind: reward_model, model: rm}
    iterations: 2
    rollout_batch: 4
    ppo_epochs: 1
    minibatch_size: 4
    sampling: {max_new_tokens: 6}
    train: {lr: 0.001}
  eval:
    kind: evaluate
    policies: [sft, dpo, ppo]
    reference: sft
    reward: {kind: sentiment_lexicon}
    data: data
    max_prompts: 4
    samples_per_prompt: 2
    temperatures: [1]
    sampling: {max_new_tokens: 6}
  report:
    kind: report
    evaluation: eval
`;

describe('a seed sweep through the CLI', function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-seeds-'));
    writeFileSync(join(dir, 'seeds.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ends with a sweep report giving each claim per seed and overall', () => {
    const result = spawnSync(process.execPath, [bin, join(dir, 'seeds.yaml'), '--sweep', 'seed=0,1', '--runs-dir', join(dir, 'runs')], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const [sweep] = readdirSync(join(dir, 'runs', 'seeds')).filter((name) => name.startsWith('sweep-'));
    const report = join(dir, 'runs', 'seeds', sweep, 'report.md');
    assert.ok(existsSync(report), 'report.md in the sweep folder');
    assert.match(result.stderr, /^report: .*report\.md$/m);
    assert.equal(result.stdout, `${join(dir, 'runs', 'seeds', sweep)}\n`, 'the sweep folder on stdout');
    const text = readFileSync(report, 'utf8');
    const section = text.slice(text.indexOf('## Against the paper, across the runs'));
    assert.ok(section.length > 0, 'the across-runs section');
    const header = section.split('\n').find((line) => line.startsWith('| claim'))!;
    assert.deepEqual(header.split('|').map((c) => c.trim()).filter(Boolean), ['claim', 'overall', 'runs', 'seed=0', 'seed=1']);
    const ppoRow = section.split('\n').find((line) => line.includes("dominates PPO's (PPO with the learned"))!;
    const cells = ppoRow.split('|').map((c) => c.trim()).filter(Boolean);
    assert.match(cells[1], /^\*\*(borne out|not borne out|mixed|not measured)\*\*$/);
    assert.match(cells[2], /(borne out in \d of \d runs|measured in none)/);
    for (const cell of cells.slice(3)) assert.match(cell, /^(borne out|not borne out|not measured)$/);
    assert.ok(existsSync(join(dir, 'runs', 'seeds', sweep, 'frontier.svg')));
  });

  it('names the report of a run with a report stage, and prints the run folder on stdout', () => {
    const result = spawnSync(process.execPath, [bin, join(dir, 'seeds.yaml'), '--runs-dir', join(dir, 'runs')], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const run = result.stdout.trim();
    assert.ok(existsSync(join(run, 'manifest.json')), run);
    assert.match(result.stderr, /^\[report\] cached/m, 'seed 0 was run by the sweep');
    assert.ok(result.stderr.includes(`report: ${join(run, 'outputs', 'report', 'report.md')}\n`), result.stderr);
  });
});
