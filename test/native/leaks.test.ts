import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsOrSkip } from './compareWithStock.ts';

interface WasmInternals {
  wasm: { HEAPU8: Uint8Array };
  numDataIds(): number;
}

describe('native kernels over many calls', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('leave no tensors behind and do not grow the wasm heap', () => {
    const backend = tf.backend() as unknown as WasmInternals;
    const a = tf.randomUniform([4, 32, 48], -1, 1, 'float32', 1), b = tf.randomUniform([48, 40], -1, 1, 'float32', 2);
    const bias = tf.randomUniform([40], -1, 1, 'float32', 3);
    const step = () => tf.tidy(() => {
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.fused.matMul({ a: x as tf.Tensor3D, b: tf.tile(tf.expandDims(y, 0), [4, 1, 1]) as tf.Tensor3D, bias, activation: 'relu' })
          .transpose([0, 2, 1]).matMul(x).square().sum());
      return tf.addN(grads([a, b]).map((g) => g.sum())).dataSync()[0];
    });
    for (let i = 0; i < 5; i++) step();
    const tensors = tf.memory().numTensors, dataIds = backend.numDataIds(), heap = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 100; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), dataIds);
    assert.equal(backend.wasm.HEAPU8.length, heap);
    tf.dispose([a, b, bias]);
  });
});
