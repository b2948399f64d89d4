/**
 * One policy at one temperature: sample completions of the held-out prompts, decode
 * them, score them with the ground-truth reward, and measure each one's KL to the
 * reference (both estimates, ./kl.ts) under the distribution actually sampled.
 */
import type { GPT } from '../model/gpt.ts';
import type { Reward } from '../rewards/index.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { scoreCompletions, type CompletionScores } from './kl.ts';
import { sampleCompletions, type SampleOptions } from './sampling.ts';

export interface ScoredSet {
  /** Row i * samplesPerPrompt + j: the j-th completion of prompt i. */
  promptIndex: number[];
  /** Each row's prompt, when the rows are not completions of the held-out prompts (best-of-N's own prompts; promptIndex -1 where none matches). */
  prompts?: string[];
  /** Each row's completion tokens: the text tokens, then eos when it was sampled (src/model/completionTokens.ts). */
  tokens: number[][];
  texts: string[];
  rewards: number[];
  /** log pi_T(y|x), log pi_ref(y|x) and the two KL estimates per row; null when not measured. */
  scores: CompletionScores | null;
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
  let scores: CompletionScores | null = null;
  if (reference) {
    const sampling = { temperature: options.temperature, topK: options.topK, topP: options.topP };
    const rowPrompts = promptIndex.map((i) => promptIds[i]);
    scores = await scoreCompletions(policy, reference, rowPrompts, tokens, { sampling, batchSize: options.batchSize, pad: tokenizer.pad });
  }
  return { promptIndex, tokens, texts, rewards, scores };
}

/** True when two tokenizers map text to the same ids (their saved forms are equal). */
export function sameTokenizer(a: Tokenizer, b: Tokenizer): boolean {
  return a === b || JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());
}
