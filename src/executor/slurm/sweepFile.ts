/**
 * `sweep.json` of a command-line sweep submitted to Slurm: written when the runs are
 * submitted, and brought up to date from the runs' manifests by `--wait` and `dpo-run
 * status` (no process stays to write it at the end).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunStatus } from '../../core/manifestRecord.ts';
import { writeJsonAtomic } from '../../core/io/writeAtomic.ts';
import type { Plan } from '../../pipeline/types.ts';
import { MANIFEST_FILE, now } from '../manifest.ts';
import { readManifest } from './sharedManifest.ts';

interface SweepFile {
  launcher?: string;
  status: RunStatus;
  ended: string | null;
  runs: { folder: string | null; status: RunStatus | 'pending' }[];
}

export function writeSweepFile(sweepDir: string, plans: Plan[], runDirs: string[]): void {
  writeJsonAtomic(join(sweepDir, 'sweep.json'), {
    pipeline: plans[0].name,
    file: plans[0].file,
    launcher: 'slurm',
    status: 'running',
    started: now(),
    ended: null,
    runs: plans.map((plan, i) => ({ run_sweep: plan.runSweep, folder: relative(sweepDir, runDirs[i]), status: 'running' })),
  });
}

/** Sets each run's status from its manifest, and the sweep's (the worst of them); the sweep's status. */
export function refreshSweepFile(sweepDir: string): RunStatus {
  const file = join(sweepDir, 'sweep.json');
  const sweep = JSON.parse(readFileSync(file, 'utf8')) as SweepFile;
  if (sweep.launcher !== 'slurm') return sweep.status;
  for (const run of sweep.runs) if (run.folder) run.status = readManifest(join(sweepDir, run.folder, MANIFEST_FILE)).status;
  const statuses = sweep.runs.map((r) => r.status);
  const status = (['running', 'interrupted', 'failed'] as const).find((s) => statuses.includes(s)) ?? 'done';
  if (status !== sweep.status) Object.assign(sweep, { status, ended: status === 'running' ? null : now() });
  writeJsonAtomic(file, sweep);
  return status;
}
