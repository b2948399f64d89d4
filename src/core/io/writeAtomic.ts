/**
 * Atomic writes: the content goes to a temporary file beside the target, which is then
 * renamed over it, so a reader (or a later run) never sees a half-written file.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { hiddenTemporaryPath } from './temporaryName.ts';
import { withPath } from '../fsErrors.ts';

/** Writes `content` to `file` atomically (synchronous, so it is safe in a signal handler). */
export function writeAtomic(file: string, content: string | Uint8Array): void {
  const tmp = hiddenTemporaryPath(file);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true }); // a full disk leaves no half file behind
    throw withPath(error, file);
  }
}

/** Writes `value` as indented JSON, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
