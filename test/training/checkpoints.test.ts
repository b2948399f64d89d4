import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, resolveConfig } from '../../src/model/index.ts';
import { latestCheckpoint, listCheckpoints, resumeFrom, saveCheckpoint } from '../../src/training/checkpoints.ts';
import { createOptimizer, type OptimizerSettings } from '../../src/training/optimizer.ts';

const adamw: OptimizerSettings = { name: 'adamw', weight_decay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const config = resolveConfig({ vocabSize: 11, contextLength: 8, nLayer: 1, nHead: 2, nEmbd: 8 });

/** One AdamW step along gradient 0.1 * (1 + index) for every parameter. */
function takeStep(model: ReturnType<typeof createModel>, optimizer: ReturnType<typeof createOptimizer>): void {
  const grads: Record<string, tf.Tensor> = {};
  [...model.params].forEach(([name, v], i) => (grads[name] = tf.fill(v.shape, 0.1 * (1 + i))));
  optimizer.step(model.params, grads, 0.01);
  tf.dispose(Object.values(grads));
}

describe('training checkpoints', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('saves weights, optimizer and trainer state, and resumes to the same next step', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'dpo-run-ckpt-'));
    const model = createModel(config, { seed: 1 });
    const optimizer = createOptimizer(adamw);
    takeStep(model, optimizer);
    const state = { step: 1, optimizerStep: 0, random: [1, 2, 3, 4], extra: { best: 0.5 } };
    await saveCheckpoint(outDir, { model, optimizer, tokenizerJson: { kind: 'char', vocab: ['<pad>', '<unk>', '<bos>', '<eos>'] }, state });
    takeStep(model, optimizer);
    await saveCheckpoint(outDir, { model, optimizer, state: { ...state, step: 2 } });
    assert.deepEqual((await listCheckpoints(outDir)).map((c) => c.step), [1, 2]);

    const restoredOptimizer = createOptimizer(adamw);
    const resumed = await resumeFrom((await listCheckpoints(outDir))[0], restoredOptimizer);
    assert.deepEqual(resumed.state, { ...state, optimizerStep: 1 });
    takeStep(resumed.model, restoredOptimizer);
    for (const [name, variable] of model.params) {
      assert.deepEqual(Array.from(resumed.model.params.get(name)!.dataSync()), Array.from(variable.dataSync()), name);
    }
    assert.equal((await latestCheckpoint(outDir))!.step, 2);
    disposeModel(resumed.model);
    disposeModel(model);
    optimizer.dispose();
    restoredOptimizer.dispose();
  });
});
