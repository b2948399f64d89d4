/**
 * The `hh_rlhf` source: Anthropic's HH-RLHF dialogues (Bai et al., 2022; the DPO paper's
 * single-turn dialogue task) as JSON lines of {chosen, rejected} transcripts. Each row
 * gives one prompt, the conversation up to and including its last "\n\nAssistant:" (as
 * the DPO reference implementation's extract_anthropic_prompt cuts it), and its
 * completion, the chosen final response: the SFT data of the paper ("Preferred-FT" on
 * the chosen responses). A row may carry `split` (train or test).
 */
import type { HhRlhfSource } from '../settings.ts';
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { StageError } from '../../core/errors.ts';
import { publishedSplit, splitConversation } from '../templates.ts';
import { sourceFiles } from './rowFields.ts';
import type { Source, SourceRow } from './types.ts';

export const hhRlhf: Source<HhRlhfSource> = {
  describe: (s) => `hh_rlhf: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    for (const file of await sourceFiles(s, env)) {
      for await (const { record, where } of readJsonlRecords(file.path)) {
        const chosen = record.chosen;
        if (typeof chosen !== 'string') throw new StageError(`${where}: "chosen" is ${chosen === undefined ? 'missing' : 'not a string'}`, 'an HH-RLHF row is {chosen, rejected}');
        const { prompt, response } = splitConversation(chosen, 'chosen', where);
        const row: SourceRow = { text: prompt + response, prompt };
        const split = publishedSplit(record.split, where) ?? file.split;
        if (split !== undefined) row.split = split;
        yield row;
      }
    }
  },
};
