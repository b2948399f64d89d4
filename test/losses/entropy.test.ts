import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { tokenEntropy } from '../../src/losses/entropy.ts';
import { assertClose } from './close.ts';

describe('tokenEntropy', () => {
  before(async () => void (await initBackend('wasm')));

  it('is -sum_v p_v log p_v at each position', () => {
    // uniform over 4: log 4 = 1.386294; uniform over 2 of 4: log 2 = 0.693147;
    // logits [log 3, 0, -1e9, -1e9]: p = [3/4, 1/4]: 0.75 * 0.287682 + 0.25 * 1.386294 = 0.562335
    const logits = tf.tensor3d([[[0, 0, 0, 0], [0, 0, -1e9, -1e9], [Math.log(3), 0, -1e9, -1e9]]]);
    assertClose(tokenEntropy(logits).dataSync(), [1.386294, 0.693147, 0.562335]);
  });

  it('is 0 for a certain next token', () => {
    assertClose(tokenEntropy(tf.tensor3d([[[0, -1e9, -1e9]]])).dataSync(), [0]);
  });
});
