import type { Volume, VolumeResource } from '@combat/base';
import type { Covariates } from '@combat/core';
import { encodeModelFile } from '@combat/io-arrow';
import { NiftiFileResource, NiftiThreads, type EncodeFileOptions } from '@combat/io-nifti/node';
import { batchEffectMaps, harmonizeVolumesStreaming, maskIndices, type HarmonizeVolumesStreamingResult, type VolumeSink } from '@combat/volumes';
import type { CliIo } from '../cli-io.js';
import { diagnosticsOutputs, planDiagnostics, voxelNames, wantsDiagnostics, writeDiagnostics, type DiagnosticsFlags } from '../diagnostics-output.js';
import { EFFECT_MAP_KINDS, effectMapPath } from '../effect-maps.js';
import { inRowsAsync } from '../explain.js';
import { KeptRows } from '../kept-rows.js';
import { batchFlags, combatOptions, covariateColumns, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { readMaskedRows } from '../masked-rows.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { startProgress } from '../progress.js';
import { namedPaths, type RunFacts } from '../run-facts.js';
import { describeCount, printSummary, reportWarnings } from '../summary.js';
import { threadsOf, type ThreadsFlags } from '../threads-flag.js';
import { planVolumeOutputs, readVolumeInputs } from './volume-inputs.js';

/**
 * The flags of `combat harmonize-volumes`.
 */
export interface HarmonizeVolumesFlags extends ModelFlags, VolumeOutputFlags, DiagnosticsFlags {
  readonly covariates: string;
  readonly imageColumn: string;
  readonly mask: string;
  readonly outDir: string;
  readonly saveModel?: string;
  readonly effectMaps?: boolean;
}

/**
 * The output flags of the volume commands.
 */
export interface VolumeOutputFlags extends OutputFlags, ThreadsFlags {
  readonly preserveOutOfMask?: boolean;
  readonly allowAffineMismatch?: boolean;
  readonly dtype?: 'float32' | 'float64';
  /** gzip level of the written `.nii.gz` (default 1). */
  readonly gzipLevel?: number;
  /** Bytes for keeping the in-mask voxels of the first pass for the second (default the library's, 1 GiB). */
  readonly memoryBudget?: number;
}

/**
 * How a volume command encodes what it writes: `--dtype` and `--gzip-level`, whose level 1 (the
 * default, the fastest) deflates runs only (zlib's `Z_RLE`): on images as small as zlib's level 1
 * (nibabel's), several times faster.
 */
export function encodeOptions(flags: VolumeOutputFlags): EncodeFileOptions {
  const level = flags.gzipLevel ?? 1;
  return { dtype: flags.dtype ?? 'float32', level, strategy: level === 1 ? 'run-length' : 'default' };
}

/**
 * `combat harmonize-volumes`: ComBat on the in-mask voxels of the NIfTI images a covariates table
 * lists, streaming a few volumes at a time (each read once when their in-mask voxels fit
 * `--memory-budget`); each output takes its input's file name in `--out-dir`, gzipped at
 * `--gzip-level`. Files are read and written on `--threads` worker threads (none for 1), while the
 * main thread fits and adjusts. With `--report`, `--diagnostics` or `--diagnostic-maps`, the
 * in-mask voxels after harmonization are kept in memory and those before read again, for the
 * diagnostics of the run. Every output path is checked before the first write, and a failed run
 * leaves nothing behind.
 */
export async function harmonizeVolumesCommand(flags: HarmonizeVolumesFlags, io: CliIo, run: RunFacts): Promise<void> {
  flagOfColumn(flags);
  const columns = covariateColumns(flags);
  const inputs = await readVolumeInputs(flags.covariates, flags.imageColumn, flags.outDir, columns);
  const plan = new OutputPlan({ inputs: [...inputs.images, flags.mask, flags.covariates], overwrite: flags.overwrite ?? false });
  planVolumeOutputs(plan, inputs, flags.outDir);
  const written = [flags.outDir];
  if (flags.saveModel !== undefined) {
    plan.file(flags.saveModel, '--save-model');
    written.push(flags.saveModel);
  }
  const batches = [...new Set(inputs.covariates.batch)];
  if (flags.effectMaps) for (const batch of batches) for (const kind of EFFECT_MAP_KINDS) plan.file(effectMapPath(flags.outDir, kind, batch), `--effect-maps (${kind} of ${batch})`);
  await planDiagnostics(plan, flags);
  written.push(...namedPaths(...diagnosticsOutputs(flags)).map(([, path]) => path));
  const progress = startProgress(io, flags.quiet ?? false, 2 * inputs.images.length);
  const threads = new NiftiThreads({ threads: threadsOf(flags) });
  const { estimates, warnings } = await withOutputs(plan, async () => {
    const rows = { ...inputs.rows, batches: batchFlags(flags) };
    // The diagnostics keep each output's in-mask voxels (as written: float32 by default) before it is handed over.
    const indices = wantsDiagnostics(flags) ? maskIndices(await new NiftiFileResource(flags.mask).load()) : null;
    const after = indices === null ? null : new KeptRows(inputs.images.length, indices.length, flags.dtype === 'float64' ? Float64Array : Float32Array);
    const keep = (volume: Volume, i: number) => after?.set(i, Float64Array.from(indices ?? [], (at) => volume.data[at] as number));
    const fit = await inRowsAsync(rows, () => fitAndAdjust(
      inputs.images.map((path) => new NiftiFileResource(path, { threads })),
      inputs.covariates,
      new NiftiFileResource(flags.mask, { threads }),
      flags,
      async (volume, i) => {
        keep(volume, i);
        await plan.write(inputs.outputs[i] as string, await threads.encodeFile(inputs.outputs[i] as string, volume, encodeOptions(flags), { handOver: true }));
      },
      () => progress.tick(),
    )).finally(() => progress.stop());
    const { model, mask } = fit.estimates;
    if (flags.saveModel !== undefined) {
      await plan.write(flags.saveModel, encodeModelFile(model, { featureNames: Array.from(mask.indices, String), columns, mask }, { target: flags.saveModel }));
    }
    if (flags.effectMaps) {
      for (const { batch, gammaStar, deltaStar } of batchEffectMaps(fit.estimates)) {
        for (const [kind, map] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
          const path = effectMapPath(flags.outDir, kind, batch);
          await plan.write(path, await threads.encodeFile(path, map, encodeOptions(flags), { handOver: true }));
        }
      }
    }
    if (after !== null) {
      const before = await readMaskedRows(inputs.images, mask, threads, 'an input');
      const files = { inputs: namedPaths(['the covariates', flags.covariates], ['the mask', flags.mask]), outputs: namedPaths(['the harmonized volumes', flags.outDir], ['the model', flags.saveModel], ...diagnosticsOutputs(flags)) };
      await writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), covariates: inputs.covariates, model, names: voxelNames(mask), mask }, { ...run, ...files });
    }
    return fit;
  }).finally(() => threads.close());
  reportWarnings(io, warnings);
  printSummary(
    io,
    { headline: `harmonized ${describeCount(inputs.images.length, 'volume')} (${estimates.mask.indices.length} voxels in the mask)`, model: estimates.model, wrote: written },
    { quiet: flags.quiet ?? false },
  );
}

/**
 * The fit-then-adjust pass of `harmonize-volumes` with the command's flags, each harmonized
 * volume going to `sink`; the demo runs it on volumes held in memory.
 */
export function fitAndAdjust(
  volumes: readonly VolumeResource[],
  covariates: Covariates,
  mask: VolumeResource,
  flags: ModelFlags & VolumeOutputFlags,
  sink: VolumeSink,
  tick: () => void,
): Promise<HarmonizeVolumesStreamingResult> {
  return harmonizeVolumesStreaming(volumes, covariates, sink, {
    ...combatOptions(flags),
    mask,
    preserveOutOfMask: flags.preserveOutOfMask ?? false,
    allowAffineMismatch: flags.allowAffineMismatch ?? false,
    ...(flags.memoryBudget === undefined ? {} : { memoryBudget: flags.memoryBudget }),
    // The voxels as the files hold them.
    dtype: encodeOptions(flags).dtype,
    onProgress: tick,
  });
}
