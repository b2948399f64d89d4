/**
 * Atomic writes: a file is written under a temporary name beside its target, then
 * renamed, so that a reader (or a later run) never sees half of it.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { temporaryPath } from './temporaryName.ts';
import { withPath } from '../fsErrors.ts';

export { temporaryPath };

/** Writes `data` to `path` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw withPath(err, path);
  }
}

/**
 * Writes `chunks` (strings or bytes, made as they are asked for when async) one after
 * another to `path` atomically, streaming (for large files).
 */
export async function writeChunksAtomic(path: string, chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): Promise<void> {
  const tmp = temporaryPath(path);
  const out = createWriteStream(tmp);
  try {
    for await (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw withPath(err, path);
  }
}
