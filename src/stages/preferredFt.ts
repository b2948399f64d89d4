/**
 * The `preferred_ft` stage: the Preferred-FT baseline of the DPO paper, supervised
 * fine-tuning on the chosen completions of a preferences stage's pairs only (the prompt
 * masked). Its step is src/pairwise/trainPairwise.ts.
 */
import type { StageKind } from '../core/stageContract.ts';
import type { PreferredFtSettings } from '../core/settings/preferredFt.ts';
import { preferredFtObjective } from '../pairwise/objectives.ts';
import { trainPairwise } from '../pairwise/trainPairwise.ts';
import { preferredFtDeclaration } from './declarations.ts';

export const preferred_ft: StageKind<PreferredFtSettings> = {
  ...preferredFtDeclaration,

  async run(ctx) {
    await trainPairwise(ctx, preferredFtObjective());
  },
};
