import type { Diagnostics, NoPriorCause } from '@combat/diagnostics';
import { escape, figure, percent } from './html.js';
import { TEST_LABELS } from './labels.js';

/** How each verdict status reads, and whether it is good news. */
const STATUS: Readonly<Record<string, { readonly text: string; readonly good: boolean | null }>> = {
  'none-before': { text: 'none before', good: true },
  removed: { text: 'removed', good: true },
  remains: { text: 'remains', good: false },
  kept: { text: 'kept', good: true },
  changed: { text: 'changed', good: false },
  'no-covariates': { text: 'no covariates', good: null },
  fit: { text: 'fit', good: true },
  poor: { text: 'poor fit', good: false },
  'no-prior': { text: 'no prior to check', good: null },
  'at-chance': { text: 'at chance', good: true },
  untested: { text: 'not tested', good: null },
  'above-chance': { text: 'above chance', good: false },
};

/** Why a batch's parameter has no prior to check. */
const NO_PRIOR: Readonly<Record<NoPriorCause, string>> = {
  'no-eb': 'no empirical Bayes',
  'non-parametric': 'the non-parametric prior has no distribution',
  'reference-batch': 'the reference batch is not adjusted',
  'mean-only': 'a mean-only model leaves the scale alone',
  'no-spread': 'the prior has no spread',
  'too-few-features': 'fewer than two estimates',
};

function status(name: string): string {
  const { text, good } = STATUS[name] as { text: string; good: boolean | null };
  return `<td class="status ${good === null ? 'neutral' : good ? 'good' : 'bad'}">${escape(text)}</td>`;
}

function row(label: string, before: string, after: string, bound: string, verdict: string): string {
  return `<tr><th scope="row">${label}</th><td>${before}</td><td>${after}</td><td>${bound}</td>${status(verdict)}</tr>`;
}

function group(title: string, verdict: string): string {
  return `<tr class="group"><th scope="rowgroup" colspan="4">${title}</th>${status(verdict)}</tr>`;
}

/**
 * The answer first: one sentence, then a table of every check with its figure before and after,
 * the bound the verdict applied and the verdict: the share of features with a site effect per test
 * at the FDR, each covariate's median partial R^2, each batch's prior fit (Kolmogorov-Smirnov D)
 * and the site classifier's accuracy against chance.
 */
export function verdictSection(diagnostics: Diagnostics): string {
  const { verdict } = diagnostics;
  const fdr = diagnostics.tests[0]?.fdr ?? 0.05;
  const siteBound = `\u2264 ${percent(verdict.siteEffect.bound)} after`;
  const siteRows = verdict.siteEffect.tests.map((t) => {
    const label = TEST_LABELS[t.test];
    if (t.before === null && t.after === null) {
      // No feature could be tested: say why (the first feature's cause; the per-feature table has each).
      const untested = diagnostics.tests.find((s) => s.test === t.test)?.before.untested[0];
      const cause = untested === undefined ? '' : `: ${untested.cause.replaceAll('-', ' ')}${untested.batch === undefined ? '' : ` (${escape(untested.batch)})`}`;
      return row(`${escape(label.name)} <span class="muted">(${label.looks}; no feature testable${cause})</span>`, percent(null), percent(null), siteBound, 'untested');
    }
    return row(`${escape(label.name)} <span class="muted">(${label.looks})</span>`, percent(t.before), percent(t.after), siteBound, t.status);
  });
  const biologyBound = `drop \u2264 ${figure(verdict.biology.bound)}`;
  const biologyRows = verdict.biology.terms.map((t) => row(escape(t.name), figure(t.before), figure(t.after), biologyBound, t.change !== null && t.change >= -verdict.biology.bound ? 'kept' : 'changed'));
  const priorBound = `D \u2264 ${figure(verdict.priors.bound)}`;
  const priorRows = verdict.priors.batches.flatMap((b, k) =>
    (['gamma', 'delta'] as const).map((parameter) => {
      const d = b[parameter];
      const label = `${escape(b.batch)}: ${parameter}Hat`;
      if (d !== null) return row(label, '', `D = ${figure(d)}`, priorBound, d <= verdict.priors.bound ? 'fit' : 'poor');
      const check = diagnostics.priors.batches[k]?.[parameter];
      const cause = check !== undefined && 'cause' in check ? `: ${NO_PRIOR[check.cause]}` : '';
      return row(`${label} <span class="muted">(no prior${cause})</span>`, '', '', '', 'no-prior');
    }),
  );
  const { predictability } = verdict;
  const answer = [
    `site effects <strong>${STATUS[verdict.siteEffect.status]?.text}</strong>`,
    `biology <strong>${STATUS[verdict.biology.status]?.text}</strong>`,
    `empirical-Bayes priors: <strong>${STATUS[verdict.priors.status]?.text}</strong>`,
    `site predictable from the features: <strong>${STATUS[predictability.status]?.text}</strong>`,
  ].join('; ');
  return `<section id="verdict">
<h2>Did harmonization work?</h2>
<p class="answer">${answer[0]?.toUpperCase()}${answer.slice(1)}.</p>
<table class="verdict">
<thead><tr><th scope="col">check</th><th scope="col">before</th><th scope="col">after</th><th scope="col">bound</th><th scope="col">verdict</th></tr></thead>
<tbody>
${group(`Site effects: share of features whose residuals differ between batches (Benjamini-Hochberg adjusted p \u2264 ${fdr})`, verdict.siteEffect.status)}
${siteRows.join('\n')}
${group('Biology kept: median over features of each covariate\u2019s partial R\u00b2 (a rise is expected: the batch variance leaves the residuals)', verdict.biology.status)}
${biologyRows.join('\n')}
${group('Empirical-Bayes priors fit: Kolmogorov-Smirnov D of each batch\u2019s estimates against their prior', verdict.priors.status)}
${priorRows.join('\n')}
${group(`Site predictability: cross-validated accuracy of a nearest-centroid classifier on ${diagnostics.predictability.before.components} principal components, ${diagnostics.predictability.before.folds} folds`, predictability.status)}
${row(`accuracy <span class="muted">(chance ${percent(predictability.chance)}: always the largest batch)</span>`, percent(predictability.before), percent(predictability.after), `\u2264 chance + ${percent(predictability.bound)}`, predictability.status)}
</tbody>
</table>
</section>`;
}
