/**
 * A CSV metrics file (`metrics.csv` by default): a header of fixed columns written once,
 * then one row per logged step, appended and flushed at once so that an interrupted run
 * keeps every row it logged. Resuming into an existing file keeps appending to it.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import type { MetricsWriter } from '../core/stageContract.ts';

export function openMetricsWriter(file: string, columns: string[]): MetricsWriter {
  if (columns.length === 0 || new Set(columns).size !== columns.length) {
    throw new Error(`metrics columns must be distinct and not empty, got [${columns.join(', ')}]`);
  }
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (existing.length === 0) {
    appendFileSync(file, stringify([columns]));
  } else {
    const header: string[] = parse(existing.slice(0, existing.indexOf('\n') + 1 || undefined))[0] ?? [];
    if (header.join('\u0000') !== columns.join('\u0000')) {
      throw new Error(`${file} has columns [${header.join(', ')}]; cannot resume it with [${columns.join(', ')}]`);
    }
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
    },
    async close() {
      closed = true;
    },
  };
}
