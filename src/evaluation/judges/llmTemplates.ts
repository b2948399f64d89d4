/**
 * The llm judge's named questions: `win_rate.judge.prompt_template` is one of these
 * names, or a question of its own with {prompt}, {a} and {b}.
 *
 * `tldr` and `hh` are the DPO paper's GPT-4 prompts word for word (Rafailov et al., 2023,
 * Appendix C.2, the concise summarization prompt and the dialogue prompt; `tldr_simple` is
 * its simpler summarization prompt, without the demand for concision); `positive` asks, in the same
 * format, which continuation of a movie review is more positive (the IMDb task). {prompt}
 * is the whole prompt as the policies saw it (for TL;DR the SUBREDDIT/TITLE/POST text up to
 * `TL;DR:`, for HH the conversation up to the last `Assistant:`), {a} and {b} the two
 * completions in the order drawn for the comparison. The answer's last line names the
 * choice: `Preferred: A` (`positive`, `tldr`) or `More helpful: A` (`hh`).
 */

export const POSITIVE_TEMPLATE = `Which of the following two continuations of the beginning of a movie review is more positive?

Beginning: {prompt}

Continuation A: {a}

Continuation B: {b}

FIRST provide a one-sentence comparison of the two continuations, explaining which is more positive and why. SECOND, on a new line, state only "A" or "B" to indicate your choice. Your response should use the format:
Comparison: <one-sentence comparison and explanation>
Preferred: <"A" or "B">`;

/** The paper's concise summarization prompt, GPT-4 (C) of Appendix C.2 and Table 2: the one behind its TL;DR win rates. */
export const TLDR_TEMPLATE = `Which of the following summaries does a better job of summarizing the most important points in the given forum post, without including unimportant or irrelevant details? A good summary is both precise and concise.

Post:
{prompt}

Summary A:
{a}

Summary B:
{b}

FIRST provide a one-sentence comparison of the two summaries, explaining which you prefer and why. SECOND, on a new line, state only "A" or "B" to indicate your choice. Your response should use the format:
Comparison: <one-sentence comparison and explanation>
Preferred: <"A" or "B">`;

/** The paper's simple summarization prompt, GPT-4 (S) of Appendix C.2 and Table 2, which it found to prefer longer summaries. */
export const TLDR_SIMPLE_TEMPLATE = TLDR_TEMPLATE.replace(
  ', without including unimportant or irrelevant details? A good summary is both precise and concise.',
  '?',
);

/** The paper's dialogue prompt (Appendix C.2). */
export const HH_TEMPLATE = `For the following query to a chatbot, which response is more helpful?

Query: {prompt}

Response A:
{a}

Response B:
{b}

FIRST provide a one-sentence comparison of the two responses and explain which you feel is more helpful. SECOND, on a new line, state only "A" or "B" to indicate which response is more helpful. Your response should use the format:
Comparison: <one-sentence comparison and explanation>
More helpful: <"A" or "B">`;

/** The named templates: the only list of them. */
export const LLM_TEMPLATES: Readonly<Record<string, string>> = {
  positive: POSITIVE_TEMPLATE,
  tldr: TLDR_TEMPLATE,
  tldr_simple: TLDR_SIMPLE_TEMPLATE,
  hh: HH_TEMPLATE,
};

/** The question template that `prompt_template` names, or the setting itself when it names none. */
export function resolveTemplate(setting: string | undefined): string {
  if (setting === undefined) return POSITIVE_TEMPLATE;
  return Object.hasOwn(LLM_TEMPLATES, setting) ? LLM_TEMPLATES[setting] : setting;
}
