/**
 * Best-of-N's pool: for each prompt, `size` completions drawn from the policy in rounds
 * (round k completes every prompt once), all from one Random, so that round 0 is exactly
 * plain sampling from that Random's state; and the choice among a prompt's first N.
 */
import type { GPT } from '../model/index.ts';
import { sampleCompletions, type Completion, type SamplingSettings } from '../model/sampleCompletions.ts';
import type { Random } from '../core/random.ts';
import type { Tokenizer } from '../tokenizer/index.ts';

/** pool[p][k]: the k-th completion of prompt p, for k < size. */
export async function samplePool(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: number[][],
  sampling: SamplingSettings,
  size: number,
  random: Random,
  onRound: (round: number) => Promise<void> = async () => {},
): Promise<Completion[][]> {
  const pool: Completion[][] = prompts.map(() => []);
  for (let round = 0; round < size; round++) {
    const completions = await sampleCompletions(model, tokenizer, prompts, sampling, random);
    completions.forEach((completion, p) => pool[p].push(completion));
    await onRound(round + 1);
  }
  return pool;
}

/** The index of the highest of the first `n` scores (the earliest on ties). */
export function bestOfFirst(scores: readonly number[], n: number): number {
  if (n < 1 || n > scores.length) throw new RangeError(`bestOfFirst: n ${n} outside 1..${scores.length}`);
  let best = 0;
  for (let i = 1; i < n; i++) if (scores[i] > scores[best]) best = i;
  return best;
}
