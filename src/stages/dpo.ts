/**
 * The `dpo` stage: Direct Preference Optimization (Rafailov et al. 2023) of a policy on a
 * preferences stage's pairs, against the frozen initial policy as the reference, with the
 * variants of src/losses/dpo.ts (sigmoid, IPO, hinge, conservative, reference-free)
 * and an optional SFT term on the chosen completions. Its step is src/pairwise/trainPairwise.ts.
 */
import type { StageKind } from '../core/stageContract.ts';
import type { DpoSettings } from '../core/settings/dpo.ts';
import { dpoObjective } from '../pairwise/objectives.ts';
import { trainPairwise } from '../pairwise/trainPairwise.ts';
import { dpoDeclaration } from './declarations.ts';

export const dpo: StageKind<DpoSettings> = {
  ...dpoDeclaration,

  async run(ctx) {
    const { beta, loss, label_smoothing, reference_free, sft_weight } = ctx.settings;
    const objective = dpoObjective({ beta, loss, labelSmoothing: label_smoothing, referenceFree: reference_free, sftWeight: sft_weight });
    await trainPairwise(ctx, objective);
  },
};
