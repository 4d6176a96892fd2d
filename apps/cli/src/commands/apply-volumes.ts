import { ModelFormatError } from '@combat/core';
import { encodeModelFile } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';
import { NiftiFileResource, NiftiThreads } from '@combat/io-nifti/node';
import { adjustVolumes } from '@combat/volumes';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRowsAsync } from '../explain.js';
import { addedBatches, newBatchesOption, planExtendedModel, type NewBatchFlags } from '../new-batches.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { startProgress } from '../progress.js';
import { describeCount, printSummary, reportWarnings } from '../summary.js';
import { threadsOf } from '../threads-flag.js';
import { encodeOptions, type VolumeOutputFlags } from './harmonize-volumes.js';
import { planVolumeOutputs, readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat apply-volumes`.
 */
export interface ApplyVolumesFlags extends VolumeOutputFlags, NewBatchFlags {
  readonly model: string;
  readonly covariates: string;
  readonly imageColumn: string;
  readonly outDir: string;
}

/**
 * `combat apply-volumes`: adjusts the NIfTI images a covariates table lists with a saved volume
 * model, each with its own covariates, one volume at a time. With `--estimate-new-batches`, sites
 * the model has not seen are estimated from their volumes in the first pass; `--save-model` writes
 * the extended model. Every output path is checked before the first write, and a failed run leaves
 * nothing behind.
 */
export async function applyVolumesCommand(flags: ApplyVolumesFlags, io: CliIo): Promise<void> {
  const { model, columns, mask } = await readModel(flags.model);
  if (mask === undefined) throw new UsageError(`${flags.model} is a table model; use combat apply`);
  if (columns === undefined) throw new ModelFormatError(`${flags.model}: the model does not say which columns hold the batch and covariates`);
  const inputs = await readVolumeInputs(flags.covariates, flags.imageColumn, flags.outDir, columns);
  const plan = new OutputPlan({ inputs: [...inputs.images, flags.covariates, flags.model], overwrite: flags.overwrite ?? false });
  planVolumeOutputs(plan, inputs, flags.outDir);
  planExtendedModel(plan, flags);
  // Two passes: every image is checked (and new sites estimated) before the first is adjusted, so a bad one stops the run early;
  // the first keeps the in-mask voxels (within --memory-budget) for the second, so each image is read once.
  const progress = startProgress(io, flags.quiet ?? false, 2 * inputs.images.length);
  // Files are read and written on --threads workers; the main thread adjusts.
  const threads = new NiftiThreads({ threads: threadsOf(flags) });
  const result = await withOutputs(plan, async () => {
    const applied = await inRowsAsync(inputs.rows, () => adjustVolumes(
      // The file keeps no mask path: messages name the mask by the model it came with, "the mask (model.arrow)".
      { model, mask: { ...mask, source: flags.model } },
      inputs.images.map((path) => new NiftiFileResource(path, { threads })),
      inputs.covariates,
      async (adjusted, i) => plan.write(inputs.outputs[i] as string, await threads.encodeFile(inputs.outputs[i] as string, adjusted, encodeOptions(flags), { handOver: true })),
      {
        preserveOutOfMask: flags.preserveOutOfMask ?? false,
        allowAffineMismatch: flags.allowAffineMismatch ?? false,
        ...(flags.memoryBudget === undefined ? {} : { memoryBudget: flags.memoryBudget }),
        dtype: encodeOptions(flags).dtype,
        newBatches: newBatchesOption(flags),
        onProgress: () => progress.tick(),
      },
    )).finally(() => progress.stop());
    if (flags.saveModel !== undefined) {
      const extended = applied.estimates;
      await plan.write(flags.saveModel, encodeModelFile(extended.model, { featureNames: Array.from(mask.indices, String), columns, mask }, { target: flags.saveModel }));
    }
    return applied;
  }).finally(() => threads.close());
  reportWarnings(io, result.warnings, undefined, inputs.rows);
  printSummary(
    io,
    {
      headline: `applied ${flags.model} to ${describeCount(inputs.images.length, 'volume')} (${mask.indices.length} voxels in the mask)`,
      model: result.estimates.model,
      batchLabels: inputs.covariates.batch,
      newBatches: addedBatches(model, result.estimates.model),
      unit: 'volume',
      wrote: [flags.outDir, ...(flags.saveModel === undefined ? [] : [flags.saveModel])],
    },
    { quiet: flags.quiet ?? false },
  );
}
