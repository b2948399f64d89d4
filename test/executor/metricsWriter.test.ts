import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetricsWriter } from '../../src/executor/metricsWriter.ts';
import { createProgress } from '../../src/executor/progress.ts';

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
});
