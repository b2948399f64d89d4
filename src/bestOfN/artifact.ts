/**
 * The `samples` artifact of a best_of_n stage, and how the evaluation reads it:
 *
 *   pool.jsonl       one PoolRecord per prompt: the prompt, its max(n) completions (text
 *                    and token ids, eos last when sampled, in the order drawn), the
 *                    reward's score of each, and the scores of an extra pool that only
 *                    measures the KL (never chosen from)
 *   n-<N>.jsonl      one BestOfNChoice per prompt, for each N: the best of the pool's first N
 *   best_of_n.json   BestOfNSummary: for each N, the mean score, the closed-form KL bound
 *                    log N - (N-1)/N and the measured estimate with its standard error
 *   tokenizer.json   the policy's tokenizer (the one the token ids belong to)
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicFile.ts';
import { readJsonlObjects, writeJsonl } from '../core/io/jsonl.ts';
import { StageError } from '../core/errors.ts';

export const POOL_FILE = 'pool.jsonl';
export const SUMMARY_FILE = 'best_of_n.json';
export const TOKENIZER_FILE = 'tokenizer.json';

export function choicesFile(n: number): string {
  return `n-${n}.jsonl`;
}

export interface PoolRecord {
  prompt: string;
  completions: string[];
  /** Completion tokens: the text tokens, then eos when sampled (src/model/completionTokens.ts). */
  completion_ids: number[][];
  scores: number[];
  /** The scores of the kl_pool extra completions of this prompt: the reward CDF of the KL estimate (src/bestOfN/kl.ts). */
  cdf_scores: number[];
}

/** The completion chosen for one prompt at one N. */
export interface BestOfNChoice {
  prompt: string;
  completion: string;
  completion_ids: number[];
  score: number;
  /** Its index in the prompt's pool (< N). */
  index: number;
}

export interface BestOfNEntry {
  n: number;
  /** The mean score of the chosen completions under the stage's reward. */
  score_mean: number;
  /** log N - (N-1)/N. */
  kl_bound: number;
  /** The mean over prompts of log N + (N-1) log F(r*), F estimated from completions not chosen from (src/bestOfN/kl.ts). */
  kl_estimate: number;
  /** Its standard error over prompts. */
  kl_estimate_se: number;
  /** The fewest completions any prompt's CDF estimate had (the pool's after the first N, and the extra pool). */
  kl_cdf_samples: number;
}

export interface BestOfNSummary {
  /** The N, ascending. */
  n: number[];
  pool_size: number;
  /** Extra completions per prompt, scored for the KL estimate only. */
  kl_pool: number;
  prompts: number;
  /** The reward kind that chose. */
  reward: string;
  entries: BestOfNEntry[];
}

/** One N as a policy: its summary entry and its chosen completions, one per prompt. */
export interface BestOfNPolicy extends BestOfNEntry {
  samples: BestOfNChoice[];
}

export async function writeBestOfN(
  dir: string,
  parts: { pool: PoolRecord[]; choices: Map<number, BestOfNChoice[]>; summary: BestOfNSummary; tokenizerJson: Record<string, unknown> },
): Promise<void> {
  await writeJsonl(join(dir, POOL_FILE), parts.pool);
  for (const [n, choices] of parts.choices) await writeJsonl(join(dir, choicesFile(n)), choices);
  await writeFileAtomic(join(dir, TOKENIZER_FILE), JSON.stringify(parts.tokenizerJson) + '\n');
  await writeFileAtomic(join(dir, SUMMARY_FILE), JSON.stringify(parts.summary, null, 2) + '\n');
}

/** Every N of a best_of_n output folder as one policy, by ascending N. */
export async function readBestOfN(dir: string): Promise<BestOfNPolicy[]> {
  const summaryPath = join(dir, SUMMARY_FILE);
  if (!existsSync(summaryPath)) throw new StageError(`${dir}: no ${SUMMARY_FILE}; this is not a best_of_n output`);
  const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as BestOfNSummary;
  const policies: BestOfNPolicy[] = [];
  for (const entry of summary.entries) {
    const samples = await readJsonlObjects(join(dir, choicesFile(entry.n)), checkChoice);
    policies.push({ ...entry, samples });
  }
  return policies;
}

/** The pool of a best_of_n output folder. */
export async function readPool(dir: string): Promise<PoolRecord[]> {
  return readJsonlObjects(join(dir, POOL_FILE), (r, where) => {
    if (typeof r.prompt !== 'string' || !Array.isArray(r.completions) || !Array.isArray(r.scores) || !Array.isArray(r.completion_ids) || !Array.isArray(r.cdf_scores)) {
      throw new StageError(`${where}: a pool row needs prompt, completions, completion_ids, scores and cdf_scores`);
    }
    return r as unknown as PoolRecord;
  });
}

function checkChoice(r: Record<string, unknown>, where: string): BestOfNChoice {
  if (typeof r.prompt !== 'string' || typeof r.completion !== 'string' || typeof r.score !== 'number' || typeof r.index !== 'number' || !Array.isArray(r.completion_ids)) {
    throw new StageError(`${where}: a best-of-N row needs prompt, completion, completion_ids, score and index`);
  }
  return { prompt: r.prompt, completion: r.completion, completion_ids: r.completion_ids as number[], score: r.score, index: r.index };
}
