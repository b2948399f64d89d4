import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.ts';
import { sampleAndScore } from '../../src/evaluation/scoreSamples.ts';
import { mean, standardError } from '../../src/evaluation/statistics.ts';
import { disposeModel, loadStageModel } from '../../src/model/index.ts';
import { Random } from '../../src/core/random.ts';
import { createReward } from '../../src/rewards/index.ts';
import { tinyOutputs, type TinyOutputs } from './tinyPolicies.ts';

describe('sequence-level KL of sampled completions', function () {
  this.timeout(60000);
  let outputs: TinyOutputs;
  const prompts = ['the film was', 'this movie is', 'the acting felt', 'the plot seemed'];

  before(async () => {
    await initBackend('wasm');
    outputs = await tinyOutputs();
  });

  async function scored(policyDir: string, temperature: number) {
    const { model: reference, tokenizer } = await loadStageModel(outputs.sft.dir, { trainable: false });
    const { model: policy } = await loadStageModel(policyDir, { trainable: false });
    const reward = await createReward({ kind: 'sentiment_lexicon', text: 'prompt_and_completion', scale: 0.25 });
    const promptIds = prompts.map((p) => [tokenizer.bos, ...tokenizer.encode(p)]);
    const options = { samplesPerPrompt: 8, temperature, topK: 0, topP: 1, maxNewTokens: 6, batchSize: 16, eos: tokenizer.eos, random: new Random(1) };
    try {
      return await sampleAndScore(policy, { tokenizer, reward, promptTexts: prompts, promptIds, reference }, options);
    } finally {
      disposeModel(policy);
      disposeModel(reference);
    }
  }

  it('is 0 for the reference against itself at temperature 1, sample by sample, by both estimates', async () => {
    const set = await scored(outputs.sft.dir, 1);
    assert.equal(set.scores!.kl.length, prompts.length * 8);
    for (const kl of [...set.scores!.kl, ...set.scores!.klSample]) assert.ok(Math.abs(kl) < 1e-4, `KL ${kl}`);
  });

  it('is positive for the reference sampled at another temperature (KL(pi_T || pi_ref) of the distribution sampled)', async () => {
    const set = await scored(outputs.sft.dir, 0.5);
    const kls = set.scores!.kl;
    assert.ok(kls.every((kl) => kl >= -1e-6));
    assert.ok(mean(kls) > 3 * standardError(kls), `KL ${mean(kls)} ± ${standardError(kls)}`);
  });

  it('is positive on average for a policy trained away from the reference', async () => {
    const set = await scored(outputs.dpo.dir, 1);
    const kls = set.scores!.kl;
    assert.ok(mean(kls) > 2 * standardError(kls), `KL ${mean(kls)} ± ${standardError(kls)}`);
    assert.ok(mean(kls) > 0);
  });

  it('gives the trained policy a higher ground-truth reward than the reference', async () => {
    const [policy, reference] = [await scored(outputs.dpo.dir, 1), await scored(outputs.sft.dir, 1)];
    assert.ok(mean(policy.rewards) > mean(reference.rewards), `${mean(policy.rewards)} vs ${mean(reference.rewards)}`);
  });
});
