import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { createOptimizer, type OptimizerSettings } from '../../src/training/optimizer.ts';
import { learningRate } from '../../src/training/schedule.ts';
import { clipByGlobalNorm } from '../../src/training/clip.ts';

const base: OptimizerSettings = { name: 'adamw', weight_decay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe('optimizers', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('takes an AdamW step as worked out by hand', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const opt = createOptimizer(base);
    const g = tf.tensor2d([[0.5, 0.25]]);
    opt.step(new Map([['w', w]]), { w: g }, 0.01);
    // step 1: m_hat = g, v_hat = g^2, update = g/|g| = sign(g) (eps negligible); decay = 0.1 * w
    // w1 = w - 0.01 * (sign(g) + 0.1 w) = [1 - 0.01*1.1, -2 - 0.01*(1 - 0.2)]
    const got = Array.from(w.dataSync());
    assert.ok(Math.abs(got[0] - 0.989) < 1e-6, String(got[0]));
    assert.ok(Math.abs(got[1] - -2.008) < 1e-6, String(got[1]));
    opt.dispose();
    w.dispose();
    g.dispose();
  });

  it('takes an RMSprop step as worked out by hand', () => {
    const b = tf.variable(tf.tensor1d([3]));
    const opt = createOptimizer({ ...base, name: 'rmsprop', beta2: 0.9 });
    const g = tf.tensor1d([2]);
    opt.step(new Map([['b', b]]), { b: g }, 0.1);
    // v = 0.1 * 4 = 0.4; b = 3 - 0.1 * 2 / sqrt(0.4)
    assert.ok(Math.abs(b.dataSync()[0] - (3 - 0.2 / Math.sqrt(0.4))) < 1e-5);
    opt.dispose();
    b.dispose();
    g.dispose();
  });

  it('restores its state so that a resumed run takes the same next step', () => {
    const run = (resume: boolean) => {
      const w = tf.variable(tf.tensor2d([[1, 2]]));
      let opt = createOptimizer(base);
      const g = tf.tensor2d([[0.3, -0.7]]);
      opt.step(new Map([['w', w]]), { w: g }, 0.01);
      if (resume) {
        const { step, tensors } = opt.state();
        opt.dispose();
        opt = createOptimizer(base);
        opt.restore(step, tensors);
        Object.values(tensors).forEach((t) => t.dispose());
      }
      opt.step(new Map([['w', w]]), { w: g }, 0.01);
      const out = Array.from(w.dataSync());
      opt.dispose();
      w.dispose();
      g.dispose();
      return out;
    };
    assert.deepEqual(run(true), run(false));
  });

  it('leaves no tensors behind after steps', () => {
    const w = tf.variable(tf.randomNormal([4, 4]));
    const opt = createOptimizer(base);
    const g = tf.randomNormal([4, 4]);
    opt.step(new Map([['w', w]]), { w: g }, 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.step(new Map([['w', w]]), { w: g }, 0.01);
    assert.equal(tf.memory().numTensors, before);
    opt.dispose();
    w.dispose();
    g.dispose();
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly from 0 and then decays to the floor', () => {
    const s = { lr: 1, warmup_steps: 3, decay: 'linear' as const, min_lr_ratio: 0 };
    assert.deepEqual([0, 1, 2].map((i) => learningRate(s, i, 13)), [0.25, 0.5, 0.75]);
    assert.equal(learningRate(s, 3, 13), 1);
    assert.equal(learningRate(s, 8, 13), 0.5);
    assert.equal(learningRate(s, 13, 13), 0);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales gradients whose global norm exceeds the maximum', () => {
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    assert.equal(norm, 5);
    assert.ok(Math.abs(grads.a.dataSync()[0] - 0.6) < 1e-6);
    assert.ok(Math.abs(grads.b.dataSync()[0] - 0.8) < 1e-6);
  });
});
