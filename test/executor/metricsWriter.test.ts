import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetricsWriter } from '../../src/executor/metricsWriter.ts';
import { barLine, createProgress } from '../../src/executor/progress.ts';
import { formatDuration } from '../../src/core/duration.ts';

describe('metrics and progress', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dpo-run-metrics-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the header once and one row per step, leaving missing columns empty', async () => {
    const file = join(dir, 'metrics.csv');
    const metrics = openMetricsWriter(file, ['step', 'loss', 'rewards/chosen']);
    metrics.log({ step: 0, loss: 0.69, 'rewards/chosen': 0.1 });
    metrics.log({ step: 1, loss: 0.5 });
    await metrics.close();
    assert.equal(readFileSync(file, 'utf8'), 'step,loss,rewards/chosen\n0,0.69,0.1\n1,0.5,\n');
  });

  it('keeps appending when a resumed stage reopens its metrics file', async () => {
    const file = join(dir, 'metrics.csv');
    openMetricsWriter(file, ['step', 'loss']).log({ step: 0, loss: 1 });
    openMetricsWriter(file, ['step', 'loss']).log({ step: 1, loss: 0.5 });
    assert.equal(readFileSync(file, 'utf8'), 'step,loss\n0,1\n1,0.5\n');
    assert.throws(() => openMetricsWriter(file, ['step', 'lr']), /cannot resume/);
  });

  it('writes each row as JSON lines too, and drops from them the rows a resume dropped from the CSV', async () => {
    const file = join(dir, 'metrics.csv');
    const metrics = openMetricsWriter(file, ['step', 'loss', 'eval/loss']);
    metrics.log({ step: 0, loss: 0.69, 'eval/loss': 0.7 });
    metrics.log({ step: 1, loss: Number.NaN });
    metrics.log({ step: 2, loss: 0.5 });
    const lines = () => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines(), [{ step: 0, loss: 0.69, 'eval/loss': 0.7 }, { step: 1, loss: 'NaN' }, { step: 2, loss: 0.5 }]);
    writeFileSync(file, 'step,loss,eval/loss\n0,0.69,0.7\n'); // a resume from step 0's checkpoint
    openMetricsWriter(file, ['step', 'loss', 'eval/loss']).log({ step: 1, loss: 0.6 });
    assert.deepEqual(lines(), [{ step: 0, loss: 0.69, 'eval/loss': 0.7 }, { step: 1, loss: 0.6 }]);
  });

  it('rejects a metric that is not one of the columns', () => {
    const metrics = openMetricsWriter(join(dir, 'm.csv'), ['step', 'loss']);
    assert.throws(() => metrics.log({ step: 0, los: 1 }), /"los" is not a column/);
  });

  it('prints plain lines every tenth of the way when not on a terminal', () => {
    const lines: string[] = [];
    const progress = createProgress('sft', { write: (text) => void lines.push(text) });
    progress.start(100, 'training');
    for (let step = 1; step <= 100; step++) progress.update(step, { loss: 1 / step });
    progress.stop();
    assert.equal(lines.length, 10);
    assert.match(lines[0], /^\[sft\] training 10\/100 \(10%\) eta \d+s loss 0\.1000\n$/);
    assert.match(lines[9], /100\/100 \(100%\)/);
  });

  it('does not repeat the instance id when the label is the id', () => {
    const lines: string[] = [];
    const progress = createProgress('dpo[beta=0.05]', { write: (text) => void lines.push(text) });
    progress.start(10, 'dpo[beta=0.05]');
    progress.update(10, { loss: 1 });
    progress.stop();
    assert.match(lines[0], /^\[dpo\[beta=0\.05\]\] 10\/10 /);
  });

  it('fits a progress bar into 80 columns, with times as 3m59s', () => {
    const params = { progress: 0.4, value: 40, total: 100, eta: 239.6 };
    const id = 'ppo_gt[kl_target=12,vf_coef=0.1]';
    for (const columns of [80, 60, 40]) {
      const line = barLine(id, 'sampling the KL pool', params, 'loss 0.6931 rewards/accuracies 0.5 grad_norm 1.234', columns);
      assert.ok(line.length < columns, `${line.length} columns: ${line}`);
      assert.ok(line.startsWith(`[${id}]`), line);
    }
    assert.match(barLine('sft', '', params, '', 80), / eta 4m00s$/);
    assert.equal(formatDuration(239.4), '3m59s');
    assert.equal(formatDuration(59.6), '1m00s');
  });
});
