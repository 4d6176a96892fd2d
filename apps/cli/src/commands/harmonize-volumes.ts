import { encodeModelFile } from '@combat/io-arrow';
import { NiftiFileResource, effectMapPath, encodeNiftiFile } from '@combat/io-nifti/node';
import { harmonizeVolumesStreaming, siteEffectMaps, type CovariateTable, type VolumeEstimates, type VolumeResource, type VolumeSink } from '@combat/volumes';
import type { CliIo } from '../cli-io.js';
import { inRowsAsync } from '../explain.js';
import { columnRoles, combatOptions, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { startProgress } from '../progress.js';
import { printSummary, reportWarnings } from '../summary.js';
import { planVolumeOutputs, readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat harmonize-volumes`.
 *
 * @example
 * ```ts
 * const flags: HarmonizeVolumesFlags = { covars: 'covars.csv', imageCol: 'path', batch: 'site', mask: 'mask.nii.gz', outDir: 'out' };
 * ```
 */
export interface HarmonizeVolumesFlags extends ModelFlags, VolumeOutputFlags {
  readonly covars: string;
  readonly imageCol: string;
  readonly mask: string;
  readonly outDir: string;
  readonly saveModel?: string;
  readonly effectMaps?: boolean;
}

/**
 * The output flags of the volume commands.
 *
 * @example
 * ```ts
 * const flags: VolumeOutputFlags = { dtype: 'float64', preserveOutOfMask: true };
 * ```
 */
export interface VolumeOutputFlags extends OutputFlags {
  readonly preserveOutOfMask?: boolean;
  readonly allowAffineMismatch?: boolean;
  readonly dtype?: 'float32' | 'float64';
}

/**
 * `combat harmonize-volumes`: ComBat on the in-mask voxels of the NIfTI images a covariates table
 * lists, streaming one volume at a time; each output takes its input's file name in `--out-dir`.
 * Every output path is checked before the first write, and a failed run leaves nothing behind.
 *
 * @example
 * ```ts
 * await harmonizeVolumesCommand({ covars: 'covars.csv', imageCol: 'path', batch: 'site', continuous: ['age'], mask: 'mask.nii.gz', outDir: 'out' }, io);
 * ```
 */
export async function harmonizeVolumesCommand(flags: HarmonizeVolumesFlags, io: CliIo): Promise<void> {
  flagOfColumn(flags);
  const inputs = await readVolumeInputs(flags.covars, flags.imageCol, flags.outDir, columnRoles(flags));
  const plan = new OutputPlan({ inputs: [...inputs.images, flags.mask, flags.covars], overwrite: flags.overwrite ?? false });
  planVolumeOutputs(plan, inputs, flags.outDir);
  const written = [flags.outDir];
  if (flags.saveModel !== undefined) {
    plan.file(flags.saveModel, '--save-model');
    written.push(flags.saveModel);
  }
  const sites = [...new Set(Array.from(inputs.covars[flags.batch] ?? [], String))];
  if (flags.effectMaps) for (const site of sites) for (const kind of EFFECT_MAPS) plan.file(effectMapPath(flags.outDir, kind, site), `--effect-maps (${kind} of ${site})`);
  const progress = startProgress(io, flags.quiet ?? false, 2 * inputs.images.length);
  const estimates = await withOutputs(plan, async () => {
    const fit = await inRowsAsync(inputs.rows, () => fitAndAdjust(
      inputs.images.map((path) => new NiftiFileResource(path)),
      inputs.covars,
      new NiftiFileResource(flags.mask),
      flags,
      async (volume, i) => plan.write(inputs.outputs[i] as string, await encodeNiftiFile(inputs.outputs[i] as string, volume, { dtype: flags.dtype ?? 'float32' })),
      () => progress.tick(),
    )).finally(() => progress.stop());
    if (flags.saveModel !== undefined) {
      await plan.write(flags.saveModel, encodeModelFile(fit.model, { featureNames: Array.from(fit.mask.indices, String), columns: fit.columns, volume: fit.mask }));
    }
    if (flags.effectMaps) {
      for (const { batch, gammaStar, deltaStar } of siteEffectMaps(fit)) {
        for (const [kind, map] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
          const path = effectMapPath(flags.outDir, kind, batch);
          await plan.write(path, await encodeNiftiFile(path, map, { dtype: flags.dtype ?? 'float32' }));
        }
      }
    }
    return fit;
  });
  reportWarnings(io, estimates.warnings);
  printSummary(
    io,
    { headline: `harmonized ${inputs.images.length} volumes (${estimates.mask.indices.length} voxels in the mask)`, model: estimates.model, wrote: written },
    { quiet: flags.quiet ?? false },
  );
}

const EFFECT_MAPS = ['gammaStar', 'deltaStar'] as const;

/**
 * The fit-then-adjust pass of `harmonize-volumes` with the command's flags, each harmonized
 * volume going to `sink`; the demo runs it on volumes held in memory.
 *
 * @example
 * ```ts
 * const estimates = await fitAndAdjust(resources, covars, mask, { batch: 'site' }, async (volume, i) => stage(volume, i), () => {});
 * ```
 */
export function fitAndAdjust(
  volumes: readonly VolumeResource[],
  covars: CovariateTable,
  mask: VolumeResource,
  flags: ModelFlags & VolumeOutputFlags,
  sink: VolumeSink,
  tick: () => void,
): Promise<VolumeEstimates> {
  return harmonizeVolumesStreaming(
    volumes,
    covars,
    {
      ...columnRoles(flags),
      ...combatOptions(flags),
      mask,
      preserveOutOfMask: flags.preserveOutOfMask ?? false,
      allowAffineMismatch: flags.allowAffineMismatch ?? false,
      onProgress: tick,
    },
    sink,
  );
}
