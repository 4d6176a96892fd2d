import { mkdir } from 'node:fs/promises';
import { TableFormatError } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';
import { NiftiFileResource, writeNifti } from '@combat/io-nifti/node';
import { adjustVolumes } from '@combat/volumes';
import type { CliIo } from '../cli-io.js';
import { startProgress } from '../progress.js';
import { volumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat apply-volumes`.
 *
 * @example
 * ```ts
 * const flags: ApplyVolumesFlags = { model: 'model.arrow', covars: 'new.csv', imageCol: 'path', outDir: 'out' };
 * ```
 */
export interface ApplyVolumesFlags {
  readonly model: string;
  readonly covars: string;
  readonly imageCol: string;
  readonly outDir: string;
  readonly preserveOutOfMask?: boolean;
  readonly dtype?: 'float32' | 'float64';
  readonly quiet?: boolean;
}

/**
 * `combat apply-volumes`: adjusts the NIfTI images a covariates table lists with a saved volume
 * model, each with its own covariates, one volume at a time.
 *
 * @example
 * ```ts
 * await applyVolumesCommand({ model: 'model.arrow', covars: 'new.csv', imageCol: 'path', outDir: 'out' }, io);
 * ```
 */
export async function applyVolumesCommand(flags: ApplyVolumesFlags, io: CliIo): Promise<void> {
  const { model, columns, volume } = await readModel(flags.model);
  if (volume === undefined || columns === undefined) throw new TableFormatError(`${flags.model} is a table model; use combat apply`);
  const { images, outputs, covars } = await volumeInputs(flags.covars, flags.imageCol, flags.outDir);
  const protect = [...images, flags.covars, flags.model];
  await mkdir(flags.outDir, { recursive: true });
  const progress = startProgress(io, flags.quiet ?? false, images.length);
  await adjustVolumes(
    { model, warnings: [], mask: volume, columns },
    images.map((path) => new NiftiFileResource(path)),
    covars,
    { preserveOutOfMask: flags.preserveOutOfMask ?? false, onProgress: () => progress.tick() },
    (adjusted, i) => writeNifti(outputs[i] as string, adjusted, { dtype: flags.dtype ?? 'float32', protect }),
  ).finally(() => progress.stop());
  io.stdout.write(`applied ${flags.model} to ${images.length} volumes; wrote ${flags.outDir}\n`);
}
