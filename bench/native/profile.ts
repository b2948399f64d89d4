/**
 * Which kernels take the time in one GPT-shaped SFT or DPO step (gptStep.ts), with the
 * native kernels registered: prints JSON, total ms per kernel name, largest first.
 * Usage: npx tsx bench/native/profile.ts [sft|dpo]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels } from '../../src/backend/native/index.ts';
import { createTrainer, GPT_SHAPE } from './gptStep.ts';

await initBackend('wasm');
tf.env().set('IS_TEST', false); // see run.ts
const native = registerNativeKernels();
const trainer = createTrainer(GPT_SHAPE, 1);
const step = process.argv[2] === 'dpo' ? trainer.dpoStep : trainer.sftStep;
step();
const start = performance.now();
const info = await tf.profile(() => { step(); });
const wallMs = performance.now() - start;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += Number(k.kernelTimeMs) || 0;
  entry.calls++;
  byKernel.set(k.name, entry);
}
const kernels = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: Math.round(e.ms * 10) / 10, calls: e.calls }));
const kernelMs = kernels.reduce((t, k) => t + k.ms, 0);
console.log(JSON.stringify({ native: native.reason, wallMs: Math.round(wallMs), kernelMs: Math.round(kernelMs), kernels: kernels.slice(0, 25) }, null, 1));
trainer.dispose();
