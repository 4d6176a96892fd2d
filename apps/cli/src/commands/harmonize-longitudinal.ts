import { harmonizeLongitudinal, type LongitudinalResult } from '@combat/core';
import { describeRow, requireColumn, tableMatrix } from '@combat/io-arrow';
import { tableFormat } from '@combat/io-arrow/node';
import { DataError, UsageError, type CliIo } from '../cli-io.js';
import { wantsDiagnostics } from '../diagnostics-output.js';
import { inRows, type RowContext } from '../explain.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { covariateColumns, flagOfColumn, splineFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired, type PairedTables } from '../pairing.js';
import { describeCount, describeFeatures, describeTerms, formatNumber } from '../summary.js';
import { featureMap, outputEncoder } from '../table-passes.js';
import type { HarmonizeTableFlags } from './harmonize-table.js';

/**
 * `combat harmonize --subject COL`: longitudinal ComBat (core's `harmonizeLongitudinal`, as R's
 * longCombat) on the feature columns, the scans of a subject sharing a random intercept; `--id`
 * stays the scan id. The fit needs every row at once (a mixed model per feature), so the features
 * are read into memory in one pass over the data's chunks and written in a second. Modes
 * longCombat does not have (a reference batch, mean-only, non-parametric or no empirical Bayes,
 * CovBat) are usage errors, and so are the outputs that need a ComBat model (`--save-model`,
 * `--report`, `--diagnostics`): a longitudinal model cannot be saved or applied yet.
 */
export async function harmonizeLongitudinalTable(flags: HarmonizeTableFlags & { readonly subject: string }, io: CliIo): Promise<void> {
  refuseUnsupported(flags);
  const reserved = flagOfColumn(flags, flags.id);
  const earlier = reserved.get(flags.subject);
  if (earlier !== undefined) throw new UsageError(`column "${flags.subject}" is given both as ${earlier} and as --subject; give each column one role`);
  reserved.set(flags.subject, '--subject');
  tableFormat(flags.out);
  const columns = covariateColumns(flags);
  // The subject column is read (and, with --covariates, paired) with the covariates.
  const paired = await readPaired(flags.data, flags.covariates, flags.id, { ...columns, categorical: [...(columns.categorical ?? []), flags.subject] });
  const { file, data, idColumn } = paired;
  if (flags.features === undefined) throw await featuresNeeded(file, reserved);
  const features = selectFeatures(file.header, flags.features, flags.exclude ?? [], reserved);
  const plan = new OutputPlan({ inputs: [flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  const rows: RowContext = { table: data, ...(idColumn === undefined ? {} : { idColumn }), features, batches: { column: flags.batch } };
  const splines = splineFlags(flags);
  const { result, subject } = await withOutputs(plan, async () => {
    const covariates = pairedCovariates(paired, columns);
    const subject = subjectLabels(paired, flags.subject);
    const output = outputEncoder(flags.out);
    const matrix = { data: new Float64Array(data.rows * features.length), samples: data.rows, features: features.length };
    for await (const chunk of file.chunks({ numbers: features })) {
      output.scan(chunk, features);
      matrix.data.set(tableMatrix(chunk, features, { idColumn }).data, (chunk.firstRow ?? 0) * features.length);
    }
    const result = inRows(rows, () => harmonizeLongitudinal(matrix, covariates, { subject, ...(splines.size === 0 ? {} : { splines: Object.fromEntries(splines) }) }));
    const writer = await plan.open(flags.out);
    for await (const chunk of file.chunks({ numbers: features })) {
      const first = (chunk.firstRow ?? 0) * features.length;
      await writer.write(output.encoder.encode(chunk, featureMap(features, result.data.subarray(first, first + chunk.rows * features.length))));
    }
    await writer.write(output.encoder.finish());
    await writer.close();
    return { result, subject };
  });
  if (flags.quiet) return;
  io.stdout.write(`${summaryLines(result, subject, features, flags.out).join('\n')}\n`);
}

/** The flags `--subject` does not go with: modes longCombat lacks, and outputs that need a ComBat model. */
function refuseUnsupported(flags: HarmonizeTableFlags): void {
  const modes: [boolean, string, string][] = [
    [flags.refBatch !== undefined, '--ref-batch', 'longCombat has no reference batch'],
    [flags.meanOnly === true, '--mean-only', 'longCombat adjusts location and scale'],
    [flags.nonParametric === true, '--non-parametric', 'longCombat has parametric priors only'],
    [flags.eb === false, '--no-eb', 'longCombat always shrinks by empirical Bayes'],
    [flags.covbat === true, '--covbat', 'CovBat is not defined for a mixed model'],
    [flags.saveModel !== undefined, '--save-model', 'a longitudinal model cannot be saved (nor applied by combat apply) yet'],
    [wantsDiagnostics(flags), '--report/--diagnostics', 'the diagnostics read a ComBat model, which a longitudinal fit does not make yet'],
    [flags.threads !== undefined, '--threads', 'the longitudinal fit runs on one thread'],
  ];
  for (const [given, flag, why] of modes) if (given) throw new UsageError(`${flag} with --subject (longitudinal ComBat): not supported, ${why}; leave out one of them`);
}

/** Each data row's subject label, from the covariates table in the data's row order; a missing one names its row. */
function subjectLabels(paired: PairedTables, column: string): string[] {
  // Named against every column of the data file when the data holds the covariates.
  if (paired.covariates === paired.data) requireColumn(paired.file.header, column, 'subject column');
  const { cells } = requireColumn(paired.covariates, column, 'subject column');
  const rowOf = (i: number): number => paired.order?.[i] ?? i;
  return Array.from({ length: paired.data.rows }, (_, i) => {
    const label = cells[rowOf(i)];
    if (label === null || label === undefined) {
      throw new DataError(`${paired.covariates.source}: ${describeRow(paired.covariates, rowOf(i), { idColumn: paired.idColumn })}: subject column "${column}" is missing; every scan needs its subject`);
    }
    return label;
  });
}

/** The summary of a longitudinal run: samples per batch, subjects and their scans, the random intercept's share, covariates, mode. */
function summaryLines(result: LongitudinalResult, subject: readonly string[], features: readonly string[], out: string): string[] {
  const scans = new Map<string, number>();
  for (const label of subject) scans.set(label, (scans.get(label) ?? 0) + 1);
  const perSubject = [...scans.values()].sort((a, b) => a - b);
  const shares = Array.from(result.ratio, (ratio) => ratio / (1 + ratio)).sort((a, b) => a - b);
  return [
    `harmonized ${describeFeatures(features)} of ${describeCount(subject.length, 'sample')} by longitudinal ComBat`,
    `  batches: ${[...result.batches].map(([batch, effects]) => `${batch} ${effects.samples}`).join(', ')}`,
    `  subjects: ${result.subjects}; scans per subject: min ${perSubject[0]}, median ${formatNumber(median(perSubject))}, max ${perSubject.at(-1)}`,
    `  random intercept's share of the variance: median ${formatNumber(median(shares))} over ${describeCount(shares.length, 'feature')}`,
    `  covariates: ${describeTerms(result.coding)}`,
    '  mode: longitudinal ComBat (a REML mixed model with a random intercept per subject per feature), parametric empirical Bayes (30 iterations), location and scale',
    `  wrote: ${out}`,
  ];
}

/** The median of ascending values. */
function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
