/**
 * Atomic writes: a file is written under a temporary name beside its target, then
 * renamed, so that a reader (or a later run) never sees half of it.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';

/** A temporary name in the same folder as `path` (so that the rename stays on one file system). */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Writes `data` to `path` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes the strings of `chunks` one after another to `path` atomically, streaming (for large files). */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  const tmp = temporaryPath(path);
  const out = createWriteStream(tmp);
  try {
    for (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}
