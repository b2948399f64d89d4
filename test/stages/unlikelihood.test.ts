import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.ts';
import type { UnlikelihoodSettings } from '../../src/core/settings/unlikelihood.ts';
import { unlikelihood } from '../../src/stages/unlikelihood.ts';
import { testContext } from '../helpers/context.ts';
import { cacheRoot, pairsOutput, policyOutput, resolveSettings, sentimentPairs, settingsErrors } from '../preferences/fixtures.ts';

describe('the unlikelihood stage', function () {
  this.timeout(30000);
  before(() => initBackend('wasm'));

  it('lowers its loss, raising the chosen completions and pushing the rejected ones down', async () => {
    const cache = await cacheRoot();
    const settings = resolveSettings<UnlikelihoodSettings>('unlikelihood', {
      policy: 'sft',
      pairs: 'prefs',
      alpha: 1,
      train: { optimizer: 'adam', lr: 3e-3, batch_size: 8, epochs: 10, max_steps: 6 },
    });
    const ctx = await testContext(settings, { inputs: { policy: [await policyOutput(cache)], pairs: [await pairsOutput(cache, sentimentPairs(8, 4))] } });
    await unlikelihood.run(ctx);
    const rows = ctx.metricRows['metrics.csv'];
    assert.ok((rows[5].loss as number) < (rows[0].loss as number) - 0.1, `loss ${rows[0].loss} -> ${rows[5].loss}`);
    assert.ok((rows[5]['logps/chosen'] as number) > (rows[0]['logps/chosen'] as number));
    assert.ok((rows[5]['logps/rejected'] as number) < (rows[0]['logps/rejected'] as number));
  });

  it('requires alpha', () => {
    assert.notDeepEqual(settingsErrors('unlikelihood', { policy: 's', pairs: 'p', train: { lr: 1 } }), []);
  });
});
