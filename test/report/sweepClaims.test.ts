import assert from 'node:assert/strict';
import { describeSweepClaim, envelopeSpread, sweepClaims } from '../../src/report/sweepClaims.ts';
import { frontierRow } from './fixtures.ts';

/** Seed 0: DPO above PPO everywhere. Seed 1: PPO above DPO at KL 3. Seed 2: no PPO point. */
const RUNS = [
  { name: 'seed=0', frontier: [frontierRow('dpo', 'dpo', 1, 0.7), frontierRow('dpo', 'dpo', 3, 0.9), frontierRow('ppo', 'ppo', 2, 0.6), frontierRow('ppo', 'ppo', 3, 0.8)] },
  { name: 'seed=1', frontier: [frontierRow('dpo', 'dpo', 1, 0.7), frontierRow('dpo', 'dpo', 3, 0.75), frontierRow('ppo', 'ppo', 2, 0.6), frontierRow('ppo', 'ppo', 3, 0.8)] },
  { name: 'seed=2', frontier: [frontierRow('dpo', 'dpo', 1, 0.5), frontierRow('dpo', 'dpo', 3, 0.8)] },
];

describe('the claims across the runs of a sweep', () => {
  it('checks each claim per run and counts the runs where it holds', () => {
    const [ppo] = sweepClaims(RUNS, 1);
    assert.match(ppo.claim, /dominates PPO's/);
    assert.deepEqual(ppo.perRun.map((p) => p.verdict), ['borne out', 'not borne out', 'not measured']);
    assert.equal(ppo.held, 1);
    assert.equal(ppo.measured, 2);
    assert.equal(ppo.verdict, 'mixed');
    assert.equal(describeSweepClaim(ppo, 3), 'borne out in 1 of 2 runs (not measured in seed=2)');
  });

  it('says borne out only when the claim holds in every run where it was measured', () => {
    const [ppo] = sweepClaims([RUNS[0], RUNS[2]], 1);
    assert.equal(ppo.verdict, 'borne out');
    const [none] = sweepClaims([RUNS[1]], 1);
    assert.equal(none.verdict, 'not borne out');
    const [unmeasured] = sweepClaims([RUNS[2]], 1);
    assert.equal(unmeasured.verdict, 'not measured');
  });

  it("spreads each method's envelope over the runs at KL levels every run covers", () => {
    const dpo = envelopeSpread(RUNS, 1, 2).filter((e) => e.method === 'dpo');
    // Every run's DPO envelope runs from KL 1 to 3; at 1: 0.7, 0.7, 0.5; at 3: 0.9, 0.75, 0.8.
    assert.deepEqual(dpo.map((e) => e.kl), [1, 3]);
    assert.ok(Math.abs(dpo[0].mean - 1.9 / 3) < 1e-12 && dpo[0].min === 0.5 && dpo[0].max === 0.7 && dpo[0].runs === 3);
    assert.ok(Math.abs(dpo[1].mean - 2.45 / 3) < 1e-12 && dpo[1].min === 0.75 && dpo[1].max === 0.9);
  });
});
