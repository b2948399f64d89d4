/**
 * The registry: the only list of stage kinds. A kind is added here with its file.
 */
import type { StageKind } from './types.ts';
import { dataset } from './dataset.ts';
import { evaluate } from './evaluate.ts';
import { report } from './report.ts';
import { sft } from './sft.ts';
import { reward_model } from './reward_model.ts';
import { classifier } from './classifier.ts';
import { preferences } from './preferences.ts';
import { dpo } from './dpo.ts';
import { preferred_ft } from './preferred_ft.ts';
import { unlikelihood } from './unlikelihood.ts';
import { ppo } from './ppo.ts';
import { bestOfN } from './best_of_n.ts';

export const stageKinds: Record<string, StageKind> = {
  dataset,
  evaluate,
  report,
  sft,
  reward_model,
  classifier,
  preferences,
  dpo,
  preferred_ft,
  unlikelihood,
  ppo,
  best_of_n: bestOfN,
};

export function stageKind(kind: string): StageKind | undefined {
  return Object.hasOwn(stageKinds, kind) ? stageKinds[kind] : undefined;
}
