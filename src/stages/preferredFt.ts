/**
 * The `preferred_ft` stage: the Preferred-FT baseline of the DPO paper, supervised
 * fine-tuning on the chosen completions of a preferences stage's pairs only (the prompt
 * masked). Its step is src/pairwise/trainPairwise.ts.
 */
import type { StageKind } from '../core/stageContract.ts';
import { readStageSchema } from '../core/stageSchema.ts';
import type { PreferredFtSettings } from '../core/settings/preferredFt.ts';
import { preferredFtObjective } from '../pairwise/objectives.ts';
import { trainPairwise } from '../pairwise/trainPairwise.ts';

export const preferred_ft: StageKind<PreferredFtSettings> = {
  kind: 'preferred_ft',
  schema: readStageSchema('preferred_ft'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['model'],

  async run(ctx) {
    await trainPairwise(ctx, preferredFtObjective());
  },
};
