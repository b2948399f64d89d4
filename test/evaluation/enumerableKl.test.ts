/**
 * The evaluation's KL against the exact value on a case small enough to enumerate: a
 * vocabulary of 5 (<pad>, <unk>, <bos>, <eos>, "good"), completions of at most 3 tokens,
 * and a policy that differs from the reference only in its eos logit (the eos row of the
 * tied output head). Every completion y (text then eos, or 3 text tokens cut) gets its
 * exact probability from full forward passes in double precision, independently of the
 * sampling and scoring code, which runs as `evaluate` runs it (sampleAndScore).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { Random } from '../../src/core/random.ts';
import { sampleAndScore, type ScoredSet } from '../../src/evaluation/scoreSamples.ts';
import { mean, standardError } from '../../src/evaluation/statistics.ts';
import { createModel, disposeModel, logits, modelFromValues, resolveConfig, samplingSupport, type GPT } from '../../src/model/index.ts';
import { createReward, type Reward } from '../../src/rewards/index.ts';
import { buildTokenizer, type Tokenizer } from '../../src/tokenizer/index.ts';

const MAX_NEW_TOKENS = 3;

interface Sampling {
  temperature: number;
  topK: number;
}

/** log-probabilities of the next token after `prefix`, in double precision: the policy's as sampled (logits / T, restricted), or at T = 1. */
function nextLogProbs(model: GPT, prefix: number[], sampling: Sampling): number[] {
  const row = tf.tidy(() => logits(model, tf.tensor2d([prefix], [1, prefix.length], 'int32')).slice([0, prefix.length - 1, 0], [1, 1, -1]).dataSync());
  const kept = new Set(samplingSupport(row, { temperature: sampling.temperature, topK: sampling.topK }));
  const scaled = Array.from(row, (l, v) => (kept.has(v) ? (sampling.temperature === 0 ? 0 : l / sampling.temperature) : -Infinity));
  const max = Math.max(...scaled);
  const logZ = max + Math.log(scaled.reduce((s, x) => s + Math.exp(x - max), 0));
  return scaled.map((x) => x - logZ);
}

interface Exact {
  /** KL(pi_T || pi_ref) over whole completions, eos included. */
  kl: number;
  /** The same sum without the eos tokens' log-ratios: what the evaluation measured before eos counted. */
  klWithoutEos: number;
  /** log pi_T(y) and log pi_ref(y) by completion (ids joined with commas). */
  logp: Map<string, number>;
  refLogp: Map<string, number>;
}

/** Every completion of [bos] with its probability under the policy as sampled and under the reference. */
function enumerate(policy: GPT, reference: GPT, bos: number, eos: number, sampling: Sampling): Exact {
  const exact: Exact = { kl: 0, klWithoutEos: 0, logp: new Map(), refLogp: new Map() };
  const visit = (text: number[], logp: number, refLogp: number, textRatio: number) => {
    const p = nextLogProbs(policy, [bos, ...text], sampling);
    const q = nextLogProbs(reference, [bos, ...text], { temperature: 1, topK: 0 });
    for (let v = 0; v < p.length; v++) {
      if (p[v] === -Infinity) continue;
      const [lp, lq] = [logp + p[v], refLogp + q[v]];
      const finished = v === eos ? [...text, eos] : text.length + 1 === MAX_NEW_TOKENS ? [...text, v] : undefined;
      if (!finished) {
        visit([...text, v], lp, lq, textRatio + p[v] - q[v]);
        continue;
      }
      exact.logp.set(finished.join(','), lp);
      exact.refLogp.set(finished.join(','), lq);
      exact.kl += Math.exp(lp) * (lp - lq);
      exact.klWithoutEos += Math.exp(lp) * (v === eos ? textRatio : textRatio + p[v] - q[v]);
    }
  };
  visit([], 0, 0, 0);
  return exact;
}

describe('the KL of an enumerable pair of policies, eos included', function () {
  this.timeout(30000);
  let tokenizer: Tokenizer;
  let reference: GPT;
  let policy: GPT;
  let reward: Reward;

  before(async () => {
    await initBackend('wasm');
    tokenizer = buildTokenizer({ kind: 'word', vocabSize: 5, lowercase: true, splitPunctuation: true }, ['good']);
    assert.equal(tokenizer.vocabSize, 5);
    const config = resolveConfig({ vocabSize: 5, contextLength: 8, nLayer: 1, nHead: 1, nEmbd: 8 });
    const base = createModel(config, { seed: 4 });
    const values = new Map([...base.params].map(([name, variable]) => [name, variable.dataSync() as Float32Array]));
    disposeModel(base);
    // Logits of order 1 (GPT-2's initialisation makes them ~0.05), and a final LayerNorm bias
    // b that every hidden state carries, so that adding b/|b|^2 to a row of the head moves
    // that token's logit by about 2 in every context.
    const wte = values.get('transformer.wte.weight')!.map((w) => w * 8);
    const bias = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 1.5 : -1.5));
    values.set('transformer.wte.weight', wte).set('transformer.ln_f.bias', bias);
    reference = modelFromValues(config, values, { scalarHead: false, trainable: false });
    const squared = bias.reduce((s, b) => s + b * b, 0);
    const eosRow = wte.slice();
    for (let c = 0; c < 8; c++) eosRow[tokenizer.eos * 8 + c] += (2 * bias[c]) / squared;
    policy = modelFromValues(config, new Map(values).set('transformer.wte.weight', eosRow), { scalarHead: false, trainable: false });
    reward = await createReward({ kind: 'sentiment_lexicon', text: 'prompt_and_completion', scale: 0.25 });
  });
  after(() => {
    disposeModel(policy);
    disposeModel(reference);
  });

  async function sampled(sampling: Sampling, samples: number, seed: number): Promise<ScoredSet> {
    const options = { samplesPerPrompt: samples, temperature: sampling.temperature, topK: sampling.topK, topP: 1, maxNewTokens: MAX_NEW_TOKENS, batchSize: 500, eos: tokenizer.eos, random: new Random(seed) };
    const tensors = tf.memory().numTensors;
    const set = await sampleAndScore(policy, { tokenizer, reward, promptTexts: [''], promptIds: [[tokenizer.bos]], reference }, options);
    assert.equal(tf.memory().numTensors, tensors, 'sampling and scoring leave no tensor behind');
    return set;
  }

  /** Checks each sample's log-probabilities against the enumeration, and both estimators' means against the exact KL. */
  function check(set: ScoredSet, exact: Exact, label: string): void {
    const scores = set.scores!;
    set.tokens.forEach((tokens, i) => {
      const key = tokens.join(',');
      assert.ok(exact.logp.has(key), `${label}: sampled ${key}, not a completion of the enumeration`);
      assert.ok(Math.abs(scores.logp[i] - exact.logp.get(key)!) < 1e-4, `${label}: log pi_T(${key}) ${scores.logp[i]} vs ${exact.logp.get(key)}`);
      assert.ok(Math.abs(scores.refLogp[i] - exact.refLogp.get(key)!) < 1e-4, `${label}: log pi_ref(${key}) ${scores.refLogp[i]} vs ${exact.refLogp.get(key)}`);
      assert.ok(scores.kl[i] >= -1e-6, `${label}: a per-step KL below 0: ${scores.kl[i]}`);
    });
    for (const [name, values] of [['kl', scores.kl], ['kl_sample', scores.klSample]] as const) {
      const [m, se] = [mean(values), standardError(values)];
      assert.ok(Math.abs(m - exact.kl) < 3 * se, `${label}: ${name} ${m.toFixed(4)} ± ${se.toFixed(4)} vs exact ${exact.kl.toFixed(4)}`);
    }
    assert.ok(standardError(scores.kl) < standardError(scores.klSample), `${label}: the per-step KL has the lower variance`);
  }

  it('converges to the exact KL at temperature 1, and the eos term is a large part of it', async () => {
    const exact = enumerate(policy, reference, tokenizer.bos, tokenizer.eos, { temperature: 1, topK: 0 });
    assert.ok(exact.kl > 0.05, `exact KL ${exact.kl}`);
    assert.ok(Math.abs(exact.kl - exact.klWithoutEos) > 0.5 * exact.kl, `with eos ${exact.kl}, without ${exact.klWithoutEos}`);
    const set = await sampled({ temperature: 1, topK: 0 }, 4000, 1);
    check(set, exact, 'T = 1');
    // Completions both stop (eos) and run to max_new_tokens.
    assert.ok(set.tokens.some((t) => t.at(-1) === tokenizer.eos) && set.tokens.some((t) => t.length === MAX_NEW_TOKENS && t.at(-1) !== tokenizer.eos));
  });

  it('measures the distribution sampled at temperature 0.6 with top-k 3 against the reference at temperature 1', async () => {
    const sampling = { temperature: 0.6, topK: 3 };
    const exact = enumerate(policy, reference, tokenizer.bos, tokenizer.eos, sampling);
    const set = await sampled(sampling, 3000, 2);
    check(set, exact, 'T = 0.6, top-k 3');
  });

  it('gives greedy decoding KL = -log pi_ref(y) of its one completion, by both estimators', async () => {
    const exact = enumerate(policy, reference, tokenizer.bos, tokenizer.eos, { temperature: 0, topK: 0 });
    assert.equal(exact.logp.size, 1);
    const set = await sampled({ temperature: 0, topK: 0 }, 4, 3);
    const [[key, refLogp]] = [...exact.refLogp];
    for (let i = 0; i < 4; i++) {
      assert.equal(set.tokens[i].join(','), key);
      assert.ok(Math.abs(set.scores!.kl[i] + refLogp) < 1e-4 && Math.abs(set.scores!.klSample[i] + refLogp) < 1e-4);
    }
  });
});
