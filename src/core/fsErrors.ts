/**
 * The one place where Node's file-system errors (ENOENT, ENOTDIR, EACCES, EROFS, ENOSPC,
 * ...) become UserErrors: one line naming the path, what is wrong and what to do, exit 1,
 * instead of an internal error with a stack. A write error from a file descriptor carries
 * no path (`ENOSPC: no space left on device, write`); withPath() attaches the one the
 * writer knows, and `fallback` names the folder being written when nothing else does.
 */
import { EXIT, UserError } from './errors.ts';

interface Reason {
  what: string;
  todo: string;
}

const REASONS: Record<string, Reason> = {
  ENOENT: { what: 'no such file or folder', todo: 'check the path' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', todo: 'name a folder' },
  EISDIR: { what: 'a folder where a file was expected', todo: 'name a file' },
  EEXIST: { what: 'already exists', todo: 'remove it or choose another path' },
  EACCES: { what: 'permission denied', todo: 'give this user access to it, or choose another folder (--runs-dir)' },
  EPERM: { what: 'operation not permitted', todo: 'give this user access to it, or choose another folder (--runs-dir)' },
  EROFS: { what: 'read-only file system', todo: 'choose a writable folder (--runs-dir)' },
  ENOSPC: { what: 'no space left on the device', todo: 'free some space, or choose a folder on another disk (--runs-dir)' },
  EDQUOT: { what: 'disk quota exceeded', todo: 'free some space, or choose a folder on another disk (--runs-dir)' },
  EMFILE: { what: 'too many open files', todo: 'raise the limit (ulimit -n) and run again' },
  ENFILE: { what: 'too many open files in the system', todo: 'close other programs and run again' },
  ENAMETOOLONG: { what: 'file name too long', todo: 'use a shorter path' },
  EIO: { what: 'input/output error', todo: 'check the disk' },
};

/** What the failing system call was doing, by its name. */
const VERBS: Record<string, string> = {
  open: 'cannot open', read: 'cannot read', stat: 'cannot read', lstat: 'cannot read', scandir: 'cannot read', opendir: 'cannot read', access: 'cannot read', readlink: 'cannot read',
  write: 'cannot write', mkdir: 'cannot create', rename: 'cannot rename', unlink: 'cannot remove', rmdir: 'cannot remove', rm: 'cannot remove', symlink: 'cannot link', copyfile: 'cannot copy',
};

/** A Node file-system error with one of the codes above. */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && Object.hasOwn(REASONS, code);
}

/** `error` with `path` attached when it names none (a write through a file descriptor). */
export function withPath(error: unknown, path: string): unknown {
  if (isFsError(error) && !error.path) error.path = path;
  return error;
}

/**
 * The UserError (exit 1) for a file-system error, naming its path (or `fallback`, the file
 * or folder being written, when it has none), and what to do (`todo`, else what suits the
 * error code); undefined for any other error.
 */
export function fsUserError(error: unknown, fallback?: string, todo?: string): UserError | undefined {
  if (!isFsError(error)) return undefined;
  const reason = REASONS[error.code!];
  const path = error.path ?? fallback;
  const verb = VERBS[error.syscall ?? ''] ?? 'cannot use';
  const where = path ? `${verb} ${path}` : `${verb} a file`;
  return new UserError(`${where}: ${reason.what}; ${todo ?? reason.todo}`, undefined, EXIT.stageFailed);
}
