/**
 * The records of a CSV file with a header row (.csv, or .csv.gz read through gunzip),
 * parsed by csv-parse, each with its position `path:line`; a parse error names the file
 * and the line.
 */
import { parse } from 'csv-parse';
import { StageError } from '../../core/errors.ts';
import { openDataFile, readError } from '../../core/io/openFile.ts';

/**
 * Each record of `path` as {column: cell}. `checkHeader` sees the header's (trimmed) column
 * names before the first record is yielded, and once more at the end (a file with a header
 * and no rows, or none at all), and throws when a column the reader needs is missing.
 */
export async function* readCsvRecords(
  path: string,
  delimiter: string,
  checkHeader: (header: string[]) => void,
): AsyncGenerator<{ record: Record<string, string>; where: string }> {
  const input = await openDataFile(path);
  let header: string[] = [];
  let checked = false;
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter,
      skip_empty_lines: true,
      info: true,
      columns: (names: string[]) => (header = names.map((n) => n.trim())),
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!checked) checkHeader(header);
      checked = true;
      yield { record, where: `${path}:${info.lines}` };
    }
    checkHeader(header);
  } catch (err) {
    if (err instanceof StageError) throw err;
    const line = (err as { lines?: number }).lines;
    if (typeof line === 'number') throw new StageError(`${path}:${line}: ${(err as Error).message}`);
    throw readError(path, err);
  } finally {
    input.destroy();
  }
}
