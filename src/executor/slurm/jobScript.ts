/**
 * The sbatch script of one stage instance: `#SBATCH` lines (its name, the cache entry in
 * its comment, its log file in the run folder, the jobs it waits for, the launcher's
 * settings), the launcher's setup lines, then `dpo-run run-instance RUN_FOLDER INSTANCE`.
 * `exec` makes dpo-run the job's process, so a scancel or a pre-emption's SIGTERM reaches
 * it and it stops at its next step.
 */
import { fileURLToPath } from 'node:url';
import type { LauncherSettings } from '../../core/settings/launcher.ts';
import type { StageInstance } from '../../pipeline/types.ts';

export interface JobSpec {
  instance: StageInstance;
  /** The cache entry it fills (`sft-0123456789abcdef`): the job's comment, so that a rerun finds the job. */
  entryName: string;
  runDir: string;
  cwd: string;
  logFile: string;
  /** The job ids it waits for (afterok); placeholders in a dry run. */
  dependencies: string[];
  settings: LauncherSettings;
}

/** The comment that marks a job as the one filling a cache entry. */
export function jobComment(entryName: string): string {
  return `dpo-run:${entryName}`;
}

/** This process's node and bin/dpo-run.js, by absolute path: what a node runs when the launcher names no command. */
export function defaultCommand(): string {
  const bin = fileURLToPath(new URL('../../../bin/dpo-run.js', import.meta.url));
  return `${shellQuote(process.execPath)} ${shellQuote(bin)}`;
}

export function jobScript(spec: JobSpec): string {
  const { instance, settings } = spec;
  const options: string[] = [
    `--job-name=${instance.id.replace(/[^A-Za-z0-9_.,=\[\]-]/g, '_')}`,
    `--comment=${jobComment(spec.entryName)}`,
    `--output=${directiveValue(spec.logFile)}`,
    '--open-mode=append',
    `--chdir=${directiveValue(spec.cwd)}`,
    '--requeue',
    '--kill-on-invalid-dep=yes',
  ];
  if (spec.dependencies.length > 0) options.push(`--dependency=afterok:${spec.dependencies.join(':')}`);
  if (settings.partition) options.push(`--partition=${settings.partition}`);
  if (settings.account) options.push(`--account=${settings.account}`);
  if (settings.time) options.push(`--time=${settings.time}`);
  if (settings.cpus_per_task) options.push(`--cpus-per-task=${settings.cpus_per_task}`);
  if (settings.mem) options.push(`--mem=${settings.mem}`);
  const gpus = settings.gpus[instance.kind] ?? 0;
  if (gpus > 0) options.push(`--gres=gpu:${gpus}`);
  options.push(...settings.sbatch_args.map(directiveValue));
  const command = settings.command ?? defaultCommand();
  return [
    '#!/bin/bash',
    `# dpo-run: stage instance ${instance.id} (${instance.kind}) of the run ${spec.runDir}`,
    ...options.map((option) => `#SBATCH ${option}`),
    'set -e',
    ...settings.setup,
    `exec ${command} run-instance ${shellQuote(spec.runDir)} ${shellQuote(instance.id)}`,
    '',
  ].join('\n');
}

/** A value in an `#SBATCH` line, in double quotes when it holds blanks. */
function directiveValue(value: string): string {
  return /\s/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
