import { describeRow, requireColumn, tableMatrix, type Table } from '@combat/io-arrow';
import { openTable, type TableChunks } from '@combat/io-arrow/node';
import { NiftiThreads } from '@combat/io-nifti/node';
import { DataError, UsageError, type CliIo } from '../cli-io.js';
import { KeptRows, diagnosticsOutputs, planDiagnostics, voxelNames, wantsDiagnostics, writeDiagnostics, type DiagnosticsFlags } from '../diagnostics-output.js';
import { inRowsAsync } from '../explain.js';
import { readMaskedRows } from '../masked-rows.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { namedPaths, type RunFacts } from '../run-facts.js';
import { readSavedModel } from '../saved-model.js';
import { threadsOf, type ThreadsFlags } from '../threads-flag.js';
import { readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat report`: the model, and either a table before and after (`--data`,
 * `--covariates`, `--id`, `--harmonized`) or volumes before and after (`--covariates`,
 * `--image-column`, `--harmonized-dir`), with the diagnostics outputs.
 */
export interface ReportFlags extends DiagnosticsFlags, OutputFlags, ThreadsFlags {
  readonly model: string;
  readonly data?: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly harmonized?: string;
  readonly imageColumn?: string;
  readonly harmonizedDir?: string;
}

/**
 * `combat report`: the diagnostics of a harmonization after the fact, from its input, its output
 * and its model: what `--report`, `--diagnostics` (and for volumes `--diagnostic-maps`) of
 * `harmonize` or `harmonize-volumes` write, the same numbers. A table model takes a table before
 * (`--data`, with `--covariates` and `--id` when the covariates are apart) and the harmonized
 * table (`--harmonized`), row for row: when both have the id column (or else the batch column),
 * every row must agree. A volume model takes the covariates table of the volumes before
 * (`--covariates`, `--image-column`) and the folder of the harmonized volumes, each under its
 * input's file name (`--harmonized-dir`); the mask is the model's.
 */
export async function reportCommand(flags: ReportFlags, io: CliIo, run: RunFacts): Promise<void> {
  if (!wantsDiagnostics(flags)) throw new UsageError('nothing to write: give --report FILE.html, --diagnostics FILE.json or (volumes) --diagnostic-maps DIR');
  const saved = await readSavedModel(flags.model);
  const { model, featureNames, columns, mask } = saved;
  if (columns === undefined) throw new UsageError(`${flags.model}: the model does not say which columns hold the batch and covariates; it cannot be reported on`);
  const outputs = namedPaths(...diagnosticsOutputs(flags));
  if (mask === undefined) {
    const table = tableFlags(flags);
    const paired = await readPaired(table.data, flags.covariates, flags.id, columns);
    const harmonized = await openTable(table.harmonized);
    for (const name of featureNames) {
      requireColumn(paired.file.header, name, 'feature column');
      requireColumn(harmonized.header, name, 'feature column');
    }
    const plan = new OutputPlan({ inputs: [flags.model, table.data, table.harmonized, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
    await planDiagnostics(plan, flags, false);
    await withOutputs(plan, async () => {
      const covariates = pairedCovariates(paired, columns);
      const pairing = [paired.idColumn, columns.batch].find((name) => name !== undefined && paired.data.columns.has(name) && harmonized.header.columns.has(name));
      await checkSameRows(paired.data, harmonized, pairing);
      const before = await readFeatureRows(paired.file, featureNames, paired.data.rows, paired.idColumn);
      const after = await readFeatureRows(harmonized, featureNames, paired.data.rows, pairing === paired.idColumn ? pairing : undefined);
      const inputs = namedPaths(['the model', flags.model], ['the table', table.data], ['the covariates', flags.covariates], ['the harmonized table', table.harmonized]);
      const names = featureNames;
      await inRowsAsync({ idColumn: paired.idColumn, features: names, table: paired.data }, () =>
        writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), covariates, model, names }, { ...run, inputs, outputs }),
      );
    });
  } else {
    const volumes = volumeFlags(flags);
    const inputs = await readVolumeInputs(volumes.covariates, volumes.imageColumn, volumes.harmonizedDir, columns);
    const plan = new OutputPlan({ inputs: [flags.model, volumes.covariates, ...inputs.images, ...inputs.outputs], overwrite: flags.overwrite ?? false });
    await planDiagnostics(plan, flags, true);
    const threads = new NiftiThreads({ threads: threadsOf(flags) });
    await withOutputs(plan, async () => {
      const before = await readMaskedRows(inputs.images, mask, threads, 'an input');
      const after = await readMaskedRows(inputs.outputs, mask, threads, 'a harmonized volume');
      const files = namedPaths(['the model', flags.model], ['the covariates', volumes.covariates], ['the harmonized volumes', volumes.harmonizedDir]);
      await writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), covariates: inputs.covariates, model, names: voxelNames(mask), mask }, { ...run, inputs: files, outputs });
    }).finally(() => threads.close());
  }
  if (!(flags.quiet ?? false)) io.stdout.write(`wrote ${outputs.map(([, path]) => path).join(', ')}\n`);
}

/** The flags of a table report, each required, and none of a volume report's. */
function tableFlags(flags: ReportFlags): { data: string; harmonized: string } {
  for (const [flag, value] of [['--image-column', flags.imageColumn], ['--harmonized-dir', flags.harmonizedDir], ['--diagnostic-maps', flags.diagnosticMaps]] as const) {
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
 * The harmonized table has the data's rows in their order: as many, and, when both have the
 * `pairing` column (the id, else the batch), the same cell in every row; the first difference is
 * an error naming the row.
 */
async function checkSameRows(data: Table, harmonized: TableChunks, pairing: string | undefined): Promise<void> {
  const theirs = await harmonized.readColumns(pairing === undefined ? [] : [pairing]);
  if (theirs.rows !== data.rows) throw new DataError(`${harmonized.source}: ${theirs.rows} rows; expected one per row of ${data.source} (${data.rows}), in its order`);
  if (pairing === undefined) return;
  const [mine, other] = [requireColumn(data, pairing, 'column'), requireColumn(theirs, pairing, 'column')];
  const row = mine.cells.findIndex((cell, i) => cell !== other.cells[i]);
  if (row >= 0) {
    throw new DataError(
      `${harmonized.source}: ${describeRow(theirs, row)}, column "${pairing}": ${JSON.stringify(other.cells[row])}, but ${JSON.stringify(mine.cells[row])} in ${data.source}; the harmonized table must have the data\u2019s rows in their order`,
    );
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
