import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { disposeModel, loadStageModel } from '../../src/model/index.ts';
import { preferred_ft } from '../../src/stages/preferredFt.ts';
import type { PreferredFtSettings } from '../../src/core/settings/preferredFt.ts';
import { testContext } from '../helpers/context.ts';
import { cacheRoot, pairsOutput, policyOutput, resolveSettings, sentimentPairs } from '../preferences/fixtures.ts';

describe('the preferred_ft stage', function () {
  this.timeout(30000);
  before(() => initBackend('wasm'));

  it('lowers the loss on the chosen completions, without a reference', async () => {
    const cache = await cacheRoot();
    const settings = resolveSettings<PreferredFtSettings>('preferred_ft', {
      policy: 'sft',
      pairs: 'prefs',
      train: { optimizer: 'adam', lr: 3e-3, batch_size: 8, epochs: 10, max_steps: 6 },
    });
    const ctx = await testContext(settings, { inputs: { policy: [await policyOutput(cache)], pairs: [await pairsOutput(cache, sentimentPairs(8, 4))] } });
    await preferred_ft.run(ctx);
    const rows = ctx.metricRows['metrics.csv'];
    assert.equal(rows.length, 6);
    assert.ok((rows[5].loss as number) < (rows[0].loss as number) - 0.1, `loss ${rows[0].loss} -> ${rows[5].loss}`);
    assert.ok((rows[5]['logps/chosen'] as number) > (rows[0]['logps/chosen'] as number));
    assert.equal(typeof rows[5]['eval/loss'], 'number');
    const summary = JSON.parse(await readFile(join(ctx.outDir, 'summary.json'), 'utf8'));
    assert.equal(summary.reference_logps, 'none');
    assert.equal(summary.forward_passes.reference, 0);
    disposeModel((await loadStageModel(ctx.outDir, { trainable: false })).model);
  });
});
