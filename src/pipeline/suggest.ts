/**
 * "Did you mean" for a misspelt key, stage name or enum value.
 */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `word` by edit distance (two neighbouring letters swapped
 * count as one edit: `dop` is one from `dpo`), when it is close enough to be a plausible
 * typo (at most a third of the word's length, and at least 1), else undefined.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = swapped(word.toLowerCase(), candidate.toLowerCase()) ? 1 : distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Whether `a` becomes `b` by swapping two neighbouring letters. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const i = [...a].findIndex((c, k) => c !== b[k]);
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
