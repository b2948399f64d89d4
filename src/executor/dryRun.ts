/**
 * `--dry-run`: the plan as the executor would run it, one line per instance in order,
 * with its cache entry, what would happen to it, and its memory estimate against what the
 * backend can use (./memoryCheck.ts); under an instance that would run, each data file it
 * reads from a URL, already in the download cache or to be downloaded. Nothing is written
 * and nothing is fetched.
 */
import { existsSync } from 'node:fs';
import { isUrl, urlCachePath } from '../core/io/urlFile.ts';
import { userCacheDir } from '../core/userCacheDir.ts';
import type { Plan } from '../pipeline/types.ts';
import { stageKind } from '../stages/index.ts';
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
    if (s.selected && (s.forced || !s.cached)) lines.push(...downloadLines(s));
  }
  return lines;
}

/** `    <url>: cached at <path>` or `    <url>: not downloaded yet (...)` for each URL the instance reads. */
function downloadLines(s: ScheduledInstance): string[] {
  const urls = (stageKind(s.instance.kind)?.externalPaths?.(s.instance.settings) ?? []).filter(isUrl);
  return [...new Set(urls)].map((url) => {
    const cached = urlCachePath(url, userCacheDir());
    return existsSync(cached) ? `    ${url}: cached at ${cached}` : `    ${url}: not downloaded yet (the stage downloads it once, into ${cached})`;
  });
}
