import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite specification (a top-level one: data, marks, encodings, and compositions of them),
 * as `vega-lite` types it.
 *
 * @example
 * ```ts
 * const spec: VegaLiteSpec = { data: { values: [{ age: 30, mean: 0.41 }] }, mark: 'point', encoding: { x: { field: 'age', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' } } };
 * (await toSvg(spec)).startsWith('<svg'); // true
 * ```
 */
export type VegaLiteSpec = TopLevelSpec;

/**
 * A Vega-Lite specification rendered to an SVG string (by vega, without a canvas: in Node, a
 * worker or a page alike), for inlining in a page that then needs no script and no network to
 * show it.
 *
 * @example
 * ```ts
 * const svg = await toSvg({ data: { values: [{ site: 'A', n: 8 }, { site: 'B', n: 12 }] }, mark: 'bar', encoding: { x: { field: 'site', type: 'nominal' }, y: { field: 'n', type: 'quantitative' } } });
 * [svg.startsWith('<svg'), svg.includes('role-mark')]; // [true, true]
 * ```
 */
export async function toSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
