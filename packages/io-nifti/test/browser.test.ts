import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { browserAvailable, bundleForBrowser, evaluateInChromium, fixturePath, loadCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { decodeNifti } from '../src/index.js';

const NIFTI = fixturePath('nifti-interop', 'int16-scaled.nii.gz');

describe.skipIf(!browserAvailable)('in a browser (headless Chromium)', () => {
  it('core harmonizes, volumes flatten, io-nifti decodes and encodes, with no Node built-in', async () => {
    const script = await bundleForBrowser(
      `import { harmonize } from '@combat/core';
       import { maskIndices } from '@combat/volumes';
       import { decodeNifti, encodeNifti } from '../src/index.ts';
       globalThis.combat = { harmonize, maskIndices, decodeNifti, encodeNifti };`,
      fileURLToPath(new URL('.', import.meta.url)),
    );
    const fixture = loadCase('testdata-parametric');
    const input = {
      nifti: Array.from(readFileSync(NIFTI)),
      data: Array.from(fixture.matrix.data),
      samples: fixture.matrix.samples,
      features: fixture.matrix.features,
      batch: [...fixture.covariates.batch],
      gender: [...(fixture.covariates.categorical?.gender ?? [])],
    };
    const result = await evaluateInChromium(
      script,
      (arg) => {
        const { harmonize, maskIndices, decodeNifti, encodeNifti } = (globalThis as any).combat;
        const image = decodeNifti(Uint8Array.from(arg.nifti), { source: 'int16-scaled.nii.gz' });
        const back = decodeNifti(encodeNifti(image, { gzip: true, dtype: 'float64' }));
        const harmonized = harmonize({ data: Float64Array.from(arg.data), samples: arg.samples, features: arg.features }, { batch: arg.batch, categorical: { gender: arg.gender } });
        return {
          shape: image.shape,
          voxels: Array.from(image.data as ArrayLike<number>),
          roundTrip: Array.from(back.data as ArrayLike<number>),
          inMask: maskIndices(image).length,
          harmonized: Array.from(harmonized.data as Float64Array),
        };
      },
      input,
    );
    const inNode = decodeNifti(readFileSync(NIFTI));
    expect(result.shape).toEqual(inNode.shape);
    expect(result.voxels).toEqual(Array.from(inNode.data));
    expect(result.roundTrip).toEqual(Array.from(inNode.data));
    expect(result.inMask).toBe(Array.from(inNode.data).filter((y) => y > 0).length);
    result.harmonized.forEach((y, i) => expect(Math.abs(y - fixture.expected[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fixture.expected[i]!))));
  });
});
