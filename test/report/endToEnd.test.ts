import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { FRONTIER_COLUMNS } from '../../src/evaluation/frontierTable.ts';
import { WIN_RATE_COLUMNS } from '../../src/evaluation/winRateTable.ts';
import { svgPointMarks } from './fixtures.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');

/** A reduced frontier pipeline: tiny SFT, preference pairs, DPO at two betas, best-of-N, evaluate, report. */
const pipeline = `name: frontier
seed: 1
backend: wasm
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
    limit: 200
    split: {test_fraction: 0.2}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 300}
    model: {n_layer: 1, n_head: 2, n_embd: 16, context_length: 24}
    train: {lr: 0.003, batch_size: 16, max_steps: 6, log_every: 2}
  pairs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon}
    k: 2
    max_prompts: 24
    max_test_prompts: 4
    sampling: {max_new_tokens: 6}
  dpo:
    kind: dpo
    policy: sft
    pairs: pairs
    train: {lr: 0.01, batch_size: 8, max_steps: 3, checkpoint_every: 2}
    sweep: {beta: [0.1, 1]}
  bon:
    kind: best_of_n
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon}
    n: [1, 4]
    max_prompts: 6
    sampling: {max_new_tokens: 6}
  eval:
    kind: evaluate
    policies: [sft, dpo, bon]
    checkpoints: all
    reference: sft
    reward: {kind: sentiment_lexicon}
    data: data
    max_prompts: 6
    samples_per_prompt: 2
    temperatures: [0, 1]
    sampling: {max_new_tokens: 6}
    win_rate: {baseline: sft}
  report:
    kind: report
    evaluation: eval
`;

describe('the frontier and the report through the CLI', function () {
  this.timeout(180000);
  let dir: string;
  const dpoRun = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-frontier-'));
    writeFileSync(join(dir, 'frontier.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes frontier.csv, win_rates.csv, report.md and both figures, and `dpo-run report` redraws them in the run folder', () => {
    const result = dpoRun('frontier.yaml');
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(dir, 'runs', 'frontier'));
    const run = join(dir, 'runs', 'frontier', runId);
    const evalDir = join(run, 'outputs', 'eval');

    const frontier: Record<string, string>[] = parse(readFileSync(join(evalDir, 'frontier.csv'), 'utf8'), { columns: true });
    assert.deepEqual(Object.keys(frontier[0]), Object.keys(FRONTIER_COLUMNS));
    const policies = [...new Set(frontier.map((r) => r.policy))];
    assert.ok(policies.includes('sft') && policies.includes('dpo[beta=0.1]') && policies.includes('dpo[beta=1]@step=2'), policies.join(', '));
    assert.ok(policies.includes('bon@n=4'));
    // The reference against itself at temperature 1; greedy decoding (T = 0) is a point mass, away from it.
    const [sft0, sft1] = [0, 1].map((t) => frontier.find((r) => r.policy === 'sft' && Number(r.temperature) === t)!);
    assert.equal(Number(sft1.kl_mean), 0);
    assert.ok(Number(sft0.kl_mean) > 0);
    const bon4 = frontier.find((r) => r.policy === 'bon@n=4')!;
    assert.ok(Math.abs(Number(bon4.kl_bound) - (Math.log(4) - 3 / 4)) < 1e-4);
    for (const row of frontier) assert.ok(Number.isFinite(Number(row.reward_mean)) && Number.isFinite(Number(row.kl_mean)), JSON.stringify(row));

    // The evaluation read DPO's checkpoints from finished entries that keep no optimizer state.
    assert.deepEqual(readdirSync(join(run, 'outputs', 'dpo[beta=1]', 'checkpoints', 'step-000002')).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'trainer.json']);

    const winRates: Record<string, string>[] = parse(readFileSync(join(evalDir, 'win_rates.csv'), 'utf8'), { columns: true });
    assert.deepEqual(Object.keys(winRates[0]), Object.keys(WIN_RATE_COLUMNS));
    assert.ok(winRates.every((r) => Number(r.win_rate) >= 0 && Number(r.win_rate) <= 1));

    const reportDir = join(run, 'outputs', 'report');
    const text = readFileSync(join(reportDir, 'report.md'), 'utf8');
    for (const heading of ['## Frontier', '## Win rates', '## Training', '## Against the paper']) assert.ok(text.includes(heading), heading);
    assert.equal(svgPointMarks(readFileSync(join(reportDir, 'frontier.svg'), 'utf8')), frontier.length);
    assert.equal(svgPointMarks(readFileSync(join(reportDir, 'win_rates.svg'), 'utf8')), winRates.length);

    const report = dpoRun('report', run);
    assert.equal(report.status, 0, report.stderr);
    assert.match(readFileSync(join(run, 'report.md'), 'utf8'), /\| dpo\[beta=1\] \| dpo \|/);
    assert.equal(svgPointMarks(readFileSync(join(run, 'frontier.svg'), 'utf8')), frontier.length);
  });

  it('exits 2 when the folder is not a run', () => {
    const result = dpoRun('report', dir);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /neither a run folder/);
  });
});
