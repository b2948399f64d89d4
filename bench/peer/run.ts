/**
 * `npm run bench:peer`: the project's SFT step, DPO step and KV-cached generation, timed in
 * TensorFlow.js (on wasm: with the native kernels, then stock; on native-cpu: its kernels
 * on ordinary memory) and in PyTorch (bench/peer.py, Debian's python3-torch) from the same
 * weights and batches, per model; prints one JSON with ms per step, the ratios to
 * PyTorch, both engines' losses and each process's peak resident memory.
 * Usage: npm run bench:peer [-- --steps N] [--only sft,dpo,generation]
 *   [--shape issue,imdb,gpt2-small-256,gpt2-small-1024] [--backend wasm|native-cpu] [--threads N] [--keep]
 * TensorFlow.js's peak is the whole process's so far: give one --shape for a shape's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';
import { compareStep, type Engines } from './compare.ts';
import { measureTfjs, STEP_KINDS, type StepKind } from './measure.ts';
import { runPyTorch, type PyTorchRun } from './pytorch.ts';
import { DEFAULT_SHAPES, describeShape, PEER_SHAPES } from './shapes.ts';
import { createWorkload, disposeWorkload, PEER_SETTINGS, saveWorkload } from './workload.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '5' },
    only: { type: 'string', default: STEP_KINDS.join(',') },
    shape: { type: 'string', default: DEFAULT_SHAPES.join(',') },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const threads = Number(values.threads);
const kinds = values.only.split(',') as StepKind[];
const shapeNames = values.shape.split(',');
const fail = (message: string) => {
  console.error(`bench:peer: ${message}`);
  process.exit(2);
};
if (!Number.isInteger(steps) || steps < 1) fail(`--steps must be a positive integer, got ${values.steps}`);
if (!Number.isInteger(threads) || threads < 1) fail(`--threads must be a positive integer, got ${values.threads}`);
for (const kind of kinds) if (!STEP_KINDS.includes(kind)) fail(`unknown step "${kind}" in --only; choose from ${STEP_KINDS.join(', ')}`);
for (const name of shapeNames) if (!(name in PEER_SHAPES)) fail(`unknown shape "${name}" in --shape; choose from ${Object.keys(PEER_SHAPES).join(', ')}`);
if (values.backend !== 'wasm' && values.backend !== 'native-cpu') fail(`--backend must be wasm or native-cpu, got ${values.backend}`);
for (const name of shapeNames) {
  if (values.backend === 'wasm' && PEER_SHAPES[name]().ordinaryMemory) fail(`shape ${name} does not fit the wasm heap (4 GB): add --backend native-cpu`);
}

const choice = await initBackend(values.backend as 'wasm' | 'native-cpu');
console.error(describeBackend(choice));
const nativeLoaded = choice.native?.loaded === true;
const root = mkdtempSync(join(tmpdir(), 'dpo-run-peer-'));
const loadBefore = loadavg();
const warnings: string[] = [];
const shapes: Record<string, unknown> = {};
let pytorchEngine: PyTorchRun['engine'] | { error: string } | undefined;

for (const name of shapeNames) {
  const shape = PEER_SHAPES[name]();
  const dir = join(root, name);
  const workload = createWorkload(shape, 0);
  await saveWorkload(dir, workload);
  const engines: Engines = {};
  const runTfjs = async (engine: 'native_cpu' | 'native' | 'stock_wasm') => {
    const { figures, leakedTensors } = await measureTfjs(workload, kinds, steps, (kind) => console.error(`${name}: ${kind} on TensorFlow.js (${engine})`));
    if (leakedTensors !== 0) warnings.push(`${name} (${engine}): ${leakedTensors} tensors left behind`);
    engines[engine] = figures;
  };
  if (choice.name !== 'wasm') {
    await runTfjs('native_cpu');
  } else {
    if (nativeLoaded) {
      registerNativeKernels();
      await runTfjs('native');
      unregisterNativeKernels();
    }
    await runTfjs('stock_wasm');
  }
  disposeWorkload(workload);
  const tfjsPeak = megabytes(process.resourceUsage().maxRSS * 1024);

  console.error(`${name}: ${kinds.join(', ')} on PyTorch (${threads} thread${threads > 1 ? 's' : ''})`);
  const torch = runPyTorch(dir, { steps, threads, kinds });
  if ('error' in torch) {
    pytorchEngine = torch;
  } else {
    pytorchEngine = torch.engine;
    engines.pytorch = torch.figures;
  }
  const compared: Record<string, unknown> = {
    model: describeShape(shape),
    prompt_tokens: PEER_SETTINGS.promptTokens,
    new_tokens: workload.maxNewTokens,
    peak_rss_mb: { tfjs: tfjsPeak, pytorch: 'error' in torch ? null : torch.peakRssMb },
  };
  for (const kind of kinds) {
    const { comparison, warnings: found } = compareStep(kind, engines, name);
    compared[kind] = comparison;
    warnings.push(...found);
  }
  shapes[name] = compared;
}
if (values.keep) console.error(`weights and batches kept in ${root}`);
else rmSync(root, { recursive: true, force: true });

const round2 = (x: number) => Math.round(x * 100) / 100;
function megabytes(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
console.log(JSON.stringify({
  note: 'ms: median per step (per generation call) after 1 warm-up; ratio: TensorFlow.js ms / PyTorch ms (1.0 = as fast as PyTorch); losses from the same starting weights',
  steps,
  tfjs: { backend: choice.name, native: choice.native ?? null },
  pytorch: pytorchEngine ?? null,
  load_average: { before: loadBefore.map(round2), after: loadavg().map(round2) },
  shapes,
  warnings,
}, null, 2));
for (const warning of warnings) console.error(`\n*** WARNING: ${warning} ***`);
