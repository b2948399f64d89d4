/**
 * The judge kinds of a win rate: the only list of them. `win_rate.judge: {kind: ...}`
 * is built by the factory under its kind.
 */
import { UserError } from '../../core/errors.ts';
import { createLlmJudge, type LlmJudgeSettings } from './llm.ts';
import { createRewardJudge } from './reward.ts';
import type { Judge } from './types.ts';

export type { Comparison, Judge, Judgement, Verdict } from './types.ts';

export const judgeKinds: Record<string, (settings: Record<string, unknown>) => Judge> = {
  reward: () => createRewardJudge(),
  llm: (settings) => createLlmJudge(settings as unknown as LlmJudgeSettings),
};

export function createJudge(settings: { kind: string } & Record<string, unknown>): Judge {
  const factory = Object.hasOwn(judgeKinds, settings.kind) ? judgeKinds[settings.kind] : undefined;
  if (!factory) throw new UserError(`unknown judge kind ${JSON.stringify(settings.kind)}`, `choose one of: ${Object.keys(judgeKinds).join(', ')}`);
  return factory(settings);
}
