/**
 * Resolution and planning: defaults filled, sweeps expanded into instances, dependency
 * order, inputs naming every upstream instance, seeds.
 */
import assert from 'node:assert/strict';
import { loadPipeline, type Plan } from '../../src/pipeline/index.ts';
import { splitValues } from '../../src/pipeline/overrides.ts';
import { combinations, instanceId } from '../../src/pipeline/plan.ts';
import { withToyKinds } from './toyKinds.ts';

const frontier = 'test/fixtures/pipelines/valid/toy-frontier.yaml';

async function plansOf(file: string, set: string[] = [], sweep: string[] = []): Promise<{ plans: Plan[]; sweep: boolean }> {
  const loaded = await loadPipeline(file, { set, sweep });
  assert.equal(loaded.errors, undefined, JSON.stringify(loaded.errors));
  return loaded;
}

describe('pipeline plan', () => {
  withToyKinds();

  it('names swept instances after their values', () => {
    assert.equal(instanceId('sft', {}), 'sft');
    assert.equal(instanceId('dpo', { beta: 0.1 }), 'dpo[beta=0.1]');
    assert.equal(instanceId('ppo', { kl_target: 3, vf_coef: 0.1 }), 'ppo[kl_target=3,vf_coef=0.1]');
  });

  it('splits --sweep values at commas outside brackets and quotes', () => {
    assert.deepEqual(splitValues('0.1,1'), ['0.1', '1']);
    assert.deepEqual(splitValues('[a, b],{x: 1, y: 2},"c,d"'), ['[a, b]', '{x: 1, y: 2}', '"c,d"']);
  });

  it('expands a sweep over several settings into their product', () => {
    assert.deepEqual(combinations({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    assert.deepEqual(combinations({}), [{}]);
  });

  it('orders instances after what they reference, file order otherwise', async () => {
    const [plan] = (await plansOf(frontier)).plans;
    assert.deepEqual(
      plan.instances.map((i) => i.id),
      ['data', 'sft', 'dpo[beta=0.1]', 'dpo[beta=0.5]', 'eval', 'baseline'],
    );
  });

  it('gives a stage that references a swept stage every instance of it', async () => {
    const [plan] = (await plansOf(frontier)).plans;
    const byId = new Map(plan.instances.map((i) => [i.id, i]));
    assert.deepEqual(byId.get('eval')!.inputs, { policies: ['sft', 'dpo[beta=0.1]', 'dpo[beta=0.5]'] });
    assert.deepEqual(byId.get('dpo[beta=0.5]')!.inputs, { policy: ['sft'], data: ['data'] });
    assert.deepEqual(byId.get('sft')!.inputs, { data: ['data'] }, 'an absent optional reference has no input');
  });

  it('fills the defaults the schemas state, in the settings and the resolved document', async () => {
    const [plan] = (await plansOf(frontier)).plans;
    const dpo = plan.instances.find((i) => i.id === 'dpo[beta=0.1]')!;
    assert.deepEqual(dpo.settings, { kind: 'toy_model', policy: 'sft', data: 'data', loss: 'sigmoid', train: { epochs: 1, lr: 0.001 }, beta: 0.1 });
    assert.deepEqual(dpo.sweep, { beta: 0.1 });
    const resolved = plan.resolved as { name: string; seed: number; backend: string; stages: Record<string, Record<string, unknown>> };
    assert.deepEqual([resolved.name, resolved.seed, resolved.backend], ['toy-frontier', 3, 'auto']);
    assert.deepEqual(resolved.stages.sft.train, { epochs: 2, lr: 0.001 });
    assert.deepEqual(resolved.stages.dpo.sweep, { beta: [0.1, 0.5] }, 'the resolved document keeps the sweep');
    assert.equal(plan.backend, 'auto');
  });

  it("uses a stage's own seed, else the pipeline's", async () => {
    const [plan] = (await plansOf(frontier)).plans;
    const seeds = Object.fromEntries(plan.instances.map((i) => [i.id, i.seed]));
    assert.equal(seeds.data, 3);
    assert.equal(seeds.baseline, 7);
  });

  it('takes the file name as the pipeline name when it has none', async () => {
    const [plan] = (await plansOf('test/fixtures/pipelines/valid/toy-minimal.yaml')).plans;
    assert.equal(plan.name, 'toy-minimal');
    assert.equal(plan.resolved.seed, 0);
  });

  it('applies --set values, parsed as YAML', async () => {
    const [plan] = (await plansOf(frontier, ['stages.sft.train.epochs=5', 'backend=wasm', 'stages.eval.policies=[sft]'])).plans;
    assert.deepEqual(plan.instances.find((i) => i.id === 'sft')!.settings.train, { epochs: 5, lr: 0.001 });
    assert.equal(plan.backend, 'wasm');
    assert.deepEqual(plan.instances.find((i) => i.id === 'eval')!.inputs, { policies: ['sft'] });
  });

  it('turns --sweep on a stage setting into that stage sweep, replacing its value', async () => {
    const { plans, sweep } = await plansOf(frontier, [], ['stages.dpo.beta=0.05,5', 'stages.sft.train={epochs: 3}']);
    assert.equal(sweep, false);
    assert.equal(plans.length, 1);
    const ids = plans[0].instances.map((i) => i.id);
    assert.deepEqual(ids, ['data', 'sft[train={"epochs":3,"lr":0.001}]', 'dpo[beta=0.05]', 'dpo[beta=5]', 'eval', 'baseline']);
  });

  it('makes one plan per value of --sweep outside the stages, a product over several', async () => {
    const { plans, sweep } = await plansOf(frontier, [], ['seed=0,1', 'backend=wasm,cpu']);
    assert.equal(sweep, true);
    assert.deepEqual(
      plans.map((p) => p.runSweep),
      [
        { seed: 0, backend: 'wasm' },
        { seed: 0, backend: 'cpu' },
        { seed: 1, backend: 'wasm' },
        { seed: 1, backend: 'cpu' },
      ],
    );
    assert.deepEqual(plans.map((p) => p.instances.find((i) => i.id === 'data')!.seed), [0, 0, 1, 1]);
    assert.deepEqual(plans.map((p) => p.backend), ['wasm', 'cpu', 'wasm', 'cpu']);
  });

  it('sweeps a stage seed inside the stage', async () => {
    const [plan] = (await plansOf(frontier, [], ['stages.baseline.seed=1,2'])).plans;
    const baselines = plan.instances.filter((i) => i.stage === 'baseline');
    assert.deepEqual(baselines.map((i) => [i.id, i.seed]), [['baseline[seed=1]', 1], ['baseline[seed=2]', 2]]);
  });

  it('gives each instance of a stage that sweeps a reference the instances it names', async () => {
    const sweep = ['stages.eval.policies=[sft],[sft, dpo]'];
    const [plan] = (await plansOf(frontier, [], sweep)).plans;
    const evals = plan.instances.filter((i) => i.stage === 'eval');
    assert.deepEqual(
      evals.map((i) => [i.id, i.inputs.policies]),
      [
        ['eval[policies=["sft"]]', ['sft']],
        ['eval[policies=["sft","dpo"]]', ['sft', 'dpo[beta=0.1]', 'dpo[beta=0.5]']],
      ],
    );
  });
});
