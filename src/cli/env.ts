/**
 * `dpo-run env`: what a bug report needs, on stdout: the versions of dpo-run, Node and
 * TensorFlow.js (and its backend packages), the backend a run would choose here and why,
 * the native kernels and their BLAS, the CPU, memory and OS.
 */
import { cpus, release, totalmem } from 'node:os';
import { EXIT } from '../core/errors.ts';
import { packageVersion, versions } from '../core/versions.ts';
import type { BackendRequest } from '../backend/backendNames.ts';

export async function envCommand(options: { backend?: string }, stdout: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const { initBackend } = await import('../backend/index.ts');
  const v = versions();
  const backend = await initBackend((options.backend ?? 'auto') as BackendRequest);
  const packages = ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'].map((name) => `${name.replace('@tensorflow/', '')} ${packageVersion(name)}`);
  const passed = backend.passedOver.map((p) => `${p.candidate}: ${p.reason}`).join('; ');
  const native = backend.native;
  const cpu = cpus();
  const rows: [string, string][] = [
    ['dpo-run', v.dpo_run],
    ['node', v.node],
    ['tensorflow.js', `${v.tfjs} (${packages.join(', ')})`],
    ['backend', `${backend.name} via ${backend.provider}${passed ? ` (passed over ${passed})` : ''}`],
    ['native kernels', native ? (native.loaded ? `on: ${native.kernels.length} kernels` : `off: ${native.reason}`) : `none on ${backend.name}`],
    ['blas', native?.loaded ? native.reason : 'none'],
    ['cpu', `${cpu[0]?.model.trim() ?? 'unknown'} (${cpu.length} logical cores)`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['os', `${process.platform} ${release()} ${process.arch}`],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  stdout(rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n') + '\n');
  return EXIT.ok;
}
