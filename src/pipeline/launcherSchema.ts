/**
 * The pipeline's `launcher` section: how `--launcher slurm` submits each stage instance as
 * a Slurm job (src/executor/slurm/). It never changes results, so it is in no fingerprint;
 * the local launcher (the default) ignores it. Its GPU defaults come from the registry: a
 * kind asks for one GPU unless it says `gpu: false` (dataset, report).
 */
import type { JsonSchema, StageDeclaration } from '../core/stageContract.ts';

export function launcherSchema(kinds: readonly Pick<StageDeclaration, 'kind' | 'gpu'>[]): JsonSchema {
  const gpus: Record<string, JsonSchema> = {};
  for (const kind of kinds) {
    gpus[kind.kind] = { type: 'integer', minimum: 0, default: kind.gpu === false ? 0 : 1, description: `GPUs of each ${kind.kind} instance.` };
  }
  return {
    type: 'object',
    additionalProperties: false,
    default: {},
    description:
      'How --launcher slurm runs the stage instances: one sbatch job each, in a runs/ folder every node shares. ' +
      'Unset options are left to the cluster. The local launcher (the default) ignores this section.',
    properties: {
      partition: { type: 'string', minLength: 1, description: 'sbatch --partition.' },
      account: { type: 'string', minLength: 1, description: 'sbatch --account.' },
      time: {
        type: 'string',
        pattern: '^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$',
        description:
          "sbatch --time: each job's time limit (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM:SS). At the limit a job stops at its next step; run the command again to resume it from its checkpoint.",
      },
      cpus_per_task: { type: 'integer', minimum: 1, description: 'sbatch --cpus-per-task.' },
      mem: { type: 'string', pattern: '^[0-9]+[KMGT]?$', description: 'sbatch --mem: the memory of each job (16G, 4000M).' },
      gpus: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: gpus,
        description: 'GPUs per instance by stage kind (sbatch --gres=gpu:N, none when 0): training and sampling kinds ask for one, dataset and report for none.',
      },
      sbatch_args: {
        type: 'array',
        items: { type: 'string', pattern: '^-' },
        default: [],
        description: 'More sbatch options, one per item (--qos=high, --constraint=a100), written into every job script.',
      },
      setup: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'Shell lines a job runs before dpo-run (module load cuda, source ~/venv/bin/activate).',
      },
      command: {
        type: 'string',
        minLength: 1,
        description:
          'The command that starts dpo-run on a node (npx dpo-run; apptainer exec dpo-run.sif npx dpo-run). ' +
          "When absent: the submitting command's node and bin/dpo-run.js, by their absolute paths (found on a shared file system).",
      },
    },
  };
}
