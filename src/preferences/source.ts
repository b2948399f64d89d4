/**
 * Existing preference data, read instead of sampling: a JSONL file in one of three
 * formats, each row turned into {prompt, chosen, rejected}.
 *
 *   chosen_rejected  {prompt, chosen, rejected}
 *   labelled         {prompt, a, b, label}: label 1 means a is preferred, 0 means b is
 *   hh_rlhf          Anthropic HH-RLHF: {chosen, rejected}, two conversations that differ
 *                    only in their last turn; each is split at its last "\n\nAssistant:"
 *                    into the prompt (up to and including that marker) and the response
 *   summarize_from_feedback  OpenAI's TL;DR comparisons (Stiennon et al., 2020):
 *                    {info: {post, title, subreddit}, summaries: [{text}, {text}],
 *                    choice: 0|1}; the prompt is the template filled from info, the
 *                    chosen summary summaries[choice]; split train, valid1/valid2 test
 *
 * `auto` picks a row's format from its fields. A row may carry `split` (train or test).
 * A bad row is a StageError naming the file and line. Each completion is a text its author
 * ended: its token ids get eos after the text (encodePair, src/data/pairs.ts).
 */
import { readJsonlRecords } from '../core/io/jsonl.ts';
import { SPLITS, type Split } from '../data/settings.ts';
import { StageError } from '../core/errors.ts';
import { fillTemplate, HH_ASSISTANT, publishedSplit, spaced, splitConversation, TLDR_TEMPLATE } from '../data/templates.ts';

export { HH_ASSISTANT };

export const SOURCE_FORMATS = ['auto', 'chosen_rejected', 'labelled', 'hh_rlhf', 'summarize_from_feedback'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
type RowFormat = Exclude<SourceFormat, 'auto'>;

export interface SourcePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** The row's own split, when it gives one. */
  split?: Split;
  /** `path:line`, for messages. */
  where: string;
}

type RowPair = Omit<SourcePair, 'where'>;

const rowFormats: Record<RowFormat, (r: Record<string, unknown>, where: string, template: string) => RowPair> = {
  chosen_rejected: (r, where) => ({
    prompt: field(r, 'prompt', where, { allowEmpty: true }),
    chosen: field(r, 'chosen', where),
    rejected: field(r, 'rejected', where),
  }),
  labelled: (r, where) => {
    const prompt = field(r, 'prompt', where, { allowEmpty: true });
    const a = field(r, 'a', where);
    const b = field(r, 'b', where);
    if (r.label !== 0 && r.label !== 1) throw new StageError(`${where}: "label" must be 0 or 1 (1: a is preferred), got ${JSON.stringify(r.label)}`);
    return r.label === 1 ? { prompt, chosen: a, rejected: b } : { prompt, chosen: b, rejected: a };
  },
  hh_rlhf: (r, where) => {
    const chosen = splitConversation(field(r, 'chosen', where), 'chosen', where);
    const rejected = splitConversation(field(r, 'rejected', where), 'rejected', where);
    if (chosen.prompt !== rejected.prompt) {
      throw new StageError(`${where}: the chosen and rejected conversations differ before their last "${HH_ASSISTANT.trim()}" turn`);
    }
    return { prompt: chosen.prompt, chosen: chosen.response, rejected: rejected.response };
  },
  summarize_from_feedback: (r, where, template) => {
    const info = r.info;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new StageError(`${where}: "info" must be an object {post, title, subreddit}`);
    const summaries = r.summaries;
    if (!Array.isArray(summaries) || summaries.length !== 2) throw new StageError(`${where}: "summaries" must be a list of two {text} objects`);
    const [a, b] = summaries.map((s, i) => field((s ?? {}) as Record<string, unknown>, 'text', `${where}: summaries[${i}]`));
    if (r.choice !== 0 && r.choice !== 1) throw new StageError(`${where}: "choice" must be 0 or 1 (the preferred summary), got ${JSON.stringify(r.choice)}`);
    const prompt = fillTemplate(template, info as Record<string, unknown>, `${where}: info`);
    const [chosen, rejected] = r.choice === 0 ? [a, b] : [b, a];
    const pair: RowPair = { prompt, chosen: spaced(chosen.trimEnd()), rejected: spaced(rejected.trimEnd()) };
    const split = publishedSplit(r.split, where);
    if (split !== undefined) pair.split = split;
    return pair;
  },
};

/**
 * Every pair of the file at `path`; the whole file is checked before anything is returned.
 * `template` makes the summarize_from_feedback prompts (default: the TL;DR template).
 */
export async function readPreferenceSource(path: string, format: SourceFormat, template: string = TLDR_TEMPLATE): Promise<SourcePair[]> {
  const pairs: SourcePair[] = [];
  for await (const { record, where } of readJsonlRecords(path)) {
    const pair: SourcePair = { ...rowFormats[format === 'auto' ? detectFormat(record, where) : format](record, where, template), where };
    if (record.split !== undefined && pair.split === undefined) {
      if (!SPLITS.includes(record.split as Split)) throw new StageError(`${where}: "split" must be train or test, got ${JSON.stringify(record.split)}`);
      pair.split = record.split as Split;
    }
    pairs.push(pair);
  }
  if (pairs.length === 0) throw new StageError(`${path}: no preference pairs in the file`);
  return pairs;
}

function detectFormat(r: Record<string, unknown>, where: string): RowFormat {
  if ('summaries' in r || 'choice' in r) return 'summarize_from_feedback';
  if ('label' in r || 'a' in r || 'b' in r) return 'labelled';
  if ('prompt' in r) return 'chosen_rejected';
  if ('chosen' in r || 'rejected' in r) return 'hh_rlhf';
  throw new StageError(`${where}: not a preference row: expected {prompt, chosen, rejected}, {prompt, a, b, label}, HH-RLHF's {chosen, rejected} or summarize_from_feedback's {info, summaries, choice}`);
}

function field(r: Record<string, unknown>, name: string, where: string, options: { allowEmpty?: boolean } = {}): string {
  const value = r[name];
  if (value === undefined) throw new StageError(`${where}: "${name}" is missing`);
  if (typeof value !== 'string') throw new StageError(`${where}: "${name}" must be a string, got ${JSON.stringify(value)}`);
  if (!options.allowEmpty && value.trim() === '') throw new StageError(`${where}: "${name}" is an empty completion`);
  return value;
}
