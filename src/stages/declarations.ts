/**
 * What each stage kind is, without its `run`: its name, its schema, the settings that name
 * other stages, what its output folder holds, and the files it reads from outside the cache.
 * This is all that validating and planning a pipeline needs, so it imports nothing heavy:
 * `dpo-run validate` and `--dry-run` never load TensorFlow.js. Each kind's file
 * (`./<kind>.ts`) spreads its declaration and adds `run`; the registry (./index.ts) loads
 * that file when an instance of the kind first runs.
 */
import type { StageDeclaration } from '../core/stageContract.ts';
import { readStageSchema } from '../core/stageSchema.ts';
import type { BestOfNSettings } from '../core/settings/bestOfN.ts';
import type { ClassifierSettings } from '../core/settings/classifier.ts';
import type { DpoSettings } from '../core/settings/dpo.ts';
import type { EvaluateSettings } from '../core/settings/evaluate.ts';
import type { PpoSettings } from '../core/settings/ppo.ts';
import type { PreferencesSettings } from '../core/settings/preferences.ts';
import type { PreferredFtSettings } from '../core/settings/preferredFt.ts';
import type { ReportSettings } from '../core/settings/report.ts';
import type { RewardModelSettings } from '../core/settings/rewardModel.ts';
import type { SftSettings } from '../core/settings/sft.ts';
import type { UnlikelihoodSettings } from '../core/settings/unlikelihood.ts';
import { datasetSchema, type DatasetSettings } from '../data/settings.ts';

const strings = (...values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string');

export const datasetDeclaration: StageDeclaration<DatasetSettings> = {
  kind: 'dataset',
  schema: datasetSchema,
  references: [],
  produces: ['dataset'],
  gpu: false,
  externalPaths(settings) {
    const source = settings.source as { path?: string; test_path?: string };
    return strings(source.path, source.test_path);
  },
};

/** What resuming a training stage reads and nothing else does: its checkpoints' optimizer state. */
const TRAINING_RESUME_ONLY = ['checkpoints/*/optimizer.safetensors'];

export const sftDeclaration: StageDeclaration<SftSettings> = {
  kind: 'sft',
  schema: readStageSchema('sft'),
  references: [
    { path: 'data', accepts: ['dataset'] },
    { path: 'init_stage', accepts: ['model'] },
  ],
  produces: ['model'],
  externalPaths: (settings) => strings(settings.init),
  resumeOnly: TRAINING_RESUME_ONLY,
};

export const classifierDeclaration: StageDeclaration<ClassifierSettings> = {
  kind: 'classifier',
  schema: readStageSchema('classifier'),
  references: [
    { path: 'data', accepts: ['dataset'] },
    { path: 'init', accepts: ['model'] },
  ],
  produces: ['classifier'],
  resumeOnly: TRAINING_RESUME_ONLY,
};

export const preferencesDeclaration: StageDeclaration<PreferencesSettings> = {
  kind: 'preferences',
  schema: readStageSchema('preferences'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'data', accepts: ['dataset'] },
    { path: 'reward.model', accepts: ['classifier', 'reward_model'] },
  ],
  produces: ['pairs'],
  externalPaths: (settings) => strings(settings.source?.path),
};

/** The DPO family trains a policy on pairs: dpo, preferred_ft and unlikelihood declare alike. */
const pairwise = {
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['model'],
  resumeOnly: TRAINING_RESUME_ONLY,
} satisfies Omit<StageDeclaration, 'kind' | 'schema'>;

export const dpoDeclaration: StageDeclaration<DpoSettings> = { kind: 'dpo', schema: readStageSchema('dpo'), ...pairwise };

export const preferredFtDeclaration: StageDeclaration<PreferredFtSettings> = { kind: 'preferred_ft', schema: readStageSchema('preferred_ft'), ...pairwise };

export const unlikelihoodDeclaration: StageDeclaration<UnlikelihoodSettings> = { kind: 'unlikelihood', schema: readStageSchema('unlikelihood'), ...pairwise };

export const rewardModelDeclaration: StageDeclaration<RewardModelSettings> = {
  kind: 'reward_model',
  schema: readStageSchema('reward_model'),
  references: [
    { path: 'init', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['reward_model'],
  resumeOnly: TRAINING_RESUME_ONLY,
};

export const ppoDeclaration: StageDeclaration<PpoSettings> = {
  kind: 'ppo',
  schema: readStageSchema('ppo'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'data', accepts: ['dataset'] },
    { path: 'reward.model', accepts: ['reward_model', 'classifier'] },
  ],
  produces: ['model'],
  // The value function's snapshots (value/) beside the policy's checkpoints too.
  resumeOnly: [...TRAINING_RESUME_ONLY, 'value'],
};

export const bestOfNDeclaration: StageDeclaration<BestOfNSettings> = {
  kind: 'best_of_n',
  schema: readStageSchema('best_of_n'),
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'data', accepts: ['dataset'] },
    { path: 'reward.model', accepts: ['reward_model', 'classifier'] },
  ],
  produces: ['samples'],
};

export const evaluateDeclaration: StageDeclaration<EvaluateSettings> = {
  kind: 'evaluate',
  schema: readStageSchema('evaluate'),
  references: [
    { path: 'policies', accepts: ['model', 'samples'] },
    { path: 'reference', accepts: ['model'] },
    { path: 'reward.model', accepts: ['classifier', 'reward_model'] },
    { path: 'data', accepts: ['dataset'] },
    { path: 'win_rate.baseline', accepts: ['model', 'dataset'] },
  ],
  produces: ['evaluation'],
};

export const reportDeclaration: StageDeclaration<ReportSettings> = {
  kind: 'report',
  schema: readStageSchema('report'),
  references: [
    { path: 'evaluation', accepts: ['evaluation'] },
    { path: 'stages', accepts: ['model', 'reward_model', 'classifier', 'pairs', 'samples'] },
  ],
  produces: [],
  gpu: false,
};
