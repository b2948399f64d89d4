/**
 * The `unlikelihood` stage: the Unlikelihood baseline of the DPO paper (Welleck et al.
 * 2019): raise log p(y_w|x) and push down each token of y_l, weighted by `alpha`. Its
 * step is src/pairwise/trainPairwise.ts.
 */
import type { StageKind } from '../core/stageContract.ts';
import type { UnlikelihoodSettings } from '../core/settings/unlikelihood.ts';
import { unlikelihoodObjective } from '../pairwise/objectives.ts';
import { trainPairwise } from '../pairwise/trainPairwise.ts';
import { unlikelihoodDeclaration } from './declarations.ts';

export const unlikelihood: StageKind<UnlikelihoodSettings> = {
  ...unlikelihoodDeclaration,

  async run(ctx) {
    await trainPairwise(ctx, unlikelihoodObjective(ctx.settings.alpha));
  },
};
