/**
 * PyTorch's side of bench:peer: runs bench/peer.py (Debian's python3-torch) on a workload
 * folder written by saveWorkload and returns what it printed, or why it could not run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineFigures, StepKind } from './measure.ts';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../peer.py', import.meta.url));

/** What bench/peer.py prints: the engine, then the figures of each step kind it ran. */
export interface PyTorchRun {
  engine: { torch: string; threads: number; blas: string[]; cpu_capability: string | null };
  figures: EngineFigures;
  /** The Python process's peak resident memory. */
  peakRssMb: number;
}

export function runPyTorch(dir: string, options: { steps: number; threads: number; kinds: readonly StepKind[] }): PyTorchRun | { error: string } {
  if (!existsSync(PYTHON)) return { error: `${PYTHON} not found (install Debian's python3-torch)` };
  const args = [SCRIPT, '--dir', dir, '--threads', String(options.threads), '--steps', String(options.steps), '--only', options.kinds.join(',')];
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) return { error: `${PYTHON} bench/peer.py: ${run.error.message}` };
  if (run.status !== 0) {
    const last = run.stderr.trim().split('\n').pop() ?? '';
    return { error: `bench/peer.py exited with ${run.status ?? run.signal}: ${last}` };
  }
  const { engine, peak_rss_mb: peakRssMb, ...figures } = JSON.parse(run.stdout);
  return { engine, figures, peakRssMb };
}
