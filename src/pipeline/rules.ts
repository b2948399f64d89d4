/**
 * The cross-stage rules, one named function each, run in order over the stages after
 * the schemas: references name existing stages of a kind that fits, the references make
 * no cycle, sweeps name settings of the stage with lists of values, ppo samples what it
 * can score, micro-batches divide batches, and a model trained from scratch has only its
 * family's settings.
 */
import { stageKind } from '../stages/index.ts';
import type { Issue } from './issue.ts';
import { isRecord, toPointer } from './pointer.ts';
import { referenceSites } from './references.ts';
import { sweepableSettings } from './schema.ts';
import { closest } from './suggest.ts';
import { ppoSamplingProblems } from '../ppo/sampling.ts';
import { familyKeyProblems } from '../model/scratchConfig.ts';

export type Stages = Record<string, Record<string, unknown>>;
export type Rule = (stages: Stages) => Issue[];

/** Each stage with a registered kind, in file order. */
function kindedStages(stages: Stages) {
  return Object.entries(stages).flatMap(([name, stage]) => {
    const kind = isRecord(stage) && typeof stage.kind === 'string' ? stageKind(stage.kind) : undefined;
    return kind ? [{ name, stage, kind }] : [];
  });
}

export function referencesNameStages(stages: Stages): Issue[] {
  const names = Object.keys(stages);
  return kindedStages(stages).flatMap(({ name, stage, kind }) =>
    referenceSites(stage, kind)
      .filter((site) => !Object.hasOwn(stages, site.target))
      .map(
        (site): Issue => ({
          path: toPointer(['stages', name, ...site.segments]),
          code: 'unknown-stage',
          message: `no stage named "${site.target}"; stages: ${names.join(', ')}`,
          suggestion: closest(site.target, names),
          anchor: 'value',
        }),
      ),
  );
}

export function referencesFitKinds(stages: Stages): Issue[] {
  return kindedStages(stages).flatMap(({ name, stage, kind }) =>
    referenceSites(stage, kind).flatMap((site): Issue[] => {
      const target = stages[site.target];
      const targetKind = isRecord(target) && typeof target.kind === 'string' ? stageKind(target.kind) : undefined;
      if (!targetKind || targetKind.produces.some((type) => site.reference.accepts.includes(type))) return [];
      return [
        {
          path: toPointer(['stages', name, ...site.segments]),
          code: 'wrong-kind',
          message: `"${site.target}" is a ${targetKind.kind} stage, which produces ${targetKind.produces.join(', ') || 'nothing'}; ${site.reference.path} needs ${site.reference.accepts.join(' or ')}`,
          anchor: 'value',
        },
      ];
    }),
  );
}

/** Each cycle once, at the reference that closes it. */
export function referencesMakeNoCycle(stages: Stages): Issue[] {
  const kinded = kindedStages(stages);
  const edges = new Map(kinded.map(({ name, stage, kind }) => [name, referenceSites(stage, kind).filter((s) => Object.hasOwn(stages, s.target))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const issues: Issue[] = [];
  const visit = (name: string): void => {
    state.set(name, 'open');
    stack.push(name);
    for (const site of edges.get(name) ?? []) {
      const seen = state.get(site.target);
      if (seen === 'open') {
        const cycle = [...stack.slice(stack.indexOf(site.target)), site.target];
        issues.push({
          path: toPointer(['stages', name, ...site.segments]),
          code: 'cycle',
          message: `the references make a cycle: ${cycle.join(' -> ')}`,
          anchor: 'value',
        });
      } else if (seen === undefined) visit(site.target);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const { name } of kinded) if (!state.has(name)) visit(name);
  return issues;
}

export function sweepsNameSettings(stages: Stages): Issue[] {
  return kindedStages(stages).flatMap(({ name, stage, kind }) => {
    if (!isRecord(stage.sweep)) return [];
    const settings = sweepableSettings(kind);
    return Object.entries(stage.sweep).flatMap(([key, values]): Issue[] => {
      const path = toPointer(['stages', name, 'sweep', key]);
      if (!settings.includes(key.split('.')[0])) {
        return [
          {
            path,
            code: 'bad-sweep',
            message: `"${key}" is not a setting of a ${kind.kind} stage that can be swept; settings: ${settings.join(', ')}`,
            suggestion: closest(key, settings),
            anchor: 'key',
          },
        ];
      }
      if (!Array.isArray(values) || values.length === 0) {
        return [{ path, code: 'bad-sweep', message: `the sweep of "${key}" must be a non-empty list of values`, anchor: 'value' }];
      }
      return [];
    });
  });
}

/** A ppo stage samples what it can score: temperature > 0, no top-k or top-p (src/ppo/sampling.ts); its sweep's values too. */
export function ppoSamplesWhatItScores(stages: Stages): Issue[] {
  return kindedStages(stages)
    .filter(({ kind }) => kind.kind === 'ppo')
    .flatMap(({ name, stage }) => {
      const swept = isRecord(stage.sweep) && Array.isArray(stage.sweep.sampling) ? stage.sweep.sampling : [];
      const sites = [{ segments: ['sampling'], value: stage.sampling }, ...swept.map((value, i) => ({ segments: ['sweep', 'sampling', String(i)], value }))];
      return sites.flatMap(({ segments, value }) =>
        isRecord(value)
          ? ppoSamplingProblems(value).map((problem): Issue => ({ path: toPointer(['stages', name, ...segments, problem.key]), code: 'ppo-sampling', message: problem.message, anchor: 'value' }))
          : [],
      );
    });
}

/**
 * train.micro_batch_size divides the batch it cuts (train.batch_size; ppo: minibatch_size),
 * for the stage's own values and every value its sweep gives either (src/training/microBatches.ts).
 */
export function microBatchesDivideBatches(stages: Stages): Issue[] {
  return kindedStages(stages).flatMap(({ name, stage, kind }) => {
    const batchKey = kind.kind === 'ppo' ? 'minibatch_size' : 'train.batch_size';
    const sweep = isRecord(stage.sweep) ? stage.sweep : {};
    const sites = (key: string) => {
      const [first, second] = key.split('.');
      const own = second === undefined ? stage[first] : isRecord(stage[first]) ? stage[first][second] : undefined;
      const found = own === undefined ? [] : [{ value: own, segments: key.split('.') }];
      const swept = sweep[key];
      if (Array.isArray(swept)) swept.forEach((value, i) => found.push({ value, segments: ['sweep', key, String(i)] }));
      return found.filter((site): site is { value: number; segments: string[] } => Number.isInteger(site.value) && (site.value as number) > 0);
    };
    const batches = sites(batchKey);
    return sites('train.micro_batch_size').flatMap((micro): Issue[] => {
      const bad = batches.filter((batch) => batch.value % micro.value !== 0);
      if (bad.length === 0) return [];
      return [
        {
          path: toPointer(['stages', name, ...micro.segments]),
          code: 'micro-batch',
          message: `train.micro_batch_size ${micro.value} does not divide ${batchKey} ${bad.map((b) => b.value).join(', ')}: a step accumulates ${batchKey} / micro_batch_size micro-batches`,
          anchor: 'value',
        },
      ];
    });
  });
}

/** The stage kinds whose `model:` block is a model trained from scratch of a chosen family (src/model/scratchConfig.ts). */
const SCRATCH_MODEL_KINDS = ['sft', 'classifier'];

/**
 * A `model:` block sets only its family's settings (no rotary_dim on a gpt_neox model), and
 * so does each model a sweep makes: of `model` (whole blocks) or of `model.KEY` (one setting,
 * `model.family` among them, in the stage's block).
 */
export function modelSettingsFitFamily(stages: Stages): Issue[] {
  return kindedStages(stages)
    .filter(({ kind }) => SCRATCH_MODEL_KINDS.includes(kind.kind))
    .flatMap(({ name, stage }) => {
      const model = isRecord(stage.model) ? stage.model : undefined;
      const sweep = isRecord(stage.sweep) ? stage.sweep : {};
      const issue = (segments: string[], message: string, anchor: Issue['anchor']): Issue => ({ path: toPointer(['stages', name, ...segments]), code: 'wrong-family', message, anchor });
      const own = model ? familyKeyProblems(model) : [];
      const issues = own.map((p) => issue(['model', p.key], p.message, 'key'));
      for (const [key, values] of Object.entries(sweep)) {
        if (!Array.isArray(values)) continue;
        values.forEach((value, i) => {
          if (key === 'model' && isRecord(value)) {
            for (const p of familyKeyProblems(value)) issues.push(issue(['sweep', key, String(i), p.key], p.message, 'key'));
          } else if (key.startsWith('model.') && model) {
            const swept = familyKeyProblems({ ...model, [key.slice('model.'.length)]: value });
            for (const p of swept.filter((p) => !own.some((o) => o.message === p.message))) issues.push(issue(['sweep', key, String(i)], p.message, 'value'));
          }
        });
      }
      return issues;
    });
}

export const RULES: Rule[] = [referencesNameStages, referencesFitKinds, referencesMakeNoCycle, sweepsNameSettings, ppoSamplesWhatItScores, microBatchesDivideBatches, modelSettingsFitFamily];
