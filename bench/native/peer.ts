/**
 * `npm run bench:peer`: the GPT-shaped SFT and DPO steps with the wasm kernels, with the
 * native kernels, and in PyTorch (bench/peer.py, Debian's python3-torch, 1 thread), in one
 * run; prints JSON with every figure and the ratios to PyTorch (time / PyTorch's time).
 * Usage: npx tsx bench/native/peer.ts [--steps N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runNativeBench } from './run.ts';

const PYTHON = '/usr/bin/python3';
const stepsArg = process.argv.indexOf('--steps');
const steps = stepsArg > 0 ? process.argv[stepsArg + 1] : '5';

function runPeer(): { sftMs: number; dpoMs: number; [key: string]: unknown } | { error: string } {
  if (!existsSync(PYTHON)) return { error: `${PYTHON} not found` };
  const script = fileURLToPath(new URL('../peer.py', import.meta.url));
  try {
    return JSON.parse(execFileSync(PYTHON, [script, '--steps', steps, '--threads', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: `bench/peer.py failed: ${message.split('\n').slice(0, 3).join(' ')}` };
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const loadBefore = loadavg();
const peer = runPeer();
const tfjs = await runNativeBench();
const ratios = 'error' in peer ? undefined : {
  wasm: { sft: round(tfjs.wasm.sftMs / peer.sftMs), dpo: round(tfjs.wasm.dpoMs / peer.dpoMs) },
  native: tfjs.nativeKernels && { sft: round(tfjs.nativeKernels.sftMs / peer.sftMs), dpo: round(tfjs.nativeKernels.dpoMs / peer.dpoMs) },
};
const { losses: _losses, ...tfjsFigures } = tfjs;
console.log(JSON.stringify({
  note: 'ms are medians per step; ratios are time / PyTorch time (1.0 = as fast as PyTorch)',
  loadAverage: { before: loadBefore.map(round), after: loadavg().map(round) },
  pytorch: peer,
  tfjs: tfjsFigures,
  ratioToPyTorch: ratios,
}, null, 2));
