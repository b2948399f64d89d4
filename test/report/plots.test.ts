import assert from 'node:assert/strict';
import { frontierSpec, frontierValues, winRateSpec } from '../../src/report/plots.ts';
import { renderSvg } from '../../src/report/renderSvg.ts';
import { FRONTIER, frontierRow, svgPointMarks, WIN_RATES } from './fixtures.ts';

describe('report plots', function () {
  this.timeout(30000);

  it('draws the frontier as a well-formed SVG with one mark per frontier point', async () => {
    const svg = await renderSvg(frontierSpec(FRONTIER));
    assert.equal(svgPointMarks(svg), FRONTIER.length);
    for (const name of ['DPO', 'PPO', 'PPO-GT', 'Best of N']) assert.ok(svg.includes(`>${name}<`), `legend names ${name}`);
    assert.match(svg, /temperature 0/);
  });

  it("draws each method's upper envelope through its Pareto points, carried on to the panel's largest KL", () => {
    const envelope = (method: string, temperature: number) =>
      frontierValues(FRONTIER).filter((v) => v.layer === 'envelope' && v.method === method && v.temperature === temperature).map((v) => [v.kl, v.reward]);
    // DPO at temperature 1: (1, 0.6), (2, 0.8) a checkpoint, (4, 0.9); the panel reaches KL 6 (PPO).
    assert.deepEqual(envelope('DPO', 1), [[1, 0.6], [2, 0.8], [4, 0.9], [6, 0.9]]);
    assert.deepEqual(envelope('PPO', 1), [[3, 0.7], [6, 0.85]]);
    assert.deepEqual(envelope('DPO', 0), [[4.2, 0.7]]);
  });

  it('labels the final models with their sweep values, and draws no panel without points', async () => {
    const rows = [
      frontierRow('dpo', 'dpo[beta=0.1]', 2, 0.8, { settings: 'beta=0.1' }),
      frontierRow('dpo', 'dpo[beta=0.1]', 1, 0.7, { settings: 'beta=0.1', checkpoint_step: 10, policy: 'dpo[beta=0.1]@step=10' }),
      frontierRow('best_of_n', 'bon', 1.8, 0.75, { settings: 'n=16', policy: 'bon@n=16' }),
      frontierRow('dpo', 'dpo[beta=0.1]', NaN, 0.8, { temperature: 0.5 }), // no KL: not drawn, and no panel for 0.5
    ];
    const svg = await renderSvg(frontierSpec(rows));
    assert.equal(svgPointMarks(svg), 3);
    assert.ok(svg.includes('>β=0.1<') && svg.includes('>n=16<'), 'sweep labels');
    assert.equal(svg.match(/>β=0\.1</g)!.length, 1, 'a checkpoint is not labelled');
    assert.ok(svg.includes('temperature 1') && !svg.includes('temperature 0.5'));
  });

  it('draws win rates against temperature with one mark per row', async () => {
    const svg = await renderSvg(winRateSpec(WIN_RATES));
    assert.equal(svgPointMarks(svg), WIN_RATES.length);
    assert.match(svg, /sampling temperature/);
  });

  it('renders an empty table without failing', async () => {
    assert.equal(svgPointMarks(await renderSvg(winRateSpec([]))), 0);
    assert.equal(svgPointMarks(await renderSvg(frontierSpec([]))), 0);
  });
});
