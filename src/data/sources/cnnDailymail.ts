/**
 * The `cnn_dailymail` source: the CNN/DailyMail news summarization set (Hermann et al.,
 * 2015; See et al., 2017; Hugging Face `cnn_dailymail` 3.0.0), the DPO paper's
 * out-of-distribution test (Table 1: TL;DR-trained policies summarise news articles, and
 * win against the reference `highlights` is measured). Rows are {article, highlights, id},
 * as JSON lines (.jsonl, .jsonl.gz) or as CSV with a header row (.csv, .csv.gz).
 *
 * Each row is one prompt, the source's `template` filled with the article (its first
 * `max_article_words` words, whitespace made single spaces), and its completion, the
 * highlights (their lines joined by spaces) after one space: the dataset's own
 * completions, which the evaluate stage's `baseline: <dataset stage>` compares policies
 * against. A row's own `split` (train; validation or test: test) is kept with
 * split.mode: source.
 */
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { StageError } from '../../core/errors.ts';
import type { CnnDailymailSource, Split } from '../settings.ts';
import { fillTemplate, publishedSplit, spaced } from '../templates.ts';
import { readCsvRecords } from './csvRecords.ts';
import { sourceFiles } from './rowFields.ts';
import type { Source, SourceRow } from './types.ts';

const LAYOUT_HINT = 'a CNN/DailyMail row is {article, highlights, id}';

export const cnnDailymail: Source<CnnDailymailSource> = {
  describe: (s) => `cnn_dailymail: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    for (const file of await sourceFiles(s, env)) {
      for await (const { record, where } of recordsOf(file.path)) {
        yield cnnDailymailRow(record, s, where, file.split);
      }
    }
  },
};

/** The records of a JSON-lines file, or of a CSV file (by its name) with article and highlights columns. */
function recordsOf(path: string): AsyncIterable<{ record: Record<string, unknown>; where: string }> {
  if (/\.parquet$/i.test(path)) {
    throw new StageError(`${path}: Parquet files are not read`, 'Export the rows as JSON lines or CSV first, e.g. with the datasets library: load_dataset("cnn_dailymail", "3.0.0", split="test").to_json("test.jsonl").');
  }
  if (!/\.csv(\.gz)?$/i.test(path)) return readJsonlRecords(path);
  return readCsvRecords(path, ',', (header) => {
    for (const column of ['article', 'highlights']) {
      if (!header.includes(column)) {
        throw new StageError(`${path}:1: no column "${column}" (${header.length > 0 ? `the columns are ${header.join(', ')}` : 'the file has no header row'})`, LAYOUT_HINT);
      }
    }
  });
}

/** One CNN/DailyMail row as a prompt (the templated article, cut to max_article_words) and its highlights. */
export function cnnDailymailRow(
  record: Record<string, unknown>,
  settings: Pick<CnnDailymailSource, 'template' | 'max_article_words'>,
  where: string,
  fileSplit?: Split,
): SourceRow {
  const words = text(record, 'article', where).split(/\s+/).filter(Boolean);
  const article = (settings.max_article_words === null ? words : words.slice(0, settings.max_article_words)).join(' ');
  const prompt = fillTemplate(settings.template, { ...record, article }, where);
  const highlights = text(record, 'highlights', where).trim().replace(/\s*\n\s*/g, ' ');
  const row: SourceRow = { text: prompt + spaced(highlights), prompt };
  const split = publishedSplit(record.split === '' ? undefined : record.split, where) ?? fileSplit;
  if (split !== undefined) row.split = split;
  return row;
}

function text(record: Record<string, unknown>, name: string, where: string): string {
  const value = record[name];
  if (typeof value !== 'string') throw new StageError(`${where}: "${name}" is ${value === undefined ? 'missing' : 'not a string'}`, LAYOUT_HINT);
  if (value.trim() === '') throw new StageError(`${where}: "${name}" is empty`, LAYOUT_HINT);
  return value;
}
