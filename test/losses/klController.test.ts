import assert from 'node:assert/strict';
import { AdaptiveKLController, FixedKLController, restoreKLController } from '../../src/losses/klController.ts';
import { assertClose } from './close.ts';

describe('KL controllers', () => {
  it('keeps a fixed coefficient whatever the KL', () => {
    const controller = new FixedKLController(0.05);
    controller.update(100, 256);
    assert.equal(controller.value, 0.05);
  });

  it('raises the adaptive coefficient when KL is above target and lowers it below', () => {
    const above = new AdaptiveKLController(0.2, 6, 10000);
    above.update(6.6, 256); // error 6.6 / 6 - 1 = 0.1: 0.2 (1 + 0.1 * 256 / 10000) = 0.200512
    assertClose([above.value], [0.200512], 1e-12);
    const below = new AdaptiveKLController(0.2, 6, 10000);
    below.update(5.4, 256); // error -0.1: 0.2 (1 - 0.1 * 256 / 10000) = 0.199488
    assertClose([below.value], [0.199488], 1e-12);
  });

  it('clips the proportional error to +-0.2', () => {
    const controller = new AdaptiveKLController(0.2, 6, 10000);
    controller.update(60, 256); // error 9 -> 0.2: 0.2 (1 + 0.2 * 256 / 10000) = 0.201024
    assertClose([controller.value], [0.201024], 1e-12);
    controller.update(0, 256); // error -1 -> -0.2: 0.201024 (1 - 0.00512) = 0.200994...
    assertClose([controller.value], [0.201024 * (1 - 0.00512)], 1e-12);
  });

  it('restores its state so that a resumed run continues with the same coefficient', () => {
    const controller = new AdaptiveKLController(0.1, 3, 1000);
    controller.update(9, 64);
    const restored = restoreKLController(JSON.parse(JSON.stringify(controller.state())));
    assert.equal(restored.value, controller.value);
    controller.update(1, 64);
    restored.update(1, 64);
    assert.equal(restored.value, controller.value);
    assert.deepEqual(restoreKLController(new FixedKLController(0.3).state()).state(), { kind: 'fixed', value: 0.3 });
  });
});
