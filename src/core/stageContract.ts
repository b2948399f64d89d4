/**
 * What a stage kind is and what the executor hands it. A stage never imports another
 * stage: it reads the output folders of the stages it references from `ctx.inputs`.
 */
import type { Random } from './random.ts';
import type { LengthOf, MemoryNeeds, ModelDims, ModelOf } from './memoryNeeds.ts';

/** A JSON Schema object (draft-07), as read from `schemas/<kind>.schema.json`. */
export type JsonSchema = Record<string, unknown>;

/**
 * A setting of a stage that names other stages. `path` is the dotted path of the
 * setting inside the stage (`policy`, `reward.model`, `policies`); its value is a stage
 * name or a list of stage names. `accepts` lists the artifact types that fit: the
 * referenced stage's kind must produce one of them.
 */
export interface Reference {
  path: string;
  accepts: ArtifactType[];
}

/** What a stage's output folder holds, so that references can be checked before running. */
export type ArtifactType =
  | 'dataset' // texts.jsonl + prompts.jsonl (src/data/artifacts.ts)
  | 'model' // model/ : config.json, model.safetensors, tokenizer.json (src/model/checkpoint.ts)
  | 'pairs' // pairs.jsonl
  | 'reward_model' // model/ with a scalar head
  | 'classifier' // a ground-truth sentiment classifier
  | 'samples' // best_of_n: completions per N
  | 'evaluation'; // frontier.csv, win_rates.csv, samples.jsonl

/** One upstream stage instance's output, as a stage sees it. */
export interface StageOutput {
  /** The instance id: the stage name, with sweep values (`dpo[beta=0.1]`). */
  id: string;
  /** The stage's name in the pipeline (`dpo`). */
  stage: string;
  kind: string;
  /** The finished output folder (read only). */
  dir: string;
  /** Its resolved settings. */
  settings: Record<string, unknown>;
  /** The sweep values that made this instance ({} when not swept). */
  sweep: Record<string, unknown>;
}

/** Writes one CSV file of metrics, one row per logged step, with fixed columns. */
export interface MetricsWriter {
  /** Appends a row; a column missing from `row` is left empty, a key not in the columns is an error. */
  log(row: Record<string, number | string | undefined>): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Reports progress: a bar with step, ETA and the latest loss on a TTY, periodic lines otherwise. */
export interface ProgressReporter {
  start(total: number, label: string): void;
  update(step: number, values?: Record<string, number>): void;
  stop(): void;
}

export interface StageContext<S = Record<string, unknown>> {
  /** The instance id (`dpo[beta=0.1]`). */
  id: string;
  /** The resolved settings: every default filled in, sweep values applied. */
  settings: S;
  /** The outputs of referenced stages, keyed by the reference's path (`policy`, `reward.model`). */
  inputs: Record<string, StageOutput[]>;
  /**
   * The folder to write into. It is a work folder that becomes the cached output only
   * when `run` returns; if it already holds files, an earlier attempt was interrupted and
   * a training stage resumes from its last checkpoint there.
   */
  outDir: string;
  /** The seed of this instance (the pipeline's, or the stage's own `seed`). */
  seed: number;
  /** A random source seeded from `seed`. */
  random: Random;
  /** Opens a metrics CSV (default `metrics.csv`) in `outDir` with the given columns. */
  metrics(columns: string[], file?: string): MetricsWriter;
  /** Writes `summary.json` in `outDir` (atomically). */
  summary(values: Record<string, unknown>): Promise<void>;
  progress: ProgressReporter;
  /** A line of information for the user (prefixed with the instance id). */
  log(message: string): void;
  /**
   * Call once per step of a long loop: yields to the event loop so that a SIGINT can be
   * seen, and throws InterruptedError if the run was interrupted.
   */
  tick(): Promise<void>;
  /** The TensorFlow.js backend in use (`wasm`, `tensorflow`, `cpu`). */
  backend: string;
}

export interface StageKind<S = any> {
  /** The kind's name, as written in a pipeline (`kind: dataset`). */
  kind: string;
  /** The JSON Schema of the stage's settings (the file `schemas/<kind>.schema.json`). */
  schema: JsonSchema;
  /** The settings that name other stages. */
  references: Reference[];
  /** What this kind's output folder holds. */
  produces: ArtifactType[];
  run(ctx: StageContext<S>): Promise<void>;
  /**
   * Whether an instance asks a cluster for a GPU by default (the launcher's `gpus`): true
   * when absent (training and sampling kinds); false for kinds that only read and write files.
   */
  gpu?: boolean;
  /**
   * Files or folders outside the cache that the stage reads (a data file, a Hugging Face
   * model folder). Their size and modification time join the fingerprint, so that a
   * changed file reruns the stage.
   */
  externalPaths?(settings: S): string[];
  /**
   * Paths in the output folder that only the resumption of an interrupted attempt reads (a
   * checkpoint's optimizer state; `*` matches one name): removed when the finished folder is
   * committed, so that the cache keeps what later stages and the evaluation read.
   */
  resumeOnly?: string[];
  /**
   * The dimensions of the model this kind's output holds (kinds that produce a model,
   * classifier or reward model), from its settings, a config.json, or `modelOf` an input.
   */
  modelDims?(settings: S, modelOf: ModelOf): ModelDims | undefined;
  /**
   * The longest sequence (prompt and completion, in tokens) this kind's output holds, when
   * its settings bound it (a preferences stage that samples: PROMPT_ALLOWANCE plus its
   * max_new_tokens), for the estimates of the stages that read it (`lengthOf`).
   */
  sequenceLength?(settings: S): number | undefined;
  /** What an instance holds in memory at its largest, for the estimate of `--dry-run` and the check before a run. */
  memory?(settings: S, modelOf: ModelOf, lengthOf: LengthOf): MemoryNeeds | undefined;
}

/** A stage kind without its `run`: what validating and planning a pipeline need (src/stages/declarations.ts). */
export type StageDeclaration<S = any> = Omit<StageKind<S>, 'run'>;
