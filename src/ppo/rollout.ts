/**
 * A PPO rollout: completions sampled from the policy for a batch of prompts, scored by
 * the reward, and measured under the models before any update (the "old" policy's
 * log-probabilities, the reference's, the values and the policy's entropy), each kept
 * ragged: one number per response token. A row's response is the tokens the policy chose,
 * eos included when it stopped (src/model/completionTokens.ts); the policy's measures are
 * those of the distribution sampled, softmax(logits / temperature) (src/ppo/forward.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../core/random.ts';
import type { Reward } from '../rewards/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { disposeBatch, gatherResponses, rolloutBatch, type RolloutRow } from './batch.ts';
import { sampleCompletions, type SamplingSettings } from '../model/sampleCompletions.ts';
import { policyAndValues, referenceLogProbs } from './forward.ts';
import { tokenEntropy } from '../losses/entropy.ts';
import type { PpoModels } from './models.ts';

export interface RolloutMeasures {
  logprobs: number[][]; // (B, L_b) log pi_old,T(y_t | x, y_<t), at the sampling temperature T
  refLogprobs: number[][]; // (B, L_b) log pi_ref(y_t | x, y_<t), at temperature 1
  values: number[][]; // (B, L_b) V(x, y_<t)
  entropy: number[][]; // (B, L_b) the entropy of pi_old,T at each response position
}

export interface Rollout extends RolloutMeasures {
  rows: RolloutRow[];
  prompts: string[];
  completions: string[];
  /** The reward's score of each completion, as the reward gives it (before normalisation). */
  scores: number[];
}

/** Samples a completion of each prompt, scores them, and measures them under the models, `measureChunk` rows per forward pass (default: sampling.batch_size). */
export async function collectRollout(
  models: PpoModels,
  tokenizer: Tokenizer,
  reward: Reward,
  prompts: { text: string; ids: number[] }[],
  sampling: SamplingSettings,
  random: Random,
  measureChunk = sampling.batch_size,
): Promise<Rollout> {
  const completions = await sampleCompletions(models.policy, tokenizer, prompts.map((p) => p.ids), sampling, random);
  const texts = completions.map((c) => c.text);
  const scores = await reward.score(prompts.map((p) => p.text), texts);
  const rows = completions.map((c) => ({ prompt: c.prompt, response: c.response }));
  const measures = await measureRollout(models, rows, { pad: tokenizer.pad, chunk: measureChunk, temperature: sampling.temperature });
  return { rows, prompts: prompts.map((p) => p.text), completions: texts, scores, ...measures };
}

/** The per-token measures of `rows` with the policy at `temperature`, `chunk` rows per forward pass (no gradients). */
export async function measureRollout(
  models: PpoModels,
  rows: readonly RolloutRow[],
  options: { pad: number; chunk: number; temperature: number },
): Promise<RolloutMeasures> {
  const { pad, chunk, temperature } = options;
  const measures: RolloutMeasures = { logprobs: [], refLogprobs: [], values: [], entropy: [] };
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const batch = rolloutBatch(part, pad);
    const T = batch.ids.shape[1];
    const outputs = tf.tidy(() => {
      const { logits, logprobs, values } = policyAndValues(models, batch, temperature); // logits / temperature
      return [logprobs, referenceLogProbs(models.reference, batch), values, tokenEntropy(logits)];
    });
    const [logprobs, refLogprobs, values, entropy] = await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    disposeBatch(batch);
    measures.logprobs.push(...gatherResponses(logprobs, part, T));
    measures.refLogprobs.push(...gatherResponses(refLogprobs, part, T));
    measures.values.push(...gatherResponses(values, part, T));
    measures.entropy.push(...gatherResponses(entropy, part, T));
  }
  return measures;
}

