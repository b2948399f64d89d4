/**
 * The `unlikelihood` stage: the Unlikelihood baseline of the DPO paper (Welleck et al.
 * 2019): raise log p(y_w|x) and push down each token of y_l, weighted by `alpha`. Its
 * step is src/pairwise/trainPairwise.ts.
 */
import type { StageKind } from '../core/stageContract.ts';
import { readStageSchema } from '../core/stageSchema.ts';
import type { UnlikelihoodSettings } from '../core/settings/unlikelihood.ts';
import { unlikelihoodObjective } from '../pairwise/objectives.ts';
import { trainPairwise } from '../pairwise/trainPairwise.ts';

export const unlikelihood: StageKind<UnlikelihoodSettings> = {
  kind: 'unlikelihood',
  schema: readStageSchema('unlikelihood'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['model'],

  async run(ctx) {
    await trainPairwise(ctx, unlikelihoodObjective(ctx.settings.alpha));
  },
};
