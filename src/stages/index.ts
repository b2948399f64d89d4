/**
 * The registry: the only list of stage kinds, in the order an experiment uses them
 * (the order of the editor schema and of the README's key reference). A kind is added
 * here with its file.
 */
import type { StageKind } from '../core/stageContract.ts';
import { dataset } from './dataset.ts';
import { sft } from './sft.ts';
import { classifier } from './classifier.ts';
import { preferences } from './preferences.ts';
import { dpo } from './dpo.ts';
import { preferred_ft } from './preferredFt.ts';
import { unlikelihood } from './unlikelihood.ts';
import { reward_model } from './rewardModel.ts';
import { ppo } from './ppo.ts';
import { bestOfN } from './bestOfN.ts';
import { evaluate } from './evaluate.ts';
import { report } from './report.ts';

export const stageKinds: Record<string, StageKind> = {
  dataset,
  sft,
  classifier,
  preferences,
  dpo,
  preferred_ft,
  unlikelihood,
  reward_model,
  ppo,
  best_of_n: bestOfN,
  evaluate,
  report,
};

export function stageKind(kind: string): StageKind | undefined {
  return Object.hasOwn(stageKinds, kind) ? stageKinds[kind] : undefined;
}
