import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan, executeSweep, describeDryRun, type ExecuteOptions } from '../../src/executor/index.ts';
import { calls, chain, instance, plan, registerTestKinds, testBackend, unregisterTestKinds } from './kinds.ts';

describe('executor', () => {
  let runsDir: string;
  let printed: string[];
  const options = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
    runsDir,
    backend: testBackend,
    output: { write: (text) => void printed.push(text) },
    ...extra,
  });
  const statuses = (manifest: { instances: Record<string, { status: string }> }) =>
    Object.fromEntries(Object.entries(manifest.instances).map(([id, r]) => [id, r.status]));

  before(registerTestKinds);
  after(unregisterTestKinds);
  beforeEach(() => {
    runsDir = mkdtempSync(join(tmpdir(), 'dpo-run-exec-'));
    printed = [];
    calls.length = 0;
  });
  afterEach(() => rmSync(runsDir, { recursive: true, force: true }));

  it('runs nothing on a second run of the same plan: every instance is a cache hit', async () => {
    const first = await executePlan(chain(), options());
    assert.equal(first.status, 'done');
    assert.deepEqual(calls, ['a', 'b', 'c']);
    calls.length = 0;
    const second = await executePlan(chain(), options());
    assert.deepEqual(calls, []);
    assert.deepEqual(statuses(second.manifest), { a: 'cached', b: 'cached', c: 'cached' });
    assert.ok(Object.values(second.manifest.instances).every((r) => r.cache_hit));
    assert.notEqual(first.runDir, second.runDir);
  });

  it('reruns a changed instance and its downstream, nothing upstream', async () => {
    await executePlan(chain('b'), options());
    calls.length = 0;
    const result = await executePlan(chain('b changed'), options());
    assert.deepEqual(calls, ['b', 'c']);
    assert.deepEqual(statuses(result.manifest), { a: 'cached', b: 'done', c: 'done' });
    const c = readFileSync(join(result.manifest.instances.c.output, 'result.txt'), 'utf8');
    assert.match(c, /b changed 0/);
  });

  it('runs the shared upstream of a stage sweep once', async () => {
    const swept = plan([
      instance('data', { text: 'data', steps: 1 }),
      instance('dpo[beta=0.1]', { text: 'beta 0.1', steps: 1 }, { from: ['data'], sweep: { beta: 0.1 } }),
      instance('dpo[beta=1]', { text: 'beta 1', steps: 1 }, { from: ['data'], sweep: { beta: 1 } }),
      instance('eval', { text: 'eval', steps: 1 }, { from: ['dpo[beta=0.1]', 'dpo[beta=1]'] }),
    ]);
    const result = await executePlan(swept, options());
    assert.deepEqual(calls, ['data', 'dpo[beta=0.1]', 'dpo[beta=1]', 'eval']);
    const evalText = readFileSync(join(result.manifest.instances.eval.output, 'result.txt'), 'utf8');
    assert.match(evalText, /beta 0\.1 0[\s\S]*beta 1 0/);
    assert.ok(existsSync(join(result.runDir, 'outputs', 'dpo[beta=0.1]', 'result.txt')));
  });

  it('runs the stages shared by a command-line sweep once, under one sweep folder', async () => {
    const forSeed = (seed: number) =>
      plan([instance('data', { text: 'data', steps: 1 }), instance('train', { text: 't', steps: 1 }, { from: ['data'], seed })], { seed });
    const sweep = await executeSweep([forSeed(0), forSeed(1)], options());
    assert.equal(sweep.status, 'done');
    assert.deepEqual(calls, ['data', 'train', 'train']);
    assert.deepEqual(readdirSync(sweep.sweepDir).sort(), ['seed=0', 'seed=1', 'sweep.json']);
    const record = JSON.parse(readFileSync(join(sweep.sweepDir, 'sweep.json'), 'utf8'));
    assert.deepEqual(record.runs.map((r: { status: string; folder: string }) => [r.folder, r.status]), [['seed=0', 'done'], ['seed=1', 'done']]);
  });

  it('marks a failing stage failed, keeps no cache entry for it, and does not run its dependents', async () => {
    const failing = plan([
      instance('a', { text: 'a', steps: 1 }),
      instance('bad', { message: 'loss is NaN at step 3' }, { kind: 'test-fail', from: ['a'] }),
      instance('after', { text: 'x', steps: 1 }, { from: ['bad'] }),
      instance('other', { text: 'o', steps: 1 }, { from: ['a'] }),
    ]);
    const result = await executePlan(failing, options());
    assert.equal(result.status, 'failed');
    assert.deepEqual(statuses(result.manifest), { a: 'done', bad: 'failed', after: 'skipped', other: 'done' });
    assert.equal(result.manifest.instances.bad.error, 'loss is NaN at step 3');
    assert.equal(existsSync(result.manifest.instances.bad.output), false);
    assert.deepEqual(calls, ['a', 'bad', 'other']);
    assert.match(printed.join(''), /error: bad failed: loss is NaN at step 3/);
    assert.doesNotMatch(printed.join(''), /at .*\.ts:\d+/); // a StageError prints without a stack
  });

  it('loads a stand-in backend only when an instance has to run, and records the loaded one', async () => {
    const standIn = { name: 'auto', provider: 'none loaded', passedOver: [] };
    let loads = 0;
    const loadBackend = async () => (loads++, testBackend);
    await executePlan(chain(), options());
    const cached = await executePlan(chain(), options({ backend: standIn, loadBackend }));
    assert.equal(loads, 0);
    assert.equal(cached.manifest.backend.name, 'auto');

    rmSync(join(runsDir, 'cache'), { recursive: true }); // as if pruned between the CLI's look and the run
    const ran = await executePlan(chain(), options({ backend: standIn, loadBackend }));
    assert.equal(loads, 1);
    assert.deepEqual(statuses(ran.manifest), { a: 'done', b: 'done', c: 'done' });
    const manifest = JSON.parse(readFileSync(join(ran.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.backend.name, 'cpu');
    assert.equal(manifest.versions.backend, 'cpu');
    assert.equal(manifest.instances.a.backend, 'cpu');
  });

  it('writes pipeline.resolved.yaml, a manifest with every field, and links to the outputs', async () => {
    const result = await executePlan(chain(), options());
    assert.match(result.runDir, /[\\/]test[\\/]\d{8}-\d{6}-[0-9a-f]{6}$/);
    assert.match(readFileSync(join(result.runDir, 'pipeline.resolved.yaml'), 'utf8'), /stages:/);
    const manifest = JSON.parse(readFileSync(join(result.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'done');
    assert.equal(manifest.backend.name, 'cpu');
    const a = manifest.instances.a;
    assert.deepEqual(Object.keys(a).sort(), ['backend', 'cache_hit', 'ended', 'error', 'fingerprint', 'kind', 'output', 'peak_rss_mb', 'stage', 'started', 'status']);
    assert.ok(Number.isInteger(a.peak_rss_mb) && a.peak_rss_mb > 0, 'the peak memory of the process that ran it');
    assert.match(a.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(a.output, join(runsDir, 'cache', `test-write-${a.fingerprint.slice(0, 16)}`));
    assert.ok(Date.parse(a.ended) >= Date.parse(a.started));
    assert.equal(realpathSync(join(result.runDir, 'outputs', 'a')), realpathSync(a.output));
    assert.deepEqual(readdirSync(a.output).sort(), ['cache-entry.json', 'checkpoint.json', 'metrics.csv', 'metrics.jsonl', 'result.txt', 'summary.json']);
    assert.equal(readFileSync(join(a.output, 'metrics.csv'), 'utf8'), 'step,loss\n0,1\n1,0.5\n');
  });

  it('runs with --only just the named stages and what they need', async () => {
    const result = await executePlan(chain(), options({ only: ['b'] }));
    assert.deepEqual(calls, ['a', 'b']);
    assert.deepEqual(statuses(result.manifest), { a: 'done', b: 'done', c: 'skipped' });
  });

  it('rejects --only with a stage the pipeline lacks, suggesting a close one', async () => {
    await assert.rejects(executePlan(chain(), options({ only: ['bb'] })), (e: Error & { hint?: string }) => e.name === 'UserError' && /did you mean "b"/.test(e.hint ?? ''));
  });

  it('reruns a stage given to --force and replaces its cache entry', async () => {
    const first = await executePlan(chain(), options());
    const before = readFileSync(join(first.manifest.instances.b.output, 'cache-entry.json'), 'utf8');
    calls.length = 0;
    const forced = await executePlan(chain(), options({ force: ['b'] }));
    assert.deepEqual(calls, ['b']);
    assert.deepEqual(statuses(forced.manifest), { a: 'cached', b: 'done', c: 'cached' });
    assert.notEqual(readFileSync(join(forced.manifest.instances.b.output, 'cache-entry.json'), 'utf8'), before);
    calls.length = 0;
    await executePlan(chain(), options({ force: ['all'] }));
    assert.deepEqual(calls, ['a', 'b', 'c']);
  });

  it('prints with --dry-run each instance, its cache entry and whether the cache holds it', async () => {
    await executePlan(chain(), options({ only: ['a'] }));
    const lines = describeDryRun(chain(), runsDir, { only: [], force: [] });
    assert.equal(lines.length, 4);
    assert.match(lines[1], /^ {2}a +test-write-[0-9a-f]{16} {2}cached$/);
    assert.match(lines[2], /^ {2}b +test-write-[0-9a-f]{16} {2}run$/);
    assert.equal(readdirSync(join(runsDir, 'test')).length, 1); // no run folder for the dry run
  });

  it('hands a stage the finished folders of its inputs, and its seed', async () => {
    const result = await executePlan(plan([instance('a', { text: 'a', steps: 1 }, { seed: 7 }), instance('b', { text: 'b', steps: 1 }, { from: ['a'] })]), options());
    const b = readFileSync(join(result.manifest.instances.b.output, 'result.txt'), 'utf8');
    const a = readFileSync(join(result.manifest.instances.a.output, 'result.txt'), 'utf8');
    assert.match(b, new RegExp(`^${a}---\\nb 0 \\d+\\n$`));
    assert.deepEqual(JSON.parse(readFileSync(join(result.manifest.instances.a.output, 'summary.json'), 'utf8')), { steps: 1, seed: 7 });
  });
});
