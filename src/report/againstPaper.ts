/**
 * "Against the paper": the DPO paper's claims for the controlled-sentiment experiment
 * (Rafailov et al., 2023, Section 6.1 and Figure 2, left), checked on this run's frontier.
 *
 * Frontier dominance compares upper envelopes (./envelope.ts): let D and O be the
 * (KL, reward) points of DPO and of the other method at one sampling temperature (every
 * sweep instance and checkpoint), and best_M(k) = max { reward : (kl, reward) in M,
 * kl <= k } the envelope of M. The levels are the KL values of the two envelopes' points
 * (where either can change); a level is comparable when both envelopes are defined there.
 * DPO dominates O when best_D(k) >= best_O(k) at every comparable level. The KL is the
 * exact per-step KL of frontier.csv (kl_mean).
 */
import type { FrontierRow } from '../evaluation/frontierTable.ts';
import { envelopeAt, upperEnvelope, type FrontierPoint } from './envelope.ts';
import { formatNumber } from './markdownTable.ts';

export type Verdict = 'borne out' | 'not borne out' | 'not measured';

export interface ClaimCheck {
  /** The paper's claim, in words. */
  claim: string;
  verdict: Verdict;
  /** The figures behind the verdict. */
  figures: string;
}

export type { FrontierPoint } from './envelope.ts';

export interface Level {
  kl: number;
  dpoBest: number;
  otherBest: number;
}

/** max reward among `points` with kl <= level (their envelope at `level`); undefined when none is that low. */
export function bestRewardUpTo(points: readonly FrontierPoint[], level: number): number | undefined {
  return envelopeAt(upperEnvelope(points), level);
}

/** The comparable levels of two point sets' envelopes (see the file's comment), in increasing KL. */
export function comparableLevels(dpo: readonly FrontierPoint[], other: readonly FrontierPoint[]): Level[] {
  const [dpoFront, otherFront] = [upperEnvelope(dpo), upperEnvelope(other)];
  const kls = [...new Set([...dpoFront, ...otherFront].map((p) => p.kl))].sort((a, b) => a - b);
  return kls.flatMap((kl) => {
    const dpoBest = envelopeAt(dpoFront, kl);
    const otherBest = envelopeAt(otherFront, kl);
    return dpoBest === undefined || otherBest === undefined ? [] : [{ kl, dpoBest, otherBest }];
  });
}

const COMPARED: { method: string; name: string; claim: string }[] = [
  { method: 'ppo', name: 'PPO', claim: "DPO's reward-KL frontier dominates PPO's (PPO with the learned reward model)" },
  { method: 'ppo_gt', name: 'PPO-GT', claim: "DPO's frontier dominates PPO-GT's (PPO with access to the ground-truth reward)" },
  { method: 'preferred_ft', name: 'Preferred-FT', claim: 'Preferred-FT stays below DPO' },
  { method: 'unlikelihood', name: 'Unlikelihood', claim: 'Unlikelihood stays below DPO' },
];

/** The temperature the checks use: `wanted` if given, else 1 when evaluated, else the highest evaluated. */
export function checkTemperature(rows: readonly FrontierRow[], wanted?: number): number | undefined {
  const temperatures = [...new Set(rows.map((r) => r.temperature))];
  if (wanted !== undefined) return wanted;
  return temperatures.includes(1) ? 1 : temperatures.length > 0 ? Math.max(...temperatures) : undefined;
}

/** The points of one method at one temperature, with a finite KL and reward. */
export function pointsOf(rows: readonly FrontierRow[], method: string, temperature: number): FrontierPoint[] {
  return rows
    .filter((r) => r.method === method && r.temperature === temperature && Number.isFinite(r.kl_mean) && Number.isFinite(r.reward_mean))
    .map((r) => ({ kl: r.kl_mean, reward: r.reward_mean }));
}

export function checkAgainstPaper(rows: readonly FrontierRow[], temperature: number | undefined): ClaimCheck[] {
  return COMPARED.map(({ method, name, claim }) => {
    if (temperature === undefined) return { claim, verdict: 'not measured', figures: 'no frontier points' };
    const dpo = pointsOf(rows, 'dpo', temperature);
    const other = pointsOf(rows, method, temperature);
    if (dpo.length === 0 || other.length === 0) {
      const missing = [dpo.length === 0 ? 'DPO' : '', other.length === 0 ? name : ''].filter(Boolean).join(' and ');
      return { claim, verdict: 'not measured', figures: `no ${missing} points at temperature ${temperature}` };
    }
    const levels = comparableLevels(dpo, other);
    if (levels.length === 0) return { claim, verdict: 'not measured', figures: `no KL level where both have a point at or below it (temperature ${temperature})` };
    const failing = levels.filter((l) => l.dpoBest < l.otherBest);
    const describe = (l: Level) => `KL ≤ ${formatNumber(l.kl)}: DPO ${formatNumber(l.dpoBest)} vs ${name} ${formatNumber(l.otherBest)}`;
    const counts = `${dpo.length} DPO and ${other.length} ${name} points at temperature ${temperature}; DPO's best reward is at least ${name}'s at ${levels.length - failing.length} of ${levels.length} comparable KL levels`;
    if (failing.length === 0) {
      const widest = levels.at(-1)!;
      return { claim, verdict: 'borne out', figures: `${counts} (at the highest, ${describe(widest)})` };
    }
    const worst = failing.reduce((a, b) => (b.otherBest - b.dpoBest > a.otherBest - a.dpoBest ? b : a));
    return { claim, verdict: 'not borne out', figures: `${counts}; the largest shortfall: ${describe(worst)}` };
  });
}
