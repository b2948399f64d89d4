import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels } from '../../src/backend/native/index.ts';
import { resolveConfig } from '../../src/model/index.ts';
import type { PeerShape } from '../../bench/peer/shapes.ts';
import { dpoTrainer, sftTrainer, type Trainer } from '../../bench/peer/steps.ts';
import { createWorkload, disposeWorkload } from '../../bench/peer/workload.ts';
import { withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

/** Small enough for seconds, large enough that the logits (4, 16, 512) take the native element-wise paths. */
const SHAPE: PeerShape = { name: 'small', config: resolveConfig({ vocabSize: 512, contextLength: 16, nLayer: 2, nHead: 2, nEmbd: 32 }), batch: 4 };
const STEPS = 20;

/** The losses of STEPS steps of the project's SFT and DPO steps (bench/peer/steps.ts) from the same weights. */
function losses(): { sft: number[]; dpo: number[] } {
  const workload = createWorkload(SHAPE, 3);
  const run = (trainer: Trainer) => {
    try {
      return Array.from({ length: STEPS }, () => trainer.step());
    } finally {
      trainer.dispose();
    }
  };
  try {
    return { sft: run(sftTrainer(workload)), dpo: run(dpoTrainer(workload)) };
  } finally {
    disposeWorkload(workload);
  }
}

describe('training with the native kernels', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('gives the losses of the stock kernels over twenty SFT and twenty DPO steps, without leaking', () => {
    // IS_TEST (set by initBackend) makes tfjs flag logSoftmax's gradient as a leak on wasm, with or without native kernels.
    const isTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', false);
    try {
      const before = tf.memory().numTensors;
      const native = losses();
      assert.equal(tf.memory().numTensors, before, 'tensors left behind by the native run');
      const stock = withStockKernels(losses);
      for (const kind of ['sft', 'dpo'] as const) {
        native[kind].forEach((loss, i) => assert.ok(Math.abs(loss - stock[kind][i]) <= 1e-4, `${kind} step ${i}: ${loss} vs ${stock[kind][i]}`));
      }
      assert.ok(native.sft[STEPS - 1] < native.sft[0] && native.dpo[STEPS - 1] < native.dpo[0], 'losses went down');
    } finally {
      tf.env().set('IS_TEST', isTest);
    }
  });
});

describe('DPO_RUN_NATIVE=0', () => {
  it('registers no native kernel and says why', () => {
    const script = `
      import { initBackend } from './src/backend/index.ts';
      import { registerNativeKernels } from './src/backend/native/index.ts';
      await initBackend('wasm');
      console.log(JSON.stringify(registerNativeKernels()));`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DPO_RUN_NATIVE: '0' }, encoding: 'utf8',
    });
    const result = JSON.parse(output.trim().split('\n').pop()!);
    assert.deepEqual(result, { loaded: false, reason: 'disabled by DPO_RUN_NATIVE=0', kernels: [] });
  });
});
