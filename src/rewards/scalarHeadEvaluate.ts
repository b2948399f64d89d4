/**
 * Held-out evaluation of a scalar-head model, without gradients: the reward model on
 * preference pairs, the classifier on labelled texts.
 */
import * as tf from '@tensorflow/tfjs';
import { bradleyTerryLoss, preferenceAccuracy } from '../losses/bradleyTerry.ts';
import { logisticAccuracy, logisticLoss } from '../losses/logistic.ts';
import type { ScalarScorer } from './scorer.ts';
import { joinPromptAndCompletion } from './sequences.ts';

export interface PairTexts {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** Bradley-Terry loss (with `margin`) and preference accuracy of r(x, y_w) vs r(x, y_l); NaN for no pairs. */
export async function evaluatePairs(scorer: ScalarScorer, pairs: readonly PairTexts[], margin: number): Promise<{ loss: number; accuracy: number }> {
  if (pairs.length === 0) return { loss: NaN, accuracy: NaN };
  const chosen = await scorer.scoreTexts(pairs.map((p) => joinPromptAndCompletion(p.prompt, p.chosen)));
  const rejected = await scorer.scoreTexts(pairs.map((p) => joinPromptAndCompletion(p.prompt, p.rejected)));
  const [loss, accuracy] = tf.tidy(() => {
    const rw = tf.tensor1d(chosen);
    const rl = tf.tensor1d(rejected);
    return [bradleyTerryLoss(rw, rl, margin).dataSync()[0], preferenceAccuracy(rw, rl).dataSync()[0]];
  });
  return { loss, accuracy };
}

/** Binary cross-entropy and accuracy of the logits on texts labelled 0/1; NaN for no texts. */
export async function evaluateLabelled(scorer: ScalarScorer, texts: readonly string[], labels: readonly number[]): Promise<{ loss: number; accuracy: number }> {
  if (texts.length === 0) return { loss: NaN, accuracy: NaN };
  const logits = await scorer.scoreTexts(texts);
  const loss = tf.tidy(() => logisticLoss(tf.tensor1d(logits), tf.tensor1d([...labels])).dataSync()[0]);
  return { loss, accuracy: logisticAccuracy(logits, labels) };
}
