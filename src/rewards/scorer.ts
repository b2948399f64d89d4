/**
 * A model with a scalar head and its tokenizer, scoring texts in batches: the raw head
 * output at the last token of [bos, ...text]. The reward_model and classifier reward kinds
 * and the stages' evaluations all go through it.
 */
import * as tf from '@tensorflow/tfjs';
import { StageError } from '../core/errors.ts';
import { disposeModel, lastTokenScores, loadStageModel, type GPT } from '../model/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { encodeForScore, padRight } from './sequences.ts';

export const SCORE_BATCH_SIZE = 32;

export class ScalarScorer {
  constructor(
    readonly model: GPT,
    readonly tokenizer: Tokenizer,
    readonly batchSize = SCORE_BATCH_SIZE,
  ) {
    if (!model.scalarHead) throw new Error('ScalarScorer: the model has no scalar head (score.weight)');
  }

  /** Loads the `model/` folder of a reward_model or classifier stage (frozen); `what` names the stage kind for messages. */
  static async fromStage(dir: string, what: string): Promise<ScalarScorer> {
    const { model, tokenizer } = await loadStageModel(dir, { trainable: false });
    if (!model.scalarHead) {
      disposeModel(model);
      throw new StageError(`${dir}: the model has no scalar head (score.weight); is this the output of a ${what} stage?`);
    }
    return new ScalarScorer(model, tokenizer);
  }

  /** The head's output for each text, in order. */
  async scoreTexts(texts: readonly string[]): Promise<number[]> {
    const out: number[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const sequences = texts.slice(start, start + this.batchSize).map((text) => encodeForScore(this.tokenizer, text, this.model.config.contextLength));
      const values = tf.tidy(() => {
        const { ids, attentionMask } = padRight(sequences, this.tokenizer.pad);
        return lastTokenScores(this.model, ids, attentionMask); // (B,)
      });
      out.push(...(await values.data()));
      values.dispose();
    }
    return out;
  }

  dispose(): void {
    disposeModel(this.model);
  }
}
