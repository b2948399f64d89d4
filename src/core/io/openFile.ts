/**
 * Opens a data file as a stream of bytes, through gunzip when its name ends in `.gz`,
 * with clear errors when it is missing or corrupt. Bytes that are not UTF-8 are read as
 * U+FFFD, counted, and reported in one warning per file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { StageError } from '../errors.ts';
import { warn } from '../warnings.ts';

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

/**
 * The lines of `path` (decompressed when `.gz`) with their 1-based numbers; a final empty
 * line is not yielded. Bytes are split at newlines (a newline byte is never part of a
 * longer UTF-8 sequence), then each line is decoded; invalid UTF-8 is read as U+FFFD and
 * counted, and one warning at the end names the file, the count and the first line.
 */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const input = await openDataFile(path);
  const invalid = { count: 0, firstLine: 0 };
  let line = 0;
  const decode = (bytes: Buffer): { text: string; line: number } => {
    const text = bytes.toString('utf8');
    line++;
    if (text.includes('\uFFFD')) {
      const replaced = text.split('\uFFFD').length - 1 - countReplacementCharacters(bytes);
      if (replaced > 0 && invalid.count === 0) invalid.firstLine = line;
      invalid.count += replaced;
    }
    return { text: text.replace(/\r$/, ''), line };
  };
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of input) {
      const bytes = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
        yield decode(bytes.subarray(start, end));
        start = end + 1;
      }
      pending = bytes.subarray(start);
    }
  } catch (err) {
    throw readError(path, err);
  } finally {
    input.destroy();
  }
  if (pending.length > 0) yield decode(pending);
  if (invalid.count > 0) {
    warn(`${path}: ${invalid.count} invalid UTF-8 byte sequence${invalid.count === 1 ? '' : 's'} (first on line ${invalid.firstLine}) read as U+FFFD; save the file as UTF-8 to keep those characters`);
  }
}

/** How many times the bytes EF BF BD (U+FFFD written in UTF-8) occur in `bytes`. */
function countReplacementCharacters(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++;
  }
  return count;
}
