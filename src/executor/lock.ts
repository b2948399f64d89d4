/**
 * A lock file, created exclusively, so that two runs never write the same cache entry. It
 * names its holder: host, pid, and a heartbeat time that the holder rewrites every
 * HEARTBEAT_MS while it holds the lock. Whether a lock is still held:
 *
 *   on the holder's host:   while its pid is alive (a killed holder's lock is taken over at once);
 *   on any other host:      while its heartbeat is younger than STALE_AFTER_MS (5 minutes);
 *                           a pid means nothing there (jobs on several nodes, one shared runs/ folder).
 *
 * A held lock is a UserError naming the holder (exit 1: the command was valid, another run
 * holds what it needs). A stale lock is taken over: renamed aside (only one taker wins the
 * rename), checked to be the one judged stale, then removed.
 */
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, linkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EXIT, UserError } from '../core/errors.ts';

/** How often a holder rewrites its heartbeat. */
export const HEARTBEAT_MS = 30_000;
/** How old a heartbeat from another host must be for its lock to count as abandoned. */
export const STALE_AFTER_MS = 5 * 60_000;
/** A lock file that cannot be parsed is being written when younger than this, else abandoned. */
const HALF_WRITTEN_GRACE_MS = 10_000;

export interface Lock {
  readonly file: string;
  release(): void;
}

/** What a lock file says (a lock from an older dpo-run names only its pid: this host is assumed). */
export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  /** When the holder last showed it is alive (ISO time). */
  heartbeat: string;
}

export interface LockOptions {
  staleAfterMs?: number;
  heartbeatMs?: number;
}

/** Takes the lock at `file`, describing what it guards as `what` in the error. */
export function acquireLock(file: string, what: string, options: LockOptions = {}): Lock {
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  for (let attempt = 0; attempt < 5; attempt++) {
    const holder = tryCreate(file);
    if (holder) return holdLock(file, holder, options.heartbeatMs ?? HEARTBEAT_MS);
    const found = readLock(file);
    if (found === undefined) continue; // removed between our attempt and our read
    const state = lockState(found, staleAfterMs);
    if (state.held) {
      throw new UserError(
        `${what} is locked by another dpo-run (${state.who}, lock ${file})`,
        `wait for that run to finish; if ${state.who} is no dpo-run, delete ${file}`,
        EXIT.stageFailed, // the command was valid: exit 1, not 2
      );
    }
    takeOver(file, found.text);
  }
  throw new UserError(`could not take the lock ${file}: other runs keep taking it`, 'run again when the other runs have finished', EXIT.stageFailed);
}

/** Whether the lock at `file` is free (absent, or stale) now. */
export function isLockFree(file: string, staleAfterMs: number = STALE_AFTER_MS): boolean {
  const found = readLock(file);
  return found === undefined || !lockState(found, staleAfterMs).held;
}

interface FoundLock {
  text: string;
  /** undefined: not parseable (being written, or its writer died while writing). */
  holder?: LockHolder;
  /** The file's modification time (ms). */
  mtimeMs: number;
}

/** Whether a lock is held, and by whom (for messages), as seen from this host now. */
export function lockState(found: FoundLock, staleAfterMs: number = STALE_AFTER_MS, now: number = Date.now()): { held: boolean; who: string } {
  const { holder } = found;
  if (!holder) return { held: now - found.mtimeMs < HALF_WRITTEN_GRACE_MS, who: 'a holder still writing the lock' };
  if (holder.host === hostname()) return { held: isProcessAlive(holder.pid), who: `pid ${holder.pid}` };
  const age = now - Date.parse(holder.heartbeat);
  const who = `pid ${holder.pid} on ${holder.host}, heartbeat ${Number.isFinite(age) ? `${Math.round(age / 1000)}s ago` : 'unreadable'}`;
  return { held: Number.isFinite(age) && age < staleAfterMs, who };
}

function holderNow(): LockHolder {
  const time = new Date().toISOString();
  return { pid: process.pid, host: hostname(), started: time, heartbeat: time };
}

/** The lock's text: the same length at every heartbeat (ISO times are), so that a rewrite in place is never seen half done. */
function lockText(holder: LockHolder): string {
  return JSON.stringify(holder) + '\n';
}

/** Creates the lock file exclusively; the holder written into it, or undefined when it exists. */
function tryCreate(file: string): LockHolder | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  const holder = holderNow();
  try {
    writeSync(fd, lockText(holder));
  } finally {
    closeSync(fd);
  }
  return holder;
}

/** The lock we hold: its heartbeat rewritten in place (same length) until it is released. */
function holdLock(file: string, holder: LockHolder, heartbeatMs: number): Lock {
  const timer = setInterval(() => {
    if (!isOurs(readLock(file))) return;
    try {
      const fd = openSync(file, 'r+');
      try {
        writeSync(fd, lockText({ ...holder, heartbeat: new Date().toISOString() }), 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      // a heartbeat that cannot be written (the file was taken over, a full disk) is skipped
    }
  }, heartbeatMs);
  timer.unref();
  return {
    file,
    release: () => {
      clearInterval(timer);
      if (isOurs(readLock(file))) unlinkSync(file);
    },
  };
}

function isOurs(found: FoundLock | undefined): boolean {
  return found?.holder?.pid === process.pid && found.holder.host === hostname();
}

/** The lock file's holder; undefined when there is no lock file. */
export function readLock(file: string): FoundLock | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(file, 'utf8');
    mtimeMs = statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { text, holder: parseHolder(text), mtimeMs };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    const host = typeof value.host === 'string' ? value.host : hostname();
    const started = typeof value.started === 'string' ? value.started : '';
    return { pid: value.pid as number, host, started, heartbeat: typeof value.heartbeat === 'string' ? value.heartbeat : started };
  } catch {
    return undefined;
  }
}

/**
 * Removes a stale lock whose text was `staleText`. Renamed aside first: of several takers
 * only one wins the rename; if what it moved is not the lock judged stale (another taker
 * made a new one meanwhile), it is put back.
 */
function takeOver(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readFileSync(aside, 'utf8') !== staleText) {
    try {
      linkSync(aside, file); // put the live lock back, unless yet another one is there
    } catch {
      // another lock is in place: ours goes
    }
  }
  unlinkSync(aside);
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
