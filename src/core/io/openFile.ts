/**
 * Opens a data file as a stream of bytes, through gunzip when its name ends in `.gz`,
 * with clear errors when it is missing or corrupt.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { StageError } from '../errors.ts';

/** Read and decompress in chunks of this size (zlib's default of 16 KiB makes line splitting slow). */
const CHUNK_BYTES = 256 * 1024;

/** Checks that `path` is a file; a StageError naming it otherwise. */
export async function assertFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new StageError(`${path}: no such file`, 'Check the path in the pipeline (relative paths are taken from the current folder).');
  }
  if (!info.isFile()) throw new StageError(`${path}: not a file`);
}

/** The bytes of `path`, decompressed when it ends in `.gz`. */
export async function openDataFile(path: string): Promise<Readable> {
  await assertFile(path);
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (!path.endsWith('.gz')) return raw;
  // pipeline: an error in either stream reaches the reader, and closing the reader early closes the file.
  return pipeline(raw, createGunzip({ chunkSize: CHUNK_BYTES }), () => {});
}

/** A read error of `path` as a StageError (a corrupt .gz, a file that vanished). */
export function readError(path: string, err: unknown): StageError {
  if (err instanceof StageError) return err;
  return new StageError(`${path}: cannot read: ${(err as Error).message}`);
}

/** The lines of `path` (decompressed when `.gz`) with their 1-based numbers; a final empty line is not yielded. */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const input = await openDataFile(path);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  try {
    for await (const chunk of input) {
      pending += decoder.write(chunk as Buffer);
      let start = 0;
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
        yield { text: pending.slice(start, end).replace(/\r$/, ''), line: ++line };
        start = end + 1;
      }
      pending = pending.slice(start);
    }
  } catch (err) {
    throw readError(path, err);
  } finally {
    input.destroy();
  }
  pending += decoder.end();
  if (pending.length > 0) yield { text: pending.replace(/\r$/, ''), line: ++line };
}
