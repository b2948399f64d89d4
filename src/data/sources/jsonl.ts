/**
 * The `jsonl` source: one JSON object per line (.jsonl, or .jsonl.gz read through gunzip).
 * With prompt_template, a row is a prompt made from its fields (kept as written) and its
 * completion (text_field), like a tldr or hh_rlhf row: e.g. CNN/DailyMail's
 * {article, highlights} with prompt_template "{article}\nTL;DR:" and text_field highlights.
 */
import type { JsonlSource } from '../settings.ts';
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { StageError } from '../../core/errors.ts';
import { fillTemplate, spaced } from '../templates.ts';
import { rowFromRecord, sourceFiles } from './rowFields.ts';
import type { Source, SourceRow } from './types.ts';

export const jsonl: Source<JsonlSource> = {
  describe: (s) => `jsonl: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    const fields = { text: s.text_field, label: s.label_field, split: s.split_field };
    for (const file of await sourceFiles(s, env)) {
      for await (const { record, where } of readJsonlRecords(file.path)) {
        const row = rowFromRecord(record, fields, where, file.split, false);
        yield s.prompt_template === null ? row : withPrompt(row, fillTemplate(s.prompt_template, record, where), where);
      }
    }
  },
};

/** The row as its prompt followed by its text as the completion. */
function withPrompt(row: SourceRow, prompt: string, where: string): SourceRow {
  if (prompt.trim() === '') throw new StageError(`${where}: the prompt is empty`);
  if (row.text.trim() === '') throw new StageError(`${where}: the completion is empty`);
  return { ...row, prompt, text: prompt + spaced(row.text.trim()) };
}
