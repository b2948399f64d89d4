/**
 * The upper envelope of a method's frontier points (its Pareto front): for a KL level k,
 * best(k) = max { reward : (kl, reward) a point of the method, kl <= k }, a step function
 * of k that rises only at the points no other point of the method dominates (lower or
 * equal KL with at least the reward). The plot draws it; the paper checks compare it.
 */

export interface FrontierPoint {
  kl: number;
  reward: number;
}

/** The points where best(k) rises, by increasing KL: the Pareto front. Points without a finite KL or reward are left out. */
export function upperEnvelope(points: readonly FrontierPoint[]): FrontierPoint[] {
  const sorted = points.filter((p) => Number.isFinite(p.kl) && Number.isFinite(p.reward)).sort((a, b) => a.kl - b.kl || b.reward - a.reward);
  const front: FrontierPoint[] = [];
  for (const p of sorted) if (front.length === 0 || p.reward > front[front.length - 1].reward) front.push({ kl: p.kl, reward: p.reward });
  return front;
}

/** best(k) from an envelope (upperEnvelope's output); undefined below its lowest KL. */
export function envelopeAt(envelope: readonly FrontierPoint[], kl: number): number | undefined {
  let best: number | undefined;
  for (const p of envelope) {
    if (p.kl > kl) break;
    best = p.reward;
  }
  return best;
}
