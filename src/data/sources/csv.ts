/** The `csv` source: a CSV file with a header row (.csv, or .csv.gz read through gunzip), parsed by csv-parse. */
import { StageError } from '../../core/errors.ts';
import type { CsvSource } from '../settings.ts';
import { readCsvRecords } from './csvRecords.ts';
import { rowFromRecord, sourceFiles } from './rowFields.ts';
import type { Source } from './types.ts';

export const csv: Source<CsvSource> = {
  describe: (s) => `csv: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    const fields = { text: s.text_column, label: s.label_column, split: s.split_column };
    for (const file of await sourceFiles(s, env)) {
      const checkHeader = (header: string[]) => checkColumns(file.path, header, fields);
      for await (const { record, where } of readCsvRecords(file.path, s.delimiter, checkHeader)) {
        yield rowFromRecord(record, fields, where, file.split, true);
      }
    }
  },
};

/** A StageError when the header lacks the text column or the split column named in the settings. */
function checkColumns(path: string, header: string[], fields: { text: string; split: string | null }): void {
  for (const [column, setting] of [[fields.text, 'text_column'], [fields.split, 'split_column']] as const) {
    if (column !== null && !header.includes(column)) {
      const found = header.length > 0 ? `the columns are ${header.join(', ')}` : 'the file has no header row';
      throw new StageError(`${path}:1: no column "${column}" (${found})`, `Set the source's ${setting}.`);
    }
  }
}
