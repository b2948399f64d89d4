/**
 * The names of temporary files and folders: what an atomic write (./atomicFile.ts,
 * ./writeAtomic.ts) or a checkpoint (`step-N.tmp/`) writes before its rename. A process
 * killed mid-write leaves them behind; the executor removes them from a work folder it
 * resumes and never commits them to the cache.
 */
import { basename, dirname, join } from 'node:path';

/** `<path>.tmp-<pid>-<random>`: a temporary name in the same folder as `path` (so that the rename stays on one file system). */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** `.<name>.<pid>.tmp` beside `file`: the temporary name of a synchronous atomic write. */
export function hiddenTemporaryPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/** Whether a file or folder name is a temporary one: ends in `.tmp` or `.tmp-<pid>-<random>`. */
export function isTemporaryName(name: string): boolean {
  return name.endsWith('.tmp') || /\.tmp-\d+-[0-9a-z]+$/.test(name);
}
