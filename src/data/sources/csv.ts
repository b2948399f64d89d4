/** The `csv` source: a CSV file with a header row (.csv, or .csv.gz read through gunzip), parsed by csv-parse. */
import { parse } from 'csv-parse';
import { StageError } from '../../core/errors.ts';
import { openDataFile, readError } from '../../core/io/openFile.ts';
import type { CsvSource } from '../settings.ts';
import { rowFromRecord, sourceFiles } from './rowFields.ts';
import type { Source } from './types.ts';

export const csv: Source<CsvSource> = {
  describe: (s) => `csv: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s) {
    const fields = { text: s.text_column, label: s.label_column, split: s.split_column };
    for (const file of sourceFiles(s)) {
      const input = await openDataFile(file.path);
      let header: string[] = [];
      const parser = input.pipe(
        parse({
          bom: true,
          delimiter: s.delimiter,
          skip_empty_lines: true,
          info: true,
          columns: (names: string[]) => (header = names.map((n) => n.trim())),
        }),
      );
      input.on('error', (err) => parser.destroy(err));
      try {
        for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
          checkColumns(file.path, header, fields);
          yield rowFromRecord(record, fields, `${file.path}:${info.lines}`, file.split, true);
        }
        checkColumns(file.path, header, fields);
      } catch (err) {
        if (err instanceof StageError) throw err;
        const line = (err as { lines?: number }).lines;
        if (typeof line === 'number') throw new StageError(`${file.path}:${line}: ${(err as Error).message}`);
        throw readError(file.path, err);
      } finally {
        input.destroy();
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
