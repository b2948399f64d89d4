import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/model/index.ts';
import { initBackend } from '../../src/backend/index.ts';
import { compareStep } from '../../bench/peer/compare.ts';
import { measureTfjs } from '../../bench/peer/measure.ts';
import { PYTHON, runPyTorch } from '../../bench/peer/pytorch.ts';
import type { PeerShape } from '../../bench/peer/shapes.ts';
import { createWorkload, disposeWorkload, saveWorkload } from '../../bench/peer/workload.ts';

/** Tiny, so that both engines run in a second; an odd vocabulary and batch catch layout mix-ups. */
const SHAPE: PeerShape = { name: 'tiny', config: resolveConfig({ vocabSize: 61, contextLength: 14, nLayer: 2, nHead: 2, nEmbd: 16 }), batch: 3 };

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

describe('bench:peer', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'peer-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('times the project\'s sft, dpo and generation steps without leaving tensors behind', async () => {
    const workload = createWorkload(SHAPE, 3);
    try {
      const { figures, leakedTensors } = await measureTfjs(workload, ['sft', 'dpo', 'generation'], 2, () => {});
      assert.equal(leakedTensors, 0);
      assert.equal(figures.sft!.losses!.length, 3);
      assert.ok(figures.sft!.losses![2] < figures.sft!.losses![0], 'the sft loss went down');
      assert.ok(figures.dpo!.losses![0] !== Math.log(2), 'the reference differs from the policy');
      assert.ok(figures.generation!.tokens_per_second! > 0);
    } finally {
      disposeWorkload(workload);
    }
  });

  it('gives the losses of the project\'s model in PyTorch from the same weights and batches', async function () {
    if (!torchAvailable()) {
      console.log(`      skipping: ${PYTHON} with torch and numpy is not installed`);
      this.skip();
    }
    const workload = createWorkload(SHAPE, 5);
    let tfjs;
    try {
      await saveWorkload(dir, workload);
      tfjs = (await measureTfjs(workload, ['sft', 'dpo', 'generation'], 2, () => {})).figures;
    } finally {
      disposeWorkload(workload);
    }
    const torch = runPyTorch(dir, { steps: 2, threads: 1, kinds: ['sft', 'dpo', 'generation'] });
    assert.ok(!('error' in torch), 'error' in torch ? torch.error : '');
    for (const kind of ['sft', 'dpo'] as const) {
      const { comparison, warnings } = compareStep(kind, { stock_wasm: tfjs, pytorch: torch.figures }, 'tiny');
      assert.deepEqual(warnings, []);
      // Three steps: the starting weights' loss, then two after AdamW updates.
      assert.ok(comparison.max_loss_difference!.stock_wasm! < 1e-4, `${kind}: ${tfjs[kind]!.losses} vs ${torch.figures[kind]!.losses}`);
    }
    assert.ok(torch.figures.generation!.tokens_per_second! > 0);
  });
});
