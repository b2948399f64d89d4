import assert from 'node:assert/strict';
import { reportMarkdown } from '../../src/report/reportMarkdown.ts';
import type { StageSummary } from '../../src/report/trainingSummary.ts';
import { FRONTIER, WIN_RATES } from './fixtures.ts';

describe('report.md', () => {
  const stages: StageSummary[] = [
    { id: 'dpo[beta=0.1]', kind: 'dpo', steps: 40, metrics: { loss: 0.52, 'rewards/accuracies': 0.75 } },
    { id: 'ppo', kind: 'ppo', steps: 10, metrics: { 'objective/kl': 3.1 } },
  ];
  const text = reportMarkdown({ title: 'Report: test', about: ['A run.'], frontier: FRONTIER, winRates: WIN_RATES, stages });

  it('has the frontier, win-rate, training and paper sections, with the figures', () => {
    const headings = text.split('\n').filter((l) => l.startsWith('#'));
    assert.deepEqual(headings, ['# Report: test', '## Frontier', '## Win rates', '## Training', '## Against the paper']);
    assert.match(text, /\| dpo\[beta=0\.1\]@step=10 \| DPO \|/);
    assert.match(text, /!\[Reward against KL\]\(frontier\.svg\)/);
    assert.match(text, /!\[Win rate against temperature\]\(win_rates\.svg\)/);
  });

  it('lays the win rates out by temperature', () => {
    assert.match(text, /\| policy \| method \| T = 0 \| T = 0\.5 \| T = 1 \|/);
    assert.match(text, /\| dpo\[beta=0\.1\] \| DPO \| 0\.8 ± 0\.05 \| 0\.75 ± 0\.05 \| 0\.7 ± 0\.05 \|/);
  });

  it('shows only the training metrics some stage has', () => {
    assert.match(text, /\| stage \| kind \| steps \| loss \| rewards\/accuracies \| objective\/kl \|/);
    assert.match(text, /\| ppo \| ppo \| 10 \| – \| – \| 3\.1 \|/);
  });

  it('states each claim with its verdict', () => {
    const paper = text.slice(text.indexOf('## Against the paper'));
    for (const verdict of ['**borne out**', '**not borne out**', '**not measured**']) assert.ok(paper.includes(verdict), verdict);
    assert.match(paper, /KL ≤ k/);
  });

  it('says win rates were not measured when there are none', () => {
    assert.match(reportMarkdown({ title: 't', about: [], frontier: [], winRates: [], stages: [] }), /## Win rates\n\n_Not measured/);
  });
});
