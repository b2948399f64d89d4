/**
 * The run's progress as a whole: which instance of how many is starting ("stage 7 of 18"),
 * and, once an instance of every kind still to run has run, an estimate of the time left:
 * the mean time of each kind in this run, summed over the instances still to run (cached
 * ones take no time).
 */
import { formatDuration } from '../core/duration.ts';
import type { ScheduledInstance } from './schedule.ts';

export class RunProgress {
  private readonly order: ScheduledInstance[];
  private readonly seconds = new Map<string, number[]>();

  constructor(scheduled: ScheduledInstance[]) {
    this.order = scheduled.filter((s) => s.selected);
  }

  /** `stage 7 of 18; about 4m10s left` (the estimate only when it can be made). */
  starting(s: ScheduledInstance): string {
    const index = this.order.indexOf(s);
    const left = this.secondsLeft(index);
    return `stage ${index + 1} of ${this.order.length}${left === undefined ? '' : `; about ${formatDuration(left)} left in the run`}`;
  }

  /** Records how long an instance that ran took. */
  finished(s: ScheduledInstance, seconds: number): void {
    this.seconds.set(s.instance.kind, [...(this.seconds.get(s.instance.kind) ?? []), seconds]);
  }

  /** The estimated seconds for the instances from `index` on that will run, or undefined while a kind among them has not run yet. */
  private secondsLeft(index: number): number | undefined {
    let total = 0;
    for (const s of this.order.slice(index)) {
      if (s.cached && !s.forced && s.damage.length === 0) continue;
      const times = this.seconds.get(s.instance.kind);
      if (!times) return undefined;
      total += times.reduce((a, b) => a + b, 0) / times.length;
    }
    return total;
  }
}
