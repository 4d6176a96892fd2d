import { ModelFormatError } from '@combat/core';
import { readModel } from '@combat/io-arrow/node';
import { NiftiFileResource, encodeNiftiFile } from '@combat/io-nifti/node';
import { adjustVolumes } from '@combat/volumes';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRowsAsync } from '../explain.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { startProgress } from '../progress.js';
import { printSummary } from '../summary.js';
import type { VolumeOutputFlags } from './harmonize-volumes.js';
import { planVolumeOutputs, readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat apply-volumes`.
 *
 * @example
 * ```ts
 * const flags: ApplyVolumesFlags = { model: 'model.arrow', covars: 'new.csv', imageCol: 'path', outDir: 'out' };
 * ```
 */
export interface ApplyVolumesFlags extends VolumeOutputFlags {
  readonly model: string;
  readonly covars: string;
  readonly imageCol: string;
  readonly outDir: string;
}

/**
 * `combat apply-volumes`: adjusts the NIfTI images a covariates table lists with a saved volume
 * model, each with its own covariates, one volume at a time. Every output path is checked before
 * the first write, and a failed run leaves nothing behind.
 *
 * @example
 * ```ts
 * await applyVolumesCommand({ model: 'model.arrow', covars: 'new.csv', imageCol: 'path', outDir: 'out' }, io);
 * ```
 */
export async function applyVolumesCommand(flags: ApplyVolumesFlags, io: CliIo): Promise<void> {
  const { model, columns, volume } = await readModel(flags.model);
  if (volume === undefined) throw new UsageError(`${flags.model} is a table model; use combat apply`);
  if (columns === undefined) throw new ModelFormatError(`${flags.model}: the model does not say which columns hold the batch and covariates`);
  const inputs = await readVolumeInputs(flags.covars, flags.imageCol, flags.outDir, columns);
  const plan = new OutputPlan({ inputs: [...inputs.images, flags.covars, flags.model], overwrite: flags.overwrite ?? false });
  planVolumeOutputs(plan, inputs, flags.outDir);
  // Two passes: every image is checked before the first is adjusted, so a bad one stops the run early.
  const progress = startProgress(io, flags.quiet ?? false, 2 * inputs.images.length);
  await withOutputs(plan, () =>
    inRowsAsync(inputs.rows, () => adjustVolumes(
      { model, warnings: [], mask: { ...volume, name: `the mask of ${flags.model}` }, columns },
      inputs.images.map((path) => new NiftiFileResource(path)),
      inputs.covars,
      { preserveOutOfMask: flags.preserveOutOfMask ?? false, allowAffineMismatch: flags.allowAffineMismatch ?? false, onProgress: () => progress.tick() },
      async (adjusted, i) => plan.write(inputs.outputs[i] as string, await encodeNiftiFile(inputs.outputs[i] as string, adjusted, { dtype: flags.dtype ?? 'float32' })),
    )).finally(() => progress.stop()),
  );
  printSummary(
    io,
    { headline: `applied ${flags.model} to ${inputs.images.length} volumes (${volume.indices.length} voxels in the mask)`, model, batchLabels: Array.from(inputs.covars[columns.batchCol] ?? [], String), wrote: [flags.outDir] },
    { quiet: flags.quiet ?? false },
  );
}
