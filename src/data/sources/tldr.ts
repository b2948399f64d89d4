/**
 * The `tldr` source: the Reddit TL;DR summarization set (Stiennon et al., 2020; the DPO
 * paper's summarization task) as JSON lines, in either published layout:
 *   {subreddit, title, post, summary}   OpenAI's tldr-filtered files; the prompt is the
 *                                       source's `template` filled from the row
 *   {prompt, label}                     CarperAI/openai_summarize_tldr; the prompt is
 *                                       already templated, label is the summary
 * Each row is one prompt (the post) and its completion (the summary, after one space).
 * A row may carry `split` (train, or valid/test: test).
 */
import type { TldrSource } from '../settings.ts';
import { readJsonlRecords } from '../../core/io/jsonl.ts';
import { StageError } from '../../core/errors.ts';
import { fillTemplate, publishedSplit, spaced } from '../templates.ts';
import { sourceFiles } from './rowFields.ts';
import type { Split } from '../settings.ts';
import type { Source, SourceRow } from './types.ts';

export const tldr: Source<TldrSource> = {
  describe: (s) => `tldr: ${[s.path, s.test_path].filter(Boolean).join(' + ')}`,

  async *read(s, env) {
    for (const file of await sourceFiles(s, env)) {
      for await (const { record, where } of readJsonlRecords(file.path)) {
        yield tldrRow(record, s.template, where, file.split);
      }
    }
  },
};

/** One TL;DR row as a prompt and its summary. */
export function tldrRow(record: Record<string, unknown>, template: string, where: string, fileSplit?: Split): SourceRow {
  const carper = 'prompt' in record;
  const prompt = carper ? text(record, 'prompt', where) : fillTemplate(template, record, where);
  const summary = text(record, carper ? 'label' : 'summary', where);
  const row: SourceRow = { text: prompt + spaced(summary.trimEnd()), prompt };
  const split = publishedSplit(record.split, where) ?? fileSplit;
  if (split !== undefined) row.split = split;
  return row;
}

function text(record: Record<string, unknown>, name: string, where: string): string {
  const value = record[name];
  if (typeof value !== 'string') throw new StageError(`${where}: "${name}" is ${value === undefined ? 'missing' : 'not a string'}`, 'a TL;DR row is {subreddit, title, post, summary} or {prompt, label}');
  if (value.trim() === '') throw new StageError(`${where}: "${name}" is empty`);
  return value;
}
