/**
 * Reading the text, label and split of one row of a jsonl or csv file, with errors that
 * name the file and the line; and the files a file-based source reads.
 */
import { StageError } from '../../core/errors.ts';
import { SPLITS, type Label, type Split } from '../settings.ts';
import { localDataPath } from '../remoteFile.ts';
import type { SourceEnv, SourceRow } from './types.ts';

export interface RowFields {
  text: string;
  label: string;
  split: string | null;
}

/**
 * The SourceRow of one record. `where` is `path:line`; `fileSplit` is the split of the
 * whole file (a test_path), if any; `numericStrings` reads "1" as 1 (CSV cells are strings).
 */
export function rowFromRecord(
  record: Record<string, unknown>,
  fields: RowFields,
  where: string,
  fileSplit: Split | undefined,
  numericStrings: boolean,
): SourceRow {
  const text = record[fields.text];
  if (text === undefined) throw new StageError(`${where}: no "${fields.text}" field`, 'Set the source\'s text field to the name the file uses.');
  if (typeof text !== 'string') throw new StageError(`${where}: "${fields.text}" is not a string`);
  const row: SourceRow = { text };
  const label = readLabel(record[fields.label], where, fields.label, numericStrings);
  if (label !== undefined) row.label = label;
  const split = fields.split === null ? fileSplit : readSplit(record[fields.split], where, fields.split) ?? fileSplit;
  if (split !== undefined) row.split = split;
  return row;
}

function readLabel(value: unknown, where: string, field: string, numericStrings: boolean): Label | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return numericStrings && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new StageError(`${where}: label "${field}" must be a number or a string, got ${JSON.stringify(value)}`);
}

function readSplit(value: unknown, where: string, field: string): Split | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (SPLITS.includes(value as Split)) return value as Split;
  throw new StageError(`${where}: split "${field}" must be train or test, got ${JSON.stringify(value)}`);
}

/**
 * The files of a file-based source with the split each stands for: with a test_path, its
 * rows are test and the path's train. A path that is an http(s) URL becomes its download
 * in the user's cache (fetched the first time: ../remoteFile.ts).
 */
export async function sourceFiles(s: { path: string; test_path?: string }, env: SourceEnv): Promise<{ path: string; split?: Split }[]> {
  const path = await localDataPath(s.path, env);
  if (s.test_path === undefined) return [{ path }];
  return [{ path, split: 'train' }, { path: await localDataPath(s.test_path, env), split: 'test' }];
}
