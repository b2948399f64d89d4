/**
 * The `dpo` stage: Direct Preference Optimization (Rafailov et al. 2023) of a policy on a
 * preferences stage's pairs, against the frozen initial policy as the reference, with the
 * variants of src/losses/preference.ts (sigmoid, IPO, hinge, conservative, reference-free)
 * and an optional SFT term on the chosen completions. The loop is src/preferences/loop.ts.
 */
import type { StageKind } from './types.ts';
import { readStageSchema } from './schemaFile.ts';
import type { DpoSettings } from './settings/dpo.ts';
import { dpoObjective } from '../preferences/objectives.ts';
import { trainPairwise } from '../preferences/loop.ts';

export const dpo: StageKind<DpoSettings> = {
  kind: 'dpo',
  schema: readStageSchema('dpo'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['model'],

  async run(ctx) {
    const { beta, loss, label_smoothing, reference_free, sft_weight } = ctx.settings;
    const objective = dpoObjective({ beta, loss, labelSmoothing: label_smoothing, referenceFree: reference_free, sftWeight: sft_weight });
    await trainPairwise(ctx, objective);
  },
};
