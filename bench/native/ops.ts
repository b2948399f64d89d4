/**
 * `npm run bench:native`: single kernels at the shapes of the model in bench:peer
 * (16 sequences of 64 tokens, width 128, vocabulary 2,048), stock (the wasm kernels
 * initBackend registers, src/backend/kernels included) against native, interleaved;
 * prints JSON with the fastest of N runs of each (the minimum is the figure least
 * disturbed by other processes on a shared machine).
 * Usage: npm run bench:native [-- --runs N]
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

await initBackend('wasm');
tf.env().set('IS_TEST', false);
const native = registerNativeKernels();
const logits = tf.randomNormal([1024, 2048]), hidden = tf.randomNormal([1024, 128]), wide = tf.randomNormal([1024, 512]);
const wte = tf.randomNormal([2048, 128]), w = tf.randomNormal([128, 512]), bias = tf.randomNormal([512]);
const q = tf.randomNormal([16, 4, 64, 32]), x4 = tf.randomNormal([16, 64, 4, 32]);
const rowMax = tf.randomNormal([1024, 1]);
const ops: Record<string, () => tf.Tensor> = {
  'matMul (1024,128)x(128,512)': () => tf.matMul(hidden, w),
  'head (1024,128)x(2048,128)^T': () => tf.matMul(hidden, wte, false, true),
  'head grad (1024,2048)^T x (1024,128)': () => tf.matMul(logits, hidden, true, false),
  'attention q k^T (16,4,64,32)': () => tf.matMul(q, q, false, true),
  'transpose (16,64,4,32)->(16,4,64,32)': () => tf.transpose(x4, [0, 2, 1, 3]),
  'add bias (1024,512)+(512)': () => tf.add(wide, bias),
  'mul (1024,2048)*(1024,2048)': () => tf.mul(logits, logits),
  'sub (1024,2048)-(1024,1)': () => tf.sub(logits, rowMax),
  'exp (1024,2048)': () => tf.exp(logits),
  'tanh (1024,512)': () => tf.tanh(wide),
  'sum last axis (1024,2048)': () => tf.sum(logits, -1),
};
const best: Record<string, { stock: number; native: number }> = {};
for (const name of Object.keys(ops)) best[name] = { stock: Infinity, native: Infinity };
for (let run = 0; run < RUNS; run++) {
  for (const mode of ['stock', 'native'] as const) {
    if (mode === 'stock') unregisterNativeKernels(); else registerNativeKernels();
    for (const [name, op] of Object.entries(ops)) {
      const start = performance.now();
      tf.tidy(() => { op().dataSync(); }); // returning the array would make tidy walk its elements
      best[name][mode] = Math.min(best[name][mode], performance.now() - start);
    }
  }
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const table = Object.fromEntries(Object.entries(best).map(([name, b]) => [name, { stockMs: round(b.stock), nativeMs: round(b.native), speedup: round(b.stock / b.native) }]));
console.log(JSON.stringify({ native: native.reason, runs: RUNS, loadAverage: loadavg().map(round), ops: table }, null, 2));
