import type { Diagnostics } from '@combat/diagnostics';
import { covarianceFigure, covarianceSection, isCovbat } from './covariance-section.js';
import { covariateSection } from './covariate-table.js';
import { factsSection, type ReportFacts } from './facts.js';
import { featureSection, SORT_SCRIPT } from './feature-table.js';
import { boxPlotFigures, pcaFigure, priorFigures, type Figure } from './figures.js';
import { escape } from './html.js';
import { toSvg } from './svg.js';
import { verdictSection } from './verdict-table.js';

async function figureHtml(figures: readonly Figure[], className = ''): Promise<string> {
  const svgs = await Promise.all(figures.map((f) => toSvg(f.spec)));
  return figures.map((f, i) => `<figure id="${f.id}"${className === '' ? '' : ` class="${className}"`}>\n${svgs[i]}\n<figcaption>${escape(f.caption)}</figcaption>\n</figure>`).join('\n');
}

/**
 * The report of a harmonization run as one self-contained HTML page, from what `diagnose` found
 * and the run's facts. The answer first (a verdict table: site effects before and after per test,
 * the biology kept, the priors' fit, the site's predictability against chance), then the biology
 * in detail, a sortable per-feature table, the worst features' per-batch box plots, the principal
 * components coloured by batch, for a CovBat run (diagnostics with the ComBat step's state) the site
 * predictability and the batches' correlation differences before ComBat, after ComBat and after
 * CovBat with a heat map of each, the priors against the estimates, and the facts of the run. The
 * plots are Vega-Lite specifications rendered to SVG here and inlined (each before/after pair on
 * shared axes); the page's one script sorts the table. It requests nothing over the network (its
 * Content-Security-Policy forbids it). Runs wherever vega does: Node, a worker, a page.
 *
 * @example
 * ```ts
 * const html = await renderReport(diagnostics, facts);
 * html.startsWith('<!doctype html>'); // true
 * html.includes('Site effects <strong>removed</strong>'); // true
 * ```
 */
export async function renderReport(diagnostics: Diagnostics, facts: ReportFacts): Promise<string> {
  const priors = priorFigures(diagnostics);
  const covbat = isCovbat(diagnostics);
  const [boxes, pca, priorPlots, heatMaps] = await Promise.all([
    figureHtml(boxPlotFigures(diagnostics), 'box'),
    figureHtml([pcaFigure(diagnostics)]),
    figureHtml(priors),
    covbat ? figureHtml([covarianceFigure(diagnostics)]) : '',
  ]);
  const priorText =
    priors.length === 0
      ? `<p>No prior to check: ${diagnostics.priors.prior === 'parametric' ? 'no batch has a parametric prior with a spread' : diagnostics.priors.prior === 'none' ? 'the model uses no empirical Bayes' : 'the model\u2019s prior is non-parametric (it has no distribution)'}.</p>`
      : '<p>Empirical Bayes shrinks each batch\u2019s location (gammaHat) and scale (deltaHat) estimates toward priors fitted to them; the shrinkage is right when the estimates follow their prior (what sva\u2019s <code>prior.plots</code> shows).</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>ComBat harmonization report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 76rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th[scope="row"], th[scope="rowgroup"], td.text, thead th:first-child, table.facts td, table.facts th { text-align: left; }
th[scope="rowgroup"], td[rowspan] { vertical-align: top; }
table.features td.text { white-space: nowrap; }
thead th { background: #f3f3f3; }
tr.group th { background: #eef2f7; font-weight: 600; }
td.status { font-weight: 600; text-align: center; white-space: nowrap; }
td.good { color: #11632b; background: #e5f4e9; }
td.bad { color: #8a1515; background: #fbe6e6; }
td.neutral { color: #555; }
td.effect { background: #fbe6e6; }
.answer { font-size: 1.2rem; }
.muted { color: #666; font-weight: normal; }
.scroll { max-height: 32rem; overflow: auto; border: 1px solid #ddd; }
.scroll table { margin: 0; }
.scroll thead th { position: sticky; top: 0; cursor: pointer; }
th[aria-sort="ascending"]::after { content: " \\25b2"; }
th[aria-sort="descending"]::after { content: " \\25bc"; }
.boxes { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 1.5rem 0; }
figure.box { margin: 0; }
figure.box figcaption { max-width: 22rem; font-size: 0.85rem; }
figcaption { color: #555; margin-top: 0.5rem; max-width: 60rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
</style>
</head>
<body>
<h1>ComBat harmonization report</h1>
<p class="muted">${diagnostics.samples} samples in ${diagnostics.batches.length} batches, ${diagnostics.features} features; made by combat ${escape(facts.version)} on ${escape(facts.date.toISOString())}.</p>
${verdictSection(diagnostics)}
${covariateSection(diagnostics)}
${featureSection(diagnostics)}
<section id="worst">
<h2>The strongest site effects</h2>
<p>${diagnostics.worst.length === 0 ? 'No feature could be tested for a site effect.' : `The ${diagnostics.worst.length} features with the strongest site effect before harmonization: per batch, a box plot of the feature\u2019s residuals in the covariate model without batch (whiskers to the extremes, the box between the hinges, a line at the median), before and after on one axis.`}</p>
<div class="boxes">
${boxes}
</div>
</section>
<section id="components">
<h2>Principal components</h2>
${pca}
</section>
${covbat ? `${covarianceSection(diagnostics, heatMaps)}
` : ''}<section id="priors">
<h2>Empirical-Bayes priors</h2>
${priorText}
${priorPlots}
</section>
${factsSection(diagnostics, facts)}
<script>
${SORT_SCRIPT}
</script>
</body>
</html>
`;
}
