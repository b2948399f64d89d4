/**
 * The content-addressed cache under `<runsDir>/cache/`. An instance's outputs live in
 * `<kind>-<fingerprint16>/`; it is written as `<kind>-<fingerprint16>.partial/` and renamed
 * into place only when the stage has finished, with `cache-entry.json` written last inside
 * it, listing every file with its size and sha256. An entry is used only when that list
 * holds: a file missing or of another size (a damaged disk, a hand edit) makes the entry
 * count as absent, and the stage runs again.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { StageInstance } from '../pipeline/types.ts';
import { writeJsonAtomic } from '../core/io/writeAtomic.ts';
import { makeFolder } from '../core/io/makeFolder.ts';
import { codeVersion } from './fingerprint.ts';
import { checkFiles, describeFiles, removeMatching, removeTemporaryFiles, type EntryFile } from './entryFiles.ts';
import { isProcessAlive } from './lock.ts';

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

/** What `cache-entry.json` holds. */
export interface EntryRecord {
  id: string;
  kind: string;
  fingerprint: string;
  settings: unknown;
  seed: number;
  /** `<version> <code sha256>` of the dpo-run that wrote it. */
  code: string;
  completed: string;
  files: EntryFile[];
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

export type EntryCheck =
  | { status: 'absent' }
  | { status: 'complete' }
  /** `problems`: one line per damaged file (or about cache-entry.json itself). */
  | { status: 'damaged'; problems: string[] };

/**
 * Whether the finished folder `dir` holds a usable entry: `cache-entry.json` there and
 * readable, and every file it lists there with its recorded size (and, when `hashes`,
 * its recorded sha256).
 */
export function checkEntry(dir: string, { hashes = false }: { hashes?: boolean } = {}): EntryCheck {
  const file = join(dir, ENTRY_FILE);
  if (!existsSync(file)) return { status: 'absent' };
  let record: Partial<EntryRecord>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { status: 'damaged', problems: [`${ENTRY_FILE}: unreadable (${(error as Error).message})`] };
  }
  if (!Array.isArray(record.files)) return { status: 'damaged', problems: [`${ENTRY_FILE}: lists no files (written by an older dpo-run)`] };
  const problems = checkFiles(dir, record.files, hashes);
  return problems.length > 0 ? { status: 'damaged', problems } : { status: 'complete' };
}

/** Whether the entry's outputs are there and complete (sizes checked). */
export function isCached(entry: CacheEntry): boolean {
  return checkEntry(entry.dir).status === 'complete';
}

/**
 * Makes the work folder, keeping what an interrupted attempt left there unless `fresh`,
 * but never its temporary files (writes a kill cut short). Returns the ones removed.
 */
export function preparePartial(entry: CacheEntry, fresh: boolean): string[] {
  if (fresh) rmSync(entry.partialDir, { recursive: true, force: true });
  makeFolder(entry.partialDir);
  return removeTemporaryFiles(entry.partialDir);
}

/**
 * Turns the finished work folder into the cache entry: records its files (temporary ones
 * and those only a resumption reads, `resumeOnly`, removed) in `cache-entry.json`, then
 * renames it into place. An existing entry (a forced
 * rerun, a damaged entry) is renamed aside first and removed once the new one is in
 * place; a failure to remove it does not undo the commit: it is returned as a warning,
 * and the next run removes the folder left aside (removeReplacedEntries).
 */
export function commitPartial(entry: CacheEntry, instance: StageInstance, resumeOnly: readonly string[] = []): string | undefined {
  removeTemporaryFiles(entry.partialDir);
  removeMatching(entry.partialDir, resumeOnly);
  const record: EntryRecord = {
    id: instance.id,
    kind: instance.kind,
    fingerprint: entry.fingerprint,
    settings: instance.settings,
    seed: instance.seed,
    code: codeVersion(),
    completed: new Date().toISOString(),
    files: describeFiles(entry.partialDir, [ENTRY_FILE]),
  };
  writeJsonAtomic(join(entry.partialDir, ENTRY_FILE), record);
  const replaced = existsSync(entry.dir) ? `${entry.dir}${REPLACED}${process.pid}-${randomBytes(3).toString('hex')}` : undefined;
  if (replaced) renameSync(entry.dir, replaced);
  try {
    renameSync(entry.partialDir, entry.dir);
  } catch (error) {
    if (replaced) renameSync(replaced, entry.dir); // put the old entry back
    throw error;
  }
  if (!replaced) return undefined;
  try {
    rmSync(replaced, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return `could not remove the replaced entry ${replaced} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the next run removes it`;
  }
}

const REPLACED = '.replaced-';

/**
 * Removes the folders that commits left aside under `<runsDir>/cache/` (`<entry>.replaced-<pid>-<id>`)
 * and could not remove, unless their process is still running. Best effort: returns the
 * folders it could not remove.
 */
export function removeReplacedEntries(runsDir: string): string[] {
  const root = join(runsDir, 'cache');
  if (!existsSync(root)) return [];
  const left: string[] = [];
  for (const name of readdirSync(root)) {
    const pid = Number(/\.replaced-(\d+)(?:-[0-9a-f]+)?$/.exec(name)?.[1]);
    if (!pid || (pid !== process.pid && isProcessAlive(pid))) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
    } catch {
      left.push(join(root, name));
    }
  }
  return left;
}
