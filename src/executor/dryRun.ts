/**
 * `--dry-run`: the plan as the executor would run it, one line per instance in order,
 * with its cache entry, what would happen to it, and its memory estimate against what the
 * backend can use (./memoryCheck.ts). Nothing is written.
 */
import type { Plan } from '../pipeline/types.ts';
import { describeMemory, estimatePlan, memoryLimit, traitsOf } from './memoryCheck.ts';
import { scheduleRun, type ScheduledInstance, type Selection } from './schedule.ts';

export function actionOf(s: ScheduledInstance): string {
  if (!s.selected) return 'skipped (not needed by --only)';
  if (s.forced) return s.cached ? 'run (forced; cached)' : 'run (forced)';
  if (s.damage.length > 0) return `run (cache entry damaged: ${s.damage[0]}${s.damage.length > 1 ? `, and ${s.damage.length - 1} more` : ''})`;
  return s.cached ? 'cached' : 'run';
}

/** The lines of a dry run of `plan`, its memory estimated for `backend` (the one asked for: `auto` is not resolved). */
export function describeDryRun(plan: Plan, runsDir: string, selection: Selection, backend = plan.backend): string[] {
  const scheduled = scheduleRun(plan, runsDir, selection);
  const limit = memoryLimit(backend);
  const estimates = estimatePlan(plan, traitsOf(backend));
  const sweep = Object.keys(plan.runSweep).length > 0 ? ` ${JSON.stringify(plan.runSweep)}` : '';
  const width = Math.max(...scheduled.map((s) => s.instance.id.length), 2);
  const lines = [`${plan.name}${sweep}: ${scheduled.length} stage instances`];
  for (const s of scheduled) {
    const estimate = estimates.get(s.instance.id);
    lines.push(`  ${s.instance.id.padEnd(width)}  ${s.entry.name}  ${actionOf(s)}${estimate ? `  ${describeMemory(estimate, limit)}` : ''}`);
  }
  return lines;
}
