import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { initBackend } from '../../src/backend/index.ts';
import { StageError } from '../../src/core/errors.ts';
import { readHumanAgreement } from '../../src/evaluation/humanAgreement.ts';
import { readWinRatesOod } from '../../src/evaluation/outOfDistribution.ts';
import { readWinRates } from '../../src/evaluation/winRateTable.ts';
import { readEvaluatedSourceKind } from '../../src/evaluation/evaluationIndex.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { dataset } from '../../src/stages/dataset.ts';
import { evaluate } from '../../src/stages/evaluate.ts';
import type { EvaluateSettings } from '../../src/core/settings/evaluate.ts';
import { testContext } from '../helpers/context.ts';
import { output, tinyOutputs, type TinyOutputs } from '../evaluation/tinyPolicies.ts';

function resolve(settings: Record<string, unknown>): EvaluateSettings {
  const resolved = structuredClone({ kind: 'evaluate', ...settings });
  const validate = new Ajv({ useDefaults: true, allErrors: true }).compile(stageSchema(evaluate));
  assert.ok(validate(resolved), JSON.stringify(validate.errors));
  return resolved as unknown as EvaluateSettings;
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/**
 * Human labels whose agreement with the sentiment lexicon (the reward judge: the more
 * positive response wins) is worked out by hand:
 *   DPO, one annotator each: agree, disagree, a tie against a choice (1/2) -> 1.5 of 3.
 *   SFT, several annotators: [A, A, B] where the judge says A (2 of 3), [B, B] where it
 *   says B (2 of 2) -> 4 of 5; the humans among themselves: (A,A) (A,B) (A,B) and (B,B)
 *   -> 2 of 4.
 */
const HUMAN_ROWS = [
  { prompt: 'the film was', response_a: 'great and fun', response_b: 'awful and boring', human: 'A', group: 'DPO' },
  { prompt: 'this movie is', response_a: 'terrible to watch', response_b: 'good and lovely', human: 'A', group: 'DPO' },
  { prompt: 'the acting felt', response_a: 'great and fun', response_b: 'terrible to watch', human: 'tie', group: 'DPO' },
  { prompt: 'the plot seemed', response_a: 'good and lovely', response_b: 'awful and boring', humans: ['A', 'a', 'B'], group: 'SFT' },
  { prompt: 'overall the show is', response_a: 'awful and boring', response_b: 'great and fun', humans: ['B', 'B'], policy: 'SFT' },
];

describe('evaluate: human labels (Table 2) and out of distribution (Table 1)', function () {
  this.timeout(120000);
  let outputs: TinyOutputs;
  let dir: string;
  const base = { policies: ['dpo'], reference: 'sft', reward: { kind: 'sentiment_lexicon' }, data: 'data', samples_per_prompt: 2, temperatures: [1], sampling: { max_new_tokens: 6 } };
  const inputs = () => ({ policies: [outputs.dpo], reference: [outputs.sft], data: [outputs.data], 'win_rate.baseline': [outputs.data] });

  before(async () => {
    await initBackend('wasm');
    outputs = await tinyOutputs();
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-eval-tables-'));
  });

  it('sets the reward judge against the human labels, per group, and the humans against each other', async () => {
    const labels = join(dir, 'human.jsonl');
    await writeFile(labels, jsonl(HUMAN_ROWS));
    const ctx = await testContext(resolve({ ...base, win_rate: { baseline: 'data', human_labels: labels } }), { inputs: inputs() });
    await evaluate.run(ctx);
    const rows = await readHumanAgreement(ctx.outDir);
    assert.deepEqual(
      rows.map((r) => [r.group, r.raters, r.judge, r.n_rows, r.n_pairs, r.agreement, r.judge_failures]),
      [
        ['DPO', 'judge-human', 'reward', 3, 3, 0.5, 0],
        ['SFT', 'judge-human', 'reward', 2, 5, 0.8, 0],
        ['SFT', 'human-human', '', 2, 4, 0.5, 0],
      ],
    );
    for (const r of rows) assert.ok(r.agreement_ci_low < r.agreement && r.agreement < r.agreement_ci_high, JSON.stringify(r));
    assert.equal(rows[0].a_win_rate, Number((2 / 3).toPrecision(6)), 'the judge preferred A in 2 of the 3 DPO rows');
    assert.equal((await readWinRates(ctx.outDir)).length, 1, 'the win rates are measured as before');
  });

  it('asks an llm judge behind a local server about the human-labelled pairs, and names the prompt template', async () => {
    // The fake judge prefers whichever summary is the positive one, in whatever order it was shown.
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const question = JSON.parse(body).messages[0].content as string;
        const a = /Summary A:\n(.*)\n/.exec(question)![1];
        const choice = /great|good/.test(a) ? 'A' : 'B';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: `Comparison: ...\nPreferred: ${choice}` } }] }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const base_url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const labels = join(dir, 'human-llm.jsonl');
      await writeFile(labels, jsonl(HUMAN_ROWS));
      const judge = { kind: 'llm', base_url, model: 'm', api_key_env: 'UNSET_KEY_FOR_TEST', prompt_template: 'tldr_simple', max_comparisons: 1 };
      const ctx = await testContext(resolve({ ...base, win_rate: { baseline: 'data', judge, human_labels: labels } }), { inputs: inputs() });
      await evaluate.run(ctx);
      const rows = await readHumanAgreement(ctx.outDir);
      // The same choices as the lexicon's, so the same agreement; every row judged, whatever max_comparisons says.
      assert.deepEqual(rows.map((r) => [r.group, r.raters, r.judge, r.prompt_template, r.n_pairs, r.agreement]), [
        ['DPO', 'judge-human', 'llm', 'tldr_simple', 3, 0.5],
        ['SFT', 'judge-human', 'llm', 'tldr_simple', 5, 0.8],
        ['SFT', 'human-human', '', '', 4, 0.5],
      ]);
    } finally {
      server.close();
    }
  });

  it('names the malformed line of a human-labels file before sampling anything', async () => {
    const labels = join(dir, 'bad.jsonl');
    await writeFile(labels, jsonl([HUMAN_ROWS[0], { ...HUMAN_ROWS[1], human: 'C' }]));
    const ctx = await testContext(resolve({ ...base, win_rate: { baseline: 'data', human_labels: labels } }), { inputs: inputs() });
    await assert.rejects(evaluate.run(ctx), (error: Error) => error instanceof StageError && error.message.startsWith(`${labels}:2:`));
    await writeFile(labels, jsonl([{ prompt: 'p', response_a: 'a', human: 'A' }]));
    await assert.rejects(evaluate.run(ctx), (error: Error) => error instanceof StageError && error.message.includes(`${labels}:1:`) && error.message.includes('response_b'));
  });

  it("writes win_rates_ood.csv: each final policy on a second dataset's prompts against its references, at the set's temperatures", async () => {
    // A jsonl source of prompt/label rows, read with prompt_template, as CNN/DailyMail's article/highlights would be.
    const file = join(dir, 'news.jsonl');
    const news = ['the film was', 'this movie is', 'the plot seemed', 'overall the show is'].map((prompt, i) => ({ prompt, label: i % 2 ? 'awful and boring' : 'great and fun' }));
    await writeFile(file, jsonl(news));
    const dataCtx = await testContext({ kind: 'dataset', source: { kind: 'jsonl', path: file, prompt_template: '{prompt}', text_field: 'label' }, split: { test_fraction: 1 } });
    await dataset.run(dataCtx as never);
    const ood = output('news', 'dataset', dataCtx.outDir, dataCtx.settings);

    const settings = resolve({ ...base, policies: ['sft', 'dpo'], win_rate: { baseline: 'data' }, out_of_distribution: { data: 'news' } });
    assert.deepEqual(settings.out_of_distribution!.temperatures, [0, 0.25], "the paper's Table 1 temperatures by default");
    const ctx = await testContext(settings, { inputs: { ...inputs(), policies: [outputs.sft, outputs.dpo], data: [output('data', 'dataset', outputs.data.dir, { source: { kind: 'tldr' } })], 'out_of_distribution.data': [ood] } });
    await evaluate.run(ctx);
    const rows = await readWinRatesOod(ctx.outDir);
    assert.deepEqual(rows.map((r) => [r.policy, r.temperature, r.baseline, r.judge, r.n_comparisons]), [
      ['sft', 0, 'dataset', 'reward', 8],
      ['sft', 0.25, 'dataset', 'reward', 8],
      ['dpo[beta=0.1]', 0, 'dataset', 'reward', 8],
      ['dpo[beta=0.1]', 0.25, 'dataset', 'reward', 8],
    ]);
    for (const r of rows) assert.ok(r.win_rate >= 0 && r.win_rate <= 1 && r.win_rate_ci_low <= r.win_rate && r.win_rate <= r.win_rate_ci_high, JSON.stringify(r));
    // The in-distribution win rates are unchanged in form, and the evaluated source kind is recorded for the report.
    assert.deepEqual((await readWinRates(ctx.outDir)).map((r) => r.policy), ['sft', 'dpo[beta=0.1]']);
    assert.equal(await readEvaluatedSourceKind(ctx.outDir), 'tldr');
  });
});
