/**
 * The `preferences` stage: preference pairs for the dpo, preferred_ft, unlikelihood and
 * reward_model stages. Either sampled (k completions of each dataset prompt from the
 * policy, scored by a ground-truth reward, paired with ties dropped; train prompts give
 * train pairs, test prompts held-out ones) or read from an existing preference file
 * (`source`). Writes pairs.jsonl and tokenizer.json (src/data/pairs.ts) only once
 * every pair is made, so a bad input leaves nothing behind. The completions' ids end with
 * eos where the completion ended (sampled eos, or the end of a text), so that the losses
 * trained on the pairs count the decision to stop (src/model/completionTokens.ts).
 */
import { resolve } from 'node:path';
import type { StageContext, StageKind } from '../core/stageContract.ts';
import type { PreferencesSettings } from '../core/settings/preferences.ts';
import { readPrompts } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { disposeModel, loadStageModel, type GPT } from '../model/index.ts';
import { onlyInput } from '../core/onlyInput.ts';
import { encodePair, writePairs, type PairRecord } from '../data/pairs.ts';
import { localDataPath } from '../data/remoteFile.ts';
import { samplePairs } from '../preferences/sample.ts';
import { readPreferenceSource, type SourcePair } from '../preferences/source.ts';
import { mean } from '../losses/statistics.ts';
import { createReward } from '../rewards/index.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { preferencesDeclaration } from './declarations.ts';

type Source = NonNullable<PreferencesSettings['source']>;

export const preferences: StageKind<PreferencesSettings> = {
  ...preferencesDeclaration,

  async run(ctx) {
    const { model, tokenizer } = await loadStageModel(onlyInput(ctx, 'policy').dir, { trainable: false });
    try {
      const { pairs, summary } = ctx.settings.source
        ? await pairsFromSource(ctx, ctx.settings.source, tokenizer, model.config.contextLength)
        : await sampledPairs(ctx, model, tokenizer);
      if (pairs.length === 0) throw new StageError(`${ctx.id}: no preference pairs were made`, 'sample more prompts, raise k or the temperature, or lower min_margin');
      await writePairs(ctx.outDir, pairs, tokenizer);
      const counts = { train: pairs.filter((p) => p.split === 'train').length, test: pairs.filter((p) => p.split === 'test').length };
      ctx.log(`${pairs.length} pairs (train ${counts.train}, test ${counts.test})`);
      await ctx.summary({ pairs: counts, ...meanScores(pairs), ...summary });
    } finally {
      disposeModel(model);
    }
  },
};

/** k completions of each prompt from the policy, scored by the reward, paired. */
async function sampledPairs(ctx: StageContext<PreferencesSettings>, model: GPT, tokenizer: Tokenizer) {
  const s = ctx.settings;
  if (!s.reward) throw new StageError(`${ctx.id}: a reward is required to label sampled pairs`);
  const dataDir = onlyInput(ctx, 'data').dir;
  const train = (await readPrompts(dataDir, 'train')).slice(0, s.max_prompts ?? undefined);
  const test = (await readPrompts(dataDir, 'test')).slice(0, s.max_test_prompts ?? undefined);
  if (train.length === 0) throw new StageError(`${ctx.id}: the dataset has no train prompts`);
  const reward = await createReward(s.reward, { dir: ctx.inputs['reward.model']?.[0]?.dir });
  const prompts = [...train, ...test];
  ctx.log(`sampling ${s.k} completions of ${prompts.length} prompts (train ${train.length}, test ${test.length})`);
  ctx.progress.start(prompts.length, 'prompts');
  try {
    const sampled = await samplePairs(model, tokenizer, reward, prompts, {
      k: s.k,
      pairing: s.pairs,
      minMargin: s.min_margin,
      temperature: s.sampling.temperature,
      topK: s.sampling.top_k,
      topP: s.sampling.top_p,
      maxNewTokens: s.sampling.max_new_tokens,
      batchSize: s.sampling.batch_size,
      random: ctx.random.fork(),
      onBatch: async (done) => {
        ctx.progress.update(done);
        await ctx.tick();
      },
    });
    return {
      pairs: sampled.pairs,
      summary: {
        prompts: { train: train.length, test: test.length },
        fraction_prompts_without_pair: sampled.promptsWithoutPair / prompts.length,
        completions: sampled.completions,
        empty_completions: sampled.emptyCompletions,
      },
    };
  } finally {
    ctx.progress.stop();
    reward.dispose?.();
  }
}

/** The pairs of an existing preference file, tokenized; rows without a split are held out with probability test_fraction. */
async function pairsFromSource(ctx: StageContext<PreferencesSettings>, source: Source, tokenizer: Tokenizer, contextLength: number) {
  const path = resolve(await localDataPath(source.path, ctx)); // a URL: its download in the user's cache
  ctx.log(`reading preference pairs from ${path}`);
  const rows = await readPreferenceSource(path, source.format, source.template);
  const splitRandom = ctx.random.fork();
  const pairs = rows.map((row): PairRecord => {
    const ids = encodeSourcePair(tokenizer, row, contextLength);
    if (ids.chosen_ids.length === 0 || ids.rejected_ids.length === 0) {
      throw new StageError(`${row.where}: the ${ids.chosen_ids.length === 0 ? 'chosen' : 'rejected'} completion has no tokens under the policy's tokenizer`);
    }
    const split = row.split ?? (splitRandom.next() < source.test_fraction ? 'test' : 'train');
    return { prompt: row.prompt, chosen: row.chosen, rejected: row.rejected, chosen_score: null, rejected_score: null, ...ids, split };
  });
  return { pairs, summary: { source: path } };
}

/**
 * A source row's token ids: each completion is a text its author ended, so eos follows it
 * (lost when it is cut to the context; src/data/pairs.ts encodePair). A text that encodes
 * to eos itself (GPT-2's "<|endoftext|>" written out) is an error naming the row.
 */
function encodeSourcePair(tokenizer: Tokenizer, row: SourcePair, contextLength: number) {
  for (const name of ['prompt', 'chosen', 'rejected'] as const) {
    if (tokenizer.encode(row[name]).includes(tokenizer.eos)) {
      throw new StageError(`${row.where}: the ${name} text contains the end-of-sequence token (id ${tokenizer.eos}) of the policy's tokenizer`, 'remove it from the text: eos is added at the end of each completion');
    }
  }
  return encodePair(tokenizer, row, contextLength);
}

/** The mean ground-truth score of the chosen and of the rejected completions (null without scores). */
function meanScores(pairs: PairRecord[]): { mean_chosen_score: number | null; mean_rejected_score: number | null } {
  const scored = pairs.filter((p) => p.chosen_score !== null && p.rejected_score !== null);
  if (scored.length === 0) return { mean_chosen_score: null, mean_rejected_score: null };
  return { mean_chosen_score: mean(scored.map((p) => p.chosen_score!)), mean_rejected_score: mean(scored.map((p) => p.rejected_score!)) };
}
