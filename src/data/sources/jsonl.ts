/** The `jsonl` source: one JSON object per line (.jsonl, or .jsonl.gz read through gunzip). */
import type { JsonlSource } from '../settings.ts';
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { rowFromRecord, sourceFiles } from './rowFields.ts';
import type { Source } from './types.ts';

export const jsonl: Source<JsonlSource> = {
  describe: (s) => `jsonl: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    const fields = { text: s.text_field, label: s.label_field, split: s.split_field };
    for (const file of await sourceFiles(s, env)) {
      for await (const { record, where } of readJsonlRecords(file.path)) {
        yield rowFromRecord(record, fields, where, file.split, false);
      }
    }
  },
};
