/**
 * `--dry-run --launcher slurm`: the plan as the local dry run prints it, then the sbatch
 * script of every job the run would submit, with placeholders for what only a submission
 * knows (the run folder's name, the upstream jobs' ids). Nothing is written or submitted,
 * and Slurm is not asked (a job still queued for an instance would not be submitted again).
 */
import { join } from 'node:path';
import { safeName } from '../../core/io/safeName.ts';
import type { Plan } from '../../pipeline/types.ts';
import { describeDryRun } from '../dryRun.ts';
import { sweepValuesName } from '../runFolder.ts';
import { scheduleRun, upstreamIds, type Selection } from '../schedule.ts';
import { jobScript } from './jobScript.ts';
import { needsJob } from './submitRun.ts';

export function describeSlurmDryRun(plan: Plan, options: { runsDir: string; cwd: string; selection: Selection; sweep: boolean }): string[] {
  const lines = describeDryRun(plan, options.runsDir, options.selection);
  const pipelineDir = join(options.runsDir, safeName(plan.name));
  const runDir = options.sweep ? join(pipelineDir, '<sweep-time-id>', sweepValuesName(plan.runSweep)) : join(pipelineDir, '<time-id>');
  const jobs = new Set<string>();
  for (const s of scheduleRun(plan, options.runsDir, options.selection).filter(needsJob)) {
    const { instance, entry } = s;
    const dependencies = [...new Set(upstreamIds(instance))].filter((id) => jobs.has(id)).map((id) => `<job of ${id}>`);
    const file = `${safeName(instance.id)}`;
    lines.push('', `# ${join(runDir, 'slurm', `${file}.sbatch`)}`);
    lines.push(jobScript({ instance, entryName: entry.name, runDir, cwd: options.cwd, logFile: join(runDir, 'logs', `${file}.log`), dependencies, settings: plan.launcher }).trimEnd());
    jobs.add(instance.id);
  }
  lines.push('', `${jobs.size} sbatch job(s) would be submitted`);
  return lines;
}
