/**
 * Best-of-N policies: the completions a best_of_n stage chose for each N (read with its
 * `readBestOfN`), scored here with the ground truth, with the KL estimate that stage
 * measured (and its standard error over prompts) beside the closed-form bound
 * log N - (N - 1) / N.
 */
import { readBestOfN } from '../bestOfN/artifact.ts';
import { StageError } from '../core/errors.ts';
import type { ScoreContext, ScoredSet } from './scoreSamples.ts';

/** The Ns a best_of_n output holds, ascending. */
export async function bestOfNsOf(dir: string): Promise<number[]> {
  return (await readBestOfN(dir)).map((policy) => policy.n);
}

export interface BestOfNPolicy {
  klBound: number;
  klMean: number;
  klSe: number;
  set: ScoredSet;
}

/**
 * The chosen completions for one N, scored by the ground truth. Their prompts are
 * matched to the held-out prompts by text (promptIndex -1 where none matches, which
 * leaves them out of the win rates).
 */
export async function readBestOfNPolicy(dir: string, n: number, context: Pick<ScoreContext, 'reward'>, promptTexts: readonly string[]): Promise<BestOfNPolicy> {
  const policy = (await readBestOfN(dir)).find((p) => p.n === n);
  if (!policy) throw new StageError(`${dir}: the best_of_n output has no N = ${n}`);
  const indexOf = new Map(promptTexts.map((p, i) => [p, i]));
  const prompts = policy.samples.map((s) => s.prompt);
  const texts = policy.samples.map((s) => s.completion);
  const rewards = await context.reward.score(prompts, texts);
  return {
    klBound: policy.kl_bound,
    klMean: policy.kl_estimate,
    klSe: policy.kl_estimate_se,
    set: { promptIndex: prompts.map((p) => indexOf.get(p) ?? -1), prompts, tokens: policy.samples.map((s) => s.completion_ids), texts, rewards, scores: null },
  };
}
