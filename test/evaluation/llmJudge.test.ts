import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StageError } from '../../src/core/errors.ts';
import { createJudge } from '../../src/evaluation/judges/index.ts';
import { parseChoice } from '../../src/evaluation/judges/llm.ts';
import { winRateOf } from '../../src/evaluation/winRate.ts';
import { Random } from '../../src/core/random.ts';

/** A chat-completions server that prefers the continuation saying "great", and records each question. */
async function startJudgeServer(answer: (question: string) => string): Promise<{ server: Server; url: string; questions: string[]; auth: (string | undefined)[] }> {
  const questions: string[] = [];
  const auth: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end('not found');
        return;
      }
      const question = JSON.parse(body).messages[0].content as string;
      questions.push(question);
      auth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer(question) } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, questions, auth };
}

/** The letter of the continuation that says "great". */
function prefersGreat(question: string): string {
  const a = /Continuation A: (.*)/.exec(question)![1];
  return `Comparison: one is upbeat.\nPreferred: ${a.includes('great') ? 'A' : 'B'}`;
}

const comparisons = Array.from({ length: 40 }, (_, i) => ({ prompt: `review ${i}`, policy: 'a great film', baseline: 'a dull film', policyReward: 0, baselineReward: 0 }));

describe('llm judge', function () {
  this.timeout(20000);

  it('randomises the order per comparison and maps the answer back to the policy', async () => {
    const { server, url, questions, auth } = await startJudgeServer(prefersGreat);
    try {
      process.env.DPO_RUN_TEST_KEY = 'secret';
      const judge = createJudge({ kind: 'llm', base_url: url, model: 'judge-1', api_key_env: 'DPO_RUN_TEST_KEY', max_comparisons: 100, timeout_s: 5, concurrency: 3 });
      const judgements = await judge.judge(comparisons, new Random(7));
      assert.equal(winRateOf(judgements).winRate, 1, 'the policy always says "great"');
      const policyFirst = questions.filter((q) => /Continuation A: a great film/.test(q)).length;
      assert.ok(policyFirst > 5 && policyFirst < 35, `the policy came first in ${policyFirst} of 40`);
      assert.ok(questions.every((q) => /more positive/.test(q) && /Beginning: review \d+/.test(q)));
      assert.ok(auth.every((a) => a === 'Bearer secret'));
      // The same seed gives the same orders.
      const again = await startJudgeServer(prefersGreat);
      await createJudge({ kind: 'llm', base_url: again.url, model: 'judge-1', api_key_env: 'DPO_RUN_TEST_KEY', max_comparisons: 100, timeout_s: 5, concurrency: 1 }).judge(comparisons, new Random(7));
      again.server.close();
      assert.deepEqual(again.questions.map((q) => q.includes('A: a great')).sort(), questions.map((q) => q.includes('A: a great')).sort());
    } finally {
      delete process.env.DPO_RUN_TEST_KEY;
      server.close();
    }
  });

  it('fails the stage, not a silent tie, when no answer names either completion', async () => {
    const { server, url } = await startJudgeServer(() => 'I cannot decide.');
    try {
      const judge = createJudge({ kind: 'llm', base_url: url, model: 'm', api_key_env: 'UNSET_KEY_FOR_TEST', max_comparisons: 10, timeout_s: 5, concurrency: 2, prompt_template: 'Better? {a} or {b}' });
      await assert.rejects(judge.judge(comparisons.slice(0, 4), new Random(1)), (e: unknown) => e instanceof StageError && /4 of 4 answers .* named neither A nor B/.test(e.message));
    } finally {
      server.close();
    }
  });

  it('fails with a StageError naming the URL when the endpoint is unreachable', async () => {
    const { server, url } = await startJudgeServer(prefersGreat);
    await new Promise((resolve) => server.close(resolve)); // nothing listens on the port any more
    const judge = createJudge({ kind: 'llm', base_url: url, model: 'm', api_key_env: 'OPENAI_API_KEY', max_comparisons: 10, timeout_s: 5, concurrency: 1 });
    await assert.rejects(judge.judge(comparisons.slice(0, 1), new Random(1)), (e: unknown) => e instanceof StageError && e.message.includes(`${url}/chat/completions`) && /unreachable/.test(e.message));
  });

  it('reads the choice from a Preferred line or a bare letter', () => {
    assert.equal(parseChoice('Comparison: B is nicer.\nPreferred: B'), 'B');
    assert.equal(parseChoice('Preferred: "A"'), 'A');
    assert.equal(parseChoice(' a. '), 'A');
    assert.equal(parseChoice('Both are fine'), undefined);
  });

  it('rejects a template without {a} and {b}', () => {
    assert.throws(() => createJudge({ kind: 'llm', base_url: 'http://x', model: 'm', api_key_env: 'K', max_comparisons: 1, timeout_s: 1, concurrency: 1, prompt_template: 'which?' }), /\{a\} and \{b\}/);
  });
});
