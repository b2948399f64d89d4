/**
 * JSON lines, the format of every row-shaped artifact (texts, prompts, pairs, samples):
 * one JSON value per line. Reading names the file and the line of a bad row; writing
 * is atomic.
 */
import { StageError } from '../errors.ts';
import { writeChunksAtomic } from './atomicFile.ts';
import { readLines } from './openFile.ts';

/** One parsed line: its value and its 1-based line number (for error messages). */
export interface JsonlRow {
  value: unknown;
  line: number;
}

/** The values of a .jsonl (or .jsonl.gz) file, one per non-blank line. Bad JSON is a StageError `path:line: ...`. */
export async function* readJsonl(path: string): AsyncGenerator<JsonlRow> {
  for await (const { text, line } of readLines(path)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new StageError(`${path}:${line}: not valid JSON (${(err as Error).message})`);
    }
    yield { value, line };
  }
}

/** The objects of a .jsonl file with their position `path:line`; a line that is not an object is a StageError. */
export async function* readJsonlRecords(path: string): AsyncGenerator<{ record: Record<string, unknown>; where: string }> {
  for await (const { value, line } of readJsonl(path)) {
    const where = `${path}:${line}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new StageError(`${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
    }
    yield { record: value as Record<string, unknown>, where };
  }
}

/** All the objects of a .jsonl file, each checked by `check` (which throws for a bad row, given its position). */
export async function readJsonlObjects<T>(path: string, check: (record: Record<string, unknown>, where: string) => T): Promise<T[]> {
  const rows: T[] = [];
  for await (const { record, where } of readJsonlRecords(path)) rows.push(check(record, where));
  return rows;
}

/** Writes `rows` to `path` as JSON lines, atomically. */
export async function writeJsonl(path: string, rows: Iterable<unknown>): Promise<void> {
  await writeChunksAtomic(path, jsonLines(rows));
}

function* jsonLines(rows: Iterable<unknown>): Generator<string> {
  for (const row of rows) yield JSON.stringify(row) + '\n';
}
