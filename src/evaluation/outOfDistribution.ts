/**
 * The out-of-distribution evaluation (the DPO paper's Table 1: TL;DR policies summarising
 * CNN/DailyMail articles, judged against the articles' reference highlights): a second
 * prompt set, from any dataset stage, whose own completions are the baseline. Each final
 * model policy samples those prompts at the set's temperatures, and the evaluation's judge
 * compares every completion with the reference of its prompt; the rows have
 * win_rates.csv's columns and go to win_rates_ood.csv.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readPrompts } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { encodePrompt } from '../model/sampleCompletions.ts';
import type { GPT } from '../model/gpt.ts';
import { Random } from '../core/random.ts';
import type { StageOutput } from '../core/stageContract.ts';
import { baselineSamples, type Baseline } from './baseline.ts';
import type { Judge } from './judges/index.ts';
import { sampleAndScore, type ScoreContext, type ScoredSet } from './scoreSamples.ts';
import { pairComparisons, winRateOf } from './winRate.ts';
import { readWinRates, WIN_RATE_COLUMNS, type WinRateRow } from './winRateTable.ts';
import { writeCsvTable } from './csvTable.ts';

export const WIN_RATES_OOD_FILE = 'win_rates_ood.csv';

export interface OodSettings {
  split: 'test' | 'train';
  max_prompts: number;
  temperatures: number[];
}

/** The prompt set, encoded for the reference's tokenizer, with its references scored: what every policy is compared with. */
export interface OodSet {
  context: Omit<ScoreContext, 'reference'>;
  temperatures: readonly number[];
  /** One seed per temperature, shared by every policy (common random numbers, as in-distribution). */
  seeds: readonly number[];
  baseline: Baseline;
}

export interface OodOptions {
  tokenizer: ScoreContext['tokenizer'];
  reward: ScoreContext['reward'];
  contextLength: number;
  samplesPerPrompt: number;
  sampling: { topK: number; topP: number; maxNewTokens: number; batchSize: number };
  random: Random;
  tick: () => Promise<void>;
}

export async function prepareOod(output: StageOutput, settings: OodSettings, options: OodOptions): Promise<OodSet> {
  const records = (await readPrompts(output.dir, settings.split)).slice(0, settings.max_prompts);
  if (records.length === 0) throw new StageError(`${output.dir}: the out-of-distribution dataset ${output.id} has no ${settings.split} prompts`, 'set evaluate.out_of_distribution.split, or give that dataset a test split');
  const promptTexts = records.map((r) => r.prompt);
  const promptIds = promptTexts.map((p) => encodePrompt(options.tokenizer, p, options.contextLength, options.sampling.maxNewTokens));
  const context = { tokenizer: options.tokenizer, reward: options.reward, promptTexts, promptIds };
  const seeds = settings.temperatures.map(() => options.random.nextUint32());
  // A dataset baseline: its own completion of each prompt, the same at every temperature (nothing is sampled).
  const baseline = await baselineSamples(output, { ...context, records, temperatures: settings.temperatures, seeds, samplesPerPrompt: options.samplesPerPrompt, sampling: options.sampling, tick: options.tick });
  return { context, temperatures: settings.temperatures, seeds, baseline };
}

/** What a win_rates row says of its policy. */
export interface Described {
  policy: string;
  method: string;
  settings: string;
  checkpoint_step: number | null;
}

/** One policy's win rates against the references, one row per temperature. */
export async function oodWinRates(model: GPT, described: Described, set: OodSet, judge: Judge, judgeRandom: Random, options: Pick<OodOptions, 'samplesPerPrompt' | 'sampling' | 'tick'>): Promise<WinRateRow[]> {
  const rows: WinRateRow[] = [];
  for (const [i, temperature] of set.temperatures.entries()) {
    const sampling = { ...options.sampling, samplesPerPrompt: options.samplesPerPrompt, temperature, eos: set.context.tokenizer.eos, random: new Random(set.seeds[i]), tick: options.tick };
    const scored = await sampleAndScore(model, { ...set.context, reference: null }, sampling);
    const against = set.baseline.sets.get(temperature)!;
    const comparisons = pairComparisons(set.context.promptTexts, completions(scored), completions(against)).slice(0, judge.maxComparisons);
    const rate = winRateOf(await judge.judge(comparisons, judgeRandom));
    rows.push({ ...described, temperature, baseline: set.baseline.id, judge: judge.kind, win_rate: rate.winRate, win_rate_se: rate.se, win_rate_ci_low: rate.ciLow, win_rate_ci_high: rate.ciHigh, n_comparisons: rate.n, ties: rate.ties, judge_failures: rate.failures });
  }
  return rows;
}

function completions(set: ScoredSet) {
  return set.texts.map((completion, i) => ({ promptIndex: set.promptIndex[i], completion, reward: set.rewards[i] }));
}

export function writeWinRatesOod(dir: string, rows: readonly WinRateRow[]): Promise<void> {
  return writeCsvTable(join(dir, WIN_RATES_OOD_FILE), WIN_RATE_COLUMNS, rows);
}

/** The rows of an evaluation's win_rates_ood.csv; none when it has none (no out_of_distribution). */
export async function readWinRatesOod(dir: string): Promise<WinRateRow[]> {
  return existsSync(join(dir, WIN_RATES_OOD_FILE)) ? readWinRates(dir, WIN_RATES_OOD_FILE) : [];
}
