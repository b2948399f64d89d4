import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBestOfN } from '../../src/bestOfN/artifact.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'dpo-run.js');

/** dataset -> sft -> preferences -> reward_model -> ppo (swept over kl_target) and best_of_n, all tiny. */
const pipeline = `name: rlhf
seed: 3
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
    train: {lr: 0.003, batch_size: 16, max_steps: 4, log_every: 2}
  prefs:
    kind: preferences
    policy: sft
    data: data
    reward: {kind: sentiment_lexicon}
    k: 2
    max_prompts: 12
    max_test_prompts: 4
    sampling: {max_new_tokens: 6}
  rm:
    kind: reward_model
    init: sft
    pairs: prefs
    train: {lr: 0.003, batch_size: 8, max_steps: 3}
  ppo:
    kind: ppo
    policy: sft
    data: data
    reward: {kind: reward_model, model: rm}
    value: {init: reward_model}
    iterations: 2
    rollout_batch: 4
    ppo_epochs: 1
    minibatch_size: 4
    sampling: {max_new_tokens: 6}
    kl_target: 3
    train: {lr: 0.001, checkpoint_every: 1}
    sweep:
      kl_target: [3, 6]
  bon:
    kind: best_of_n
    policy: sft
    data: data
    reward: {kind: reward_model, model: rm}
    n: [1, 4]
    max_prompts: 3
    sampling: {max_new_tokens: 6}
`;

describe('an RLHF pipeline through the CLI', function () {
  this.timeout(180000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-rlhf-'));
    writeFileSync(join(dir, 'rlhf.yaml'), pipeline);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs dataset, sft, preferences, reward_model, a ppo sweep and best_of_n', async () => {
    const result = spawnSync(process.execPath, [bin, 'rlhf.yaml', '--backend', 'wasm'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(dir, 'runs', 'rlhf'));
    const run = join(dir, 'runs', 'rlhf', runId);
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'done');
    for (const id of ['ppo[kl_target=3]', 'ppo[kl_target=6]']) {
      assert.equal(manifest.instances[id].status, 'done');
      const out = join(run, 'outputs', id);
      assert.ok(existsSync(join(out, 'model', 'tokenizer.json')));
      assert.deepEqual(readdirSync(join(out, 'checkpoints')), ['step-000001', 'step-000002']);
      // The finished entry keeps the policy at each checkpoint, not what only a resumption reads.
      assert.deepEqual(readdirSync(join(out, 'checkpoints', 'step-000002')).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'trainer.json']);
      assert.equal(existsSync(join(out, 'value')), false, 'no value snapshots');
      const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
      assert.equal(metrics.length, 3);
      assert.match(metrics[0], /objective\/kl_coef/);
    }
    const policies = await readBestOfN(join(run, 'outputs', 'bon'));
    assert.deepEqual(policies.map((p) => [p.n, p.samples.length]), [[1, 3], [4, 3]]);
  });
});
