/**
 * What the cache under `<runs>/cache/` holds and which run folders use it: each entry's
 * kind, size and completion time, and whether any run's manifest names it (a run names
 * every entry of its plan when it starts, so a running run's entries count as used).
 * `pruneCache` deletes unused entries, each under its lock, so that no run uses an entry
 * while it goes.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.ts';
import { ENTRY_FILE, type EntryRecord } from './cache.ts';
import { acquireLock } from './lock.ts';
import { findRuns } from './runRecords.ts';

export interface CacheEntryInfo {
  /** `<kind>-<fingerprint16>`. */
  name: string;
  dir: string;
  kind: string;
  bytes: number;
  /** When it was committed (cache-entry.json), else the folder's modification time. */
  completed: Date;
  /** The run folders whose manifests name it. */
  usedBy: string[];
}

export interface CacheUsage {
  cacheDir: string;
  entries: CacheEntryInfo[];
  /** Work folders of stages that are running or were interrupted (`.partial`): never pruned. */
  partial: { name: string; bytes: number }[];
  /** Manifests that could not be read: while there are any, nothing is pruned. */
  unreadable: string[];
}

/** Entry name -> the run folders whose manifests name it. */
function entryUsers(runsDir: string): { users: Map<string, string[]>; unreadable: string[] } {
  const { runs, unreadable } = findRuns(runsDir);
  const users = new Map<string, string[]>();
  for (const run of runs) {
    for (const record of Object.values(run.manifest.instances ?? {})) {
      const name = basename(record.output ?? '');
      users.set(name, [...new Set([...(users.get(name) ?? []), run.dir])]);
    }
  }
  return { users, unreadable };
}

export function cacheUsage(runsDir: string): CacheUsage {
  const cacheDir = join(runsDir, 'cache');
  const { users, unreadable } = entryUsers(runsDir);
  const entries: CacheEntryInfo[] = [];
  const partial: CacheUsage['partial'] = [];
  for (const name of existsSync(cacheDir) ? readdirSync(cacheDir).sort() : []) {
    const dir = join(cacheDir, name);
    if (!lstatSync(dir).isDirectory() || /\.replaced-|\.pruning-/.test(name)) continue;
    if (name.endsWith('.partial')) {
      partial.push({ name, bytes: sizeOf(dir) });
      continue;
    }
    const record = readRecord(dir);
    entries.push({
      name,
      dir,
      kind: record?.kind ?? name.replace(/-[0-9a-f]{16}$/, ''),
      bytes: sizeOf(dir),
      completed: record?.completed ? new Date(record.completed) : statSync(dir).mtime,
      usedBy: users.get(name) ?? [],
    });
  }
  return { cacheDir, entries, partial, unreadable };
}

export interface PruneOptions {
  /** Keep this many of the newest unused entries. */
  keepLast?: number;
  /** Delete only unused entries completed longer ago than this many milliseconds. */
  olderThanMs?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface PruneResult {
  deleted: CacheEntryInfo[];
  /** Unused entries left because a running job holds their lock, with why. */
  skipped: { entry: CacheEntryInfo; reason: string }[];
}

/** The unused entries the options select, newest first. */
export function pruneCandidates(usage: CacheUsage, options: PruneOptions): CacheEntryInfo[] {
  const now = (options.now ?? new Date()).getTime();
  const unused = usage.entries.filter((e) => e.usedBy.length === 0).sort((a, b) => b.completed.getTime() - a.completed.getTime());
  return unused
    .slice(options.keepLast ?? 0)
    .filter((e) => options.olderThanMs === undefined || now - e.completed.getTime() > options.olderThanMs);
}

/**
 * Deletes the selected unused entries. Each is locked first (an entry whose lock a live
 * run holds is skipped), checked again against the run folders, renamed aside and removed.
 */
export function pruneCache(runsDir: string, options: PruneOptions): PruneResult {
  const usage = cacheUsage(runsDir);
  if (usage.unreadable.length > 0) {
    throw new UserError(`cannot tell which entries are used: ${usage.unreadable.join(', ')} cannot be read`, 'repair or remove those run folders, then prune again');
  }
  const result: PruneResult = { deleted: [], skipped: [] };
  if (!options.dryRun) removeLeftAside(usage.cacheDir);
  for (const entry of pruneCandidates(usage, options)) {
    if (options.dryRun) {
      result.deleted.push(entry);
      continue;
    }
    let lock;
    try {
      lock = acquireLock(join(usage.cacheDir, `${entry.name}.lock`), `cache entry ${entry.name}`);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      result.skipped.push({ entry, reason: error.message });
      continue;
    }
    try {
      if (entryUsers(runsDir).users.has(entry.name)) {
        result.skipped.push({ entry, reason: 'a run started using it meanwhile' });
        continue;
      }
      const aside = `${entry.dir}.pruning-${randomBytes(3).toString('hex')}`;
      renameSync(entry.dir, aside);
      rmSync(aside, { recursive: true, force: true });
      result.deleted.push(entry);
    } finally {
      lock.release();
    }
  }
  return result;
}

/** Removes what an earlier prune renamed aside but could not finish removing (`<entry>.pruning-<id>`). */
function removeLeftAside(cacheDir: string): void {
  for (const name of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
    if (/\.pruning-[0-9a-f]+$/.test(name)) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
}

function readRecord(dir: string): Partial<EntryRecord> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')) as Partial<EntryRecord>;
  } catch {
    return undefined;
  }
}

/** The bytes of the files under `dir` (links not followed). */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}
