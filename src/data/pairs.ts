/**
 * The `pairs` artifact: what a preferences stage writes in its output folder and how the
 * training stages (dpo, preferred_ft, unlikelihood, reward_model) read it.
 *
 *   pairs.jsonl     one PairRecord per line, train pairs first, then test (held-out) ones
 *   tokenizer.json  the tokenizer that made the token ids (the policy's)
 *
 * Token ids: `prompt_ids` starts with the tokenizer's bos token, then the prompt's tokens;
 * `chosen_ids` and `rejected_ids` are the completions' tokens as log pi(y|x) sums over them
 * (src/model/completionTokens.ts): the text tokens, then eos when the completion ended
 * there (a sampled completion that stopped, or one given as text), none when it was cut
 * (at max_new_tokens, or to the context). A row is `prompt_ids ++ chosen_ids` for
 * log pi(y_w|x), the prompt masked; eos is one of y's tokens.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { readJsonlObjects, writeJsonl } from '../core/io/jsonl.ts';
import { SPLITS, type Split } from './settings.ts';
import { StageError } from '../core/errors.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { completionTokens, splitEos, textCompletionTokens } from '../model/completionTokens.ts';

export const PAIRS_FILE = 'pairs.jsonl';
export const PAIRS_TOKENIZER_FILE = 'tokenizer.json';

export interface PairRecord {
  prompt: string;
  /** y_w, the preferred completion. */
  chosen: string;
  /** y_l, the dispreferred completion. */
  rejected: string;
  /** The ground-truth reward of each (null when the pair came labelled, without scores). */
  chosen_score: number | null;
  rejected_score: number | null;
  prompt_ids: number[];
  chosen_ids: number[];
  rejected_ids: number[];
  split: Split;
}

/** The pairs of a preferences output folder, all or one split's. */
export async function readPairs(dir: string, split?: Split): Promise<PairRecord[]> {
  const rows = await readJsonlObjects(join(dir, PAIRS_FILE), checkPairRecord);
  return split === undefined ? rows : rows.filter((r) => r.split === split);
}

/** The tokenizer the pairs' ids were made with. */
export async function readPairsTokenizer(dir: string): Promise<Tokenizer> {
  const file = join(dir, PAIRS_TOKENIZER_FILE);
  if (!existsSync(file)) throw new StageError(`${dir}: no ${PAIRS_TOKENIZER_FILE}; this is not a preferences output`);
  return loadTokenizer(JSON.parse(await readFile(file, 'utf8')));
}

export async function writePairs(dir: string, pairs: PairRecord[], tokenizer: Tokenizer): Promise<void> {
  await writeJsonl(join(dir, PAIRS_FILE), pairs);
  await writeFileAtomic(join(dir, PAIRS_TOKENIZER_FILE), JSON.stringify(tokenizer.toJSON()) + '\n');
}

/** Whether each completion of a pair ended where its text ends (eos follows it) rather than being cut. */
export interface PairEnds {
  chosen: boolean;
  rejected: boolean;
}

/**
 * The token ids of a prompt and its two completions, cut to fit `contextLength`: when a
 * prompt and its longer completion do not fit, the prompt keeps bos and its last tokens
 * (at least half the context when it needs it), then each completion keeps its first tokens.
 * A completion given as text ended there: eos follows its text tokens
 * (textCompletionTokens), and a completion cut to the context loses it, as in the DPO
 * reference implementation. `ended` says otherwise for a completion that was itself cut
 * (a sample that reached max_new_tokens, encoded again with another tokenizer).
 */
export function encodePair(
  tokenizer: Tokenizer,
  texts: { prompt: string; chosen: string; rejected: string },
  contextLength: number,
  ended: PairEnds = { chosen: true, rejected: true },
): { prompt_ids: number[]; chosen_ids: number[]; rejected_ids: number[] } {
  const prompt = [tokenizer.bos, ...tokenizer.encode(texts.prompt)];
  const encode = (text: string, endedThere: boolean) => (endedThere ? textCompletionTokens(tokenizer, text) : completionTokens(tokenizer.encode(text), false, tokenizer.eos));
  return fitToContext(prompt, encode(texts.chosen, ended.chosen), encode(texts.rejected, ended.rejected), contextLength);
}

/** See encodePair. The prompt's first token (bos) is always kept; every completion keeps at least one token. */
export function fitToContext(
  prompt: number[],
  chosen: number[],
  rejected: number[],
  contextLength: number,
): { prompt_ids: number[]; chosen_ids: number[]; rejected_ids: number[] } {
  const longest = Math.max(chosen.length, rejected.length);
  let promptIds = prompt;
  if (prompt.length + longest > contextLength) {
    promptIds = keepPromptEnd(prompt, Math.max(contextLength - longest, Math.floor(contextLength / 2), 1));
  }
  const room = contextLength - promptIds.length;
  return { prompt_ids: promptIds, chosen_ids: chosen.slice(0, room), rejected_ids: rejected.slice(0, room) };
}

/** A prompt cut to `keep` tokens: its first token (bos) and its last keep - 1. */
export function keepPromptEnd(prompt: number[], keep: number): number[] {
  if (keep >= prompt.length) return prompt;
  return [prompt[0], ...prompt.slice(prompt.length - Math.max(0, keep - 1))];
}

/**
 * The pairs of a preferences output as `tokenizer` and a context of `contextLength` see
 * them: the stored ids when they were made with the same tokenizer (and fit), else the
 * texts encoded again (a policy with another tokenizer than the one that sampled them),
 * each completion ending with the new tokenizer's eos where its stored ids ended with the
 * old one's.
 */
export async function readPairsFor(dir: string, tokenizer: Tokenizer, contextLength: number): Promise<PairRecord[]> {
  const pairs = await readPairs(dir);
  const stored = await readPairsTokenizer(dir);
  const sameTokenizer = JSON.stringify(stored.toJSON()) === JSON.stringify(tokenizer.toJSON());
  return pairs.map((pair) => {
    if (sameTokenizer && pair.prompt_ids.length + Math.max(pair.chosen_ids.length, pair.rejected_ids.length) <= contextLength) return pair;
    const ended = () => ({ chosen: splitEos(pair.chosen_ids, stored.eos).endedWithEos, rejected: splitEos(pair.rejected_ids, stored.eos).endedWithEos });
    const ids = sameTokenizer ? fitToContext(pair.prompt_ids, pair.chosen_ids, pair.rejected_ids, contextLength) : encodePair(tokenizer, pair, contextLength, ended());
    if (ids.chosen_ids.length === 0 || ids.rejected_ids.length === 0) {
      throw new StageError(`${join(dir, PAIRS_FILE)}: the pair for prompt ${JSON.stringify(pair.prompt.slice(0, 40))} has a completion with no tokens`);
    }
    return { ...pair, ...ids };
  });
}

function checkPairRecord(r: Record<string, unknown>, where: string): PairRecord {
  for (const field of ['prompt', 'chosen', 'rejected']) {
    if (typeof r[field] !== 'string') throw new StageError(`${where}: "${field}" is missing or not a string`);
  }
  for (const field of ['chosen_score', 'rejected_score']) {
    if (r[field] !== null && typeof r[field] !== 'number') throw new StageError(`${where}: "${field}" must be a number or null`);
  }
  for (const field of ['prompt_ids', 'chosen_ids', 'rejected_ids']) {
    const ids = r[field];
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
      throw new StageError(`${where}: "${field}" must be a non-empty list of token ids`);
    }
  }
  if (!SPLITS.includes(r.split as Split)) throw new StageError(`${where}: "split" must be train or test, got ${JSON.stringify(r.split)}`);
  return r as unknown as PairRecord;
}
