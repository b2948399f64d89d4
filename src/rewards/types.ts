/**
 * A reward scores (prompt, completion) pairs: the ground truth that labels preference
 * pairs and measures the frontier, or a learned reward model. Kinds are built by the
 * factories in src/rewards/index.ts.
 */
export interface Reward {
  readonly kind: string;
  /** One score per pair, in the order given; prompts and completions have the same length. */
  score(prompts: readonly string[], completions: readonly string[]): Promise<number[]>;
  /** Frees what the reward holds (a learned model's tensors); absent when there is nothing to free. */
  dispose?(): void;
}

/** The pipeline's `reward:` block: its kind and that kind's own settings. */
export interface RewardSettings {
  kind: string;
  [setting: string]: unknown;
}

/** What a reward may load from: `dir` is the output folder of the stage it refers to (a classifier or reward model). */
export interface RewardInputs {
  dir?: string;
}

export type RewardFactory = (settings: RewardSettings, inputs: RewardInputs) => Promise<Reward>;
