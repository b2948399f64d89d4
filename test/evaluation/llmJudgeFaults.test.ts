/** The llm judge against a local server that fails: retries, timeouts, garbage, unparseable answers, Ctrl-C. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InterruptedError, StageError } from '../../src/core/errors.ts';
import { Random } from '../../src/core/random.ts';
import { redirectWarnings } from '../../src/core/warnings.ts';
import { createLlmJudge, type LlmJudgeSettings } from '../../src/evaluation/judges/llm.ts';
import { winRateOf } from '../../src/evaluation/winRate.ts';

type Handler = (n: number, res: ServerResponse, req: IncomingMessage) => void;

/** A server on 127.0.0.1 that answers request n (from 1) with `handle`; counts requests and closed connections. */
async function serve(handle: Handler): Promise<{ url: string; requests: () => number; closed: () => number; stop: () => Promise<void> }> {
  let requests = 0;
  let closed = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(++requests, res, req));
    res.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { url, requests: () => requests, closed: () => closed, stop };
}

const completion = (res: ServerResponse, content: string) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
};

const comparisons = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `review ${i}`, policy: 'a great film', baseline: 'a dull film', policyReward: 0, baselineReward: 0 }));

const settings = (url: string, extra: Partial<LlmJudgeSettings> = {}): LlmJudgeSettings => ({
  kind: 'llm', base_url: url, model: 'm', api_key_env: 'UNSET_KEY_FOR_TEST', max_comparisons: 100, timeout_s: 5, concurrency: 1, prompt_template: 'Better? A: {a} B: {b}', ...extra,
});

describe('llm judge faults', function () {
  this.timeout(20000);

  it('tries a 500 again with backoff, then fails naming the URL and the attempts', async () => {
    const server = await serve((_, res) => res.writeHead(500).end('overloaded'));
    try {
      const started = Date.now();
      await assert.rejects(createLlmJudge(settings(server.url)).judge(comparisons(1), new Random(1)), (e: unknown) => e instanceof StageError && /answered HTTP 500: overloaded \(3 attempts\)$/.test(e.message) && e.message.includes(`${server.url}/chat/completions`));
      assert.equal(server.requests(), 3);
      assert.ok(Date.now() - started >= 1400, 'waited 0.5 s, then 1 s');
      await assert.rejects(createLlmJudge(settings(server.url, { attempts: 1 })).judge(comparisons(1), new Random(1)), /HTTP 500/);
      assert.equal(server.requests(), 4);
    } finally {
      await server.stop();
    }
  });

  it('succeeds after one transient 503', async () => {
    const server = await serve((n, res, req) => (n === 1 ? res.writeHead(503).end('busy') : completion(res, 'Preferred: A')));
    try {
      const judgements = await createLlmJudge(settings(server.url)).judge(comparisons(1), new Random(1));
      assert.equal(judgements.length, 1);
      assert.equal(judgements[0].failure, undefined);
      assert.equal(server.requests(), 2);
    } finally {
      await server.stop();
    }
  });

  it('fails at once on an answer that is not a chat completion', async () => {
    const server = await serve((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>garbage</html>'));
    try {
      await assert.rejects(createLlmJudge(settings(server.url)).judge(comparisons(1), new Random(1)), (e: unknown) => e instanceof StageError && /did not answer with a chat completion: <html>garbage/.test(e.message));
      assert.equal(server.requests(), 1);
    } finally {
      await server.stop();
    }
  });

  it('says "no answer within N s", not "unreachable", when the server stalls after its headers', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices": ['); // and nothing more
    });
    try {
      await assert.rejects(createLlmJudge(settings(server.url, { timeout_s: 0.3, attempts: 2 })).judge(comparisons(1), new Random(1)), (e: unknown) => {
        assert.ok(e instanceof StageError, String(e));
        assert.match(e.message, /gave no answer within 0\.3 s \(2 attempts\)$/);
        assert.doesNotMatch(e.message, /unreachable/);
        return true;
      });
      assert.equal(server.requests(), 2);
    } finally {
      await server.stop();
    }
  });

  it('counts answers naming neither A nor B as ties with a warning, and fails past 10% of them', async () => {
    const warnings: string[] = [];
    const restore = redirectWarnings((message) => warnings.push(message));
    const server = await serve((n, res) => completion(res, n % 10 === 1 ? 'I cannot decide.' : 'Preferred: A'));
    try {
      const judgements = await createLlmJudge(settings(server.url, { concurrency: 1 })).judge(comparisons(10), new Random(1));
      assert.equal(winRateOf(judgements).failures, 1);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /1 of 10 answers of the llm judge at .* named neither A nor B; they count as ties \(the first: "I cannot decide\."\)/);
      await assert.rejects(createLlmJudge(settings(server.url, { concurrency: 1 })).judge(comparisons(9), new Random(1)), (e: unknown) => e instanceof StageError && /^1 of 9 answers .* named neither A nor B, more than the 10% allowed/.test(e.message));
    } finally {
      restore();
      await server.stop();
    }
  });

  it('cancels the requests in flight on Ctrl-C', async () => {
    const server = await serve(() => {}); // never answers
    const controller = new AbortController();
    try {
      const judging = createLlmJudge(settings(server.url, { timeout_s: 30, concurrency: 3 }), { signal: controller.signal }).judge(comparisons(6), new Random(1));
      while (server.requests() < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      controller.abort();
      await assert.rejects(judging, (e: unknown) => e instanceof InterruptedError);
      assert.ok(Date.now() - started < 1000, 'at once, not after the timeout');
      while (server.closed() < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(server.requests(), 3, 'no request after the interruption');
    } finally {
      await server.stop();
    }
  });
});
