/**
 * Where a backend's kernel time goes in the bench cases: every kernel of the backend is timed
 * through a wrapper while the cases run, and for each case the kernels are listed with their
 * time and calls, marked native (ours) or stock (TensorFlow.js's), with the stock share of
 * the total. This is how the coverage notes in src/backend/nativeCpu/index.ts were measured.
 * Usage: npx tsx bench/native/kernelTimes.ts [--backend native-cpu|wasm] [--only sft_step,...]
 * (DPO_RUN_BENCH_SHAPES=imdb keeps to the imdb.yaml model)
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, type BackendRequest } from '../../src/backend/index.ts';
import { FUSED_KERNELS } from '../../src/backend/kernelNames.ts';
import { NATIVE_CPU_KERNELS, NATIVE_KERNELS } from '../../src/backend/native/nativeKernels.ts';
import { benchCases } from '../cases/index.ts';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'native-cpu' }, only: { type: 'string' } } });
const choice = await initBackend(values.backend as BackendRequest);
const ours = new Set([...Object.keys(NATIVE_KERNELS), ...(choice.name === 'wasm' ? ['Identity'] : Object.keys(NATIVE_CPU_KERNELS)), ...Object.values(FUSED_KERNELS)]);
const times = new Map<string, { ms: number; calls: number }>();
for (const config of tf.getKernelsForBackend(choice.name)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const start = performance.now();
      try {
        return inner(args);
      } finally {
        const entry = times.get(config.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - start;
        entry.calls++;
        times.set(config.kernelName, entry);
      }
    },
  });
}
const only = values.only?.split(',');
for (const c of benchCases.filter((c) => !only || only.includes(c.name))) {
  times.clear();
  await c.run();
  const total = [...times.values()].reduce((sum, e) => sum + e.ms, 0);
  const stock = [...times].filter(([name]) => !ours.has(name)).reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(`\n${c.name} on ${choice.name}: kernels ${total.toFixed(0)} ms, of which stock ${stock.toFixed(1)} ms (${((100 * stock) / total).toFixed(2)}%)`);
  for (const [name, e] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${ours.has(name) ? 'native' : 'stock '} ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(9)} ms ${String(e.calls).padStart(6)} calls`);
  }
}
