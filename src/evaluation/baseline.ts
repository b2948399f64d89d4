/**
 * The baseline of the win rates, per temperature: a model stage's own samples (drawn
 * with their own seeds, so that a policy compared with itself meets independent
 * samples), or a dataset stage's own completions of the held-out prompts.
 */
import { readPrompts, type PromptRecord } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { textCompletionTokens } from '../model/completionTokens.ts';
import { disposeModel, loadStageModel } from '../model/index.ts';
import { Random } from '../core/random.ts';
import type { StageOutput } from '../core/stageContract.ts';
import { sameTokenizer, sampleAndScore, type ScoreContext, type ScoredSet } from './scoreSamples.ts';

export interface Baseline {
  /** The baseline's name in win_rates.csv: the model instance's id, or `dataset`. */
  id: string;
  /** Its scored completions by temperature (a dataset's are the same at every temperature). */
  sets: Map<number, ScoredSet>;
}

export interface BaselineOptions extends Omit<ScoreContext, 'reference'> {
  records: readonly PromptRecord[];
  temperatures: readonly number[];
  /** One seed per temperature. */
  seeds: readonly number[];
  samplesPerPrompt: number;
  sampling: { topK: number; topP: number; maxNewTokens: number; batchSize: number };
  tick: () => Promise<void>;
}

export async function baselineSamples(output: StageOutput, options: BaselineOptions): Promise<Baseline> {
  if (output.kind === 'dataset') {
    const set = await datasetCompletions(output, options);
    return { id: 'dataset', sets: new Map(options.temperatures.map((t) => [t, set])) };
  }
  const { model, tokenizer } = await loadStageModel(output.dir, { trainable: false });
  try {
    if (!sameTokenizer(tokenizer, options.tokenizer)) {
      throw new StageError(`the win-rate baseline ${output.id} has a different tokenizer from the reference`, 'compare policies trained from the same sft stage');
    }
    const sets = new Map<number, ScoredSet>();
    for (const [i, temperature] of options.temperatures.entries()) {
      const sampling = { ...options.sampling, samplesPerPrompt: options.samplesPerPrompt, temperature, eos: tokenizer.eos, random: new Random(options.seeds[i]), tick: options.tick };
      sets.set(temperature, await sampleAndScore(model, { ...options, reference: null }, sampling));
    }
    return { id: output.id, sets };
  } finally {
    disposeModel(model);
  }
}

/**
 * The dataset's own completion of each held-out prompt (looked up by prompt text in the
 * baseline dataset, the same split), as completion tokens (eos after the text, lost when
 * cut to the policies' max_new_tokens) decoded by the same tokenizer, so that both sides
 * of a comparison have the same form.
 */
async function datasetCompletions(output: StageOutput, options: BaselineOptions): Promise<ScoredSet> {
  const split = options.records[0]?.split;
  const completions = new Map((await readPrompts(output.dir, split)).map((r) => [r.prompt, r.completion]));
  const rows = options.promptTexts.flatMap((prompt, promptIndex) => {
    const completion = completions.get(prompt);
    return completion === undefined ? [] : [{ promptIndex, tokens: textCompletionTokens(options.tokenizer, completion, options.sampling.maxNewTokens) }];
  });
  if (rows.length === 0) throw new StageError(`the win-rate baseline ${output.id} has none of the evaluated prompts`, 'use the dataset stage named in evaluate.data');
  const texts = rows.map((r) => options.tokenizer.decode(r.tokens));
  const rewards = await options.reward.score(
    rows.map((r) => options.promptTexts[r.promptIndex]),
    texts,
  );
  return { promptIndex: rows.map((r) => r.promptIndex), tokens: rows.map((r) => r.tokens), texts, rewards, scores: null };
}
