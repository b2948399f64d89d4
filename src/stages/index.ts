/**
 * The registry: the only list of stage kinds, in the order an experiment uses them
 * (the order of the editor schema and of the README's key reference). A kind is added
 * here with its file and its declaration (./declarations.ts).
 *
 * Each entry is the kind's declaration with a `run` that loads the kind's file on first
 * use, so that validating and planning a pipeline load no stage code (nor TensorFlow.js).
 */
import type { StageDeclaration, StageKind } from '../core/stageContract.ts';
import * as declared from './declarations.ts';

const loaders = new Map<StageKind, () => Promise<StageKind>>();

/** The declaration, with a `run` that loads `load`'s kind and runs it. */
function lazyKind(declaration: StageDeclaration, load: () => Promise<StageKind>): StageKind {
  const kind: StageKind = { ...declaration, run: async (ctx) => (await load()).run(ctx) };
  loaders.set(kind, load);
  return kind;
}

export const stageKinds: Record<string, StageKind> = {
  dataset: lazyKind(declared.datasetDeclaration, async () => (await import('./dataset.ts')).dataset),
  sft: lazyKind(declared.sftDeclaration, async () => (await import('./sft.ts')).sft),
  classifier: lazyKind(declared.classifierDeclaration, async () => (await import('./classifier.ts')).classifier),
  preferences: lazyKind(declared.preferencesDeclaration, async () => (await import('./preferences.ts')).preferences),
  dpo: lazyKind(declared.dpoDeclaration, async () => (await import('./dpo.ts')).dpo),
  preferred_ft: lazyKind(declared.preferredFtDeclaration, async () => (await import('./preferredFt.ts')).preferred_ft),
  unlikelihood: lazyKind(declared.unlikelihoodDeclaration, async () => (await import('./unlikelihood.ts')).unlikelihood),
  reward_model: lazyKind(declared.rewardModelDeclaration, async () => (await import('./rewardModel.ts')).reward_model),
  ppo: lazyKind(declared.ppoDeclaration, async () => (await import('./ppo.ts')).ppo),
  best_of_n: lazyKind(declared.bestOfNDeclaration, async () => (await import('./bestOfN.ts')).bestOfN),
  evaluate: lazyKind(declared.evaluateDeclaration, async () => (await import('./evaluate.ts')).evaluate),
  report: lazyKind(declared.reportDeclaration, async () => (await import('./report.ts')).report),
};

export function stageKind(kind: string): StageKind | undefined {
  return Object.hasOwn(stageKinds, kind) ? stageKinds[kind] : undefined;
}

/** The kind with its file loaded: the object `./<kind>.ts` exports (a kind registered by a test: itself). */
export async function loadStageKind(kind: string): Promise<StageKind | undefined> {
  const registered = stageKind(kind);
  const load = registered && loaders.get(registered);
  return load ? load() : registered;
}
