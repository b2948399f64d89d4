/**
 * On resume, the rows a training stage logged after its last checkpoint are logged again
 * by the steps it repeats: these drop them from metrics.csv and from JSON-lines logs
 * (samples.jsonl), so that a resumed run's files read like an uninterrupted run's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readJsonlRecords, writeJsonl } from '../core/io/jsonl.ts';
import { writeFileAtomic } from '../core/io/atomicFile.ts';

/** Removes the rows of a metrics CSV whose step column (`step`, or PPO's `iteration`) is above `step`. */
export async function dropMetricsAfter(file: string, step: number, stepColumn = 'step'): Promise<void> {
  if (!existsSync(file)) return;
  const [header, ...rows] = parse(readFileSync(file, 'utf8')) as string[][];
  if (!header) return;
  const column = header.indexOf(stepColumn);
  if (column < 0) throw new Error(`${file} has no ${stepColumn} column`);
  const kept = rows.filter((row) => Number(row[column]) <= step);
  if (kept.length < rows.length) await writeFileAtomic(file, stringify([header, ...kept]));
}

/** The records of a JSON-lines log whose `step` is at most `step` (the file is rewritten with them). */
export async function keepJsonlUpTo(file: string, step: number): Promise<Record<string, unknown>[]> {
  if (!existsSync(file)) return [];
  const kept: Record<string, unknown>[] = [];
  for await (const { record } of readJsonlRecords(file)) if (Number(record.step) <= step) kept.push(record);
  await writeJsonl(file, kept);
  return kept;
}
