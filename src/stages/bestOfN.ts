/**
 * The `best_of_n` stage: best-of-N sampling under a reward (normally the learned reward
 * model), the DPO paper's baseline. For each held-out prompt (the dataset's test split,
 * the first max_prompts) one pool of max(n) completions is sampled from the policy in
 * rounds from the stage's seeded Random (round 0 is plain sampling with that seed) and
 * scored; for each N the chosen completion is the highest-scoring of the pool's first N,
 * so a larger N reuses a smaller N's samples and N = 1 is plain sampling. Then kl_pool
 * more completions per prompt are drawn and scored, never chosen from: they estimate the
 * reward's CDF for the measured KL (src/bestOfN/kl.ts).
 *
 * Output folder (src/bestOfN/artifact.ts; read it with `readBestOfN(dir)`):
 *   pool.jsonl       per prompt: {prompt, completions, completion_ids, scores, cdf_scores}, max(n) each, in drawing order
 *   n-<N>.jsonl      per prompt: {prompt, completion, completion_ids, score, index}: the choice at this N
 *   best_of_n.json   {n, pool_size, kl_pool, prompts, reward, entries: [{n, score_mean, kl_bound, kl_estimate, kl_estimate_se, kl_cdf_samples}]}
 *   tokenizer.json   the policy's tokenizer (completion_ids are its ids: no bos; eos last when sampled)
 *
 * The evaluate stage treats each N as one policy whose samples are the n-<N>.jsonl
 * completions; its KL is the measured estimate, beside the closed-form bound
 * log N - (N-1)/N (src/bestOfN/kl.ts).
 */
import { readPrompts } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { writeBestOfN, type PoolRecord } from '../bestOfN/artifact.ts';
import { samplePool } from '../bestOfN/pool.ts';
import { selectBestOfN } from '../bestOfN/select.ts';
import { disposeModel, loadStageModel } from '../model/index.ts';
import { encodePrompt } from '../model/sampleCompletions.ts';
import { createReward } from '../rewards/index.ts';
import type { BestOfNSettings } from '../core/settings/bestOfN.ts';
import type { StageKind, StageOutput } from '../core/stageContract.ts';
import { bestOfNDeclaration } from './declarations.ts';

export const bestOfN: StageKind<BestOfNSettings> = {
  ...bestOfNDeclaration,

  async run(ctx) {
    const settings = ctx.settings;
    const ns = [...new Set(Array.isArray(settings.n) ? settings.n : [settings.n])].sort((a, b) => a - b);
    const poolSize = ns[ns.length - 1];
    let prompts = (await readPrompts(single(ctx.inputs, 'data').dir, 'test')).map((p) => p.prompt);
    if (settings.max_prompts > 0) prompts = prompts.slice(0, settings.max_prompts);
    if (prompts.length === 0) throw new StageError('best_of_n: the dataset has no test prompts');

    const { model, tokenizer } = await loadStageModel(single(ctx.inputs, 'policy').dir, { trainable: false });
    const reward = await createReward(settings.reward, { dir: ctx.inputs['reward.model']?.[0]?.dir });
    try {
      // Sample the pool: max(n) rounds, each completing every prompt once.
      ctx.log(`${prompts.length} prompts, a pool of ${poolSize} completions each, N = ${ns.join(', ')}`);
      const ids = prompts.map((prompt) => encodePrompt(tokenizer, prompt, model.config.contextLength, settings.sampling.max_new_tokens));
      ctx.progress.start(poolSize, 'sampling');
      const completions = await samplePool(model, tokenizer, ids, settings.sampling, poolSize, ctx.random, async (round) => {
        ctx.progress.update(round);
        await ctx.tick();
      });
      ctx.progress.stop();
      // The KL's own pool, after the chosen one (so that round 0 stays plain sampling).
      ctx.progress.start(settings.kl_pool, 'sampling the KL pool');
      const cdfCompletions = await samplePool(model, tokenizer, ids, settings.sampling, settings.kl_pool, ctx.random, async (round) => {
        ctx.progress.update(round);
        await ctx.tick();
      });
      ctx.progress.stop();

      // Score every completion, then choose for each N.
      const scoreAll = async (rows: typeof completions) => {
        const flat = rows.flatMap((row, p) => row.map((c) => ({ prompt: prompts[p], text: c.text })));
        const scores = await reward.score(flat.map((x) => x.prompt), flat.map((x) => x.text));
        return rows.map((row, p) => scores.slice(p * row.length, (p + 1) * row.length));
      };
      const scores = await scoreAll(completions);
      const cdfScores = await scoreAll(cdfCompletions);
      const pool: PoolRecord[] = completions.map((row, p) => ({
        prompt: prompts[p],
        completions: row.map((c) => c.text),
        completion_ids: row.map((c) => c.response),
        scores: scores[p],
        cdf_scores: cdfScores[p],
      }));
      const { choices, entries } = selectBestOfN(pool, ns);
      const summary = { n: ns, pool_size: poolSize, kl_pool: settings.kl_pool, prompts: prompts.length, reward: settings.reward.kind, entries };
      await writeBestOfN(ctx.outDir, { pool, choices, summary, tokenizerJson: tokenizer.toJSON() });
      for (const e of entries) ctx.log(`N=${e.n}: score ${e.score_mean.toFixed(4)}, KL bound ${e.kl_bound.toFixed(3)}, estimate ${e.kl_estimate.toFixed(3)} ± ${e.kl_estimate_se.toFixed(3)}`);
      await ctx.summary(summary);
    } finally {
      reward.dispose?.();
      disposeModel(model);
    }
  },
};

function single(inputs: Record<string, StageOutput[]>, path: string): StageOutput {
  const outputs = inputs[path] ?? [];
  if (outputs.length !== 1) throw new StageError(`best_of_n: ${path} must name exactly one stage instance, got ${outputs.length}`);
  return outputs[0];
}
