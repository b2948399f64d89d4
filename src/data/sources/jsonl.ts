/**
 * The `jsonl` source: one JSON object per line (.jsonl, or .jsonl.gz read through gunzip).
 * With prompt_field, a row is a prompt (kept as written) and its completion (text_field),
 * like a tldr or hh_rlhf row: e.g. CNN/DailyMail's {article, highlights}.
 */
import type { JsonlSource } from '../settings.ts';
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { StageError } from '../../core/errors.ts';
import { spaced } from '../templates.ts';
import { rowFromRecord, sourceFiles } from './rowFields.ts';
import type { Source, SourceRow } from './types.ts';

export const jsonl: Source<JsonlSource> = {
  describe: (s) => `jsonl: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s) {
    const fields = { text: s.text_field, label: s.label_field, split: s.split_field };
    for (const file of sourceFiles(s)) {
      for await (const { record, where } of readJsonlRecords(file.path)) {
        const row = rowFromRecord(record, fields, where, file.split, false);
        yield s.prompt_field === null ? row : withPrompt(row, record, s.prompt_field, where);
      }
    }
  },
};

/** The row as its prompt (the field `field`) followed by its text as the completion. */
function withPrompt(row: SourceRow, record: Record<string, unknown>, field: string, where: string): SourceRow {
  const prompt = record[field];
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw new StageError(`${where}: "${field}" is ${prompt === undefined ? 'missing' : typeof prompt !== 'string' ? 'not a string' : 'empty'}`, "set the source's prompt_field to the name the file uses");
  }
  if (row.text.trim() === '') throw new StageError(`${where}: the completion is empty`);
  return { ...row, prompt, text: prompt + spaced(row.text.trimEnd()) };
}
