import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFrontier } from '../../src/evaluation/frontierTable.ts';
import { writeWinRates, type WinRateRow } from '../../src/evaluation/winRateTable.ts';
import { writeHumanAgreement, type HumanAgreementRow } from '../../src/evaluation/humanAgreement.ts';
import { writeWinRatesOod } from '../../src/evaluation/outOfDistribution.ts';
import { writeEvaluationIndex } from '../../src/evaluation/evaluationIndex.ts';
import { hhChecks, paperTaskOf, tldrChecks } from '../../src/report/paperTasks.ts';
import { readRunReport } from '../../src/report/readRun.ts';
import { reportMarkdown } from '../../src/report/reportMarkdown.ts';
import { FRONTIER, winRateRow } from './fixtures.ts';

const vsData = (policy: string, method: string, temperature: number, winRate: number, extra: Partial<WinRateRow> = {}): WinRateRow => ({ ...winRateRow(policy, method, temperature, winRate), baseline: 'dataset', ...extra });

/** As in the paper's Figure 2 right: DPO best at T = 0 and flat, PPO lower and falling toward SFT, best-of-N below DPO. */
const TLDR: WinRateRow[] = [
  ...[0, 0.25, 1].map((t, i) => vsData('dpo[beta=0.5]', 'dpo', t, [0.61, 0.6, 0.55][i])),
  ...[0, 0.25, 1].map((t, i) => vsData('ppo', 'ppo', t, [0.57, 0.5, 0.2][i])),
  ...[0, 0.25, 1].map((t, i) => vsData('sft', 'sft', t, [0.35, 0.3, 0.15][i])),
  vsData('bon@n=128', 'best_of_n', 1, 0.5),
  vsData('bon@n=4', 'best_of_n', 1, 0.45),
];

/** As in Figure 3: DPO above 50% and above Preferred-FT everywhere, best-of-N at 0.55. */
const HH: WinRateRow[] = [
  ...[0.25, 1].map((t, i) => vsData('dpo', 'dpo', t, [0.6, 0.56][i])),
  ...[0.25, 1].map((t, i) => vsData('preferred_ft', 'preferred_ft', t, [0.45, 0.4][i])),
  ...[0.25, 1].map((t, i) => vsData('sft', 'sft', t, [0.4, 0.3][i])),
  vsData('bon@n=128', 'best_of_n', 1, 0.55),
];

describe("the paper's claims for TL;DR and HH", () => {
  it('tells the experiment by the evaluated source kind, IMDb for any other or none', () => {
    assert.equal(paperTaskOf('tldr'), 'tldr');
    assert.equal(paperTaskOf('hh_rlhf'), 'hh');
    for (const kind of ['jsonl', 'bundled', 'imdb', null, undefined, 'constructor']) assert.equal(paperTaskOf(kind), 'imdb');
  });

  it('checks the TL;DR claims on win rates against the reference summaries', () => {
    const checks = tldrChecks(TLDR);
    assert.deepEqual(checks.map((c) => c.verdict), ['borne out', 'borne out', 'borne out']);
    assert.match(checks[0].figures, /DPO 0\.61 at T = 0 \(dpo\[beta=0\.5\]\), PPO 0\.57 at T = 0 \(ppo\)/);
    assert.match(checks[1].figures, /best-of-N 0\.5 at T = 1 \(bon@n=128\)/);
    assert.match(checks[2].figures, /DPO 0\.61 at T = 0 to 0\.55 at T = 1 \(−0\.06\); PPO 0\.57 at T = 0 to 0\.2 at T = 1 \(−0\.37\); SFT 0\.15 at T = 1/);

    // PPO ahead, DPO falling more: not borne out; no PPO at all: not measured.
    const flipped = TLDR.map((r) => (r.method === 'ppo' ? { ...r, win_rate: 0.7 } : r));
    assert.deepEqual(tldrChecks(flipped).map((c) => c.verdict), ['not borne out', 'borne out', 'not borne out']);
    assert.deepEqual(tldrChecks(TLDR.filter((r) => r.method !== 'ppo')).map((c) => c.verdict), ['not measured', 'borne out', 'not measured']);
    // Win rates against another policy, or of checkpoints, are not the paper's comparison.
    assert.deepEqual(tldrChecks(TLDR.map((r) => ({ ...r, baseline: 'sft' }))).map((c) => c.verdict), ['not measured', 'not measured', 'not measured']);
  });

  it('checks the HH claims on win rates against the chosen responses', () => {
    const checks = hhChecks(HH);
    assert.deepEqual(checks.map((c) => c.verdict), ['borne out', 'borne out', 'borne out']);
    assert.match(checks[1].figures, /2 of 2 temperatures hold: T = 0\.25: DPO 0\.6 vs Preferred-FT 0\.45; T = 1: DPO 0\.56 vs Preferred-FT 0\.4/);
    // Preferred-FT above 50% too: DPO is not the only one; best-of-N above DPO at T = 1.
    const rival = HH.map((r) => (r.method === 'preferred_ft' && r.temperature === 1 ? { ...r, win_rate: 0.58 } : r.method === 'best_of_n' ? { ...r, win_rate: 0.58 } : r));
    const verdicts = hhChecks(rival).map((c) => c.verdict);
    assert.deepEqual(verdicts, ['not borne out', 'not borne out', 'not borne out']);
    assert.deepEqual(hhChecks([]).map((c) => c.verdict), ['not measured', 'not measured', 'not measured']);
  });

  it("puts the task's claims in place of IMDb's, and the Table 1 and 2 figures beside this run's", () => {
    const human: HumanAgreementRow[] = [
      { group: 'DPO', raters: 'judge-human', judge: 'llm', prompt_template: 'tldr_simple', n_rows: 10, n_pairs: 20, agreement: 0.7, agreement_ci_low: 0.48, agreement_ci_high: 0.85, a_win_rate: 0.5, judge_failures: 0 },
      { group: 'PPO-1', raters: 'human-human', judge: '', prompt_template: '', n_rows: 5, n_pairs: 5, agreement: 0.6, agreement_ci_low: 0.23, agreement_ci_high: 0.88, a_win_rate: 0.5, judge_failures: 0 },
      { group: 'mine', raters: 'judge-human', judge: 'reward', prompt_template: '', n_rows: 3, n_pairs: 3, agreement: 1, agreement_ci_low: 0.44, agreement_ci_high: 1, a_win_rate: 1, judge_failures: 0 },
    ];
    const ood = [vsData('dpo', 'dpo', 0, 0.4), vsData('dpo', 'dpo', 0.25, 0.3)];
    const report = reportMarkdown({ title: 't', about: [], frontier: FRONTIER, winRates: TLDR, agreement: [], humanAgreement: human, winRatesOod: ood, sourceKind: 'tldr', stages: [] });
    const headings = report.split('\n').filter((l) => l.startsWith('## '));
    assert.deepEqual(headings, ['## Frontier', '## Degeneration', '## Win rates', '## Judge agreement with humans (Table 2)', '## Out of distribution (Table 1)', '## Training', '## Against the paper']);
    assert.match(report, /\| DPO \| llm \(tldr_simple\) vs human \| 10 \| 20 \| 0\.7 \[0\.48, 0\.85\] \| 70% \(GPT-4 \(S\)-H, DPO\) \|/);
    assert.match(report, /\| PPO-1 \| human vs human \| 5 \| 5 \| 0\.6 \[0\.23, 0\.88\] \| 87% \(H-H, PPO-1\) \|/);
    assert.match(report, /\| mine \| reward vs human \| 3 \| 3 \| 1 \[0\.44, 1\] \| – \|/);
    assert.match(report, /\| dpo \| DPO \| 0\.4 ± 0\.05 \[0\.3, 0\.5\] \| 0\.3 ± 0\.05 \[0\.2, 0\.4\] \| 0\.36 \(T = 0\), 0\.31 \(T = 0\.25\) \|/);
    const paper = report.slice(report.indexOf('## Against the paper'));
    assert.match(paper, /TL;DR summarization/);
    assert.match(paper, /above PPO's best.*\*\*borne out\*\*/);
    assert.doesNotMatch(paper, /frontier dominates/, "IMDb's claims are not checked on TL;DR");

    const hh = reportMarkdown({ title: 't', about: [], frontier: FRONTIER, winRates: HH, agreement: [], sourceKind: 'hh_rlhf', stages: [] });
    assert.match(hh.slice(hh.indexOf('## Against the paper')), /Anthropic HH.*\n[\s\S]*only method that improves over the chosen responses.*\*\*borne out\*\*/);
    assert.doesNotMatch(hh, /Table 2|Table 1\)/, 'no human or out-of-distribution table when none was measured');
    const imdb = reportMarkdown({ title: 't', about: [], frontier: FRONTIER, winRates: TLDR, agreement: [], stages: [] });
    assert.match(imdb, /frontier dominates PPO's/);
  });

  it('reads the source kind, the human agreement and the out-of-distribution win rates from a run folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dpo-run-report-tasks-'));
    const runDir = join(root, 'run');
    const evalDir = join(root, 'cache', 'eval');
    await mkdir(evalDir, { recursive: true });
    await mkdir(join(runDir, 'outputs'), { recursive: true });
    await writeFrontier(evalDir, FRONTIER);
    await writeWinRates(evalDir, HH);
    await writeWinRatesOod(evalDir, [vsData('dpo', 'dpo', 0, 0.4)]);
    await writeHumanAgreement(evalDir, [{ group: 'all', raters: 'judge-human', judge: 'reward', prompt_template: '', n_rows: 2, n_pairs: 2, agreement: 0.5, agreement_ci_low: 0.1, agreement_ci_high: 0.9, a_win_rate: 0.5, judge_failures: 0 }]);
    await writeEvaluationIndex(evalDir, [], 'hh_rlhf');
    await symlink(evalDir, join(runDir, 'outputs', 'eval'));
    const record = { stage: 'eval', kind: 'evaluate', fingerprint: 'f', status: 'done', cache_hit: false, started: null, ended: null, backend: 'cpu', output: '/nowhere', error: null };
    await writeFile(join(runDir, 'manifest.json'), JSON.stringify({ pipeline: 'p', status: 'done', instances: { eval: record } }));
    const inputs = await readRunReport(runDir);
    assert.equal(inputs.sourceKind, 'hh_rlhf');
    assert.equal(inputs.humanAgreement!.length, 1);
    assert.equal(inputs.winRatesOod!.length, 1);
    const report = reportMarkdown(inputs);
    assert.match(report, /Anthropic HH/);
    assert.match(report, /## Out of distribution \(Table 1\)/);
    assert.ok(readFileSync(join(evalDir, 'evaluation.json'), 'utf8').includes('"source_kind": "hh_rlhf"'));
  });
});
