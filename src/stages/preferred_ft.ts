/**
 * The `preferred_ft` stage: the Preferred-FT baseline of the DPO paper, supervised
 * fine-tuning on the chosen completions of a preferences stage's pairs only (the prompt
 * masked). The loop is src/preferences/loop.ts.
 */
import type { StageKind } from './types.ts';
import { readStageSchema } from './schemaFile.ts';
import type { PreferredFtSettings } from './settings/preferred_ft.ts';
import { preferredFtObjective } from '../preferences/objectives.ts';
import { trainPairwise } from '../preferences/loop.ts';

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
