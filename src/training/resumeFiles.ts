/**
 * The rows a training stage logs (metrics.csv, JSON-lines logs such as sft's samples.jsonl)
 * as an interrupted attempt left them. On resume the steps after the checkpoint run again
 * and log their rows again, so the rows after it are dropped; with no checkpoint every
 * step runs again and every row is dropped. A resumed run's files then read like an
 * uninterrupted run's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readJsonlRecords, writeJsonl } from '../core/io/jsonl.ts';
import { writeFileAtomic } from '../core/io/atomicFile.ts';

/**
 * Removes the rows of a metrics CSV whose step column (`step`, or PPO's `iteration`) is
 * above `step`; `step` undefined (no checkpoint) removes every row, keeping the header.
 * Returns how many it removed.
 */
export async function dropMetricsAfter(file: string, step: number | undefined, stepColumn = 'step'): Promise<number> {
  if (!existsSync(file)) return 0;
  const [header, ...rows] = parse(readFileSync(file, 'utf8')) as string[][];
  if (!header) return 0;
  const column = header.indexOf(stepColumn);
  if (column < 0) throw new Error(`${file} has no ${stepColumn} column`);
  const kept = rows.filter((row) => step !== undefined && Number(row[column]) <= step);
  if (kept.length < rows.length) await writeFileAtomic(file, stringify([header, ...kept]));
  return rows.length - kept.length;
}

/** Removes the records of a JSON-lines log whose `step` is above `step` (every record when undefined). Returns how many. */
export async function dropJsonlAfter(file: string, step: number | undefined): Promise<number> {
  const records = await readJsonlLog(file);
  const kept = records.filter((record) => step !== undefined && Number(record.step) <= step);
  if (kept.length < records.length) await writeJsonl(file, kept);
  return records.length - kept.length;
}

/** The records of a JSON-lines log ([] when there is no file yet). */
export async function readJsonlLog(file: string): Promise<Record<string, unknown>[]> {
  if (!existsSync(file)) return [];
  const records: Record<string, unknown>[] = [];
  for await (const { record } of readJsonlRecords(file)) records.push(record);
  return records;
}
