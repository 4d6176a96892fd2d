import type { CombatStatistics, SplineOptions } from '@combat/core';
import { encodeStatisticsFile } from '@combat/io-arrow';
import { NiftiFileResource, NiftiThreads } from '@combat/io-nifti/node';
import { accumulateVolumes } from '@combat/volumes';
import { DataError, UsageError, type CliIo } from '../cli-io.js';
import { disclosureWarnings } from '../disclosure.js';
import { inRowsAsync } from '../explain.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { covariateColumns, flagOfColumn, splineFlags, type CovariateFlags, type ModeFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { startProgress } from '../progress.js';
import { describeCount, describeFeatures, printStatisticsSummary } from '../summary.js';
import { accumulateChunks } from '../table-passes.js';
import { threadsOf, withCombatThreads, type ThreadsFlags } from '../threads-flag.js';
import { readVolumeRows } from './volume-inputs.js';

/**
 * The flags of `combat fit-partial`: the covariate flags, `--out`, and either the table flags of
 * `harmonize` or the input flags of `harmonize-volumes`. The mode flags are parsed only to be
 * refused: they belong to `merge`.
 */
export interface FitPartialFlags extends CovariateFlags, ModeFlags, OutputFlags, ThreadsFlags {
  readonly out: string;
  readonly data?: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly features?: string[];
  readonly exclude?: string[];
  readonly imageColumn?: string;
  readonly mask?: string;
  readonly allowAffineMismatch?: boolean;
}

/** The flags only a table fit takes, and those only a volume fit takes (`--covariates` is both's). */
const TABLE_FLAGS = { data: '--data', id: '--id', features: '--features', exclude: '--exclude' } as const;
const VOLUME_FLAGS = { imageColumn: '--image-column', mask: '--mask', allowAffineMismatch: '--allow-affine-mismatch' } as const;

/**
 * `combat fit-partial`: the sufficient statistics of the rows of a table (the `harmonize` flags)
 * or of the volumes a covariates table lists (the `harmonize-volumes` flags), written to `--out`
 * as a statistics file for `combat merge`. Nothing is fitted or adjusted; the file holds sums over
 * the samples, no row (a batch of one sample, or a level one sample holds, is warned about).
 * Splines need the knots every site agreed on. Every output is checked before the first write,
 * and nothing is left behind when the run fails.
 */
export async function fitPartial(flags: FitPartialFlags, io: CliIo): Promise<void> {
  refuseModeFlags(flags);
  const splines = agreedSplines(flags);
  const given = (names: Record<string, string>) => Object.entries(names).filter(([key]) => (flags as unknown as Record<string, unknown>)[key] !== undefined).map(([, flag]) => flag);
  const [table, volume] = [given(TABLE_FLAGS), given(VOLUME_FLAGS)];
  if (table.length > 0 && volume.length > 0) {
    throw new UsageError(`${table.join(', ')} (a table) and ${volume.join(', ')} (volumes) do not go together; fit a table with --data, or volumes with --covariates, --image-column and --mask`);
  }
  if (flags.data !== undefined) return partialTable({ ...flags, data: flags.data }, splines, io);
  if (flags.covariates === undefined || flags.imageColumn === undefined || flags.mask === undefined) {
    const missing = [['--covariates', flags.covariates], ['--image-column', flags.imageColumn], ['--mask', flags.mask]].filter(([, value]) => value === undefined).map(([flag]) => flag);
    throw new UsageError(volume.length === 0 ? 'give --data TABLE (a table), or --covariates TABLE --image-column COLUMN --mask NIFTI (volumes)' : `volumes need ${missing.join(' and ')} too`);
  }
  return partialVolumes({ ...flags, covariates: flags.covariates, imageColumn: flags.imageColumn, mask: flags.mask }, splines, io);
}

/** The mode flags refused: statistics do not depend on the mode, which is chosen when they are merged. */
function refuseModeFlags(flags: ModeFlags): void {
  const given = [
    ...(flags.refBatch === undefined ? [] : [`--ref-batch ${flags.refBatch}`]),
    ...(flags.meanOnly ? ['--mean-only'] : []),
    ...(flags.nonParametric ? ['--non-parametric'] : []),
    ...(flags.eb === false ? ['--no-eb'] : []),
  ];
  if (given.length > 0) {
    throw new UsageError(`${given.join(' ')}: a partial fit writes statistics, which are the same in every mode; give the mode to combat merge, which fits the model`);
  }
}

/**
 * The `--spline` flags, each with explicit knots: knots chosen from one site's values would
 * differ from another site's, and their statistics would not merge.
 */
function agreedSplines(flags: CovariateFlags): Record<string, SplineOptions> | undefined {
  const splines = splineFlags(flags);
  const byDf = (flags.spline ?? []).filter((entry) => !/:(knots|boundary)=/.test(entry));
  if (byDf.length > 0) {
    throw new UsageError(
      `--spline ${byDf[0]}: a partial fit needs the knots every site agreed on, as --spline COLUMN:knots=K1,K2,...:boundary=LOW,HIGH (knots chosen from each site's own values would differ between sites, and their statistics would not merge)`,
    );
  }
  return splines.size === 0 ? undefined : Object.fromEntries(splines);
}

async function partialTable(flags: FitPartialFlags & { data: string }, splines: Record<string, SplineOptions> | undefined, io: CliIo): Promise<void> {
  const reserved = flagOfColumn(flags, flags.id);
  const columns = covariateColumns(flags);
  const paired = await readPaired(flags.data, flags.covariates, flags.id, columns);
  const { file, data, idColumn } = paired;
  if (flags.features === undefined) throw await featuresNeeded(file, reserved);
  const features = selectFeatures(file.header, flags.features, flags.exclude ?? [], reserved);
  if (data.rows === 0) throw new DataError(`${flags.data}: no rows; expected the samples to accumulate`);
  const plan = new OutputPlan({ inputs: [flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  const { statistics, missingCells } = await withOutputs(plan, async () => {
    const accumulated = await withCombatThreads(flags, paired.data.rows * features.length, (threads) => accumulateChunks(paired, features, pairedCovariates(paired, columns), splines === undefined ? {} : { splines }, { idColumn, features }, threads));
    await plan.write(flags.out, encodeStatisticsFile(accumulated.statistics, { featureNames: features, columns, idColumn }, { target: flags.out }));
    return accumulated;
  });
  warnAbout(io, statistics, features, false);
  printStatisticsSummary(io, { headline: `accumulated ${describeFeatures(features)} of ${describeCount(data.rows, 'sample')}`, statistics, missingCells, wrote: [flags.out] }, { quiet: flags.quiet ?? false });
}

async function partialVolumes(flags: FitPartialFlags & { covariates: string; imageColumn: string; mask: string }, splines: Record<string, SplineOptions> | undefined, io: CliIo): Promise<void> {
  flagOfColumn(flags);
  const columns = covariateColumns(flags);
  const inputs = await readVolumeRows(flags.covariates, flags.imageColumn, columns);
  const plan = new OutputPlan({ inputs: [...inputs.images, flags.mask, flags.covariates], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  const progress = startProgress(io, flags.quiet ?? false, inputs.images.length);
  // Files are read on --threads workers; the main thread accumulates.
  const threads = new NiftiThreads({ threads: threadsOf(flags) });
  const { statistics, mask } = await withOutputs(plan, async () => {
    const accumulated = await inRowsAsync(inputs.rows, () =>
      accumulateVolumes(
        inputs.images.map((path) => new NiftiFileResource(path, { threads })),
        inputs.covariates,
        { mask: new NiftiFileResource(flags.mask, { threads }), allowAffineMismatch: flags.allowAffineMismatch ?? false, onProgress: () => progress.tick(), ...(splines === undefined ? {} : { splines }) },
      ),
    ).finally(() => progress.stop());
    const { mask: geometry } = accumulated;
    await plan.write(flags.out, encodeStatisticsFile(accumulated.statistics, { featureNames: Array.from(geometry.indices, String), columns, mask: geometry }, { target: flags.out }));
    return accumulated;
  }).finally(() => threads.close());
  warnAbout(io, statistics, Array.from(mask.indices, String), true);
  printStatisticsSummary(
    io,
    { headline: `accumulated ${describeCount(inputs.images.length, 'volume')} (${mask.indices.length} voxels in the mask)`, statistics, wrote: [flags.out] },
    { quiet: flags.quiet ?? false },
  );
}

/** The disclosure warnings of statistics, on standard error. */
function warnAbout(io: CliIo, statistics: CombatStatistics, names: readonly string[], voxels: boolean): void {
  for (const warning of disclosureWarnings(statistics, names, voxels)) io.stderr.write(`combat: warning: ${warning}\n`);
}
