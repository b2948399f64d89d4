/**
 * CSV tables with fixed columns (frontier.csv, win_rates.csv): rows of numbers, text and
 * empty cells written atomically, and read back checked against the columns.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { StageError } from '../core/errors.ts';

export type Cell = number | string | null;

/** The kind of each column: numbers (an empty cell is null) or text. */
export type ColumnTypes<R> = { [K in keyof R]: 'number' | 'text' };

/** Numbers keep 6 significant digits: more than the standard errors justify. */
function cellText(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
  return value;
}

export async function writeCsvTable<R extends Record<string, Cell>>(path: string, columns: ColumnTypes<R>, rows: readonly R[]): Promise<void> {
  const names = Object.keys(columns) as (keyof R & string)[];
  await writeFileAtomic(path, stringify([names, ...rows.map((row) => names.map((name) => cellText(row[name])))]));
}

/**
 * The rows of a CSV table; a missing column or a cell that is not a number where one
 * belongs is a StageError. Columns named in `added` (columns newer than some files) read
 * as null where a file lacks them.
 */
export async function readCsvTable<R extends Record<string, Cell>>(path: string, columns: ColumnTypes<R>, added: readonly (keyof R & string)[] = []): Promise<R[]> {
  const records = parse(await readFile(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const names = Object.keys(columns) as (keyof R & string)[];
  return records.map((record, i) => {
    const row: Record<string, Cell> = {};
    for (const name of names) {
      const text = record[name];
      if (text === undefined && added.includes(name)) row[name] = null;
      else if (text === undefined) throw new StageError(`${path}: no column "${name}"`);
      else if (columns[name] === 'text') row[name] = text;
      else if (text === '') row[name] = null;
      else if (Number.isNaN(Number(text)) && text !== 'NaN') throw new StageError(`${path}:${i + 2}: "${name}" is not a number: ${JSON.stringify(text)}`);
      else row[name] = Number(text);
    }
    return row as R;
  });
}
