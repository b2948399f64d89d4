/**
 * Prompts for the preference stages: as in the DPO paper's IMDb task, a prefix of each
 * text of a random length (2 to 8 words by default), the rest of the text kept as the
 * dataset's own completion; or, for a text whose source gave its prompt (TL;DR, HH),
 * that prompt.
 */
import type { Random } from '../core/random.ts';
import type { PromptRecord, TextRecord } from './artifacts.ts';
import { words } from './clean.ts';
import { SPLITS, type PromptSettings } from './settings.ts';

/**
 * One prompt per text, split by split in the texts' order, up to `max_per_split` each.
 * The prefix length is uniform in [min_words, min(max_words, words - 1)], so that at
 * least one word is left to complete; texts of min_words words or fewer give none.
 * Each split draws from its own fork of `random`, so one split's cap leaves the other's
 * prompts unchanged.
 */
export function makePrompts(texts: TextRecord[], settings: PromptSettings, random: Random): PromptRecord[] {
  const prompts: PromptRecord[] = [];
  for (const split of SPLITS) {
    const r = random.fork();
    let count = 0;
    for (const t of texts) {
      if (t.split !== split) continue;
      if (settings.max_per_split !== null && count >= settings.max_per_split) break;
      if (t.prompt !== undefined) {
        // The source's own prompt (a TL;DR post, an HH conversation): the rest is its completion.
        prompts.push(withLabel({ prompt: t.prompt, completion: t.text.slice(t.prompt.length), split }, t));
        count++;
        continue;
      }
      const w = words(t.text, settings.max_words + 1); // enough to know whether a word is left after max_words
      const longest = Math.min(settings.max_words, w.length - 1);
      if (longest < settings.min_words) continue;
      const n = settings.min_words + r.int(longest - settings.min_words + 1);
      const prefix = w.slice(0, n).join(' ');
      prompts.push(withLabel({ prompt: prefix, completion: t.text.slice(prefix.length), split }, t));
      count++;
    }
  }
  return prompts;
}

function withLabel(prompt: PromptRecord, t: TextRecord): PromptRecord {
  if (t.label !== undefined) prompt.label = t.label;
  return prompt;
}
