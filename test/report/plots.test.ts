import assert from 'node:assert/strict';
import { frontierSpec, winRateSpec } from '../../src/report/plots.ts';
import { renderSvg } from '../../src/report/renderSvg.ts';
import { FRONTIER, svgPointMarks, WIN_RATES } from './fixtures.ts';

describe('report plots', function () {
  this.timeout(30000);

  it('draws the frontier as a well-formed SVG with one mark per frontier point', async () => {
    const svg = await renderSvg(frontierSpec(FRONTIER));
    assert.equal(svgPointMarks(svg), FRONTIER.length);
    for (const name of ['DPO', 'PPO', 'PPO-GT', 'Best of N']) assert.ok(svg.includes(`>${name}<`), `legend names ${name}`);
    assert.match(svg, /temperature 0/);
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
