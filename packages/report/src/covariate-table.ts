import type { Diagnostics } from '@combat/diagnostics';
import { escape, figure } from './html.js';

/**
 * The biology in detail: per covariate its kind, design columns, median partial R^2 and median
 * correlations with the data (per level of a categorical covariate) before and after, and the
 * features the covariate model could not fit.
 */
export function covariateSection(diagnostics: Diagnostics): string {
  const { terms, unfitted } = diagnostics.covariates;
  if (terms.length === 0) return '<section id="covariates">\n<h2>Biology</h2>\n<p>The model has no covariates: nothing to keep.</p>\n</section>';
  const rows = terms.flatMap((term) => {
    const span = term.correlation.length + 1;
    return [
      `<tr><th scope="rowgroup" rowspan="${span}">${escape(term.name)}</th><td class="text" rowspan="${span}">${term.kind}</td><td class="text">partial R\u00b2</td><td>${figure(term.medianPartialR2.before)}</td><td>${figure(term.medianPartialR2.after)}</td></tr>`,
      ...term.correlation.map((c) => `<tr><td class="text">correlation with ${escape(c.name)}</td><td>${figure(c.medianBefore)}</td><td>${figure(c.medianAfter)}</td></tr>`),
    ];
  });
  const notes = (['before', 'after'] as const).flatMap((phase) => (unfitted[phase].length === 0 ? [] : [`${unfitted[phase].length} feature(s) could not be fitted ${phase} (too few values, or a level missing from their values); their statistics are left out.`]));
  return `<section id="covariates">
<h2>Biology</h2>
<p>What each covariate explains of the data in the model without batch, over the features: its partial R\u00b2 and its correlation with the data, before and after harmonization. Harmonization should leave these as they were, or raise them (the batch variance is gone).</p>
<table class="covariates">
<thead><tr><th scope="col">covariate</th><th scope="col">kind</th><th scope="col">median over features</th><th scope="col">before</th><th scope="col">after</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${notes.map((note) => `<p class="muted">${note}</p>`).join('\n')}
</section>`;
}
