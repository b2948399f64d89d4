/**
 * The `llm` judge: asks an OpenAI-compatible chat-completions endpoint which of two
 * completions is better, as the DPO paper asks GPT-4 (the question: a named template of
 * ./llmTemplates.ts, the paper's own `tldr` and `hh` among them, or one of the user's).
 * The order of the two is drawn at random for each comparison, so that a judge's preference
 * for the first (or second) position cannot favour either side; the answer (`A` or `B`)
 * is mapped back to the policy or the baseline.
 *
 * A failure that may pass (HTTP 5xx or 429, no answer within timeout_s, a dropped
 * connection) is tried again, `attempts` times in all, with exponential backoff. An
 * answer naming neither A nor B counts as a tie and is warned about; more than
 * MAX_UNPARSEABLE_SHARE of them fails the stage, since the win rate would then mostly
 * be ties. Ctrl-C (the run's signal) cancels the requests in flight.
 */
import { InterruptedError, StageError, UserError } from '../../core/errors.ts';
import type { Random } from '../../core/random.ts';
import { runSignal } from '../../core/runSignal.ts';
import { warn } from '../../core/warnings.ts';
import { LLM_TEMPLATES, resolveTemplate } from './llmTemplates.ts';
import type { Comparison, Judge, Judgement } from './types.ts';

export interface LlmJudgeSettings {
  kind: 'llm';
  /** The API's base URL; the request goes to `${base_url}/chat/completions`. */
  base_url: string;
  model: string;
  /** The environment variable holding the API key (sent as a Bearer token when set). */
  api_key_env: string;
  /** A named question of LLM_TEMPLATES (positive, tldr, hh), or one with {prompt}, {a} and {b} standing for the prompt and the two completions (default: positive). */
  prompt_template?: string;
  max_comparisons: number;
  timeout_s: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Tries per comparison for a failure that may pass (default DEFAULT_ATTEMPTS). */
  attempts?: number;
}

export const DEFAULT_ATTEMPTS = 3;
/** The wait before the second try; it doubles before each further one. */
export const RETRY_BASE_MS = 500;
/** The most answers naming neither A nor B, as a share of the comparisons, before the stage fails. */
export const MAX_UNPARSEABLE_SHARE = 0.1;

/** The question for one ordered comparison: the template with {prompt}, {a}, {b} filled in. */
export function judgePrompt(template: string, prompt: string, a: string, b: string): string {
  return template.replace(/\{(prompt|a|b)\}/g, (_, key: string) => (key === 'prompt' ? prompt : key === 'a' ? a : b));
}

/**
 * The judge's choice: the last `Preferred: A|B` or `More helpful: A|B` line (the paper's
 * summarization and dialogue formats), or an answer that is only the letter (`A`,
 * `"B".`); undefined when it names neither.
 */
export function parseChoice(answer: string): 'A' | 'B' | undefined {
  const preferred = [...answer.matchAll(/(?:preferred|more helpful)\s*:\s*["'<*]*\s*([AB])\b/gi)].at(-1);
  if (preferred) return preferred[1].toUpperCase() as 'A' | 'B';
  const bare = /^\s*["'*(]*([AB])["'*).]*\s*$/i.exec(answer);
  return bare ? (bare[1].toUpperCase() as 'A' | 'B') : undefined;
}

/** A failed request: `transient` when trying again may help. */
class RequestFailure extends Error {
  constructor(message: string, readonly transient: boolean, readonly hint?: string) {
    super(message);
  }
}

export function createLlmJudge(settings: LlmJudgeSettings, options: { signal?: AbortSignal } = {}): Judge {
  const template = resolveTemplate(settings.prompt_template);
  if (!template.includes('{a}') || !template.includes('{b}')) {
    throw new UserError(
      'win_rate.judge.prompt_template must name a template or contain {a} and {b} (and usually {prompt})',
      `name one of ${Object.keys(LLM_TEMPLATES).join(', ')}, or write a question where {a} and {b} stand for the two completions and {prompt} for the prompt`,
    );
  }
  const url = `${settings.base_url.replace(/\/+$/, '')}/chat/completions`;
  const apiKey = process.env[settings.api_key_env];
  const attempts = Math.max(1, settings.attempts ?? DEFAULT_ATTEMPTS);

  /** One request: the answer's text, or a RequestFailure (an InterruptedError when `cancel` aborts). */
  async function request(question: string, cancel: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(settings.timeout_s * 1000);
    const signal = AbortSignal.any([cancel, timeout]);
    let status: number;
    let body: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ model: settings.model, messages: [{ role: 'user', content: question }], temperature: 0 }),
        signal,
      });
      status = response.status;
      body = await response.text(); // under the same signals: a server that stalls after its headers times out too
    } catch (error) {
      if (cancel.aborted) throw new InterruptedError();
      if (timeout.aborted) throw new RequestFailure(`gave no answer within ${settings.timeout_s} s`, true, 'raise win_rate.judge.timeout_s, or check the server');
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code ?? cause?.message ?? (error as Error).message;
      const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ERR_INVALID_URL/.test(code);
      throw new RequestFailure(refused ? `is unreachable (${code})` : `dropped the connection (${code})`, !refused, 'start the server or correct win_rate.judge.base_url');
    }
    if (status === 401 || status === 403) throw new RequestFailure(`refused the request (HTTP ${status})`, false, `set ${settings.api_key_env} to a valid API key`);
    if (status >= 500 || status === 429) throw new RequestFailure(`answered HTTP ${status}: ${body.slice(0, 200)}`, true);
    if (status < 200 || status >= 300) throw new RequestFailure(`answered HTTP ${status}: ${body.slice(0, 200)}`, false);
    let content: unknown;
    try {
      content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    } catch {
      content = undefined;
    }
    if (typeof content !== 'string') throw new RequestFailure(`did not answer with a chat completion: ${body.slice(0, 200)}`, false);
    return content;
  }

  /** request(), tried again after a transient failure, waiting RETRY_BASE_MS, then twice as long each time. */
  async function ask(question: string, cancel: AbortSignal): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(question, cancel);
      } catch (error) {
        if (!(error instanceof RequestFailure)) throw error;
        if (!error.transient || attempt >= attempts) {
          const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
          throw new StageError(`the llm judge at ${url} ${error.message}${tries}`, error.hint);
        }
        await sleep(RETRY_BASE_MS * 2 ** (attempt - 1), cancel);
      }
    }
  }

  return {
    kind: 'llm',
    description: `${settings.model} at ${url}, order of the two completions randomised per comparison`,
    maxComparisons: settings.max_comparisons,
    async judge(comparisons: readonly Comparison[], random: Random): Promise<Judgement[]> {
      // The orders are drawn first, in comparison order, so that they do not depend on answer timing.
      const policyFirst = comparisons.map(() => random.next() < 0.5);
      const judgements: Judgement[] = new Array(comparisons.length);
      // A failed comparison stops the others' requests; so does the run's interruption.
      const interrupted = options.signal ?? runSignal();
      const stop = new AbortController();
      const cancel = AbortSignal.any([stop.signal, interrupted]);
      let next = 0;
      const worker = async () => {
        while (next < comparisons.length && !cancel.aborted) {
          const i = next++;
          const { prompt, policy, baseline } = comparisons[i];
          const [a, b] = policyFirst[i] ? [policy, baseline] : [baseline, policy];
          const answer = await ask(judgePrompt(template, prompt, a, b), cancel);
          const choice = parseChoice(answer);
          if (choice === undefined) judgements[i] = { verdict: 0.5, failure: answer.slice(0, 200) };
          else judgements[i] = { verdict: (choice === 'A') === policyFirst[i] ? 1 : 0 };
        }
      };
      const workers = Array.from({ length: Math.max(1, settings.concurrency) }, () => worker().catch((error) => (stop.abort(), Promise.reject(error))));
      const errors = (await Promise.allSettled(workers)).flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      const cause = errors.find((e) => !(e instanceof InterruptedError)) ?? errors[0];
      if (cause) throw cause;
      if (interrupted.aborted) throw new InterruptedError();
      checkUnparseable(judgements);
      return judgements;
    },
  };

  /** Warns about answers naming neither A nor B; fails past MAX_UNPARSEABLE_SHARE of them. */
  function checkUnparseable(judgements: readonly Judgement[]): void {
    const unparseable = judgements.filter((j) => j.failure !== undefined);
    if (unparseable.length === 0) return;
    const share = `${unparseable.length} of ${judgements.length} answers of the llm judge at ${url} named neither A nor B`;
    const first = JSON.stringify(unparseable[0].failure);
    if (unparseable.length > MAX_UNPARSEABLE_SHARE * judgements.length) {
      throw new StageError(
        `${share}, more than the ${MAX_UNPARSEABLE_SHARE * 100}% allowed (the first: ${first})`,
        'make win_rate.judge.prompt_template ask for a last line "Preferred: A" or "Preferred: B" (or "More helpful: ..."), or use a model that follows it',
      );
    }
    warn(`${share}; they count as ties (the first: ${first})`);
  }
}

/** Waits `ms`, or throws an InterruptedError as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
