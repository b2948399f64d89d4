import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.ts';
import { disposeBatch, gatherResponses, rolloutBatch, scatter } from '../../src/ppo/batch.ts';

describe('ppo rollout batches', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('right-pads the rows and marks the columns whose target is a response token', async () => {
    const rows = [{ prompt: [1, 2], response: [3, 4, 5] }, { prompt: [1], response: [6] }];
    const batch = rolloutBatch(rows, 0);
    assert.deepEqual(await batch.ids.array(), [[1, 2, 3, 4, 5], [1, 6, 0, 0, 0]]);
    assert.deepEqual(await batch.attentionMask.array(), [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]);
    assert.deepEqual(await batch.mask.array(), [[0, 1, 1, 1], [1, 0, 0, 0]]);
    disposeBatch(batch);
  });

  it('gathers the response entries of a (B, T-1) output and scatters them back', () => {
    const rows = [{ prompt: [1, 2], response: [3, 4, 5] }, { prompt: [1], response: [6] }];
    const outputs = Float32Array.from({ length: 8 }, (_, i) => i); // (2, 4)
    const ragged = gatherResponses(outputs, rows, 5);
    assert.deepEqual(ragged, [[1, 2, 3], [4]]);
    assert.deepEqual(Array.from(scatter(ragged, rows, 5)), [0, 1, 2, 3, 4, 0, 0, 0]);
  });
});
