/** The settings the learned reward kinds (classifier, reward_model) share, checked. */
import { UserError } from '../core/errors.ts';
import { SCORED_TEXTS, type ScoredText } from './sequences.ts';
import type { RewardInputs, RewardSpec } from './types.ts';

export const SCALAR_REWARD_DEFAULTS = { text: 'prompt_and_completion' } as const;

/** The stage output folder to load from and what text is scored; a missing folder or a bad `text` is a UserError. */
export function scalarRewardSettings(kind: string, settings: RewardSpec, inputs: RewardInputs): { dir: string; text: ScoredText } {
  if (inputs.dir === undefined) {
    throw new UserError(`reward ${kind}: no stage to load the model from`, `name the ${kind} stage in the reward's \`model:\``);
  }
  const text = settings.text ?? SCALAR_REWARD_DEFAULTS.text;
  if (!SCORED_TEXTS.includes(text as ScoredText)) {
    throw new UserError(`reward ${kind}: text must be one of ${SCORED_TEXTS.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return { dir: inputs.dir, text: text as ScoredText };
}
