/**
 * Degeneration beside the reward: a policy can raise a reward by writing less (stopping
 * after a word) or by repeating itself, and the frontier alone would count that as a
 * gain. Each point is set against the SFT policy at the same temperature: its mean
 * completion length and its distinct-2 relative to SFT's, and the share of prompts whose
 * samples were all identical. A point "collapsed" when its reward is above SFT's and its
 * length or its distinct-2 is under COLLAPSE_RATIO of SFT's.
 */
import type { FrontierRow } from '../evaluation/frontierTable.ts';

/** Length or distinct-2 under this share of SFT's, at the same temperature, is a collapse. */
export const COLLAPSE_RATIO = 0.5;

export interface Degeneration {
  row: FrontierRow;
  /** The SFT point it is set against; undefined when the frontier has none at its temperature. */
  sft: FrontierRow | undefined;
  /** length_mean / SFT's; null without an SFT point (or when SFT's is 0). */
  lengthRatio: number | null;
  distinct2Ratio: number | null;
  /** reward_mean - SFT's. */
  rewardGain: number | null;
  collapsed: boolean;
}

/** The SFT point for `row`: the final SFT model at the same temperature, of the same run when runs are merged (`run/` prefixes). */
export function sftPointFor(rows: readonly FrontierRow[], row: FrontierRow): FrontierRow | undefined {
  const candidates = rows.filter((r) => r.method === 'sft' && r.checkpoint_step === null && r.temperature === row.temperature);
  const run = runOf(row.instance);
  return candidates.find((r) => runOf(r.instance) === run) ?? candidates[0];
}

export function degenerationOf(rows: readonly FrontierRow[]): Degeneration[] {
  return rows.map((row) => {
    const sft = sftPointFor(rows, row);
    const ratio = (value: number, base: number | undefined) => (base === undefined || !(base > 0) || !Number.isFinite(value) ? null : value / base);
    const lengthRatio = ratio(row.length_mean, sft?.length_mean);
    const distinct2Ratio = ratio(row.distinct_2, sft?.distinct_2);
    const rewardGain = sft ? row.reward_mean - sft.reward_mean : null;
    const collapsed = rewardGain !== null && rewardGain > 0 && [lengthRatio, distinct2Ratio].some((r) => r !== null && r < COLLAPSE_RATIO);
    return { row, sft, lengthRatio, distinct2Ratio, rewardGain, collapsed };
  });
}

/** The run prefix of a merged sweep report's name (`seed=1/dpo` -> `seed=1`), or '' in a single run. */
function runOf(instance: string): string {
  const slash = instance.indexOf('/');
  return slash < 0 ? '' : instance.slice(0, slash);
}
