/**
 * The paper's claims across the runs of a command-line sweep (`--sweep seed=0,1,2`): each
 * claim checked on each run's own frontier (./againstPaper.ts), then counted, "borne out in
 * 2 of 3 runs"; and each method's envelope (./envelope.ts) at a few KL levels, as its mean
 * over the runs with the lowest and highest run, so that the spread across seeds shows.
 *
 * The overall verdict: "borne out" when the claim holds in every run where it could be
 * measured, "not borne out" when it holds in none, "mixed" otherwise; runs where it could
 * not be measured are left out of the count and named.
 */
import type { FrontierRow } from '../evaluation/frontierTable.ts';
import { checkAgainstPaper, checkTemperature, pointsOf, type Verdict } from './againstPaper.ts';
import { envelopeAt, upperEnvelope } from './envelope.ts';

export interface SweepRun {
  /** The run's name in the sweep (`seed=1`). */
  name: string;
  frontier: FrontierRow[];
}

export interface SweepClaim {
  claim: string;
  /** Runs where the claim holds, and runs where it could be measured. */
  held: number;
  measured: number;
  verdict: 'borne out' | 'not borne out' | 'mixed' | 'not measured';
  perRun: { run: string; verdict: Verdict }[];
}

export function sweepClaims(runs: readonly SweepRun[], temperature?: number): SweepClaim[] {
  const checks = runs.map((run) => checkAgainstPaper(run.frontier, checkTemperature(run.frontier, temperature)));
  if (checks.length === 0) return [];
  return checks[0].map(({ claim }, i) => {
    const perRun = runs.map((run, r) => ({ run: run.name, verdict: checks[r][i].verdict }));
    const measured = perRun.filter((p) => p.verdict !== 'not measured').length;
    const held = perRun.filter((p) => p.verdict === 'borne out').length;
    const verdict = measured === 0 ? 'not measured' : held === measured ? 'borne out' : held === 0 ? 'not borne out' : 'mixed';
    return { claim, held, measured, verdict, perRun };
  });
}

/** "borne out in 2 of 3 runs" (and the runs where it could not be measured). */
export function describeSweepClaim(claim: SweepClaim, runs: number): string {
  const unmeasured = claim.perRun.filter((p) => p.verdict === 'not measured').map((p) => p.run);
  const count = claim.measured === 0 ? `measured in none of ${runs} runs` : `borne out in ${claim.held} of ${claim.measured} runs`;
  return unmeasured.length > 0 && claim.measured > 0 ? `${count} (not measured in ${unmeasured.join(', ')})` : count;
}

export interface EnvelopeSpread {
  method: string;
  /** The KL level k of best(k). */
  kl: number;
  /** best(k) over the runs that have a point at or below k: mean, lowest, highest, how many. */
  mean: number;
  min: number;
  max: number;
  runs: number;
}

/**
 * Each method's envelope at `levels` KL values spread over the range every run covers
 * (from the largest of the runs' smallest KL to the smallest of their largest), per run,
 * summarised across runs.
 */
export function envelopeSpread(runs: readonly SweepRun[], temperature: number, levels = 4): EnvelopeSpread[] {
  const methods = [...new Set(runs.flatMap((r) => r.frontier.map((row) => row.method)))];
  return methods.flatMap((method) => {
    const fronts = runs.map((run) => upperEnvelope(pointsOf(run.frontier, method, temperature))).filter((f) => f.length > 0);
    if (fronts.length === 0) return [];
    const low = Math.max(...fronts.map((f) => f[0].kl));
    const high = Math.min(...fronts.map((f) => f[f.length - 1].kl));
    const ks = high > low ? Array.from({ length: levels }, (_, i) => low + ((high - low) * i) / (levels - 1)) : [Math.max(low, high)];
    return ks.map((kl) => {
      const values = fronts.map((f) => envelopeAt(f, kl)).filter((v): v is number => v !== undefined);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return { method, kl, mean, min: Math.min(...values), max: Math.max(...values), runs: values.length };
    });
  });
}
