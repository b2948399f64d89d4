import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wilsonInterval } from '../../src/evaluation/statistics.ts';
import { readWinRates, writeWinRates, WIN_RATES_FILE, type WinRateRow } from '../../src/evaluation/winRateTable.ts';

describe('win_rates.csv', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dpo-run-win-rates-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps the interval columns it writes', async () => {
    const row: WinRateRow = { policy: 'dpo', method: 'dpo', settings: 'beta=0.1', checkpoint_step: null, temperature: 1, baseline: 'dataset', judge: 'llm', win_rate: 0.8, win_rate_se: 0.13, win_rate_ci_low: 0.49, win_rate_ci_high: 0.94, n_comparisons: 10, ties: 0, judge_failures: 0 };
    await writeWinRates(dir, [row]);
    assert.deepEqual(await readWinRates(dir), [row]);
  });

  it('computes the interval of a file written before its columns from win_rate and n_comparisons', async () => {
    const old = 'policy,method,settings,checkpoint_step,temperature,baseline,judge,win_rate,win_rate_se,n_comparisons,ties,judge_failures\ndpo,dpo,,,1,sft,reward,0.8,0.13,10,0,0\n';
    await writeFile(join(dir, WIN_RATES_FILE), old);
    const [row] = await readWinRates(dir);
    const { low, high } = wilsonInterval(8, 10);
    assert.ok(Math.abs(row.win_rate_ci_low - low) < 1e-12 && Math.abs(row.win_rate_ci_high - high) < 1e-12);
  });
});
