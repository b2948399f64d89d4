import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../src/core/errors.ts';
import { Random } from '../../src/core/random.ts';
import { createJudge } from '../../src/evaluation/judges/index.ts';
import { parseChoice } from '../../src/evaluation/judges/llm.ts';
import { HH_TEMPLATE, TLDR_SIMPLE_TEMPLATE, TLDR_TEMPLATE } from '../../src/evaluation/judges/llmTemplates.ts';

/** A chat-completions server that answers each question with `answer(question)`, and records the questions. */
async function startJudgeServer(answer: (question: string) => string): Promise<{ server: Server; url: string; questions: string[] }> {
  const questions: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const question = JSON.parse(body).messages[0].content as string;
      questions.push(question);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer(question) } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, questions };
}

/** The text between `start` and the next blank line (or the end) of a question. */
function section(question: string, start: string): string {
  const from = question.indexOf(start);
  assert.ok(from >= 0, `no ${JSON.stringify(start)} in ${JSON.stringify(question)}`);
  return question.slice(from + start.length).split('\n\n')[0];
}

const settings = { kind: 'llm', model: 'gpt-4', api_key_env: 'UNSET_KEY_FOR_TEST', max_comparisons: 100, timeout_s: 5, concurrency: 2 };

describe('the llm judge with the paper\'s GPT-4 prompts', function () {
  this.timeout(20000);

  it('asks the summarization question with the post and both summaries, in the order drawn, and maps "Preferred" back', async () => {
    const posts = Array.from({ length: 30 }, (_, i) => `SUBREDDIT: r/test\nTITLE: post ${i}\nPOST: my story number ${i}\nTL;DR:`);
    const comparisons = posts.map((prompt, i) => ({ prompt, policy: ` short summary ${i}`, baseline: ` rambling summary ${i}`, policyReward: 0, baselineReward: 0 }));
    // The judge prefers the short summary in the first half of the posts, the rambling one after.
    const { server, url, questions } = await startJudgeServer((q) => {
      const i = Number(/post (\d+)/.exec(q)![1]);
      const a = section(q, 'Summary A:\n');
      const wanted = i < 15 ? 'short' : 'rambling';
      return `Comparison: one is better.\nPreferred: ${a.includes(wanted) ? 'A' : 'B'}`;
    });
    try {
      const judgements = await createJudge({ ...settings, base_url: url, prompt_template: 'tldr' }).judge(comparisons, new Random(3));
      assert.deepEqual(judgements.map((j) => j.verdict), posts.map((_, i) => (i < 15 ? 1 : 0)));
      const policyFirst = new Random(3);
      for (const q of questions) {
        assert.ok(q.startsWith('Which of the following summaries does a better job of summarizing the most important points in the given forum post'));
        const i = Number(/post (\d+)/.exec(q)![1]);
        assert.equal(section(q, 'Post:\n'), posts[i]);
        assert.deepEqual(new Set([section(q, 'Summary A:\n'), section(q, 'Summary B:\n')]), new Set([comparisons[i].policy, comparisons[i].baseline]));
      }
      // The order of each comparison is the seeded draw, made in comparison order.
      const firsts = comparisons.map(() => policyFirst.next() < 0.5);
      for (const q of questions) {
        const i = Number(/post (\d+)/.exec(q)![1]);
        assert.equal(section(q, 'Summary A:\n'), firsts[i] ? comparisons[i].policy : comparisons[i].baseline);
      }
      assert.ok(firsts.some((f) => f) && firsts.some((f) => !f));
    } finally {
      server.close();
    }
  });

  it('asks the dialogue question with the query and both responses, and maps "More helpful" back', async () => {
    const comparisons = Array.from({ length: 20 }, (_, i) => ({ prompt: `\n\nHuman: question ${i}?\n\nAssistant:`, policy: ` a helpful answer ${i}`, baseline: ` no idea ${i}`, policyReward: 0, baselineReward: 0 }));
    const { server, url, questions } = await startJudgeServer((q) => `Comparison: one answers the question.\nMore helpful: ${section(q, 'Response A:\n').includes('helpful') ? 'A' : 'B'}`);
    try {
      const judgements = await createJudge({ ...settings, base_url: url, prompt_template: 'hh' }).judge(comparisons, new Random(11));
      assert.deepEqual(judgements.map((j) => j.verdict), comparisons.map(() => 1));
      for (const q of questions) {
        assert.ok(q.startsWith('For the following query to a chatbot, which response is more helpful?'));
        const i = Number(/question (\d+)/.exec(q)![1]);
        assert.ok(q.includes(`Query: ${comparisons[i].prompt}`));
        assert.deepEqual(new Set([section(q, 'Response A:\n'), section(q, 'Response B:\n')]), new Set([comparisons[i].policy, comparisons[i].baseline]));
      }
      const policyFirst = questions.filter((q) => section(q, 'Response A:\n').includes('helpful')).length;
      assert.ok(policyFirst > 0 && policyFirst < 20, `the policy came first in ${policyFirst} of 20`);
    } finally {
      server.close();
    }
  });

  it('reads the paper\'s answer lines', () => {
    assert.equal(parseChoice('Comparison: B covers the post.\nPreferred: B'), 'B');
    assert.equal(parseChoice('Comparison: A answers, B does not.\nMore helpful: A'), 'A');
    assert.equal(parseChoice('Comparison: ...\nMore helpful: "B"'), 'B');
    assert.ok(TLDR_TEMPLATE.endsWith('Preferred: <"A" or "B">') && HH_TEMPLATE.endsWith('More helpful: <"A" or "B">'));
    assert.ok(TLDR_SIMPLE_TEMPLATE.startsWith('Which of the following summaries does a better job of summarizing the most important points in the given forum post?\n\nPost:\n{prompt}'));
  });

  it('rejects a template name it does not know as a question without {a} and {b}', () => {
    assert.throws(() => createJudge({ ...settings, base_url: 'http://x', prompt_template: 'tl;dr' }), (e: unknown) => e instanceof UserError && /positive, tldr, tldr_simple, hh/.test(String(e.hint)));
  });
});
