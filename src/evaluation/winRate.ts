/**
 * Win rates: a policy's completions against a baseline's, prompt by prompt, judged one
 * comparison at a time; a tie counts as half a win.
 */
import { mean, standardError, wilsonInterval } from './statistics.ts';
import type { Comparison, Judgement } from './judges/index.ts';

/** A scored completion of the held-out prompt `promptIndex`. */
export interface ScoredCompletion {
  promptIndex: number;
  completion: string;
  reward: number;
}

/**
 * The comparisons of a policy's completions with a baseline's: the j-th completion of a
 * prompt against the baseline's j-th completion of the same prompt (cycling when the
 * baseline has fewer). Prompts the baseline has no completion for are left out.
 */
export function pairComparisons(prompts: readonly string[], policy: readonly ScoredCompletion[], baseline: readonly ScoredCompletion[]): Comparison[] {
  const byPrompt = new Map<number, ScoredCompletion[]>();
  for (const b of baseline) byPrompt.set(b.promptIndex, [...(byPrompt.get(b.promptIndex) ?? []), b]);
  const seen = new Map<number, number>();
  const comparisons: Comparison[] = [];
  for (const p of policy) {
    const candidates = byPrompt.get(p.promptIndex);
    if (!candidates) continue;
    const j = seen.get(p.promptIndex) ?? 0;
    seen.set(p.promptIndex, j + 1);
    const b = candidates[j % candidates.length];
    comparisons.push({ prompt: prompts[p.promptIndex], policy: p.completion, baseline: b.completion, policyReward: p.reward, baselineReward: b.reward });
  }
  return comparisons;
}

export interface WinRate {
  /** mean(verdict), verdict 1 for a win, 0.5 for a tie, 0 for a loss. */
  winRate: number;
  /** Its standard error over the comparisons. */
  se: number;
  /**
   * The 95% Wilson score interval of the win rate, with the wins counted as
   * n * winRate: a tie (or a judge failure) is half a win here too, so the interval is
   * that of a proportion of n trials with that many successes. (Dropping the ties instead
   * would narrow n; counting them as half keeps the interval centred on the win rate the
   * table shows.)
   */
  ciLow: number;
  ciHigh: number;
  n: number;
  ties: number;
  failures: number;
}

export function winRateOf(judgements: readonly Judgement[]): WinRate {
  const verdicts = judgements.map((j) => j.verdict);
  const wins = verdicts.reduce<number>((sum, v) => sum + v, 0);
  const ci = wilsonInterval(wins, verdicts.length);
  return {
    winRate: mean(verdicts),
    se: standardError(verdicts),
    ciLow: ci.low,
    ciHigh: ci.high,
    n: verdicts.length,
    ties: verdicts.filter((v) => v === 0.5).length,
    failures: judgements.filter((j) => j.failure !== undefined).length,
  };
}
