/**
 * The figures that sum up a finished stage instance, for `dpo-run runs` and `compare`:
 * a training stage's final figures (its training summary: eval loss, eval accuracy, ...)
 * and an evaluate stage's mean reward and KL of each final policy. A run's headline is one
 * of them: the best mean reward its last evaluation found, else the last training stage's
 * first held-out figure.
 */
import { existsSync } from 'node:fs';

import { readFrontier } from '../evaluation/frontierTable.ts';
import { isTrainingKind, readStageSummary } from './trainingSummary.ts';

export interface Headline {
  /** The instance id (`dpo[beta=0.1]`). */
  instance: string;
  /** `eval loss`, or for an evaluation `reward dpo[beta=0.1]`. */
  name: string;
  value: number;
}

export async function instanceHeadlines(id: string, kind: string, dir: string): Promise<Headline[]> {
  if (!existsSync(dir)) return [];
  if (kind === 'evaluate') {
    const rows = (await readFrontier(dir).catch(() => [])).filter((row) => row.checkpoint_step === null);
    const temperatures = new Set(rows.map((row) => row.temperature));
    const at = (row: { temperature: number }) => (temperatures.size > 1 ? ` T=${row.temperature}` : '');
    return rows.flatMap((row) => [
      { instance: id, name: `reward ${row.policy}${at(row)}`, value: row.reward_mean },
      { instance: id, name: `KL ${row.policy}${at(row)}`, value: row.kl_mean },
    ]);
  }
  if (!isTrainingKind(kind)) return [];
  const summary = await readStageSummary(id, kind, dir).catch(() => undefined);
  return Object.entries(summary?.metrics ?? {}).map(([name, value]) => ({ instance: id, name, value }));
}

/** The one figure of a run (headlines in plan order): the best reward of its last evaluation, else its last training stage's first held-out figure. */
export function runHeadline(headlines: Headline[]): Headline | undefined {
  const rewards = headlines.filter((h) => h.name.startsWith('reward '));
  if (rewards.length > 0) {
    const last = rewards.filter((h) => h.instance === rewards.at(-1)!.instance);
    return last.reduce((best, h) => (h.value > best.value ? h : best));
  }
  const lastInstance = headlines.at(-1)?.instance;
  const figures = headlines.filter((h) => h.instance === lastInstance);
  return figures.find((h) => h.name.startsWith('eval ')) ?? figures[0];
}

/** `0.8312`, `4.806`, `122.2`: four significant digits. */
export function formatFigure(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

