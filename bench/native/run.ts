/**
 * Times the GPT-shaped SFT and DPO steps of gptStep.ts, and a few single matrix ops, with
 * the wasm kernels initBackend registers and then with the native kernels, in one process.
 * Prints JSON: median ms per step/op for each, the speedup, and both runs' losses.
 * Usage: npx tsx bench/native/run.ts [--steps N]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';
import { createTrainer, GPT_SHAPE } from './gptStep.ts';

const stepsArg = process.argv.indexOf('--steps');
const STEPS = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 5;
const WARMUP = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median ms of fn over STEPS runs after WARMUP, and what it returned each time. */
function time<T>(fn: () => T, steps = STEPS): { ms: number; results: T[] } {
  const results: T[] = [];
  for (let i = 0; i < WARMUP; i++) results.push(fn());
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    results.push(fn());
    times.push(performance.now() - start);
  }
  return { ms: Math.round(median(times) * 100) / 100, results };
}

/** Single ops at the shapes of the GPT step (B=16 sequences of T=64, C=128, V=2048). */
function opTimings(): Record<string, number> {
  const { context: T, width: C, vocab: V, heads: H } = GPT_SHAPE;
  const BT = 16 * T;
  const h = tf.randomNormal([BT, C]), w = tf.randomNormal([C, 4 * C]), wte = tf.randomNormal([V, C]);
  const q = tf.randomNormal([16, H, T, C / H]), x4 = tf.randomNormal([16, T, H, C / H]);
  const dLogits = tf.randomNormal([BT, V]);
  const run = (f: () => tf.Tensor) => time(() => tf.tidy(() => f().dataSync()[0]), 20).ms;
  const ops = {
    'matMul (1024,128)x(128,512)': run(() => tf.matMul(h, w)),
    'head (1024,128)x(2048,128)^T': run(() => tf.matMul(h, wte, false, true)),
    'head grad (1024,2048)^T x (1024,128)': run(() => tf.matMul(dLogits, h, true, false)),
    'attention q k^T (16,4,64,32)': run(() => tf.matMul(q, q, false, true)),
    'transpose (16,64,4,32)->(16,4,64,32)': run(() => tf.transpose(x4, [0, 2, 1, 3])),
  };
  tf.dispose([h, w, wte, q, x4, dLogits]);
  return ops;
}

function measure(): { sftMs: number; dpoMs: number; sftLosses: number[]; dpoLosses: number[]; ops: Record<string, number> } {
  const trainer = createTrainer(GPT_SHAPE, 1);
  const sft = time(() => trainer.sftStep());
  const dpo = time(() => trainer.dpoStep());
  trainer.dispose();
  return { sftMs: sft.ms, dpoMs: dpo.ms, sftLosses: sft.results, dpoLosses: dpo.results, ops: opTimings() };
}

export async function runNativeBench() {
  await initBackend('wasm');
  // initBackend sets IS_TEST (to hide a banner), which checks every kernel for leaked data
  // ids and wrongly flags logSoftmax's gradient on wasm; a benchmark runs without it.
  tf.env().set('IS_TEST', false);
  unregisterNativeKernels();
  const wasm = measure();
  const native = registerNativeKernels();
  const withNative = native.loaded ? measure() : undefined;
  const ratio = (a: number, b?: number) => (b ? Math.round((a / b) * 100) / 100 : null);
  return {
    shape: GPT_SHAPE,
    steps: STEPS,
    native: { loaded: native.loaded, reason: native.reason, kernels: native.kernels },
    wasm: { sftMs: wasm.sftMs, dpoMs: wasm.dpoMs, ops: wasm.ops },
    nativeKernels: withNative && { sftMs: withNative.sftMs, dpoMs: withNative.dpoMs, ops: withNative.ops },
    speedup: { sft: ratio(wasm.sftMs, withNative?.sftMs), dpo: ratio(wasm.dpoMs, withNative?.dpoMs) },
    losses: {
      wasm: { sft: wasm.sftLosses, dpo: wasm.dpoLosses },
      native: withNative && { sft: withNative.sftLosses, dpo: withNative.dpoLosses },
    },
    memory: { numTensors: tf.memory().numTensors },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runNativeBench(), null, 2));
}
