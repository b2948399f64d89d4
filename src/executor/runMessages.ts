/** The lines a run prints about an instance that failed or whose cache entry is damaged, and its closing summary. */
import { StageError, UserError } from '../core/errors.ts';
import type { ManifestData } from './manifest.ts';

/** A StageError or UserError as its message and hint; anything else with its stack. */
export function describeFailure(id: string, error: unknown, partialDir: string): string {
  const kept = `  (its partial output is kept in ${partialDir})\n`;
  if (error instanceof StageError || error instanceof UserError) {
    return `error: ${id} failed: ${error.message}\n` + (error.hint ? `  ${error.hint}\n` : '') + kept;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `error: ${id} failed with an internal error:\n${text}\n` + kept;
}

/** One line: the cache entry is damaged (the first problem, and how many more), so the stage runs again. */
export function describeDamage(id: string, entryName: string, problems: readonly string[]): string {
  const more = problems.length > 1 ? `, and ${problems.length - 1} more` : '';
  return `[${id}] cache entry ${entryName} is damaged (${problems[0]}${more}); running it again\n`;
}

/** `3 done, 1 cached`. */
export function summarize(manifest: ManifestData): string {
  const counts = new Map<string, number>();
  for (const record of Object.values(manifest.instances)) counts.set(record.status, (counts.get(record.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}
