/**
 * The `evaluate` stage: the reward-KL frontier and win rates (the DPO paper's Figure 2,
 * left, and its win-rate comparisons). For each policy and temperature it samples the
 * held-out prompts, scores the completions with the ground-truth reward, measures the KL
 * of the distribution sampled to the reference on the same samples (the exact per-step KL
 * and the sample log-ratio, src/evaluation/kl.ts), and compares them with a baseline's.
 *
 *   inputs -> policies -> baseline samples per temperature -> for each policy, each
 *   temperature: sample, score, KL, point, win rate (and, out of distribution, the
 *   win rate against the other set's references) -> frontier.csv, win_rates.csv,
 *   agreement.csv (an llm judge against the reward), human_agreement.csv (the judge
 *   against human labels), win_rates_ood.csv, samples.jsonl, evaluation.json
 */
import { join } from 'node:path';
import { readPrompts } from '../data/artifacts.ts';
import { writeJsonl } from '../core/io/jsonl.ts';
import { StageError } from '../core/errors.ts';
import { disposeModel, loadModelFolder, loadStageModel, modelDir, type GPT } from '../model/index.ts';
import { splitEos } from '../model/completionTokens.ts';
import { encodePrompt } from '../model/sampleCompletions.ts';
import { Random } from '../core/random.ts';
import { createReward } from '../rewards/index.ts';
import { readBestOfNPolicy, bestOfNsOf } from '../evaluation/bestOfN.ts';
import { baselineSamples, type Baseline } from '../evaluation/baseline.ts';
import { writeEvaluationIndex } from '../evaluation/evaluationIndex.ts';
import { writeFrontier, type FrontierRow } from '../evaluation/frontierTable.ts';
import { createJudge, type Judge } from '../evaluation/judges/index.ts';
import { pointStatistics } from '../evaluation/point.ts';
import { policiesOf, type Policy } from '../evaluation/policies.ts';
import { sameTokenizer, sampleAndScore, type ScoredSet } from '../evaluation/scoreSamples.ts';
import { writeWinRates, type WinRateRow } from '../evaluation/winRateTable.ts';
import { agreementOf, writeAgreement, type AgreementRow } from '../evaluation/agreement.ts';
import { judgeHumanLabels, writeHumanAgreement, type HumanAgreementRow } from '../evaluation/humanAgreement.ts';
import { readHumanLabels } from '../evaluation/humanLabels.ts';
import { oodWinRates, prepareOod, writeWinRatesOod, type OodSet } from '../evaluation/outOfDistribution.ts';
import { pairComparisons, winRateOf } from '../evaluation/winRate.ts';
import type { EvaluateSettings } from '../core/settings/evaluate.ts';
import type { StageContext, StageKind, StageOutput } from '../core/stageContract.ts';
import { evaluateDeclaration } from './declarations.ts';

export const SAMPLES_FILE = 'samples.jsonl';

export const evaluate: StageKind<EvaluateSettings> = {
  ...evaluateDeclaration,

  async run(ctx) {
    const s = ctx.settings;
    const sampling = { topK: s.sampling.top_k, topP: s.sampling.top_p, maxNewTokens: s.sampling.max_new_tokens, batchSize: s.sampling.batch_size };

    // Inputs: held-out prompts, the ground truth, the reference, the policies, the judge.
    const dataOutput = single(ctx, 'data');
    const dataDir = dataOutput.dir;
    const records = (await readPrompts(dataDir, s.split)).slice(0, s.max_prompts);
    if (records.length === 0) throw new StageError(`${dataDir}: the dataset has no ${s.split} prompts to evaluate on`, 'set evaluate.split or give the dataset a test split');
    // Read before anything is sampled, so that a malformed line stops the stage at once.
    const humanLabels = s.win_rate?.human_labels === undefined ? undefined : await readHumanLabels(s.win_rate.human_labels);
    const promptTexts = records.map((r) => r.prompt);
    const reward = await createReward(s.reward as never, { dir: ctx.inputs['reward.model']?.[0]?.dir });
    const referenceOutput = single(ctx, 'reference');
    const { model: reference, tokenizer } = await loadStageModel(referenceOutput.dir, { trainable: false });
    // bos and the prompt's last tokens, leaving room for max_new_tokens (as PPO and best-of-N encode them).
    const promptIds = promptTexts.map((p) => encodePrompt(tokenizer, p, reference.config.contextLength, s.sampling.max_new_tokens));
    const policies = await policiesOf(ctx.inputs.policies ?? [], s.checkpoints, bestOfNsOf);
    const judge: Judge | undefined = s.win_rate ? createJudge(s.win_rate.judge as never) : undefined;
    const judgeSettings = s.win_rate?.judge as { kind: string; prompt_template?: string } | undefined;
    const scoreContext = { tokenizer, reward, promptTexts, promptIds };

    // Common random numbers: every policy samples temperature t from the same seed, the baseline from its own.
    const seeds = s.temperatures.map(() => ctx.random.nextUint32());
    const baselineSeeds = s.temperatures.map(() => ctx.random.nextUint32());
    const judgeRandom = ctx.random.fork();
    // A checkpoint is sampled at checkpoint_temperatures, a final model at every temperature; seeds by temperature.
    const seedOf = new Map(s.temperatures.map((t, i) => [t, seeds[i]]));
    for (const t of s.checkpoint_temperatures) if (!seedOf.has(t)) seedOf.set(t, ctx.random.nextUint32());
    // Drawn after the in-distribution seeds, so that adding these leaves those results as they were.
    const humanRandom = ctx.random.fork();
    const oodRandom = ctx.random.fork();
    const oodJudgeRandom = ctx.random.fork();
    const temperaturesOf = (policy: Policy) => (policy.checkpointStep === null ? s.temperatures : s.checkpoint_temperatures);

    const frontier: FrontierRow[] = [];
    const winRates: WinRateRow[] = [];
    const agreements: AgreementRow[] = [];
    let humanAgreement: HumanAgreementRow[] = [];
    const winRatesOod: WinRateRow[] = [];
    let ood: OodSet | undefined;
    const truth = createJudge({ kind: 'reward' });
    const samples: Record<string, unknown>[] = [];
    try {
      if (judge && judgeSettings && humanLabels) {
        ctx.log(`judging ${humanLabels.length} human-labelled pairs (${s.win_rate!.human_labels})`);
        const description = { kind: judge.kind, promptTemplate: judge.kind === 'llm' ? (judgeSettings.prompt_template ?? '') : '' };
        humanAgreement = await judgeHumanLabels(humanLabels, judge, description, reward, humanRandom);
      }
      // The out-of-distribution prompts and their references; judged by win_rate's judge, else the ground-truth reward.
      const oodJudge = judge ?? truth;
      if (s.out_of_distribution) {
        const output = single(ctx, 'out_of_distribution.data');
        ctx.log(`out of distribution: the prompts of ${output.id} against its own completions`);
        ood = await prepareOod(output, s.out_of_distribution, { tokenizer, reward, contextLength: reference.config.contextLength, samplesPerPrompt: s.samples_per_prompt, sampling, random: oodRandom, tick: () => ctx.tick() });
      }

      // The baseline's completions, per temperature.
      let baseline: Baseline | undefined;
      if (s.win_rate) {
        const output = single(ctx, 'win_rate.baseline');
        ctx.log(`sampling the baseline ${output.id}`);
        baseline = await baselineSamples(output, { ...scoreContext, records, temperatures: s.temperatures, seeds: baselineSeeds, samplesPerPrompt: s.samples_per_prompt, sampling, tick: () => ctx.tick() });
        for (const [t, set] of baseline.sets) samples.push(...sampleRows(`baseline:${baseline.id}`, 'baseline', t, set, promptTexts, promptIds, tokenizer.eos));
      }

      ctx.progress.start(policies.reduce((n, p) => n + temperaturesOf(p).length, 0), 'evaluate');
      let done = 0;
      for (const policy of policies) {
        // One set of scored samples per temperature: sampled from a model, or best-of-N's chosen completions.
        const sets = new Map<number, ScoredSet>();
        let measured: { klBound: number; klMean: number; klSe: number } | undefined;
        if (policy.source.kind === 'best_of_n') {
          const read = await readBestOfNPolicy(policy.source.dir, policy.source.n, scoreContext, promptTexts);
          sets.set(policy.source.temperature, read.set);
          measured = read;
          done += temperaturesOf(policy).length;
          ctx.progress.update(done);
        } else {
          const sharesReference = policy.source.dir === modelDir(referenceOutput.dir);
          const model = sharesReference ? reference : await loadPolicy(policy, tokenizer);
          try {
            for (const temperature of temperaturesOf(policy)) {
              const options = { ...sampling, samplesPerPrompt: s.samples_per_prompt, temperature, eos: tokenizer.eos, random: new Random(seedOf.get(temperature)!), tick: () => ctx.tick() };
              sets.set(temperature, await sampleAndScore(model, { ...scoreContext, reference }, options));
              ctx.progress.update(++done);
            }
            if (ood && policy.checkpointStep === null) {
              const described = { policy: policy.id, method: policy.method, settings: policy.settings, checkpoint_step: null };
              winRatesOod.push(...(await oodWinRates(model, described, ood, oodJudge, oodJudgeRandom, { samplesPerPrompt: s.samples_per_prompt, sampling, tick: () => ctx.tick() })));
            }
          } finally {
            if (model !== reference) disposeModel(model);
          }
        }

        for (const [temperature, set] of sets) {
          const point = pointStatistics({ rewards: set.rewards, scores: set.scores, tokens: set.tokens, eos: tokenizer.eos, promptOf: set.prompts ?? set.promptIndex });
          if (measured) Object.assign(point, { kl_mean: measured.klMean, kl_se: measured.klSe });
          const described = { policy: policy.id, method: policy.method, settings: policy.settings, checkpoint_step: policy.checkpointStep, temperature };
          frontier.push({
            ...described,
            instance: policy.instance,
            ...point,
            kl_sample_mean: finiteOrNull(point.kl_sample_mean),
            identical_share: finiteOrNull(point.identical_share),
            kl_bound: measured?.klBound ?? null,
          });
          samples.push(...sampleRows(policy.id, 'policy', temperature, set, promptTexts, policy.source.kind === 'model' ? promptIds : null, tokenizer.eos));
          const against = baseline?.sets.get(temperature);
          if (judge && baseline && against) {
            const comparisons = pairComparisons(promptTexts, scored(set), scored(against)).slice(0, judge.maxComparisons);
            const judgements = await judge.judge(comparisons, judgeRandom);
            const rate = winRateOf(judgements);
            winRates.push({ ...described, baseline: baseline.id, judge: judge.kind, win_rate: rate.winRate, win_rate_se: rate.se, win_rate_ci_low: rate.ciLow, win_rate_ci_high: rate.ciHigh, n_comparisons: rate.n, ties: rate.ties, judge_failures: rate.failures });
            if (judge.kind !== truth.kind) {
              // The ground-truth reward as a second judge of the same comparisons (it draws nothing).
              const agreement = agreementOf(judgements, await truth.judge(comparisons, new Random(0)));
              agreements.push({ ...described, baseline: baseline.id, judge: judge.kind, other_judge: truth.kind, n_compared: agreement.n, agreement: agreement.agreement });
            }
          }
        }
        const last = frontier.at(-1)!;
        ctx.log(`${policy.id}: reward ${last.reward_mean.toFixed(3)}, KL ${last.kl_mean.toFixed(2)}${last.kl_sample_mean === null ? '' : ` (sample log-ratio ${last.kl_sample_mean.toFixed(2)})`} at temperature ${last.temperature}`);
      }
      ctx.progress.stop();
    } finally {
      disposeModel(reference);
      reward.dispose?.();
    }

    // Outputs.
    await writeFrontier(ctx.outDir, frontier);
    await writeWinRates(ctx.outDir, winRates);
    if (agreements.length > 0) await writeAgreement(ctx.outDir, agreements);
    if (humanLabels) await writeHumanAgreement(ctx.outDir, humanAgreement);
    if (s.out_of_distribution) await writeWinRatesOod(ctx.outDir, winRatesOod);
    await writeJsonl(join(ctx.outDir, SAMPLES_FILE), samples);
    await ctx.summary({
      reference: referenceOutput.id,
      policies: policies.map((p) => p.id),
      temperatures: s.temperatures,
      checkpoint_temperatures: s.checkpoints === 'all' ? s.checkpoint_temperatures : null,
      n_prompts: records.length,
      samples_per_prompt: s.samples_per_prompt,
      baseline: s.win_rate?.baseline ?? null,
      judge: judge?.description ?? null,
      human_labels: s.win_rate?.human_labels ?? null,
      out_of_distribution: s.out_of_distribution ? { data: s.out_of_distribution.data, n_prompts: ood?.context.promptTexts.length ?? 0, temperatures: s.out_of_distribution.temperatures } : null,
    });
    const evaluated = new Set(policies.map((p) => p.instance));
    await writeEvaluationIndex(ctx.outDir, (ctx.inputs.policies ?? []).filter((o) => evaluated.has(o.id)), sourceKindOf(dataOutput));
  },
};

/**
 * The source kind of the evaluated dataset (tldr, hh_rlhf, jsonl, ...), written in
 * evaluation.json: how the report tells the experiment (see src/report/paperTasks.ts).
 */
function sourceKindOf(data: StageOutput): string | null {
  const source = data.settings.source as { kind?: unknown } | undefined;
  return typeof source?.kind === 'string' ? source.kind : null;
}

/** The one output of a single-stage reference (`data`, `reference`, `win_rate.baseline`). */
function single(ctx: StageContext<EvaluateSettings>, path: string): StageOutput {
  const outputs = ctx.inputs[path] ?? [];
  if (outputs.length !== 1) {
    throw new StageError(`evaluate.${path} must name one stage instance, got ${outputs.length} (${outputs.map((o) => o.id).join(', ') || 'none'})`, 'a swept stage has several instances: name it in policies instead');
  }
  return outputs[0];
}

async function loadPolicy(policy: Policy, referenceTokenizer: Parameters<typeof sameTokenizer>[0]): Promise<GPT> {
  const { model, tokenizer } = await loadModelFolder(policy.source.dir, { trainable: false });
  if (!sameTokenizer(tokenizer, referenceTokenizer)) {
    disposeModel(model);
    throw new StageError(`${policy.id} has a different tokenizer from the reference (${policy.source.dir})`, 'the KL needs the policy and the reference to share one tokenizer: train them from the same sft stage');
  }
  return model;
}

function scored(set: ScoredSet) {
  return set.texts.map((completion, i) => ({ promptIndex: set.promptIndex[i], completion, reward: set.rewards[i] }));
}

/**
 * samples.jsonl's rows: each completion with its reward and, where measured, log pi_T(y|x),
 * log pi_ref(y|x) and both KL estimates. completion_ids include eos when it was sampled;
 * prompt_ids are the held-out prompt's ids as sampled (null for best-of-N's completions,
 * which its own stage sampled); length counts the text tokens.
 */
function sampleRows(policy: string, role: 'policy' | 'baseline', temperature: number, set: ScoredSet, prompts: readonly string[], promptIds: readonly number[][] | null, eos: number) {
  return set.texts.map((completion, i) => ({
    policy,
    role,
    temperature,
    prompt_index: set.promptIndex[i],
    prompt: set.prompts?.[i] ?? prompts[set.promptIndex[i]],
    completion,
    reward: set.rewards[i],
    prompt_ids: promptIds?.[set.promptIndex[i]] ?? null,
    completion_ids: set.tokens[i],
    logp: set.scores?.logp[i] ?? null,
    ref_logp: set.scores?.refLogp[i] ?? null,
    kl_sample: set.scores?.klSample[i] ?? null,
    kl: set.scores?.kl[i] ?? null,
    length: splitEos(set.tokens[i], eos).textIds.length, // text tokens, eos not counted (as length_mean)
  }));
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
