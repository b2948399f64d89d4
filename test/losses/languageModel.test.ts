import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { chosenNll, languageModelLoss, negativeLogLikelihood } from '../../src/losses/languageModel.ts';
import { sequenceLogps } from '../../src/losses/sequenceLogps.ts';
import { assertClose } from './close.ts';

const { log } = Math;

/**
 * Two sequences, three target columns, log-probabilities of the targets:
 *   row 0: log 1/2, log 1/4 (targets), -50 (padding: it would dominate)
 *   row 1: log 1/8 (target), -7, -9 (padding)
 * summed NLL = log 2 + log 4 + log 8 = 6 log 2 = 4.158883; 3 targets: mean 2 log 2 = 1.386294
 */
const tokenLogps = () => tf.tensor2d([[log(1 / 2), log(1 / 4), -50], [log(1 / 8), -7, -9]]);
const mask = () => tf.tensor2d([[1, 1, 0], [1, 0, 0]]);

describe('languageModelLoss', () => {
  before(async () => void (await initBackend('wasm')));

  it('sums the negative log-likelihood of the targets only', () => {
    assertClose(negativeLogLikelihood(tokenLogps(), mask()).dataSync(), [6 * Math.LN2]); // 4.158883
  });

  it('is the mean next-token cross-entropy per target token', () => {
    assertClose(languageModelLoss(tokenLogps(), mask()).dataSync(), [2 * Math.LN2]); // 4.158883 / 3 = 1.386294
  });

  it('has gradient -1/N on each target log-probability and 0 elsewhere', () => {
    // N = 3 targets
    const gradient = tf.grad((x: tf.Tensor) => languageModelLoss(x as tf.Tensor2D, mask()))(tokenLogps());
    assertClose(gradient.dataSync(), [-1 / 3, -1 / 3, 0, -1 / 3, 0, 0]);
  });

  it('gives a padded batch the same loss as its sequences unpadded', () => {
    // row 0 alone: (log 2 + log 4) / 2 = 1.039721; row 1 alone: log 8; together 6 log 2 / 3, not the mean of the two
    const padded = languageModelLoss(tokenLogps(), mask()).dataSync()[0];
    const unpadded = languageModelLoss(tf.tensor2d([[log(1 / 2), log(1 / 4), log(1 / 8)]]), tf.ones([1, 3])).dataSync()[0];
    assertClose([padded], [unpadded]);
  });

  it('is 0, not NaN, for a batch without targets', () => {
    assertClose(languageModelLoss(tokenLogps(), tf.zeros([2, 3])).dataSync(), [0]);
  });
});

describe('chosenNll', () => {
  before(async () => void (await initBackend('wasm')));

  it('is the negative log-likelihood per token from sequence sums', () => {
    // log pi(y_w|x) = [log 1/8, log 1/2] over [3, 1] tokens: (3 log 2 + log 2) / 4 = log 2 = 0.693147
    assertClose(chosenNll(tf.tensor1d([log(1 / 8), log(1 / 2)]), tf.tensor1d([3, 1])).dataSync(), [Math.LN2]);
  });

  it('equals languageModelLoss on the sequences the sums come from', () => {
    const { logps, counts } = sequenceLogps(tokenLogps(), mask()); // [log 1/8, log 1/8], [2, 1]
    assertClose(chosenNll(logps, counts).dataSync(), [2 * Math.LN2]);
  });

  it('is 0, not NaN, without tokens', () => {
    assertClose(chosenNll(tf.tensor1d([0]), tf.tensor1d([0])).dataSync(), [0]);
  });
});
