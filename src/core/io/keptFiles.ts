/**
 * Folders of files kept between runs to start faster (compiled validators, parsed
 * pipelines): each file is written atomically, and the folder keeps only the newest few,
 * so that it never grows without bound. Failures are quiet: such a file is only a
 * shortcut, and without it the work is done again.
 */
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './writeAtomic.ts';

/** Writes `content` to `file` in `dir` and drops the oldest files ending in `suffix` beyond `keep`; false when it could not. */
export function keepFile(dir: string, file: string, content: string | Uint8Array, keep: number, suffix: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomic(file, content);
    forgetOldest(dir, keep, suffix);
    return true;
  } catch {
    return false; // an unwritable folder: the work is done again next time
  }
}

function forgetOldest(dir: string, keep: number, suffix: string): void {
  const files = readdirSync(dir).filter((name) => name.endsWith(suffix));
  if (files.length <= keep) return;
  const byAge = files.map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
  for (const { name } of byAge.slice(0, files.length - keep)) unlinkSync(join(dir, name));
}
