import type { Diagnostics } from '@combat/diagnostics';
import { escape } from './html.js';
import { featureName } from './labels.js';

/**
 * What the report states about the run beside the diagnostics: the tool's version, when it ran,
 * the command line, the model's mode (how the batch effects were estimated, what was adjusted, the
 * reference batch), the options in effect (flag and value, defaults included), and the files it
 * read and wrote, each with its role ("the table", "the model", ...). Per-batch counts, the
 * covariates and the features left unadjusted come from the diagnostics.
 *
 * @example
 * ```ts
 * const facts: ReportFacts = {
 *   version: '0.1.0',
 *   date: new Date('2026-11-22T10:00:00Z'),
 *   command: ['combat', 'harmonize', '--data', 'thickness.csv', '--batch', 'site', '--report', 'report.html'],
 *   mode: 'parametric empirical Bayes, location and scale',
 *   options: [['--batch', 'site'], ['--threads', '2 (default)']],
 *   inputs: [['the table', 'thickness.csv']],
 *   outputs: [['the report', 'report.html']],
 * };
 * (await renderReport(diagnostics, facts)).includes('<td>combat 0.1.0</td>'); // true
 * ```
 */
export interface ReportFacts {
  readonly version: string;
  readonly date: Date;
  readonly command: readonly string[];
  readonly mode: string;
  readonly options: readonly (readonly [flag: string, value: string])[];
  readonly inputs: readonly (readonly [role: string, path: string])[];
  readonly outputs: readonly (readonly [role: string, path: string])[];
}

/** At most this many unadjusted features are named; the diagnostics JSON lists them all. */
const NAMED_UNADJUSTED = 200;

function pairs(rows: readonly (readonly [string, string])[], first: string, second: string): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  const body = rows.map(([a, b]) => `<tr><th scope="row">${escape(a)}</th><td><code>${escape(b)}</code></td></tr>`).join('\n');
  return `<table class="facts"><thead><tr><th scope="col">${first}</th><th scope="col">${second}</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The run's facts, last on the page: what ran, on what, with which options, and what it left alone. */
export function factsSection(diagnostics: Diagnostics, facts: ReportFacts): string {
  const counts = diagnostics.batches.map((b) => `<tr><th scope="row">${escape(b.batch)}</th><td>${b.samples}</td></tr>`).join('\n');
  const covariates = diagnostics.covariates.terms.map((t) => `<li>${escape(t.name)} (${t.kind}${t.kind === 'categorical' || t.kind === 'spline' ? `: ${t.columns.map(escape).join(', ')}` : ''})</li>`).join('');
  const { unadjusted } = diagnostics;
  const named = unadjusted.slice(0, NAMED_UNADJUSTED).map((v) => `<code>${escape(featureName(diagnostics, v))}</code>`).join(', ');
  const more = unadjusted.length > NAMED_UNADJUSTED ? ` and ${unadjusted.length - NAMED_UNADJUSTED} more (the diagnostics JSON lists them all)` : '';
  const commandLine = facts.command.map((word) => (/^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(' ');
  return `<section id="facts">
<h2>The run</h2>
<table class="facts"><tbody>
<tr><th scope="row">tool</th><td>combat ${escape(facts.version)}</td></tr>
<tr><th scope="row">date</th><td>${escape(facts.date.toISOString())}</td></tr>
<tr><th scope="row">command</th><td><code>${escape(commandLine)}</code></td></tr>
<tr><th scope="row">mode</th><td>${escape(facts.mode)}</td></tr>
<tr><th scope="row">samples \u00d7 features</th><td>${diagnostics.samples} \u00d7 ${diagnostics.features}</td></tr>
</tbody></table>
<h3>Options</h3>
${pairs(facts.options, 'option', 'value')}
<h3>Samples per batch</h3>
<table class="facts"><thead><tr><th scope="col">batch</th><th scope="col">samples</th></tr></thead><tbody>
${counts}
</tbody></table>
<h3>Covariates</h3>
${covariates === '' ? '<p class="muted">none</p>' : `<ul>${covariates}</ul>`}
<h3>Features left unadjusted</h3>
<p>${unadjusted.length === 0 ? 'none: ComBat adjusted every feature' : `${unadjusted.length}: ${named}${more}`}</p>
<h3>Inputs</h3>
${pairs(facts.inputs, 'input', 'path')}
<h3>Outputs</h3>
${pairs(facts.outputs, 'output', 'path')}
</section>`;
}
