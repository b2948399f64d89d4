import assert from 'node:assert/strict';
import { reportMarkdown } from '../../src/report/reportMarkdown.ts';
import type { StageSummary } from '../../src/report/trainingSummary.ts';
import { FRONTIER, frontierRow, WIN_RATES } from './fixtures.ts';

describe('report.md', () => {
  const stages: StageSummary[] = [
    { id: 'dpo[beta=0.1]', kind: 'dpo', steps: 40, metrics: { 'train loss': 0.52, 'eval loss': 0.61, 'train accuracy': 0.75 } },
    { id: 'ppo', kind: 'ppo', steps: 10, metrics: { 'train KL': 3.1 } },
  ];
  const text = reportMarkdown({ title: 'Report: test', about: ['A run.'], frontier: FRONTIER, winRates: WIN_RATES, agreement: [], stages });

  it('has the frontier, win-rate, training and paper sections, with the figures', () => {
    const headings = text.split('\n').filter((l) => l.startsWith('#'));
    assert.deepEqual(headings, ['# Report: test', '## Frontier', '## Degeneration', '## Win rates', '## Training', '## Against the paper']);
    assert.match(text, /\| dpo\[beta=0\.1\]@step=10 \| DPO \|/);
    assert.match(text, /!\[Reward against KL\]\(frontier\.svg\)/);
    assert.match(text, /!\[Win rate against temperature\]\(win_rates\.svg\)/);
  });

  it('lays the win rates out by temperature', () => {
    assert.match(text, /\| policy \| method \| T = 0 \| T = 0\.5 \| T = 1 \|/);
    assert.match(text, /\| dpo\[beta=0\.1\] \| DPO \| 0\.8 ± 0\.05 \[0\.7, 0\.9\] \| 0\.75 ± 0\.05 \[0\.65, 0\.85\] \| 0\.7 ± 0\.05 \[0\.6, 0\.8\] \|/);
  });

  it('shows train and held-out figures in separate named columns, only those some stage has', () => {
    assert.match(text, /\| stage \| kind \| steps \| train loss \| eval loss \| train accuracy \| train KL \|/);
    assert.match(text, /\| dpo\[beta=0\.1\] \| dpo \| 40 \| 0\.52 \| 0\.61 \| 0\.75 \| – \|/);
    assert.match(text, /\| ppo \| ppo \| 10 \| – \| – \| – \| 3\.1 \|/);
  });

  it('sets every point against SFT at its temperature, and flags a reward gain that came with collapse', () => {
    const sft = frontierRow('sft', 'sft', 0, 0.5, { length_mean: 10, distinct_2: 0.8 });
    const fine = frontierRow('dpo', 'dpo[beta=1]', 1, 0.7, { length_mean: 9, distinct_2: 0.7 });
    const short = frontierRow('dpo', 'dpo[beta=0.05]', 3, 0.9, { length_mean: 2, distinct_2: 0.75, identical_share: 0.5 });
    const repetitive = frontierRow('ppo', 'ppo', 4, 0.95, { length_mean: 10, distinct_2: 0.3 });
    const worse = frontierRow('unlikelihood', 'unlikelihood', 2, 0.4, { length_mean: 1, distinct_2: 0.1 }); // degenerate but no gain
    const report = reportMarkdown({ title: 't', about: [], frontier: [sft, fine, short, repetitive, worse], winRates: [], agreement: [], stages: [] });
    const section = report.slice(report.indexOf('## Degeneration'), report.indexOf('## Win rates'));
    assert.match(section, /\| dpo\[beta=0\.05\] \| DPO \| 1 \| 0\.4 \| 0\.2× \| 0\.938× \| 0\.5 \| 0\.5 \| \*\*yes\*\* \|/);
    assert.match(section, /\| dpo\[beta=1\] \| DPO \| 1 \| 0\.2 \| 0\.9× \| 0\.875× \| 0\.5 \| 0 \| {2}\|/);
    const paper = report.slice(report.indexOf('## Against the paper'));
    assert.match(paper, /degenerate text.*\*\*not borne out\*\*.*flagged.*dpo\[beta=0\.05\] at T = 1: reward \+0\.4, length 0\.2×.*ppo at T = 1: reward \+0\.45, length 1×, distinct-2 0\.375×/);
    assert.doesNotMatch(paper, /unlikelihood at T/);
    const clean = reportMarkdown({ title: 't', about: [], frontier: [sft, fine], winRates: [], agreement: [], stages: [] });
    assert.match(clean, /degenerate text.*\*\*borne out\*\*/);
  });

  it('states each claim with its verdict', () => {
    const paper = text.slice(text.indexOf('## Against the paper'));
    for (const verdict of ['**borne out**', '**not borne out**', '**not measured**']) assert.ok(paper.includes(verdict), verdict);
    assert.match(paper, /KL ≤ k/);
  });

  it("sets the llm judge against the reward in a table of agreement, and leaves it out when no llm judged", () => {
    const agreement = [{ policy: 'dpo', method: 'dpo', settings: '', checkpoint_step: null, temperature: 1, baseline: 'dataset', judge: 'llm', other_judge: 'reward', n_compared: 20, agreement: 0.65 }];
    const report = reportMarkdown({ title: 't', about: [], frontier: [], winRates: [], agreement, stages: [] });
    assert.match(report, /### Judge agreement/);
    assert.match(report, /\| dpo \| 1 \| llm vs reward \| 20 \| 0\.65 \|/);
    assert.doesNotMatch(text, /Judge agreement/);
  });

  it('says win rates were not measured when there are none', () => {
    assert.match(reportMarkdown({ title: 't', about: [], frontier: [], winRates: [], agreement: [], stages: [] }), /## Win rates\n\n_Not measured/);
  });
});
