import type { Diagnostics } from '@combat/diagnostics';
import { escape, pValue } from './html.js';
import { featureName, TEST_LABELS } from './labels.js';

/** At most this many rows: a page of a volume's every voxel would not open; the JSON has them all. */
export const FEATURE_ROWS = 1000;

/**
 * The per-feature table: each feature's adjusted p of every test before and after (a cell at or
 * below the FDR marked), and whether ComBat adjusted it; rows in order of the first location test's
 * p before (the strongest site effect first), at most {@link FEATURE_ROWS}. A header click sorts
 * (see {@link SORT_SCRIPT}); a missing p says why in its title.
 */
export function featureSection(diagnostics: Diagnostics): string {
  const { tests, features } = diagnostics;
  const first = tests.find((t) => TEST_LABELS[t.test].looks === 'location') ?? tests[0];
  const order = [...Array(features).keys()];
  if (first !== undefined) {
    const p = first.perFeature.before.p;
    order.sort((a, b) => (p[a] ?? Infinity) - (p[b] ?? Infinity) || a - b);
  }
  const shown = order.slice(0, FEATURE_ROWS);
  const unadjusted = new Set(diagnostics.unadjusted);
  const causes = tests.map((t) => ({
    before: new Map(t.before.untested.map((u) => [u.feature, u.batch === undefined ? u.cause : `${u.cause} (${u.batch})`])),
    after: new Map(t.after.untested.map((u) => [u.feature, u.batch === undefined ? u.cause : `${u.cause} (${u.batch})`])),
  }));
  const header = [
    '<th scope="col" data-type="number">#</th>',
    '<th scope="col" data-type="text">feature</th>',
    '<th scope="col" data-type="text">adjusted by ComBat</th>',
    ...tests.flatMap((t) => (['before', 'after'] as const).map((phase) => `<th scope="col" data-type="number">${escape(TEST_LABELS[t.test].name)}<br>${phase}</th>`)),
  ].join('');
  const rows = shown.map((v) => {
    const cells = tests.flatMap((t, k) =>
      (['before', 'after'] as const).map((phase) => {
        const adjusted = t.perFeature[phase].adjusted[v] ?? null;
        if (adjusted === null) return `<td data-value="" title="not tested: ${escape(causes[k]?.[phase].get(v) ?? 'no p-value')}">\u2014</td>`;
        return `<td data-value="${adjusted}"${adjusted <= t.fdr ? ' class="effect"' : ''}>${pValue(adjusted)}</td>`;
      }),
    );
    return `<tr><td data-value="${v + 1}">${v + 1}</td><td class="text">${escape(featureName(diagnostics, v))}</td><td class="text">${unadjusted.has(v) ? 'no' : 'yes'}</td>${cells.join('')}</tr>`;
  });
  const limited = features > FEATURE_ROWS ? ` The ${FEATURE_ROWS} with the smallest p before are shown of ${features}; the diagnostics JSON has every feature.` : '';
  return `<section id="features">
<h2>Per feature</h2>
<p>Benjamini-Hochberg adjusted p-values of each test across batches of the feature\u2019s residuals (the covariate model without batch), before and after harmonization; shaded where at most the FDR (${tests[0]?.fdr ?? 0.05}), a site effect. Click a column header to sort.${limited}</p>
<div class="scroll"><table class="sortable features">
<thead><tr>${header}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

/**
 * The page's one script: a click on (or Enter at) a header of a sortable table sorts its rows by
 * that column, ascending then descending; numbers by value, missing ones last either way.
 */
export const SORT_SCRIPT = `for (const table of document.querySelectorAll('table.sortable')) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => {
    th.tabIndex = 0;
    th.title = 'sort';
    const sort = () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const key = (row) => row.cells[column].dataset.value ?? row.cells[column].textContent;
      const numeric = th.dataset.type === 'number';
      const body = table.tBodies[0];
      const rows = [...body.rows].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        if (numeric && (x === '' || y === '')) return (x === '') - (y === '');
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true });
        return ascending ? order : -order;
      });
      body.append(...rows);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        sort();
      }
    });
  });
}`;
