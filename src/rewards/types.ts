/**
 * A reward scores (prompt, completion) pairs: the ground truth that labels preference
 * pairs and measures the frontier, or a learned reward model. Kinds are built by the
 * factories in src/rewards/index.ts.
 */
import type { RewardSettings } from '../core/settings/common.ts';

export interface Reward {
  readonly kind: string;
  /** One score per pair, in the order given; prompts and completions have the same length. */
  score(prompts: readonly string[], completions: readonly string[]): Promise<number[]>;
  /** Frees what the reward holds (a learned model's tensors); absent when there is nothing to free. */
  dispose?(): void;
}

/**
 * What a reward factory reads: the pipeline's resolved `reward:` block (RewardSettings,
 * generated from schemas/common.schema.json#/definitions/reward) or a partial one, whose
 * missing settings the factory fills with the schema's defaults.
 */
export interface RewardSpec {
  kind: string;
  model?: string;
  text?: string;
  scale?: number;
}

export type { RewardSettings };

/** What a reward may load from: `dir` is the output folder of the stage it refers to (a classifier or reward model). */
export interface RewardInputs {
  dir?: string;
}

export type RewardFactory = (settings: RewardSpec, inputs: RewardInputs) => Promise<Reward>;
