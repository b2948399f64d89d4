/**
 * Byte-pair encoding training (Sennrich et al. 2016, as GPT-2's tokenizer was made): start
 * from single characters, and repeatedly merge the adjacent pair that occurs most often in
 * the counted words into a new token, until `newTokens` tokens were made or no pair is left.
 * Ties go to the pair whose left and then right token come first in code-unit order, so
 * the same counts always give the same merges, whatever the order of the words. No merge
 * makes one of the `reserved` tokens (the special tokens' spelling), so that no text can
 * encode as a special token.
 *
 * Pair counts are kept up to date incrementally (only the words holding the merged pair
 * are rewritten), and the most frequent pair is taken from a heap whose stale entries are
 * skipped: a few seconds for an IMDb-sized corpus and vocabularies of thousands.
 */

export interface BpeTraining {
  /** The merges in the order they were learnt (the BPE model's `merges`). */
  merges: [string, string][];
  /** The new tokens in the order they were made (a merge can remake an existing token). */
  tokens: string[];
}

interface HeapEntry {
  count: number;
  pair: number;
}

export function trainBpe(
  wordCounts: ReadonlyMap<string, number>,
  alphabet: readonly string[],
  newTokens: number,
  reserved: ReadonlySet<string> = new Set(),
): BpeTraining {
  const symbols = [...alphabet];
  const symbolIds = new Map(symbols.map((s, i) => [s, i]));
  const KEY = 2 ** 21; // pair key = left * KEY + right; more symbols than this would not fit a vocabulary
  const words: number[][] = [];
  const weights: number[] = [];
  for (const [word, count] of wordCounts) {
    words.push(
      Array.from(word, (character) => {
        const id = symbolIds.get(character);
        if (id === undefined) throw new Error(`trainBpe: ${JSON.stringify(character)} is not in the alphabet`);
        return id;
      }),
    );
    weights.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>(); // may list words that lost the pair since
  const addPairs = (w: number, sign: 1 | -1, deltas: Map<number, number>) => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const pair = word[i] * KEY + word[i + 1];
      deltas.set(pair, (deltas.get(pair) ?? 0) + sign * weights[w]);
      if (sign > 0) {
        let holders = pairWords.get(pair);
        if (!holders) pairWords.set(pair, (holders = new Set()));
        holders.add(w);
      }
    }
  };

  const before = (x: HeapEntry, y: HeapEntry): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    const [xl, xr] = [symbols[Math.floor(x.pair / KEY)], symbols[x.pair % KEY]];
    const [yl, yr] = [symbols[Math.floor(y.pair / KEY)], symbols[y.pair % KEY]];
    return xl !== yl ? xl < yl : xr < yr;
  };
  const heap = new Heap<HeapEntry>(before);
  const banned = new Set<number>(); // pairs that would make a reserved token
  const apply = (deltas: Map<number, number>) => {
    for (const [pair, delta] of deltas) {
      if (delta === 0) continue;
      const count = (pairCounts.get(pair) ?? 0) + delta;
      if (count > 0) pairCounts.set(pair, count);
      else pairCounts.delete(pair);
      if (delta > 0 && !banned.has(pair)) heap.push({ count, pair });
    }
  };

  const initial = new Map<number, number>();
  words.forEach((_, w) => addPairs(w, 1, initial));
  apply(initial);

  const merges: [string, string][] = [];
  const tokens: string[] = [];
  while (tokens.length < newTokens) {
    const top = heap.pop();
    if (top === undefined) break;
    const count = pairCounts.get(top.pair) ?? 0;
    if (count !== top.count) {
      if (count > 0 && count < top.count) heap.push({ count, pair: top.pair });
      continue;
    }
    const [left, right] = [Math.floor(top.pair / KEY), top.pair % KEY];
    const merged = symbols[left] + symbols[right];
    if (reserved.has(merged)) {
      banned.add(top.pair);
      continue;
    }
    let id = symbolIds.get(merged);
    if (id === undefined) {
      id = symbols.push(merged) - 1;
      symbolIds.set(merged, id);
      tokens.push(merged);
    }
    merges.push([symbols[left], symbols[right]]);

    const deltas = new Map<number, number>();
    for (const w of pairWords.get(top.pair) ?? []) {
      const word = words[w];
      if (!word.some((s, i) => s === left && word[i + 1] === right)) continue;
      addPairs(w, -1, deltas);
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === left && word[i + 1] === right) {
          next.push(id);
          i++;
        } else next.push(word[i]);
      }
      words[w] = next;
      addPairs(w, 1, deltas);
    }
    pairWords.delete(top.pair);
    apply(deltas);
  }
  return { merges, tokens };
}

/** A binary heap: `before(x, y)` puts x nearer the top. */
class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (x: T, y: T) => boolean) {}

  push(item: T): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
