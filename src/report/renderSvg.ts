/**
 * Renders a Vega-Lite specification to SVG text, headless: Vega-Lite compiles it to Vega,
 * and a Vega view with no renderer attached writes the SVG (no browser, no canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
