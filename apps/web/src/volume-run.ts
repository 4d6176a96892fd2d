import type { MaskGeometry, VolumeResource } from '@combat/base';
import { formatVoxel } from '@combat/base/internal';
import { CombatError } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import { covariatesFromTable, describeRow, encodeModelFile, type CovariateColumns, type Table } from '@combat/io-arrow';
import { decodeNifti, encodeNifti, type NiftiHeader } from '@combat/io-nifti';
import { batchEffectMaps, harmonizeVolumesStreaming, maskIndices } from '@combat/volumes';
import { asProblem, FieldError, inField } from './explain.js';
import { checkCovariateRoles, combatOptions, modelFlags, readTable, reportPage, yieldToEvents, type Progress } from './harmonize-run.js';
import { imageName, matchImages } from './image-files.js';
import type { Field, VolumeOutput, VolumeRequest, VolumeResult } from './protocol.js';
import { ZipArchive } from './zip-archive.js';

/** The folder of the zip the harmonized volumes and the effect maps go in (the CLI's `--out-dir`). */
const OUT_DIR = 'harmonized';

/** The other files of the zip, named as the CLI's flags would name them. */
const NAMES = { model: 'model.arrow', report: 'report.html', diagnostics: 'diagnostics.json', zip: 'combat-volumes.zip' } as const;

/** The errors that are about an image file rather than its row's covariates. */
const IMAGE_ERRORS = new Set(['NiftiFormatError', 'VolumeShapeError', 'AffineMismatchError', 'InputReadError']);

/** A chosen file as a volume resource: read (decoded by io-nifti) only when the streaming path loads it, each time it does. */
function fileResource(file: File): VolumeResource<NiftiHeader> {
  return { source: file.name, load: async () => decodeNifti(new Uint8Array(await file.arrayBuffer()), { source: file.name }) };
}

/**
 * One run of the volume flow, as `combat harmonize-volumes --covariates ... --image-column ...
 * --mask ... --out-dir harmonized --save-model model.arrow --effect-maps --report report.html
 * --diagnostics diagnostics.json` does it: reads the covariates table and matches each row's image
 * to a chosen file by name; harmonizes with `@combat/volumes`' streaming path, which reads the
 * files one at a time (two passes; the in-mask voxels kept between them within its memory budget)
 * and hands each harmonized volume over, encoded at once (`.nii.gz`) into the zip (held there
 * only: the page views it from the zip); then the batch-effect maps, the model, the diagnostics
 * of the in-mask voxels (those before read again) and the report. What goes wrong is a
 * {@link FieldError} naming the control it concerns.
 */
export async function runVolumes(request: VolumeRequest, progress: Progress): Promise<VolumeResult> {
  progress('reading the covariates table', 0.02);
  const table = await readTable(request.covariates, 'covars-file');
  checkRoles(request);
  const columns: CovariateColumns = { batch: request.batch, categorical: [...request.categorical], continuous: [...request.continuous] };
  const covariates = inField('covars-file', () => covariatesFromTable(table, columns, { idColumn: request.imageColumn }));
  const images = matchImages(table, request.imageColumn, request.images);
  const mask = await inFieldAsync('mask-file', async () => decodeNifti(new Uint8Array(await request.mask.arrayBuffer()), { source: request.mask.name }));
  const indices = inField('mask-file', () => maskIndices(mask));
  const zip = new ZipArchive();
  const outputs: VolumeOutput[] = [];
  const after = new Float64Array(images.length * indices.length);
  const share = { fit: [0.05, 0.4], estimate: [0.05, 0.4], check: [0.05, 0.4], adjust: [0.4, 0.75] } as const;
  const fit = await inVolumes(table, request, images, () =>
    harmonizeVolumesStreaming(
      images.map(fileResource),
      covariates,
      (volume, row) => {
        after.set(Float64Array.from(indices, (at) => volume.data[at] as number), row * indices.length);
        const name = `${OUT_DIR}/${imageName(images[row]?.name ?? '')}`;
        const bytes = inField('run', () => encodeNifti(volume, { dtype: request.dtype, gzip: true, level: 1 }));
        outputs.push({ name, row, ...zip.store(name, bytes) });
      },
      {
        ...combatOptions(request),
        mask: { source: request.mask.name, load: () => Promise.resolve(mask) },
        // The voxels as the files hold them, so the diagnostics see what was written (as the CLI's).
        dtype: request.dtype,
        onProgress: ({ phase, done, total }) => {
          const [from, to] = share[phase];
          progress(`${phase === 'adjust' ? 'adjusting and writing' : 'reading and fitting'} volume ${done} of ${total}`, from + ((to - from) * done) / total);
        },
      },
    ),
  );
  const { model } = fit.estimates;
  const geometry = fit.estimates.mask;
  progress('writing the batch-effect maps and the model', 0.76);
  for (const { batch, gammaStar, deltaStar } of batchEffectMaps(fit.estimates)) {
    for (const [kind, map] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
      const name = `${OUT_DIR}/${kind}_${batch.replace(/[^A-Za-z0-9._-]/g, '_')}.nii.gz`;
      const bytes = inField('run', () => encodeNifti(map, { dtype: request.dtype, gzip: true, level: 1 }));
      outputs.push({ name, row: null, ...zip.store(name, bytes) });
    }
  }
  zip.add(NAMES.model, encodeModelFile(model, { featureNames: Array.from(geometry.indices, String), columns, mask: geometry }, { target: NAMES.model }));
  progress('reading the volumes again for the diagnostics', 0.8);
  const before = new Float64Array(images.length * indices.length);
  for (const [row, image] of images.entries()) {
    const volume = await fileResource(image).load();
    before.set(Float64Array.from(indices, (at) => volume.data[at] as number), row * indices.length);
    await yieldToEvents();
  }
  progress('diagnosing', 0.85);
  await yieldToEvents();
  const matrix = (data: Float64Array) => ({ data, samples: images.length, features: indices.length });
  const diagnostics = inField('run', () => diagnose(matrix(before), matrix(after), covariates, model, { names: voxelNames(geometry) }));
  const diagnosticsBytes = new TextEncoder().encode(`${JSON.stringify(diagnostics)}\n`);
  zip.add(NAMES.diagnostics, diagnosticsBytes);
  progress('drawing the report', 0.92);
  const report = await reportPage(diagnostics, model, commandLine(request), {
    inputs: [['the covariates', request.covariates.name], ['the mask', request.mask.name]],
    outputs: [['the harmonized volumes', `${OUT_DIR}/`], ['the model', NAMES.model], ['the report', NAMES.report], ['the diagnostics', NAMES.diagnostics]],
  });
  zip.add(NAMES.report, new TextEncoder().encode(report));
  progress('done', 1);
  return {
    zip: { name: NAMES.zip, blob: zip.finish() },
    outputs,
    subjects: images.map((image, row) => ({ name: table.columns.get(request.imageColumn)?.cells[row] ?? image.name, image })),
    diagnostics: { name: NAMES.diagnostics, bytes: diagnosticsBytes },
    report,
    summary: `harmonized ${images.length} volume${images.length === 1 ? '' : 's'} (${indices.length} voxels in the mask) in ${model.batches.size} batches`,
    // The volumes package's warnings already name voxels as (i, j, k), as the CLI prints them.
    warnings: fit.warnings.map((warning) => warning.message),
  };
}

/** The checks the CLI makes of its flags before reading rows: an image column, then the covariates' roles ({@link checkCovariateRoles}). */
function checkRoles(request: VolumeRequest): void {
  if (request.imageColumn === '') throw new FieldError('image-column', 'choose the image column: the column naming each row\u2019s NIfTI image');
  checkCovariateRoles({ name: request.imageColumn, role: 'the image column', field: 'image-column' }, request);
}

/**
 * Runs the streaming path, its errors next to their controls in the CLI's words: an error about
 * one volume names its row of the covariates table (`covars.csv: row 3 (path "images/sub-03.nii.gz"): ...`)
 * and goes next to the images when it is about the file, next to the table when about its
 * covariates; one about the mask next to the mask; a fit's batches as a whole next to the batch column.
 */
async function inVolumes<T>(table: Table, request: VolumeRequest, images: readonly File[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CombatError)) throw asProblem(error, 'run');
    // A volume that cannot be read says so under its file's name, without a sample.
    const row = error.sample ?? images.findIndex((file) => error.detail.startsWith(`${file.name}: `));
    if (row >= 0 && row < table.rows) {
      const source = images[row]?.name;
      const detail = source !== undefined && error.detail.startsWith(`${source}: `) ? error.detail.slice(source.length + 2) : error.detail;
      const remedy = error.remedy?.dtype === undefined ? '' : `; use "float64" (--dtype ${String(error.remedy.dtype)})`;
      const field: Field = IMAGE_ERRORS.has(error.name) || source === undefined || error.detail.includes(source) ? 'images-file' : 'covars-file';
      throw new FieldError(field, `${table.source}: ${describeRow(table, row, { idColumn: request.imageColumn })}: ${detail}${remedy}`);
    }
    if (error.code === 'TOO_FEW_BATCHES') throw new FieldError('batch-column', `${table.source}: column "${request.batch}": ${error.detail}`);
    if (error.code === 'UNKNOWN_BATCH' && request.refBatch !== null) throw new FieldError('ref-batch', error.detail);
    if (error.name === 'EmptyMaskError' || error.message.startsWith(`${request.mask.name}: `) || error.message.startsWith(`the mask (${request.mask.name})`)) throw new FieldError('mask-file', error.message);
    const image = images.find((file) => error.message.includes(file.name));
    throw new FieldError(image === undefined ? 'run' : 'images-file', error.message);
  }
}

/** {@link inField} for asynchronous work. */
async function inFieldAsync<T>(field: Field, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asProblem(error, field);
  }
}

/** A volume run's feature names, as the CLI's diagnostics name them: `voxel (i, j, k)`. */
function voxelNames(mask: MaskGeometry): string[] {
  return Array.from(mask.indices, (at) => `voxel ${formatVoxel(at, mask.shape)}`);
}

/** The command that does the same with the CLI. */
function commandLine(request: VolumeRequest): string[] {
  return [
    ...['combat', 'harmonize-volumes', '--covariates', request.covariates.name, '--image-column', request.imageColumn, '--batch', request.batch, ...modelFlags(request)],
    ...['--mask', request.mask.name, '--out-dir', OUT_DIR, '--dtype', request.dtype, '--save-model', NAMES.model, '--effect-maps', '--report', NAMES.report, '--diagnostics', NAMES.diagnostics],
  ];
}
