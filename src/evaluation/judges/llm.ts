/**
 * The `llm` judge: asks an OpenAI-compatible chat-completions endpoint which of two
 * completions is better (by default: more positive), as the DPO paper asks GPT-4. The
 * order of the two is drawn at random for each comparison, so that a judge's preference
 * for the first (or second) position cannot favour either side; the answer (`A` or `B`)
 * is mapped back to the policy or the baseline.
 */
import { StageError, UserError } from '../../core/errors.ts';
import type { Random } from '../../core/random.ts';
import type { Comparison, Judge, Judgement } from './types.ts';

export interface LlmJudgeSettings {
  kind: 'llm';
  /** The API's base URL; the request goes to `${base_url}/chat/completions`. */
  base_url: string;
  model: string;
  /** The environment variable holding the API key (sent as a Bearer token when set). */
  api_key_env: string;
  /** The question, with {prompt}, {a} and {b} standing for the prompt and the two completions (default DEFAULT_LLM_TEMPLATE). */
  prompt_template?: string;
  max_comparisons: number;
  timeout_s: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export const DEFAULT_LLM_TEMPLATE = `Which of the following two continuations of the beginning of a movie review is more positive?

Beginning: {prompt}

Continuation A: {a}

Continuation B: {b}

FIRST provide a one-sentence comparison of the two continuations, explaining which is more positive and why. SECOND, on a new line, state only "A" or "B" to indicate your choice. Your response should use the format:
Comparison: <one-sentence comparison and explanation>
Preferred: <"A" or "B">`;

/** The question for one ordered comparison: the template with {prompt}, {a}, {b} filled in. */
export function judgePrompt(template: string, prompt: string, a: string, b: string): string {
  return template.replace(/\{(prompt|a|b)\}/g, (_, key: string) => (key === 'prompt' ? prompt : key === 'a' ? a : b));
}

/**
 * The judge's choice: the last `Preferred: A|B` line, or an answer that is only the
 * letter (`A`, `"B".`); undefined when it names neither.
 */
export function parseChoice(answer: string): 'A' | 'B' | undefined {
  const preferred = [...answer.matchAll(/preferred\s*:\s*["'<*]*\s*([AB])\b/gi)].at(-1);
  if (preferred) return preferred[1].toUpperCase() as 'A' | 'B';
  const bare = /^\s*["'*(]*([AB])["'*).]*\s*$/i.exec(answer);
  return bare ? (bare[1].toUpperCase() as 'A' | 'B') : undefined;
}

export function createLlmJudge(settings: LlmJudgeSettings): Judge {
  const template = settings.prompt_template ?? DEFAULT_LLM_TEMPLATE;
  if (!template.includes('{a}') || !template.includes('{b}')) {
    throw new UserError('win_rate.judge.prompt_template must contain {a} and {b} (and usually {prompt})', 'they stand for the two completions and the prompt');
  }
  const url = `${settings.base_url.replace(/\/+$/, '')}/chat/completions`;
  const apiKey = process.env[settings.api_key_env];

  async function ask(question: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ model: settings.model, messages: [{ role: 'user', content: question }], temperature: 0 }),
        signal: AbortSignal.timeout(settings.timeout_s * 1000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${settings.timeout_s}s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new StageError(`the llm judge at ${url} is unreachable (${why})`, 'start the server or correct win_rate.judge.base_url');
    }
    const body = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new StageError(`the llm judge at ${url} refused the request (HTTP ${response.status})`, `set ${settings.api_key_env} to a valid API key`);
    }
    if (!response.ok) throw new StageError(`the llm judge at ${url} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
    let content: unknown;
    try {
      content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    } catch {
      content = undefined;
    }
    if (typeof content !== 'string') throw new StageError(`the llm judge at ${url} did not answer with a chat completion: ${body.slice(0, 200)}`);
    return content;
  }

  return {
    kind: 'llm',
    description: `${settings.model} at ${url}, order of the two completions randomised per comparison`,
    maxComparisons: settings.max_comparisons,
    async judge(comparisons: readonly Comparison[], random: Random): Promise<Judgement[]> {
      // The orders are drawn first, in comparison order, so that they do not depend on answer timing.
      const policyFirst = comparisons.map(() => random.next() < 0.5);
      const judgements: Judgement[] = new Array(comparisons.length);
      let next = 0;
      const worker = async () => {
        while (next < comparisons.length) {
          const i = next++;
          const { prompt, policy, baseline } = comparisons[i];
          const [a, b] = policyFirst[i] ? [policy, baseline] : [baseline, policy];
          const answer = await ask(judgePrompt(template, prompt, a, b));
          const choice = parseChoice(answer);
          if (choice === undefined) judgements[i] = { verdict: 0.5, failure: answer.slice(0, 200) };
          else judgements[i] = { verdict: (choice === 'A') === policyFirst[i] ? 1 : 0 };
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, worker));
      return judgements;
    },
  };
}
