/**
 * A benchmark case of `npm run bench`: a name, what it measures, and a run that returns
 * its figures as JSON. Cases are listed in ./index.ts.
 */
export interface BenchCase {
  name: string;
  description: string;
  run(): Promise<Record<string, unknown>>;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds taken by `fn`, `repeats` times after `warmup` untimed runs. */
export async function timeRepeats(fn: () => Promise<void> | void, repeats: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const seconds: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
