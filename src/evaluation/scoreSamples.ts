/**
 * One policy at one temperature: sample completions of the held-out prompts, decode
 * them, score them with the ground-truth reward, and measure each one's sequence-level
 * KL to the reference.
 */
import type { GPT } from '../model/gpt.ts';
import type { Reward } from '../rewards/index.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { completionLogProbs, sequenceKl } from './kl.ts';
import { sampleCompletions, type SampleOptions } from './sampling.ts';

export interface ScoredSet {
  /** Row i * samplesPerPrompt + j: the j-th completion of prompt i. */
  promptIndex: number[];
  /** Each row's prompt, when the rows are not completions of the held-out prompts (best-of-N's own prompts; promptIndex -1 where none matches). */
  prompts?: string[];
  tokens: number[][];
  texts: string[];
  rewards: number[];
  /** log pi(y|x) - log pi_ref(y|x) per row; null when not asked for. */
  kls: number[] | null;
}

export interface ScoreContext {
  tokenizer: Tokenizer;
  reward: Reward;
  /** The prompts' texts and their token ids (bos first). */
  promptTexts: readonly string[];
  promptIds: readonly number[][];
  /** The reference model; null to skip the KL (a baseline's samples). */
  reference: GPT | null;
}

export async function sampleAndScore(policy: GPT, context: ScoreContext, options: SampleOptions): Promise<ScoredSet> {
  const { tokenizer, reward, promptTexts, promptIds, reference } = context;
  const tokens = await sampleCompletions(policy, promptIds, options);
  const promptIndex = tokens.map((_, row) => Math.floor(row / options.samplesPerPrompt));
  const texts = tokens.map((ids) => tokenizer.decode(ids));
  const rewards = await reward.score(
    promptIndex.map((i) => promptTexts[i]),
    texts,
  );
  let kls: number[] | null = null;
  if (reference) {
    const rowPrompts = promptIndex.map((i) => promptIds[i]);
    const batch = { batchSize: options.batchSize, pad: tokenizer.pad };
    const policyLogps = await completionLogProbs(policy, rowPrompts, tokens, batch);
    // The reference against itself: the same numbers, so the KL is exactly 0.
    const referenceLogps = reference === policy ? policyLogps : await completionLogProbs(reference, rowPrompts, tokens, batch);
    kls = sequenceKl(policyLogps, referenceLogps);
  }
  return { promptIndex, tokens, texts, rewards, kls };
}

/** True when two tokenizers map text to the same ids (their saved forms are equal). */
export function sameTokenizer(a: Tokenizer, b: Tokenizer): boolean {
  return a === b || JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());
}
