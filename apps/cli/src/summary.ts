import { describeUnadjusted, type CombatModel, type CombatStatistics, type CombatWarning, type CovbatModel, type DesignCoding } from '@combat/core';
import { describeRow } from '@combat/io-arrow';
import type { CliIo } from './cli-io.js';
import type { RowContext } from './explain.js';

/**
 * What a command did, for its summary on standard output: the model it fitted or applied, what the
 * features are (column names, or how many voxels), missing cells seen, and the files written.
 */
export interface RunFacts {
  /** The first line: what was done to what. */
  readonly headline: string;
  readonly model: CombatModel;
  /** Feature column names (absent for voxels). */
  readonly features?: readonly string[];
  readonly missingCells?: number;
  /** Each sample's batch in this run, when it is not the training set (apply). */
  readonly batchLabels?: ArrayLike<string>;
  /** The batches this run estimated from its own samples (apply with --estimate-new-batches). */
  readonly newBatches?: readonly string[];
  /** What a sample is called in counts: `sample` (the default) or `volume`. */
  readonly unit?: 'sample' | 'volume';
  readonly wrote: readonly string[];
}

/**
 * Prints the summary of a run unless `quiet`: features (count, first and last), samples per batch,
 * covariates, mode, reference batch, CovBat's components, missing cells, and the features left
 * unadjusted by name.
 */
export function printSummary(io: CliIo, facts: RunFacts, options: { quiet: boolean }): void {
  if (options.quiet) return;
  const { model } = facts;
  const counts = facts.batchLabels === undefined ? new Map([...model.batches].map(([batch, effects]) => [batch, effects.samples])) : countLabels(facts.batchLabels);
  const estimated = facts.newBatches ?? [];
  const lines = [
    facts.headline,
    `  batches: ${[...counts].map(([batch, n]) => `${batch} ${n}`).join(', ')}${model.refBatch === null ? '' : ` (reference: ${model.refBatch}, left unchanged)`}`,
    ...(estimated.length === 0 ? [] : [`  new batches estimated here: ${estimated.map((batch) => `${batch} (${describeCount(counts.get(batch) ?? 0, facts.unit ?? 'sample')})`).join(', ')}`]),
    `  covariates: ${describeTerms(model.coding)}`,
    `  mode: ${describeMode(model.options)}`,
    ...(model.covbat === undefined ? [] : [describeCovbat(model.covbat)]),
    ...(facts.missingCells === undefined ? [] : [`  missing cells: ${facts.missingCells}`]),
    `  unadjusted features: ${unadjustedNames(model, facts.features)}`,
    `  wrote: ${facts.wrote.join(', ')}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The summary line of a CovBat model: how many components it harmonizes and the share of the
 * residual variance they explain.
 */
export function describeCovbat(covbat: CovbatModel): string {
  return `  CovBat: ${describeCount(covbat.components, 'principal component')} harmonized, explaining ${(100 * covbat.variance).toFixed(1)}% of the residual variance`;
}

/**
 * What statistics a command wrote, for its summary: what they are of, and the files written.
 */
export interface StatisticsFacts {
  /** The first line: what was accumulated or merged. */
  readonly headline: string;
  readonly statistics: CombatStatistics;
  readonly missingCells?: number;
  readonly wrote: readonly string[];
}

/**
 * Prints the summary of a run that wrote statistics unless `quiet`: samples per batch, covariates,
 * missing cells, and the files written.
 */
export function printStatisticsSummary(io: CliIo, facts: StatisticsFacts, options: { quiet: boolean }): void {
  if (options.quiet) return;
  const { statistics } = facts;
  const lines = [
    facts.headline,
    `  batches: ${statistics.batches.map((batch) => `${batch.batch} ${batch.samples}`).join(', ')}`,
    `  covariates: ${describeTerms(statistics.coding)}`,
    ...(facts.missingCells === undefined ? [] : [`  missing cells: ${facts.missingCells}`]),
    `  wrote: ${facts.wrote.join(', ')}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * A coding's covariates for a summary: each categorical with its levels, each continuous with the
 * range it was trained on, each spline with its df and knots; `none` when there are none.
 */
export function describeTerms(coding: DesignCoding): string {
  const covariates = coding.terms.map((term) => {
    if (term.kind === 'categorical') return `${term.name} (categorical: ${term.levels.join(', ')})`;
    const trained = term.range === null ? '' : `trained on ${formatNumber(term.range[0])} to ${formatNumber(term.range[1])}`;
    if (term.kind === 'continuous') return `${term.name} (continuous${trained === '' ? '' : `, ${trained}`})`;
    const knots = term.knots.length === 0 ? 'no interior knots' : `knots ${term.knots.map(formatNumber).join(', ')}`;
    return `${term.name} (natural spline, df ${term.knots.length + 1}, ${knots}${trained === '' ? '' : `; ${trained}`})`;
  });
  return covariates.length > 0 ? covariates.join(', ') : 'none';
}

/**
 * Writes warnings to standard error, one line each, naming features by column name where the
 * warning lists features, and samples as rows of the file (1-based, with their ids) when `rows`
 * says what the samples are.
 */
export function reportWarnings(io: CliIo, warnings: readonly CombatWarning[], features?: readonly string[], rows?: RowContext): void {
  for (const warning of warnings) {
    const message =
      warning.code === 'unadjusted-features' && features !== undefined
        ? `${warning.features.length} feature(s) left unadjusted${warning.batch === undefined ? '' : ` for new batch ${warning.batch}`}: ${describeUnadjusted(warning.features.map((v) => features[v] ?? `feature ${v + 1}`), warning.reasons)}`
        : warning.code === 'outside-training-range' && rows !== undefined
          ? outsideRange(warning, rows)
          : warning.message;
    io.stderr.write(`combat: warning: ${message}\n`);
  }
}

/** Core's `outside-training-range` warning with its samples as the rows of the file (1-based, with their ids). */
function outsideRange(warning: Extract<CombatWarning, { code: 'outside-training-range' }>, { table, idColumn }: RowContext): string {
  const { samples, covariate, range } = warning;
  const listed = samples.slice(0, 10).map((i) => (i < table.rows ? describeRow(table, i, { idColumn }) : `sample ${i + 1}`));
  const more = samples.length > 10 ? `, ... (${samples.length})` : '';
  return `${describeCount(samples.length, 'sample')} ${samples.length === 1 ? 'has' : 'have'} ${covariate} outside the training range [${range[0]}, ${range[1]}] (${table.source}: ${listed.join(', ')}${more}): the covariate effects are extrapolated there`;
}

/**
 * A count with its noun, singular for 1: `1 sample`, `2 samples`.
 */
export function describeCount(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Feature columns as a count with the first and last name.
 */
export function describeFeatures(names: readonly string[]): string {
  if (names.length === 1) return `1 feature (${names[0]})`;
  return `${names.length} features (${names[0]} ... ${names.at(-1)})`;
}

/** A number to 6 significant digits, without trailing zeros. */
export function formatNumber(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function countLabels(labels: ArrayLike<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of Array.from(labels)) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

/** The mode of a model's options: how the batch effects were estimated, and what is adjusted. */
export function describeMode(options: CombatModel['options']): string {
  const estimate = !options.eb ? 'no empirical Bayes (per-feature estimates)' : options.parametric ? 'parametric empirical Bayes' : 'non-parametric empirical Bayes';
  return `${estimate}, ${options.meanOnly ? 'location only (mean-only)' : 'location and scale'}`;
}

function unadjustedNames(model: CombatModel, features: readonly string[] | undefined): string {
  const skipped: number[] = [];
  model.adjusted.forEach((flag, v) => flag === 0 && skipped.push(v));
  if (skipped.length === 0) return 'none';
  if (features === undefined) return `${skipped.length}`;
  const names = skipped.slice(0, 10).map((v) => features[v]);
  return `${skipped.length} (${names.join(', ')}${skipped.length > 10 ? ', ...' : ''})`;
}
