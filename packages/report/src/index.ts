export type { ReportFacts } from './facts.js';
export { renderReport } from './page.js';
export { toSvg, type VegaLiteSpec } from './svg.js';
