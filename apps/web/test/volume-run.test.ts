import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeNifti, encodeNifti } from '@combat/io-nifti';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../src/apply-run.js';
import type { VolumeRequest } from '../src/protocol.js';
import { runVolumes } from '../src/volume-run.js';
import { fieldProblem as problem } from './field-problem.js';
import { expectSameJson } from './same-json.js';

const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

const SEED = fixturePath('volumes-seed');

async function file(path: string, name = path.split('/').at(-1) as string): Promise<File> {
  return new File([await readFile(path)], name);
}

describe('a run of the volume flow (in Node, as the worker runs it)', () => {
  let request: VolumeRequest;

  beforeAll(async () => {
    const names = (await readdir(join(SEED, 'images'))).sort();
    request = {
      covariates: await file(join(SEED, 'covars.csv')),
      images: await Promise.all(names.map((name) => file(join(SEED, 'images', name)))),
      mask: await file(join(SEED, 'mask.nii.gz')),
      imageColumn: 'path',
      batch: 'site',
      categorical: [],
      continuous: ['age'],
      splines: [],
      splineDf: 4,
      mode: 'parametric',
      meanOnly: false,
      refBatch: null,
      dtype: 'float32',
    };
  });

  it('puts each problem next to its control, naming the row of the image it concerns', async () => {
    const images = [...request.images];
    images[2] = new File([new TextEncoder().encode('not an image')], 'sub-03.nii.gz');
    const broken = await problem(() => runVolumes({ ...request, images }, () => {}));
    expect(broken.field).toBe('images-file');
    expect(broken.message).toMatch(/^covars\.csv: row 3 \(path "images\/sub-03\.nii\.gz"\): /);
    expect(await problem(() => runVolumes({ ...request, mask: new File([new Uint8Array(10)], 'mask.nii') }, () => {}))).toMatchObject({ field: 'mask-file' });
    expect(await problem(() => runVolumes({ ...request, imageColumn: '' }, () => {}))).toEqual({ field: 'image-column', message: 'choose the image column: the column naming each row\u2019s NIfTI image' });
    expect(await problem(() => runVolumes({ ...request, continuous: ['site'] }, () => {}))).toEqual({ field: 'continuous-columns', message: 'column "site" is given as the batch and as a continuous covariate; a column has one role' });
    // A mask of another shape than the images: next to the mask, in the volumes package's words.
    const mask = decodeNifti(new Uint8Array(await request.mask.arrayBuffer()));
    const small = encodeNifti({ data: new Float64Array(8).fill(1), shape: [2, 2, 2], affine: mask.affine }, { gzip: true });
    const shape = await problem(() => runVolumes({ ...request, mask: new File([small as Uint8Array<ArrayBuffer>], 'small.nii.gz') }, () => {}));
    expect(shape).toEqual({ field: 'mask-file', message: `the mask (small.nii.gz) has shape 2x2x2; expected the volumes' shape ${mask.shape.join('x')} (sub-01.nii.gz's)` });
  });

  it('zips every harmonized volume (float32 by default), the maps, the model, the report and the diagnostics, and says where each volume and map is in it; the model is refused by the table apply', async () => {
    const steps: string[] = [];
    const result = await runVolumes(request, (step) => steps.push(step));
    expect(steps.at(-1)).toBe('done');
    const zip = unzipSync(new Uint8Array(await result.zip.blob.arrayBuffer()));
    const volumes = Object.keys(zip).filter((name) => /^harmonized\/sub-\d+\.nii\.gz$/.test(name));
    expect(volumes).toHaveLength(24);
    expect(decodeNifti(zip[volumes[0] as string] as Uint8Array).header.datatype).toBe('float32');
    expect(result.outputs.filter((output) => output.row !== null).map((output) => output.name).sort()).toEqual(volumes.sort());
    // Each output is held once, in the zip: its span of the zip's bytes is the file the zip holds.
    expect(result.outputs.map((output) => output.name).sort()).toEqual(Object.keys(zip).filter((name) => name.endsWith('.nii.gz')).sort());
    for (const output of result.outputs) {
      const span = Buffer.from(await result.zip.blob.slice(output.start, output.end).arrayBuffer());
      expect(span.equals(zip[output.name] as Uint8Array), output.name).toBe(true);
    }
    // The diagnostics are those of the float32 volumes written, as combat harmonize-volumes --diagnostics gives them.
    const dir = await temporaryFolder('web-volume-diagnostics');
    const flags = ['--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(SEED, 'mask.nii.gz')];
    await promisify(execFile)(process.execPath, [CLI, 'harmonize-volumes', ...flags, '--out-dir', join(dir, 'out'), '--diagnostics', join(dir, 'diagnostics.json')]);
    const diagnostics = JSON.parse(new TextDecoder().decode(zip['diagnostics.json'])) as unknown;
    expectSameJson(diagnostics, JSON.parse(await readFile(join(dir, 'diagnostics.json'), 'utf8')), 'diagnostics');
    const refused = await problem(() => runApply({ model: new File([zip['model.arrow'] as Uint8Array<ArrayBuffer>], 'model.arrow'), data: request.covariates, covariates: null, id: null, estimateNewBatches: false }, () => {}));
    expect(refused).toEqual({ field: 'model-file', message: 'model.arrow is a volume model; use combat apply-volumes' });
  });
});
