/**
 * The `unlikelihood` stage: the Unlikelihood baseline of the DPO paper (Welleck et al.
 * 2019): raise log p(y_w|x) and push down each token of y_l, weighted by `alpha`. The
 * loop is src/preferences/loop.ts.
 */
import type { StageKind } from './types.ts';
import { readStageSchema } from './schemaFile.ts';
import type { UnlikelihoodSettings } from './settings/unlikelihood.ts';
import { unlikelihoodObjective } from '../preferences/objectives.ts';
import { trainPairwise } from '../preferences/loop.ts';

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
