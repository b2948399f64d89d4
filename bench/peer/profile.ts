/**
 * Which kernels take the time in one of bench:peer's steps on the project's model (native
 * kernels registered, or stock wasm with --stock): runs the step once to warm up, then
 * once under tf.profile; prints JSON with the wall time and the ms and calls per kernel
 * name, largest first.
 * Usage: npx tsx bench/peer/profile.ts sft|dpo|generation [--shape issue|imdb] [--stock] [--top N]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from '../../src/backend/index.ts';
import { unregisterNativeKernels } from '../../src/backend/native/index.ts';
import { STEP_KINDS, type StepKind } from './measure.ts';
import { describeShape, PEER_SHAPES } from './shapes.ts';
import { dpoTrainer, generationRun, sftTrainer } from './steps.ts';
import { createWorkload, disposeWorkload, type Workload } from './workload.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { shape: { type: 'string', default: 'issue' }, stock: { type: 'boolean', default: false }, top: { type: 'string', default: '25' } },
});
const kind = positionals[0] as StepKind;
if (!STEP_KINDS.includes(kind) || !(values.shape in PEER_SHAPES)) {
  console.error(`usage: npx tsx bench/peer/profile.ts ${STEP_KINDS.join('|')} [--shape ${Object.keys(PEER_SHAPES).join('|')}] [--stock] [--top N]`);
  process.exit(2);
}

/** The step as a function to run twice, and its clean-up. */
function stepOf(workload: Workload): { run: () => Promise<unknown> | unknown; dispose: () => void } {
  if (kind === 'generation') return { run: generationRun(workload, 0), dispose: () => {} };
  const trainer = kind === 'sft' ? sftTrainer(workload) : dpoTrainer(workload);
  return { run: () => trainer.step(), dispose: () => trainer.dispose() };
}

const choice = await initBackend('wasm');
if (values.stock) unregisterNativeKernels();
console.error(describeBackend(choice) + (values.stock ? ' (unregistered: stock wasm kernels)' : ''));
const shape = PEER_SHAPES[values.shape]();
const workload = createWorkload(shape, 0);
const step = stepOf(workload);
await step.run();
const start = performance.now();
const info = await tf.profile(async () => {
  await step.run();
});
const wallMs = performance.now() - start;
step.dispose();
disposeWorkload(workload);

const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += Number(k.kernelTimeMs) || 0;
  entry.calls++;
  byKernel.set(k.name, entry);
}
const kernels = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: Math.round(e.ms * 10) / 10, calls: e.calls }));
const kernelMs = kernels.reduce((t, k) => t + k.ms, 0);
const summary = {
  step: kind,
  model: describeShape(shape),
  kernels_in_use: values.stock ? 'stock wasm' : (choice.native?.reason ?? 'stock wasm'),
  wall_ms: Math.round(wallMs),
  kernel_ms: Math.round(kernelMs),
};
// One kernel per line, so that the table reads top to bottom.
const rows = kernels.slice(0, Number(values.top)).map((k) => `    ${JSON.stringify(k)}`);
console.log(`${JSON.stringify(summary, null, 2).slice(0, -2)},\n  "kernels": [\n${rows.join(',\n')}\n  ]\n}`);
