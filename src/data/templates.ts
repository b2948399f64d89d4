/**
 * The prompt templates of the DPO paper's summarization and dialogue tasks, and filling one from
 * a row's fields.
 *
 *   TL;DR summarization (Reddit TL;DR, Stiennon et al., 2020): the post's subreddit,
 *   title and text, then "TL;DR:", which the summary completes.
 *   CNN/DailyMail (the out-of-distribution test): the news article, then "TL;DR:".
 *   Anthropic HH: the conversation itself, "\n\nHuman: ...\n\nAssistant: ...", cut after
 *   its last "\n\nAssistant:" (src/preferences/source.ts splitConversation).
 */
import { StageError } from '../core/errors.ts';
import type { Split } from './settings.ts';

export const TLDR_TEMPLATE = 'SUBREDDIT: r/{subreddit}\nTITLE: {title}\nPOST: {post}\nTL;DR:';

/**
 * The CNN/DailyMail prompt of the DPO paper's out-of-distribution test (Table 1: policies
 * trained on TL;DR summarise news articles). Neither the paper nor its reference code
 * gives the policy's prompt for these articles; the paper only says that GPT-4 judged them
 * with the TL;DR question, "forum post" read "news article". So the TL;DR template is
 * kept as far as the data allows: an article has no subreddit and no title, its text
 * takes the post's place labelled ARTICLE as the post is labelled POST, and "\nTL;DR:"
 * stays, the cue that a TL;DR-trained policy answers with a summary.
 */
export const CNN_DAILYMAIL_TEMPLATE = 'ARTICLE: {article}\nTL;DR:';

/**
 * `template` with each `{name}` replaced by the string `fields[name]`; a placeholder whose
 * field is missing or not a string is a StageError naming `where` (`path:line`).
 */
export function fillTemplate(template: string, fields: Record<string, unknown>, where: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = fields[name];
    if (typeof value !== 'string') throw new StageError(`${where}: "${name}" is ${value === undefined ? 'missing' : `not a string (${JSON.stringify(value)})`}`, 'the template names it');
    return value.trim();
  });
}

/** A completion that follows its prompt after one space, as the published files write it (" I ..."), unless it starts with whitespace already. */
export function spaced(completion: string): string {
  return /^\s/.test(completion) ? completion : ` ${completion}`;
}

/** Where an Anthropic HH conversation's last assistant turn begins. */
export const HH_ASSISTANT = '\n\nAssistant:';

/**
 * An HH-RLHF conversation split at its last assistant turn: the prompt up to and including
 * the last "\n\nAssistant:" (extract_anthropic_prompt of the DPO reference implementation)
 * and the response after it.
 */
export function splitConversation(text: string, name: string, where: string): { prompt: string; response: string } {
  const at = text.lastIndexOf(HH_ASSISTANT);
  if (at < 0) throw new StageError(`${where}: "${name}" has no "${HH_ASSISTANT.trim()}" turn`);
  const prompt = text.slice(0, at + HH_ASSISTANT.length);
  const response = text.slice(at + HH_ASSISTANT.length);
  if (response.trim() === '') throw new StageError(`${where}: "${name}" has an empty last assistant turn`);
  return { prompt, response };
}


/** The published splits: train; valid, valid1, valid2 and test are held out. */
export function publishedSplit(value: unknown, where: string): Split | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'train') return 'train';
  if (typeof value === 'string' && /^(valid\d*|validation|test)$/.test(value)) return 'test';
  throw new StageError(`${where}: "split" must be train, valid, valid1, valid2 or test, got ${JSON.stringify(value)}`);
}
