/**
 * `classifier`: the ground truth of the paper's IMDb experiment, p(positive | text) from
 * the sentiment classifier a classifier stage trained: sigma(logit), the logit being the
 * scalar head at the last token of [bos, x y] (or [bos, y] with `text: completion`).
 */
import { ScalarScorer } from './scorer.ts';
import { scoredText, type ScoredText } from './sequences.ts';
import { scalarRewardSettings } from './scoredTextSettings.ts';
import type { Reward, RewardFactory } from './types.ts';

export class ClassifierReward implements Reward {
  readonly kind = 'classifier';

  constructor(
    private readonly scorer: ScalarScorer,
    readonly text: ScoredText,
  ) {}

  /** p(positive | text) = sigma(logit) for each (prompt, completion), in (0, 1). */
  async score(prompts: readonly string[], completions: readonly string[]): Promise<number[]> {
    if (prompts.length !== completions.length) {
      throw new RangeError(`classifier: ${prompts.length} prompts but ${completions.length} completions`);
    }
    const logits = await this.scorer.scoreTexts(completions.map((completion, i) => scoredText(prompts[i], completion, this.text)));
    return logits.map((z) => 1 / (1 + Math.exp(-z)));
  }

  dispose(): void {
    this.scorer.dispose();
  }
}

export const createClassifierReward: RewardFactory = async (settings, inputs) => {
  const { dir, text } = scalarRewardSettings('classifier', settings, inputs);
  return new ClassifierReward(await ScalarScorer.fromStage(dir, 'classifier'), text);
};
