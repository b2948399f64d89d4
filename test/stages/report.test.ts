import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEvaluationIndex } from '../../src/evaluation/evaluationIndex.ts';
import { writeFrontier } from '../../src/evaluation/frontierTable.ts';
import { writeWinRates } from '../../src/evaluation/winRateTable.ts';
import { report } from '../../src/stages/report.ts';
import type { ReportSettings } from '../../src/core/settings/report.ts';
import { testContext } from '../helpers/context.ts';
import { FRONTIER, svgPointMarks, WIN_RATES } from '../report/fixtures.ts';

describe('report stage', function () {
  this.timeout(30000);

  it("writes report.md and both figures, summarising the evaluated stages' training", async () => {
    const dpoDir = await mkdtemp(join(tmpdir(), 'dpo-run-report-dpo-'));
    await writeFile(join(dpoDir, 'summary.json'), JSON.stringify({ loss: 0.45, 'rewards/accuracies': 0.9 }));
    const evalDir = await mkdtemp(join(tmpdir(), 'dpo-run-report-eval-'));
    await writeFrontier(evalDir, FRONTIER);
    await writeWinRates(evalDir, WIN_RATES);
    await writeEvaluationIndex(evalDir, [{ id: 'dpo[beta=0.1]', stage: 'dpo', kind: 'dpo', dir: dpoDir, settings: {}, sweep: { beta: 0.1 } }]);
    const evaluation = { id: 'eval', stage: 'eval', kind: 'evaluate', dir: evalDir, settings: {}, sweep: {} };
    const ctx = await testContext({ kind: 'report', evaluation: 'eval' } as ReportSettings, { inputs: { evaluation: [evaluation] } });
    await report.run(ctx);

    const text = readFileSync(join(ctx.outDir, 'report.md'), 'utf8');
    assert.match(text, /\| dpo\[beta=0\.1\] \| dpo \| – \| 0\.45 \| 0\.9 \|/);
    assert.match(text, /## Against the paper/);
    assert.equal(svgPointMarks(readFileSync(join(ctx.outDir, 'frontier.svg'), 'utf8')), FRONTIER.length);
    assert.equal(svgPointMarks(readFileSync(join(ctx.outDir, 'win_rates.svg'), 'utf8')), WIN_RATES.length);
  });
});
