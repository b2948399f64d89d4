import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { assertClose, withStockKernels, nativeKernelsOrSkip } from './compareWithStock.ts';

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** (a shape, b shape) before transposes are applied; a transposed operand is stored swapped. */
const SHAPES: [number[], number[]][] = [
  [[3, 5], [5, 7]],
  [[1, 1], [1, 1]],
  [[1, 129], [129, 1]],
  [[65, 1], [1, 67]],
  [[4, 17, 33], [4, 33, 9]],
  [[1, 8, 8], [3, 8, 8]],
  [[3, 8, 8], [1, 8, 8]],
  [[3, 8, 8], [8, 8]],
  [[2, 3, 5, 6], [3, 6, 4]],
  [[256, 128], [128, 200]],   // one product split across threads
  [[8, 64, 128], [8, 128, 64]], // a batch split across threads
  [[2, 4, 64, 32], [2, 4, 32, 64]],
];

const EMPTY: [number[], number[]][] = [
  [[0, 5], [5, 3]],
  [[3, 5], [5, 0]],
  [[4, 0], [0, 3]],
  [[0, 3, 4], [0, 4, 2]],
];

function stored(shape: number[], transposed: boolean): number[] {
  const s = shape.slice();
  if (transposed) [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

describe('native BatchMatMul and _FusedMatMul', () => {
  before(async function () {
    await nativeKernelsOrSkip(this);
  });

  it('matches the stock kernel for every transpose combination, batch broadcast and odd size', () => {
    let seed = 1;
    for (const [sa, sb] of SHAPES) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          tf.tidy(() => {
            const a = random(stored(sa, transposeA), seed++), b = random(stored(sb, transposeB), seed++);
            const native = tf.matMul(a, b, transposeA, transposeB);
            const stock = withStockKernels(() => tf.matMul(a, b, transposeA, transposeB));
            assertClose(native, stock, `${sa} x ${sb} tA=${transposeA} tB=${transposeB}`);
          });
        }
      }
    }
  });

  it('gives empty products their shape and a zero inner dimension zeros', () => {
    for (const [sa, sb] of EMPTY) {
      tf.tidy(() => {
        const native = tf.matMul(tf.ones(sa), tf.ones(sb));
        const expected = tf.zeros([...(sa.length > 2 ? [sa[0]] : []), sa[sa.length - 2], sb[sb.length - 1]]);
        assertClose(native, expected, `${sa} x ${sb}`);
      });
    }
  });

  it('broadcasts batch axes of size 1 on both sides', () => {
    tf.tidy(() => {
      const a = random([2, 1, 4, 5], 7), b = random([1, 3, 5, 2], 8);
      const native = tf.matMul(a, b);
      const expected = withStockKernels(() => tf.matMul(tf.tile(a, [1, 3, 1, 1]), tf.tile(b, [2, 1, 1, 1])));
      assertClose(native, expected, '[2,1,4,5] x [1,3,5,2]');
    });
  });

  it('fuses bias and every wasm activation like the stock kernels computing them one by one', () => {
    // The stock fused kernel itself is wrong here for a transposed A with a bias, and reads a
    // one-element bias as if it had n elements, so the reference is the unfused composition.
    let seed = 100;
    const unfused: Record<string, (x: tf.Tensor) => tf.Tensor> = {
      linear: (x) => x, relu: tf.relu, relu6: tf.relu6, leakyrelu: (x) => tf.leakyRelu(x, 0.2), sigmoid: tf.sigmoid, elu: tf.elu,
    };
    for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const) {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const biasShape of [[40], [1], null]) {
          tf.tidy(() => {
            const a = tf.mul(random(stored([33, 20], transposeA), seed++), 4);
            const b = random(stored([20, 40], transposeB), seed++);
            const bias = biasShape ? random(biasShape, seed++) : undefined;
            const native = tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation, leakyreluAlpha: 0.2 });
            const stock = withStockKernels(() => {
              const product = tf.matMul(a, b, transposeA, transposeB);
              return unfused[activation](bias ? tf.add(product, bias) : product);
            });
            assertClose(native, stock, `${activation} tA=${transposeA} tB=${transposeB} bias=${biasShape}`);
          });
        }
      }
    }
  });

  it('matches the stock fused kernel where that kernel is right (one plain product, bias of n)', () => {
    tf.tidy(() => {
      const a = random([33, 20], 300), b = random([20, 40], 301), bias = random([40], 302);
      const run = () => tf.fused.matMul({ a, b, bias, activation: 'relu' });
      assertClose(run(), withStockKernels(run), 'fused relu');
    });
  });

  it('gives the same gradients as the stock kernels', () => {
    tf.tidy(() => {
      const a = random([4, 16, 24], 200), b = random([24, 12], 201), bias = random([12], 202);
      const loss = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.fused.matMul({ a: x, b: tf.tile(tf.expandDims(y, 0), [4, 1, 1]) as tf.Tensor3D, bias: z, activation: 'relu' }).square().sum();
      const grads = tf.grads(loss);
      const native = grads([a, b, bias]);
      const stock = withStockKernels(() => grads([a, b, bias]));
      native.forEach((g, i) => assertClose(g, stock[i], `gradient ${i}`));
    });
  });

  it('falls back to the stock kernel for int32 (which rejects it)', () => {
    const a = tf.ones([2, 2], 'int32'), b = tf.ones([2, 2], 'int32');
    assert.throws(() => tf.matMul(a, b), /not yet supported/);
    tf.dispose([a, b]);
  });
});
