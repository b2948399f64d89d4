/**
 * What each stage kind is, without its `run`: its name, its schema, the settings that name
 * other stages, what its output folder holds, and the files it reads from outside the cache.
 * This is all that validating and planning a pipeline needs, so it imports nothing heavy:
 * `dpo-run validate` and `--dry-run` never load TensorFlow.js. Each kind's file
 * (`./<kind>.ts`) spreads its declaration and adds `run`; the registry (./index.ts) loads
 * that file when an instance of the kind first runs.
 */
import type { StageDeclaration } from '../core/stageContract.ts';
import type { HeldModel, LengthOf, MemoryNeeds, ModelOf, TrainedForward } from '../core/memoryNeeds.ts';
import type { TrainSettings } from '../core/settings/common.ts';
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
import { folderDims, frozen, sampledLength, samplingNeeds, scratchDims, stepSequences, trainingNeeds } from './memoryNeeds.ts';

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
  modelDims: (settings, modelOf) =>
    settings.init !== undefined ? folderDims(settings.init) : settings.init_stage !== undefined ? modelOf('init_stage') : settings.model && scratchDims(settings.model, settings.tokenizer),
  memory(settings, modelOf) {
    return trainingNeeds(this.modelDims!(settings, modelOf), settings.train, { sequences: stepSequences(settings.train), scalarHead: false, reference: false, length: settings.max_length });
  },
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
  modelDims: (settings, modelOf) => (settings.init !== undefined ? modelOf('init') : settings.model && scratchDims(settings.model, settings.tokenizer)),
  memory(settings, modelOf) {
    return trainingNeeds(this.modelDims!(settings, modelOf), settings.train, { sequences: stepSequences(settings.train), scalarHead: true, reference: false });
  },
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
  sequenceLength: (settings) => (settings.source !== undefined ? undefined : sampledLength(settings.sampling.max_new_tokens)),
  memory: (settings, modelOf) =>
    settings.source !== undefined
      ? undefined // read from a file: nothing sampled
      : samplingNeeds(
          modelOf('policy'),
          [frozen(modelOf, 'policy', 'policy', false), frozen(modelOf, 'reward.model', 'reward', true)],
          settings.sampling.batch_size,
          sampledLength(settings.sampling.max_new_tokens),
        ),
};

/**
 * The DPO family trains a policy on pairs: dpo, preferred_ft and unlikelihood declare alike.
 * A step forwards the chosen and the rejected completion of each pair (preferred_ft only the
 * chosen); the frozen reference (DPO's pi_ref; kept by all three) is forwarded without gradients.
 */
const pairwise = (sequencesPerPair: number) => ({
  references: [
    { path: 'policy', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['model'],
  resumeOnly: TRAINING_RESUME_ONLY,
  modelDims: (_settings: unknown, modelOf: ModelOf) => modelOf('policy'),
  memory: (settings: { train: TrainSettings }, modelOf: ModelOf, lengthOf: LengthOf) =>
    trainingNeeds(modelOf('policy'), settings.train, { sequences: stepSequences(settings.train, sequencesPerPair), scalarHead: false, reference: true, length: lengthOf('pairs') }),
}) satisfies Omit<StageDeclaration, 'kind' | 'schema'>;

export const dpoDeclaration: StageDeclaration<DpoSettings> = { kind: 'dpo', schema: readStageSchema('dpo'), ...pairwise(2) };

export const preferredFtDeclaration: StageDeclaration<PreferredFtSettings> = { kind: 'preferred_ft', schema: readStageSchema('preferred_ft'), ...pairwise(1) };

export const unlikelihoodDeclaration: StageDeclaration<UnlikelihoodSettings> = { kind: 'unlikelihood', schema: readStageSchema('unlikelihood'), ...pairwise(2) };

export const rewardModelDeclaration: StageDeclaration<RewardModelSettings> = {
  kind: 'reward_model',
  schema: readStageSchema('reward_model'),
  references: [
    { path: 'init', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['reward_model'],
  resumeOnly: TRAINING_RESUME_ONLY,
  modelDims: (_settings, modelOf) => modelOf('init'),
  memory: (settings, modelOf, lengthOf) =>
    trainingNeeds(modelOf('init'), settings.train, { sequences: stepSequences(settings.train, 2), scalarHead: true, reference: false, length: lengthOf('pairs') }),
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
  modelDims: (_settings, modelOf) => modelOf('policy'),
  memory: (settings, modelOf) => ppoNeeds(settings, modelOf),
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
  memory: (settings, modelOf) =>
    samplingNeeds(
      modelOf('policy'),
      [frozen(modelOf, 'policy', 'policy', false), frozen(modelOf, 'reward.model', 'reward', true)],
      settings.sampling.batch_size,
      sampledLength(settings.sampling.max_new_tokens),
    ),
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
    { path: 'out_of_distribution.data', accepts: ['dataset'] },
  ],
  produces: ['evaluation'],
  externalPaths: (settings) => strings(settings.win_rate?.human_labels),
  /** One policy at a time, beside the reference and the ground-truth classifier. */
  memory: (settings, modelOf) =>
    samplingNeeds(
      modelOf('policies') ?? modelOf('reference'),
      [frozen(modelOf, 'policies', 'policy', false) ?? frozen(modelOf, 'reference', 'policy', false), frozen(modelOf, 'reference', 'reference', false), frozen(modelOf, 'reward.model', 'reward', true)],
      settings.sampling.batch_size,
      sampledLength(settings.sampling.max_new_tokens),
    ),
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

/**
 * PPO holds the policy (trained), the reference (frozen), a value function (a scalar head on
 * the policy's backbone with value.share_backbone, else a model of its own, trained) and a
 * learned reward model (frozen). An update forwards a minibatch through the policy and the
 * value model; a rollout samples min(rollout_batch, sampling.batch_size) prompts at once.
 */
function ppoNeeds(settings: PpoSettings, modelOf: ModelOf): MemoryNeeds | undefined {
  const policy = modelOf('policy');
  if (!policy) return undefined;
  const shared = settings.value.share_backbone;
  const value = shared ? undefined : settings.value.init === 'reward_model' ? (modelOf('reward.model') ?? policy) : policy;
  const models: HeldModel[] = [
    { role: 'policy', dims: policy, scalarHead: shared, trains: true },
    { role: 'reference', dims: policy, scalarHead: false, trains: false },
  ];
  if (value) models.push({ role: 'value', dims: value, scalarHead: true, trains: true });
  const reward = frozen(modelOf, 'reward.model', 'reward', true);
  if (reward) models.push(reward);
  const minibatch = settings.train.micro_batch_size ?? settings.minibatch_size;
  const length = Math.min(sampledLength(settings.sampling.max_new_tokens), policy.contextLength);
  const step: TrainedForward[] = [{ dims: policy, sequences: minibatch, length, logits: true }];
  if (value) step.push({ dims: value, sequences: minibatch, length: Math.min(length, value.contextLength), logits: false });
  const sequences = Math.min(settings.rollout_batch, settings.sampling.batch_size);
  return { models, optimizer: settings.train.optimizer, step, sampling: { dims: policy, sequences, length } };
}
