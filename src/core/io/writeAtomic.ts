/**
 * Atomic writes: the content goes to a temporary file beside the target, which is then
 * renamed over it, so a reader (or a later run) never sees a half-written file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Writes `content` to `file` atomically (synchronous, so it is safe in a signal handler). */
export function writeAtomic(file: string, content: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** Writes `value` as indented JSON, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
