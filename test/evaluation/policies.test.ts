import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { methodOf, policiesOf, settingsLabel } from '../../src/evaluation/policies.ts';
import { output } from './tinyPolicies.ts';

describe('the policies of an evaluation', () => {
  it('calls PPO with a ground-truth reward PPO-GT', () => {
    assert.equal(methodOf({ kind: 'ppo', settings: { reward: { kind: 'sentiment_lexicon' } } }), 'ppo_gt');
    assert.equal(methodOf({ kind: 'ppo', settings: { reward: { kind: 'reward_model', model: 'rm' } } }), 'ppo');
    assert.equal(methodOf({ kind: 'dpo', settings: { beta: 0.1 } }), 'dpo');
  });

  it('labels a policy with its sweep values and the settings that place it on the frontier', () => {
    assert.equal(settingsLabel({ settings: { beta: 0.1, train: { lr: 1 } }, sweep: { beta: 0.1 } }), 'beta=0.1');
    assert.equal(settingsLabel({ settings: { kl_coef: 0.05, kl_target: 6, train: { lr: 1 } }, sweep: {} }), 'kl_target=6');
    assert.equal(settingsLabel({ settings: { alpha: 0.5 }, sweep: {} }), 'alpha=0.5');
  });

  it("adds each saved checkpoint before the final model with checkpoints: all, and each N of best-of-N", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpo-run-policies-'));
    for (const step of [5, 10]) {
      const checkpoint = join(dir, 'checkpoints', `step-${String(step).padStart(6, '0')}`);
      await mkdir(checkpoint, { recursive: true });
      await writeFile(join(checkpoint, 'trainer.json'), '{}');
    }
    const dpo = output('dpo', 'dpo', dir, { beta: 1 });
    const bon = output('bon', 'best_of_n', '/b');
    const all = await policiesOf([dpo, bon], 'all', async () => [1, 4]);
    assert.deepEqual(all.map((p) => [p.id, p.checkpointStep, p.instance]), [
      ['dpo@step=5', 5, 'dpo'],
      ['dpo@step=10', 10, 'dpo'],
      ['dpo', null, 'dpo'],
      ['bon@n=1', null, 'bon'],
      ['bon@n=4', null, 'bon'],
    ]);
    assert.deepEqual(all[4].source, { kind: 'best_of_n', dir: '/b', n: 4, temperature: 1 });
    assert.equal(all[4].settings, 'n=4');
    assert.deepEqual((await policiesOf([dpo], 'final', async () => [])).map((p) => p.id), ['dpo']);
  });

  it('leaves out a last checkpoint whose weight files are the final model\'s, one file or sharded', async () => {
    for (const files of [{ 'model.safetensors': 'w' }, { 'model.safetensors.index.json': JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }), 'model-00001-of-00002.safetensors': 'a', 'model-00002-of-00002.safetensors': 'b' }]) {
      const dir = await mkdtemp(join(tmpdir(), 'dpo-run-policies-'));
      const write = async (folder: string, changed: boolean) => {
        await mkdir(folder, { recursive: true });
        for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), changed && !name.endsWith('.json') ? text + '!' : text);
      };
      for (const step of [5, 10]) {
        const checkpoint = join(dir, 'checkpoints', `step-${String(step).padStart(6, '0')}`);
        await write(checkpoint, step === 5);
        await writeFile(join(checkpoint, 'trainer.json'), '{}');
      }
      await write(join(dir, 'model'), false);
      const all = await policiesOf([output('dpo', 'dpo', dir, { beta: 1 })], 'all', async () => []);
      assert.deepEqual(all.map((p) => p.id), ['dpo@step=5', 'dpo'], Object.keys(files).join());
    }
  });
});
