/**
 * The content-addressed cache under `<runsDir>/cache/`. An instance's outputs live in
 * `<kind>-<fingerprint16>/`; it is written as `<kind>-<fingerprint16>.partial/` and renamed
 * into place only when the stage has finished, with `cache-entry.json` written last inside
 * it, so a folder under its final name is always complete.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StageInstance } from '../pipeline/types.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';
import { projectVersion } from './fingerprint.ts';

export const ENTRY_FILE = 'cache-entry.json';

export interface CacheEntry {
  /** `<kind>-<fingerprint16>`. */
  name: string;
  /** The finished folder. */
  dir: string;
  /** The work folder a running (or interrupted) stage writes into. */
  partialDir: string;
  /** The lock file of this entry. */
  lockFile: string;
  fingerprint: string;
}

export function cacheEntry(runsDir: string, kind: string, fingerprint: string): CacheEntry {
  const name = `${kind}-${fingerprint.slice(0, 16)}`;
  const root = join(runsDir, 'cache');
  return {
    name,
    dir: join(root, name),
    partialDir: join(root, `${name}.partial`),
    lockFile: join(root, `${name}.lock`),
    fingerprint,
  };
}

/** Whether the entry's outputs are there and complete. */
export function isCached(entry: CacheEntry): boolean {
  return existsSync(join(entry.dir, ENTRY_FILE));
}

/** Makes the work folder, keeping what an interrupted attempt left there unless `fresh`. */
export function preparePartial(entry: CacheEntry, fresh: boolean): void {
  if (fresh) rmSync(entry.partialDir, { recursive: true, force: true });
  mkdirSync(entry.partialDir, { recursive: true });
}

/**
 * Turns the finished work folder into the cache entry. An existing entry (a forced rerun)
 * is moved aside first and removed only once the new one is in place.
 */
export function commitPartial(entry: CacheEntry, instance: StageInstance): void {
  writeJsonAtomic(join(entry.partialDir, ENTRY_FILE), {
    id: instance.id,
    kind: instance.kind,
    fingerprint: entry.fingerprint,
    settings: instance.settings,
    seed: instance.seed,
    version: projectVersion,
    completed: new Date().toISOString(),
  });
  const replaced = `${entry.dir}.replaced-${process.pid}`;
  const hadOld = existsSync(entry.dir);
  if (hadOld) renameSync(entry.dir, replaced);
  renameSync(entry.partialDir, entry.dir);
  if (hadOld) rmSync(replaced, { recursive: true, force: true });
}
