/**
 * The pipeline's data as it moves through load -> validate -> resolve -> plan.
 */
import type { LauncherSettings } from '../core/settings/launcher.ts';

/** One problem found in a pipeline or on the command line. */
export interface Diagnostic {
  /** The pipeline file, or `<command line>` for a bad --set/--sweep. */
  file: string;
  /** 1-based; 0 when there is no position (a missing file). */
  line: number;
  col: number;
  /** A fixed code: `unknown-key`, `type`, `required`, `enum`, `unknown-stage`, `wrong-kind`, `cycle`, `duplicate-key`, `yaml-syntax`, `bad-set`, `bad-sweep`, ... */
  code: string;
  /** The JSON pointer of the offending value (`/stages/dpo/beta`). */
  path: string;
  message: string;
  /** A "did you mean" candidate, or the allowed values. */
  suggestion?: string;
}

/** One stage instance to run: a stage of the pipeline, with one combination of its sweep values. */
export interface StageInstance {
  /** `sft`, or `dpo[beta=0.1]` for a swept stage. */
  id: string;
  /** The stage's name in the pipeline. */
  stage: string;
  kind: string;
  /** The resolved settings (defaults filled in, sweep values applied; `sweep` removed). */
  settings: Record<string, unknown>;
  /** The sweep values of this instance ({} when not swept). */
  sweep: Record<string, unknown>;
  /** For each reference path of the kind, the ids of the upstream instances (all of a swept stage's). */
  inputs: Record<string, string[]>;
  seed: number;
}

/** One run: the resolved pipeline and its instances in dependency order. */
export interface Plan {
  /** The pipeline's name (its `name:` or the file's base name). */
  name: string;
  file: string;
  /** The resolved pipeline document, written as pipeline.resolved.yaml. */
  resolved: Record<string, unknown>;
  instances: StageInstance[];
  /** For a run of a command-line sweep, the values of the swept paths (`{seed: 1}`), else {}. */
  runSweep: Record<string, unknown>;
  /** The backend the pipeline asks for (`auto` unless it says). */
  backend: string;
  /** How `--launcher slurm` submits its instances (the `launcher` section, defaults filled in). */
  launcher: LauncherSettings;
}

/** What loading a pipeline gives: one plan, or several (a command-line sweep outside the stages). */
export type LoadResult =
  | {
      plans: Plan[];
      sweep: boolean;
      /** What the overrides changed besides their own values (a sweep of the file that a --set replaced). */
      notes: string[];
      errors?: undefined;
    }
  | { errors: Diagnostic[]; plans?: undefined };
