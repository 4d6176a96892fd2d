import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MaskGeometry } from '@combat/base';
import { formatVoxel } from '@combat/base/internal';
import { encodeCovariates, type CombatModel, type Covariates, type DataMatrix } from '@combat/core';
import { describeRow, requireColumn, sameCell, tableMatrix, type CovariateColumns, type Table } from '@combat/io-arrow';
import { openTable, type TableChunks } from '@combat/io-arrow/node';
import { NiftiFileResource, NiftiThreads } from '@combat/io-nifti/node';
import { checkVolumes } from '@combat/volumes';
import { DataError, UsageError, type CliIo } from '../cli-io.js';
import { diagnosticsOutputs, planDiagnostics, voxelNames, wantsDiagnostics, writeDiagnostics, type DiagnosticsFlags } from '../diagnostics-output.js';
import { inRowsAsync } from '../explain.js';
import { KeptRows } from '../kept-rows.js';
import { readMaskedRows } from '../masked-rows.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { chunkSize, pairedCovariates, readPaired } from '../pairing.js';
import { namedPaths, type RunFacts } from '../run-facts.js';
import { readSavedModel, type SavedModel } from '../saved-model.js';
import { threadsOf, withCombatThreads, type ThreadsFlags } from '../threads-flag.js';
import { readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat report`: the model, and either a table before and after (`--data`,
 * `--covariates`, `--id`, `--harmonized`) or volumes before and after (`--covariates`,
 * `--image-column`, `--harmonized-dir`, `--allow-affine-mismatch`), with the diagnostics outputs.
 */
export interface ReportFlags extends DiagnosticsFlags, OutputFlags, ThreadsFlags {
  readonly model: string;
  readonly data?: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly harmonized?: string;
  readonly imageColumn?: string;
  readonly harmonizedDir?: string;
  readonly allowAffineMismatch?: boolean;
}

/**
 * `combat report`: the diagnostics of a harmonization after the fact, from its input, its output
 * and its model: what `--report`, `--diagnostics` (and for volumes `--diagnostic-maps`) of
 * `harmonize` or `harmonize-volumes` write, the same numbers. A table model takes the table
 * before (`--data`, with `--covariates` and `--id` when the covariates are apart) and the
 * harmonized table (`--harmonized`), row for row (see {@link checkSameRows}). A volume model takes
 * the covariates table of the volumes before (`--covariates`, `--image-column`) and the folder of
 * the harmonized volumes, each under its input's file name (`--harmonized-dir`); the mask is the
 * model's, and every volume is checked against it as `harmonize-volumes` checks its inputs. Either
 * way a missing cell or voxel must be missing on both sides: harmonizing keeps them, and fills
 * none. A CovBat table model's run is diagnosed in its three states, the ComBat step rebuilt from
 * the model (see {@link combatStep}).
 */
export async function reportCommand(flags: ReportFlags, io: CliIo, run: RunFacts): Promise<void> {
  if (!wantsDiagnostics(flags)) throw new UsageError('nothing to write: give --report FILE.html, --diagnostics FILE.json or (volumes) --diagnostic-maps DIR');
  const saved = await readSavedModel(flags.model);
  const { columns } = saved;
  if (columns === undefined) throw new UsageError(`${flags.model}: the model does not say which columns hold the batch and covariates; it cannot be reported on`);
  const outputs = namedPaths(...diagnosticsOutputs(flags));
  if (saved.mask === undefined) await reportTable(flags, saved, columns, { ...run, outputs });
  else await reportVolumes(flags, saved, saved.mask, columns, { ...run, outputs });
  if (!(flags.quiet ?? false)) io.stdout.write(`wrote: ${outputs.map(([, path]) => path).join(', ')}\n`);
}

type Facts = RunFacts & { readonly outputs: [string, string][] };

async function reportTable(flags: ReportFlags, saved: SavedModel, columns: CovariateColumns, facts: Facts): Promise<void> {
  const files = tableFlags(flags);
  const { model, featureNames } = saved;
  // Rows pair by the id column: the one given, else the one the model was fitted with.
  const paired = await readPaired(files.data, flags.covariates, flags.id ?? saved.idColumn, columns);
  const harmonized = await openTable(files.harmonized, chunkSize());
  for (const name of featureNames) {
    requireColumn(paired.file.header, name, 'feature column');
    requireColumn(harmonized.header, name, 'feature column');
  }
  const plan = new OutputPlan({ inputs: [flags.model, files.data, files.harmonized, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  await planDiagnostics(plan, flags);
  await withOutputs(plan, async () => {
    const covariates = pairedCovariates(paired, columns);
    await checkSameRows(paired.data, harmonized, paired.idColumn, [columns.batch, ...(columns.categorical ?? []), ...(columns.continuous ?? [])]);
    const before = await readFeatureRows(paired.file, featureNames, paired.data.rows, paired.idColumn);
    const after = await readFeatureRows(harmonized, featureNames, paired.data.rows, paired.idColumn);
    checkMissingTable(before, after, featureNames, paired.data, harmonized.source, paired.idColumn);
    const inputs = namedPaths(['the model', flags.model], ['the table', files.data], ['the covariates', flags.covariates], ['the harmonized table', files.harmonized]);
    await inRowsAsync({ idColumn: paired.idColumn, features: featureNames, table: paired.data }, async () => {
      const combat = model.covbat === undefined ? {} : { combat: await combatStep(model, before.matrix(), covariates, flags) };
      await writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), covariates, model, names: featureNames, ...combat }, { ...facts, inputs });
    });
  });
}

async function reportVolumes(flags: ReportFlags, saved: SavedModel, mask: MaskGeometry, columns: CovariateColumns, facts: Facts): Promise<void> {
  const given = volumeFlags(flags);
  const inputs = await readVolumeInputs(given.covariates, given.imageColumn, given.harmonizedDir, columns);
  await Promise.all(
    inputs.outputs.map((path, row) =>
      access(path).catch(() => {
        throw new DataError(`${path}: no such file; expected the harmonized volume of row ${row + 1} (${basename(inputs.images[row] as string)}) in --harmonized-dir ${given.harmonizedDir}`);
      }),
    ),
  );
  const plan = new OutputPlan({ inputs: [flags.model, given.covariates, ...inputs.images, ...inputs.outputs], overwrite: flags.overwrite ?? false });
  await planDiagnostics(plan, flags);
  const threads = new NiftiThreads({ threads: threadsOf(flags) });
  await withOutputs(plan, async () => {
    // Each volume on the mask's grid and, unless allowed, in its space (harmonize-volumes' checks).
    const resources = [...inputs.images, ...inputs.outputs].map((path) => new NiftiFileResource(path, { threads }));
    await checkVolumes(resources, mask, { allowAffineMismatch: flags.allowAffineMismatch ?? false });
    const before = await readMaskedRows(inputs.images, mask, threads, 'an input');
    const after = await readMaskedRows(inputs.outputs, mask, threads, 'a harmonized volume');
    checkMissingVoxels(before, after, inputs.outputs, mask);
    const read = namedPaths(['the model', flags.model], ['the covariates', given.covariates], ['the harmonized volumes', given.harmonizedDir]);
    await writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), covariates: inputs.covariates, model: saved.model, names: voxelNames(mask), mask }, { ...facts, inputs: read });
  }).finally(() => threads.close());
}

/**
 * The ComBat step of a CovBat run, rebuilt: the model's ComBat part (the model without its CovBat
 * part, the one `harmonize --covbat` fitted before CovBat) applied to the data, on the threads the
 * flags ask for, the values `harmonize --covbat` kept between its passes, bit for bit.
 */
async function combatStep(model: CombatModel, before: DataMatrix, covariates: Covariates, flags: ThreadsFlags): Promise<DataMatrix> {
  const { covbat: _covbat, ...combat } = model;
  const rows = encodeCovariates(combat.coding, covariates);
  const data = await withCombatThreads(flags, before.samples * before.features, (threads) => threads.applyEncoded(combat, before, rows));
  return { data, samples: before.samples, features: before.features };
}

/** The flags of a table report, each required, and none of a volume report's. */
function tableFlags(flags: ReportFlags): { data: string; harmonized: string } {
  const volumeOnly = [['--image-column', flags.imageColumn], ['--harmonized-dir', flags.harmonizedDir], ['--diagnostic-maps', flags.diagnosticMaps], ['--allow-affine-mismatch', flags.allowAffineMismatch]] as const;
  for (const [flag, value] of volumeOnly) {
    if (value !== undefined) throw new UsageError(`${flag} is for volumes, but ${flags.model} is a table model (give --data and --harmonized)`);
  }
  if (flags.data === undefined || flags.harmonized === undefined) throw new UsageError(`${flags.model} is a table model: give the table before (--data) and the harmonized table (--harmonized)`);
  return { data: flags.data, harmonized: flags.harmonized };
}

/** The flags of a volume report, each required, and none of a table report's. */
function volumeFlags(flags: ReportFlags): { covariates: string; imageColumn: string; harmonizedDir: string } {
  for (const [flag, value] of [['--data', flags.data], ['--harmonized', flags.harmonized], ['--id', flags.id]] as const) {
    if (value !== undefined) throw new UsageError(`${flag} is for tables, but ${flags.model} is a volume model (give --covariates, --image-column and --harmonized-dir)`);
  }
  if (flags.covariates === undefined || flags.imageColumn === undefined || flags.harmonizedDir === undefined) {
    throw new UsageError(`${flags.model} is a volume model: give the volumes\u2019 table (--covariates, --image-column) and the folder of the harmonized volumes (--harmonized-dir)`);
  }
  return { covariates: flags.covariates, imageColumn: flags.imageColumn, harmonizedDir: flags.harmonizedDir };
}

/**
 * The harmonized table has the data's rows in their order: as many; the data's id column (when
 * rows have ids), with the same id in every row; and every batch or covariate column both tables
 * have, with the same cell in every row (numbers compared as numbers). The first difference is an
 * error naming the row. (`harmonize` copies every column but the features as it read them.)
 */
async function checkSameRows(data: Table, harmonized: TableChunks, idColumn: string | undefined, roles: readonly string[]): Promise<void> {
  if (idColumn !== undefined && !harmonized.header.columns.has(idColumn)) {
    throw new DataError(`${harmonized.source}: no column "${idColumn}"; expected the ids of ${data.source}, row for row, to pair the rows by`);
  }
  const names = [idColumn, ...roles].filter((name): name is string => name !== undefined && data.columns.has(name) && harmonized.header.columns.has(name));
  const theirs = await harmonized.readColumns(names);
  if (theirs.rows !== data.rows) throw new DataError(`${harmonized.source}: ${theirs.rows} rows; expected one per row of ${data.source} (${data.rows}), in its order`);
  for (const name of names) {
    const [mine, other] = [requireColumn(data, name, 'column'), requireColumn(theirs, name, 'column')];
    const row = mine.cells.findIndex((_, i) => !sameCell(mine, i, other, i));
    if (row >= 0) {
      throw new DataError(
        `${harmonized.source}: ${describeRow(theirs, row)}, column "${name}": ${JSON.stringify(other.cells[row] ?? null)}, but ${JSON.stringify(mine.cells[row] ?? null)} in ${data.source}; the harmonized table must have the data\u2019s rows in their order`,
      );
    }
  }
}

/** The feature columns of every row of a table file, read a chunk at a time. */
async function readFeatureRows(file: TableChunks, features: readonly string[], rows: number, idColumn: string | undefined): Promise<KeptRows> {
  const kept = new KeptRows(rows, features.length);
  for await (const chunk of file.chunks({ columns: [...(idColumn === undefined ? [] : [idColumn]), ...features] })) {
    kept.set(chunk.firstRow ?? 0, tableMatrix(chunk, features, idColumn === undefined ? {} : { idColumn }).data);
  }
  return kept;
}

/** The first cell missing on one side only, as [sample, feature], or null. */
function firstMissingOnOneSide(before: KeptRows, after: KeptRows): [number, number] | null {
  const k = before.data.findIndex((x, at) => Number.isNaN(x) !== Number.isNaN(after.data[at] as number));
  return k < 0 ? null : [Math.floor(k / before.features), k % before.features];
}

/** A harmonized table that lost a value or made one up (a cell missing on one side only) is not the data's harmonization: an error naming the cell. */
function checkMissingTable(before: KeptRows, after: KeptRows, features: readonly string[], data: Table, harmonized: string, idColumn: string | undefined): void {
  const cell = firstMissingOnOneSide(before, after);
  if (cell === null) return;
  const [i, v] = cell;
  const [was, is] = [before.data[i * before.features + v] as number, after.data[i * after.features + v] as number];
  throw new DataError(
    `${harmonized}: ${describeRow(data, i, idColumn === undefined ? {} : { idColumn })}, column "${features[v]}": ${Number.isNaN(is) ? 'missing' : is}, but ${Number.isNaN(was) ? 'missing' : was} in ${data.source}; harmonizing keeps missing cells missing and fills none`,
  );
}

/** The same for volumes: a voxel in the mask missing (NaN) in the input or its harmonized volume only. */
function checkMissingVoxels(before: KeptRows, after: KeptRows, outputs: readonly string[], mask: MaskGeometry): void {
  const cell = firstMissingOnOneSide(before, after);
  if (cell === null) return;
  const [i, v] = cell;
  const missing = Number.isNaN(after.data[i * after.features + v] as number);
  throw new DataError(
    `${outputs[i]}: voxel ${formatVoxel(mask.indices[v] as number, mask.shape)} is ${missing ? 'NaN, but a number in its input' : 'a number, but NaN in its input'}; harmonizing keeps missing voxels missing and fills none`,
  );
}
