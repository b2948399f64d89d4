/**
 * A metrics file (`metrics.csv` by default) with its JSON-lines twin (`metrics.jsonl`):
 * a CSV header of fixed columns written once, then one row per logged step, appended and
 * flushed at once so that an interrupted run keeps every row it logged; the same row as
 * one JSON object per line (numbers as numbers, empty columns left out), for tools that
 * read JSON lines. Resuming into an existing CSV keeps appending to it, and rewrites the
 * JSON lines from it first, so that rows a resume dropped from the CSV are gone from both.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import type { MetricsWriter } from '../core/stageContract.ts';

type Row = Record<string, number | string | undefined>;

export function openMetricsWriter(file: string, columns: string[]): MetricsWriter {
  if (columns.length === 0 || new Set(columns).size !== columns.length) {
    throw new Error(`metrics columns must be distinct and not empty, got [${columns.join(', ')}]`);
  }
  const jsonl = jsonlFileOf(file);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (existing.length === 0) {
    appendFileSync(file, stringify([columns]));
    writeFileSync(jsonl, '');
  } else {
    const [header = [], ...rows] = parse(existing) as string[][];
    if (header.join('\u0000') !== columns.join('\u0000')) {
      throw new Error(`${file} has columns [${header.join(', ')}]; cannot resume it with [${columns.join(', ')}]`);
    }
    writeFileSync(jsonl, rows.map((row) => jsonLine(Object.fromEntries(columns.map((c, i) => [c, fromCsv(row[i])])), columns)).join(''));
  }
  const known = new Set(columns);
  let closed = false;
  return {
    log(row) {
      if (closed) throw new Error(`${file} is closed`);
      for (const key of Object.keys(row)) {
        if (!known.has(key)) throw new Error(`metric "${key}" is not a column of ${file} (columns: ${columns.join(', ')})`);
      }
      appendFileSync(file, stringify([columns.map((c) => row[c] ?? '')]));
      appendFileSync(jsonl, jsonLine(row, columns));
    },
    async close() {
      closed = true;
    },
  };
}

/** `metrics.csv` -> `metrics.jsonl` (any other name: the name with `.jsonl` added). */
export function jsonlFileOf(csvFile: string): string {
  return csvFile.endsWith('.csv') ? csvFile.slice(0, -'.csv'.length) + '.jsonl' : csvFile + '.jsonl';
}

/** One row as a JSON line, in column order: finite numbers as numbers, anything else (NaN) as its text. */
function jsonLine(row: Row, columns: string[]): string {
  const record: Record<string, number | string> = {};
  for (const column of columns) {
    const value = row[column];
    if (value === undefined || value === '') continue;
    record[column] = typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  }
  return JSON.stringify(record) + '\n';
}

function fromCsv(text: string | undefined): number | string | undefined {
  if (text === undefined || text === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) && text.trim() !== '' ? number : text;
}
