/**
 * `reward_model`: the learned Bradley-Terry reward of a reward_model stage, r(x, y) = the
 * scalar head at the last token of [bos, x y] (or [bos, y] with `text: completion`). The
 * scores are unbounded logits of the preference model, comparable only with each other.
 */
import { ScalarScorer } from './scorer.ts';
import { scoredText, type ScoredText } from './sequences.ts';
import { scalarRewardSettings } from './scoredTextSettings.ts';
import type { Reward, RewardFactory } from './types.ts';

export class RewardModelReward implements Reward {
  readonly kind = 'reward_model';

  constructor(
    private readonly scorer: ScalarScorer,
    readonly text: ScoredText,
  ) {}

  async score(prompts: readonly string[], completions: readonly string[]): Promise<number[]> {
    if (prompts.length !== completions.length) {
      throw new RangeError(`reward_model: ${prompts.length} prompts but ${completions.length} completions`);
    }
    return this.scorer.scoreTexts(completions.map((completion, i) => scoredText(prompts[i], completion, this.text)));
  }

  dispose(): void {
    this.scorer.dispose();
  }
}

export const createRewardModelReward: RewardFactory = async (settings, inputs) => {
  const { dir, text } = scalarRewardSettings('reward_model', settings, inputs);
  return new RewardModelReward(await ScalarScorer.fromStage(dir, 'reward_model'), text);
};
