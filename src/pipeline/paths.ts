/**
 * The files and folders a plan will read from outside the cache (a data file, a model
 * folder: what each kind's `externalPaths` names), checked before anything runs, so that
 * a wrong path is a validation error at its key instead of a failure when its stage starts.
 * Relative paths are taken from the current folder, as the stages take them. An http(s)
 * URL is not fetched here: its stage downloads it (once, into the user's cache).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isUrl } from '../core/io/urlFile.ts';
import { stageKind } from '../stages/index.ts';
import type { Issue } from './issue.ts';
import { isRecord, toPointer, type Segment } from './pointer.ts';
import type { Plan } from './types.ts';

export function missingPathIssues(plan: Plan): Issue[] {
  const stages = plan.resolved.stages as Record<string, Record<string, unknown>>;
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const instance of plan.instances) {
    for (const path of stageKind(instance.kind)?.externalPaths?.(instance.settings) ?? []) {
      if (isUrl(path) || existsSync(resolve(path)) || seen.has(`${instance.stage}\0${path}`)) continue; // a URL is fetched when its stage runs
      seen.add(`${instance.stage}\0${path}`);
      const where = isAbsolute(path) ? '' : ` (relative paths are taken from the current folder, ${process.cwd()})`;
      const segments = ['stages', instance.stage, ...(findString(stages[instance.stage], path) ?? [])];
      issues.push({ path: toPointer(segments), code: 'missing-path', message: `no such file or folder: ${path}${where}`, anchor: 'value' });
    }
  }
  return issues;
}

/** Where `text` is written inside `value` (its settings before its sweep), or undefined. */
function findString(value: unknown, text: string, at: Segment[] = []): Segment[] | undefined {
  if (value === text) return at;
  const entries: [Segment, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : isRecord(value) ? Object.entries(value) : [];
  entries.sort(([a], [b]) => Number(a === 'sweep') - Number(b === 'sweep'));
  for (const [key, child] of entries) {
    const found = findString(child, text, [...at, key]);
    if (found) return found;
  }
  return undefined;
}
