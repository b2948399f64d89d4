/**
 * The DPO family's log-probabilities count the stop token: pairLogps over pairs whose
 * completions end with eos equals the sum, worked out by hand from the model's logits, of
 * each completion token's log-probability, eos included; Unlikelihood's per-token terms
 * cover eos too.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { createModel, disposeModel, logits, resolveConfig, type GPT } from '../../src/model/index.ts';
import { pairLogps } from '../../src/pairwise/logps.ts';

const BOS = 1;
const EOS = 2;
const PAD = 0;

/** log softmax(logits(prompt ++ completion))[next token], summed over the completion's positions, in plain JavaScript. */
function handLogps(model: GPT, prompt: number[], completion: number[]): number[] {
  const ids = [...prompt, ...completion];
  const rows = tf.tidy(() => logits(model, tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync() as number[][][])[0];
  return completion.map((token, j) => {
    const row = rows[prompt.length + j - 1]; // the position before the token predicts it
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    return row[token] - logSum;
  });
}

describe('the DPO family\'s log-probabilities', () => {
  let model: GPT;
  before(async () => {
    await initBackend('wasm');
    model = createModel(resolveConfig({ vocabSize: 12, contextLength: 16, nLayer: 1, nHead: 2, nEmbd: 8 }), { seed: 5 });
  });
  after(() => disposeModel(model));

  it('sum each completion token\'s log-probability, eos included, as a hand sum from the logits', async () => {
    const pairs = [
      { prompt_ids: [BOS, 4, 5], chosen_ids: [6, 7, EOS], rejected_ids: [8, EOS] }, // both stopped
      { prompt_ids: [BOS, 9], chosen_ids: [EOS], rejected_ids: [10, 11, 3, 4] }, // stopped at once; cut at max_new_tokens
    ];
    const out = tf.tidy(() => {
      const logps = pairLogps(model, pairs, PAD, { rejected: true });
      return [logps.chosenLogps, logps.chosenCounts, logps.rejected!.logps, logps.rejected!.tokenLogps, logps.rejected!.mask].map((t) => t.arraySync());
    });
    const [chosen, chosenCounts, rejected, tokenLogps, mask] = out as [number[], number[], number[], number[][], number[][]];
    pairs.forEach((pair, b) => {
      const chosenTerms = handLogps(model, pair.prompt_ids, pair.chosen_ids);
      const rejectedTerms = handLogps(model, pair.prompt_ids, pair.rejected_ids);
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(chosen[b] - sum(chosenTerms)) < 1e-4, `chosen ${b}: ${chosen[b]} against ${sum(chosenTerms)}`);
      assert.ok(Math.abs(rejected[b] - sum(rejectedTerms)) < 1e-4, `rejected ${b}: ${rejected[b]} against ${sum(rejectedTerms)}`);
      assert.equal(chosenCounts[b], pair.chosen_ids.length, 'eos counts as a completion token');
      // Unlikelihood's per-token terms: the rejected completion's positions, eos included.
      const positions = pair.rejected_ids.map((_, j) => pair.prompt_ids.length + j - 1);
      assert.deepEqual(mask[b].flatMap((m, t) => (m === 1 ? [t] : [])), positions);
      positions.forEach((t, j) => assert.ok(Math.abs(tokenLogps[b][t] - rejectedTerms[j]) < 1e-4));
    });
    // The eos term is a real, finite part of the sum: leaving it out changes log pi(y|x).
    const eosTerm = handLogps(model, pairs[0].prompt_ids, pairs[0].chosen_ids).at(-1)!;
    assert.ok(eosTerm < 0 && Number.isFinite(eosTerm));
  });
});
