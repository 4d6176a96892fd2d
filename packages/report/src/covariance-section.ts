import type { CovarianceDifference, Diagnostics } from '@combat/diagnostics';
import type { Figure } from './figures.js';
import { escape, figure, percent } from './html.js';
import { featureName } from './labels.js';

/** The three states of a CovBat run, in order, as the page names them. */
const STATES = [
  ['before', 'before ComBat'],
  ['combat', 'after ComBat'],
  ['after', 'after CovBat'],
] as const;

/** A CovBat run's diagnostics: those with the ComBat step's state. */
export function isCovbat(diagnostics: Diagnostics): boolean {
  return diagnostics.predictability.combat !== undefined && diagnostics.covariance.combat !== undefined;
}

/** Each state's covariance differences, the ComBat step's included (a CovBat run's). */
function differences(diagnostics: Diagnostics): readonly (readonly [label: string, CovarianceDifference])[] {
  return STATES.map(([state, label]) => [label, diagnostics.covariance[state] as CovarianceDifference] as const);
}

/**
 * The batch whose correlations differ most from the pooled ones after ComBat (the largest scaled
 * root mean square difference): what CovBat is there to remove.
 */
function mostDifferent(diagnostics: Diagnostics): number {
  const { batches } = diagnostics.covariance.combat as CovarianceDifference;
  let best = 0;
  batches.forEach((b, k) => {
    if ((b.scaled ?? -1) > (batches[best]?.scaled ?? -1)) best = k;
  });
  return best;
}

/**
 * A heat map per state of the batch that differs most: its correlation matrix minus the pooled one,
 * before ComBat, after ComBat and after CovBat, on one diverging colour scale (symmetric about 0,
 * to the largest difference of the three) and shared axes.
 */
export function covarianceFigure(diagnostics: Diagnostics): Figure {
  const k = mostDifferent(diagnostics);
  const states = differences(diagnostics);
  const first = states[0]![1];
  const names = first.features.map((v) => featureName(diagnostics, v));
  const values = states.flatMap(([label, result]) =>
    (result.batches[k]?.difference ?? []).flatMap((row, j) => row.flatMap((difference, c) => (difference === null ? [] : [{ state: label, row: names[j], column: names[c], difference }]))),
  );
  const extent = Math.max(1e-12, ...values.map((v) => Math.abs(v.difference)));
  const batch = first.batches[k]?.batch ?? '';
  const axis = { labels: names.length <= 40, ticks: false, labelFontSize: 8, title: null } as const;
  const taken = first.stride === 1 ? `the ${names.length} features` : `every ${first.stride}th feature (${names.length} of ${diagnostics.features})`;
  return {
    id: 'covariance',
    caption: `Batch ${batch}, the one whose correlations differ most from the pooled ones after ComBat: its correlation matrix of ${taken} minus the pooled within-batch one, of the residuals of the covariate model without batch, before ComBat, after ComBat and after CovBat, on one colour scale (from \u2212${figure(extent)} to ${figure(extent)}). ComBat aligns each feature\u2019s mean and variance, not how features vary together; CovBat should fade the pattern.`,
    spec: {
      data: { values },
      facet: { column: { field: 'state', type: 'nominal', sort: STATES.map(([, label]) => label), title: null } },
      spec: {
        width: 240,
        height: 240,
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'column', type: 'ordinal', sort: names, axis },
          y: { field: 'row', type: 'ordinal', sort: names, axis },
          color: { field: 'difference', type: 'quantitative', title: 'difference', scale: { scheme: 'redblue', reverse: true, domain: [-extent, extent] } },
        },
      },
    },
  };
}

/**
 * What CovBat changed, for a CovBat run: per state (before ComBat, after ComBat, after CovBat) the
 * site predictability and each batch's scaled difference from the pooled correlations, then the
 * heat maps of {@link covarianceFigure} (given as HTML).
 */
export function covarianceSection(diagnostics: Diagnostics, heatMaps: string): string {
  const states = differences(diagnostics);
  const batches = states[0]![1].batches.map((b) => b.batch);
  const rows = STATES.map(([state, label], s) => {
    const predictability = diagnostics.predictability[state];
    const scaled = states[s]![1].batches.map((b) => `<td>${figure(b.scaled)}</td>`).join('');
    return `<tr><th scope="row">${label}</th><td>${percent(predictability?.accuracy ?? null)}</td>${scaled}</tr>`;
  });
  const chance = diagnostics.predictability.before.chance;
  return `<section id="covbat">
<h2>CovBat: how features vary together</h2>
<p>ComBat aligns each feature\u2019s location and scale across batches; batches can still differ in how features vary together, and a classifier can still tell them apart. CovBat harmonizes that too. Per state, the cross-validated accuracy of predicting the batch (chance ${percent(chance)}) and, per batch, the root mean square difference between its correlations and the pooled ones over the chance level (about 1 or below: no more than chance).</p>
<table class="covbat">
<thead><tr><th scope="col">state</th><th scope="col">site predictability</th>${batches.map((b) => `<th scope="col">${escape(b)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${heatMaps}
</section>`;
}
