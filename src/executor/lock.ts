/**
 * A lock file, created exclusively and holding the owner's pid, so that two runs never
 * write the same cache entry. A lock left by a process that no longer exists (killed)
 * is taken over; one held by a live process is a UserError naming it (exit 1: the command
 * was valid, another run holds what it needs).
 */
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { EXIT, UserError } from '../core/errors.ts';

export interface Lock {
  readonly file: string;
  release(): void;
}

/** Takes the lock at `file`, describing what it guards as `what` in the error. */
export function acquireLock(file: string, what: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file)) return { file, release: () => removeIfOurs(file) };
    const holder = readHolder(file);
    if (holder === undefined) continue; // removed between our attempt and our read
    if (isProcessAlive(holder)) {
      throw new UserError(
        `${what} is locked by another dpo-run (pid ${holder}, lock ${file})`,
        `wait for that run to finish; if pid ${holder} is not a dpo-run, delete ${file}`,
        EXIT.stageFailed, // the command was valid: exit 1, not 2
      );
    }
    try {
      unlinkSync(file); // stale: its owner is gone
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new UserError(`could not take the lock ${file}: other runs keep taking it`, 'run again when the other runs have finished', EXIT.stageFailed);
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeSync(fd, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }) + '\n');
  closeSync(fd);
  return true;
}

function readHolder(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const pid = JSON.parse(text).pid;
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0; // a half-written lock: its writer died between create and write
  }
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOurs(file: string): void {
  if (readHolder(file) === process.pid) unlinkSync(file);
}
