import assert from 'node:assert/strict';
import { bestRewardUpTo, checkAgainstPaper, checkTemperature, comparableLevels } from '../../src/report/againstPaper.ts';
import { FRONTIER, frontierRow } from './fixtures.ts';

describe('the paper checks', () => {
  it('takes the best reward among the points at or below a KL level', () => {
    const points = [{ kl: 1, reward: 0.6 }, { kl: 2, reward: 0.9 }, { kl: 3, reward: 0.7 }];
    assert.equal(bestRewardUpTo(points, 0.5), undefined);
    assert.equal(bestRewardUpTo(points, 1), 0.6);
    assert.equal(bestRewardUpTo(points, 2.5), 0.9);
    assert.equal(bestRewardUpTo(points, 10), 0.9);
  });

  it('compares only at the levels where both methods have a point at or below', () => {
    // DPO at KL 2 and 4, PPO at 3 and 6: level 2 has no PPO point yet.
    const levels = comparableLevels([{ kl: 2, reward: 0.8 }, { kl: 4, reward: 0.9 }], [{ kl: 3, reward: 0.7 }, { kl: 6, reward: 0.85 }]);
    assert.deepEqual(levels, [
      { kl: 3, dpoBest: 0.8, otherBest: 0.7 },
      { kl: 4, dpoBest: 0.9, otherBest: 0.7 },
      { kl: 6, dpoBest: 0.9, otherBest: 0.85 },
    ]);
  });

  it('checks each claim at temperature 1 and says borne out, not borne out or not measured', () => {
    const checks = checkAgainstPaper(FRONTIER, checkTemperature(FRONTIER));
    assert.deepEqual(checks.map((c) => c.verdict), ['borne out', 'not borne out', 'borne out', 'not measured']);
    assert.match(checks[1].figures, /KL ≤ 4: DPO 0\.9 vs PPO-GT 0\.95/);
    assert.match(checks[3].figures, /no Unlikelihood points/);
  });

  it('uses temperature 1 when evaluated, else the highest', () => {
    assert.equal(checkTemperature(FRONTIER), 1);
    assert.equal(checkTemperature([frontierRow('dpo', 'd', 1, 1, { temperature: 0.5 }), frontierRow('dpo', 'd', 1, 1, { temperature: 0 })]), 0.5);
    assert.equal(checkTemperature([]), undefined);
    assert.equal(checkTemperature(FRONTIER, 0), 0);
  });
});
