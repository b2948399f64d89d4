import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from '../../src/core/random.ts';
import { agreementOf } from '../../src/evaluation/agreement.ts';
import { createJudge, type Judgement } from '../../src/evaluation/judges/index.ts';

const v = (...verdicts: (0 | 0.5 | 1)[]): Judgement[] => verdicts.map((verdict) => ({ verdict }));

describe('judge agreement', () => {
  it('is the share of comparisons with equal verdicts', () => {
    assert.deepEqual(agreementOf(v(1, 0, 1, 0.5), v(1, 1, 1, 0.5)), { n: 4, agreement: 3 / 4 });
    assert.deepEqual(agreementOf(v(1), v(0.5)), { n: 1, agreement: 0 }, 'a tie against a choice disagrees');
  });

  it('leaves out comparisons a judge gave no usable answer for', () => {
    const llm: Judgement[] = [{ verdict: 1 }, { verdict: 0.5, failure: 'no idea' }, { verdict: 0 }];
    assert.deepEqual(agreementOf(llm, v(1, 0.5, 1)), { n: 2, agreement: 1 / 2 });
    assert.ok(Number.isNaN(agreementOf([], []).agreement));
    assert.throws(() => agreementOf(v(1), v(1, 0)));
  });

  it('sets an llm judge behind a local server against the reward, whatever order each comparison was asked in', async function () {
    this.timeout(20000);
    // The policy has the higher reward every time; the llm prefers it on the first 12 of 20 prompts.
    const comparisons = Array.from({ length: 20 }, (_, i) => ({ prompt: `\n\nHuman: question ${i}?\n\nAssistant:`, policy: ` answer ${i}`, baseline: ` other ${i}`, policyReward: 1, baselineReward: 0 }));
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const question = JSON.parse(body).messages[0].content as string;
        const i = Number(/question (\d+)/.exec(question)![1]);
        const aIsPolicy = /Response A:\n answer/.test(question);
        const choice = (i < 12) === aIsPolicy ? 'A' : 'B';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { content: `Comparison: ...\nMore helpful: ${choice}` } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const llm = createJudge({ kind: 'llm', base_url: url, model: 'm', api_key_env: 'UNSET_KEY_FOR_TEST', prompt_template: 'hh', max_comparisons: 100, timeout_s: 5, concurrency: 2 });
      const reward = createJudge({ kind: 'reward' });
      const agreement = agreementOf(await llm.judge(comparisons, new Random(5)), await reward.judge(comparisons, new Random(0)));
      assert.deepEqual(agreement, { n: 20, agreement: 12 / 20 });
    } finally {
      server.close();
    }
  });
});
