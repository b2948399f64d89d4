/**
 * `sentiment_lexicon`: a deterministic ground-truth reward from the AFINN-165 lexicon
 * (the `sentiment` npm package, with its English negation handling):
 *
 *   reward = sigma(comparative / scale) = 1 / (1 + exp(-comparative / scale))  in (0, 1),
 *
 * where comparative = (sum of the AFINN scores, -5..5 per word) / (number of words). With
 * the default scale 0.25, a text with no sentiment words scores 0.5, comparative +0.2 (one
 * "great" (+3) in 15 words) scores 0.69, +0.6 scores 0.92 and -0.6 scores 0.08; on the
 * package's 1,000 labelled IMDb sentences the 5% and 95% quantiles of comparative are
 * -0.6 and +0.6, so the scores spread over most of (0, 1).
 */
import Sentiment from 'sentiment';
import { UserError } from '../core/errors.ts';
import type { Reward, RewardFactory } from './types.ts';

export const LEXICON_TEXTS = ['prompt_and_completion', 'completion'] as const;
export type LexiconText = (typeof LEXICON_TEXTS)[number];

export interface LexiconRewardSettings {
  kind: 'sentiment_lexicon';
  /** What is scored: the prompt followed by the completion (as the paper's classifier sees x, y), or the completion alone. */
  text: LexiconText;
  /** The comparative score that moves the logit by 1. */
  scale: number;
}

export const LEXICON_DEFAULTS = { text: 'prompt_and_completion', scale: 0.25 } as const;

/** The JSON Schema of this kind's settings, for the stage schemas that accept a `reward:`. */
export const lexiconRewardSchema = {
  type: 'object',
  description:
    'AFINN-165 lexicon (npm `sentiment`), deterministic: reward = 1 / (1 + exp(-comparative / scale)) in (0, 1), ' +
    'where comparative is the sum of the words\' AFINN scores (-5..5) divided by the number of words.',
  properties: {
    kind: { const: 'sentiment_lexicon' },
    text: { enum: [...LEXICON_TEXTS], default: LEXICON_DEFAULTS.text, description: 'score the prompt followed by the completion, or the completion alone' },
    scale: { type: 'number', exclusiveMinimum: 0, default: LEXICON_DEFAULTS.scale, description: 'the comparative score that moves the logit by 1' },
  },
  required: ['kind'],
  additionalProperties: false,
} as const;

export class LexiconReward implements Reward {
  readonly kind = 'sentiment_lexicon';
  private readonly analyzer = new Sentiment();

  constructor(readonly settings: LexiconRewardSettings) {}

  async score(prompts: readonly string[], completions: readonly string[]): Promise<number[]> {
    if (prompts.length !== completions.length) {
      throw new RangeError(`sentiment_lexicon: ${prompts.length} prompts but ${completions.length} completions`);
    }
    return completions.map((completion, i) => this.scoreText(this.settings.text === 'completion' ? completion : joinPromptAndCompletion(prompts[i], completion)));
  }

  /** sigma(comparative / scale) for one text. */
  scoreText(text: string): number {
    const { comparative } = this.analyzer.analyze(text);
    return 1 / (1 + Math.exp(-comparative / this.settings.scale));
  }
}

/** The prompt and the completion as one text, with a space between unless one is already there. */
function joinPromptAndCompletion(prompt: string, completion: string): string {
  return prompt === '' || completion === '' || /\s$/.test(prompt) || /^\s/.test(completion) ? prompt + completion : `${prompt} ${completion}`;
}

export const createLexiconReward: RewardFactory = async (settings) => {
  const text = settings.text ?? LEXICON_DEFAULTS.text;
  const scale = settings.scale ?? LEXICON_DEFAULTS.scale;
  if (!LEXICON_TEXTS.includes(text as LexiconText)) {
    throw new UserError(`reward sentiment_lexicon: text must be one of ${LEXICON_TEXTS.join(', ')}, got ${JSON.stringify(text)}`);
  }
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) {
    throw new UserError(`reward sentiment_lexicon: scale must be a positive number, got ${JSON.stringify(scale)}`);
  }
  return new LexiconReward({ kind: 'sentiment_lexicon', text: text as LexiconText, scale });
};
