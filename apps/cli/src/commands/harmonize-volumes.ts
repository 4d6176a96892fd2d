import { mkdir } from 'node:fs/promises';
import { writeModel } from '@combat/io-arrow/node';
import { NiftiFileResource, writeEffectMaps, writeNifti } from '@combat/io-nifti/node';
import { harmonizeVolumesStreaming } from '@combat/volumes';
import { reportWarnings, type CliIo } from '../cli-io.js';
import { columnRoles, combatOptions, type ModelFlags } from '../options.js';
import { startProgress } from '../progress.js';
import { volumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat harmonize-volumes`.
 *
 * @example
 * ```ts
 * const flags: HarmonizeVolumesFlags = { covars: 'covars.csv', imageCol: 'path', batch: 'site', mask: 'mask.nii.gz', outDir: 'out' };
 * ```
 */
export interface HarmonizeVolumesFlags extends ModelFlags {
  readonly covars: string;
  readonly imageCol: string;
  readonly mask: string;
  readonly outDir: string;
  readonly preserveOutOfMask?: boolean;
  readonly dtype?: 'float32' | 'float64';
  readonly saveModel?: string;
  readonly effectMaps?: boolean;
  readonly quiet?: boolean;
}

/**
 * `combat harmonize-volumes`: ComBat on the in-mask voxels of the NIfTI images a covariates table
 * lists, streaming one volume at a time; each output takes its input's file name in `--out-dir`.
 *
 * @example
 * ```ts
 * await harmonizeVolumesCommand({ covars: 'covars.csv', imageCol: 'path', batch: 'site', continuous: ['age'], mask: 'mask.nii.gz', outDir: 'out' }, io);
 * ```
 */
export async function harmonizeVolumesCommand(flags: HarmonizeVolumesFlags, io: CliIo): Promise<void> {
  const { images, outputs, covars } = await volumeInputs(flags.covars, flags.imageCol, flags.outDir);
  const protect = [...images, flags.mask, flags.covars];
  await mkdir(flags.outDir, { recursive: true });
  const progress = startProgress(io, flags.quiet ?? false, 2 * images.length);
  const roles = columnRoles(flags);
  const estimates = await harmonizeVolumesStreaming(
    images.map((path) => new NiftiFileResource(path)),
    covars,
    { ...roles, ...combatOptions(flags), mask: new NiftiFileResource(flags.mask), preserveOutOfMask: flags.preserveOutOfMask ?? false, onProgress: () => progress.tick() },
    (volume, i) => writeNifti(outputs[i] as string, volume, { dtype: flags.dtype ?? 'float32', protect }),
  ).finally(() => progress.stop());
  reportWarnings(io, estimates.warnings);
  if (flags.saveModel !== undefined) {
    const featureNames = Array.from(estimates.mask.indices, String);
    await writeModel(flags.saveModel, estimates.model, { featureNames, columns: estimates.columns, volume: estimates.mask }, { protect });
  }
  if (flags.effectMaps) await writeEffectMaps(flags.outDir, estimates, { dtype: flags.dtype ?? 'float32', protect });
  io.stdout.write(
    `harmonized ${images.length} volumes (${estimates.mask.indices.length} voxels in the mask) from ${estimates.model.batches.join(', ')}; wrote ${flags.outDir}\n`,
  );
}
