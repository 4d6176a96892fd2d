import { random } from '@combat/test-support';
import { InMemoryVolumeResource, identityAffine, type Volume } from '@combat/base';

export const SHAPE = [10, 12, 8] as const;
export const SITES = ['site_A', 'site_B', 'site_C'] as const;
const SHIFT = { site_A: 0, site_B: 0.3, site_C: -0.2 };
const SCALE = { site_A: 1, site_B: 1.5, site_C: 0.7 };

/**
 * kwneuro's test design: 3 sites x 5 subjects of 10x12x8 voxels, a smooth gradient plus an age
 * effect of 0.002/year plus noise (sd 0.02), scaled and shifted per site; a box mask. The
 * covariates are the sites as batches (`covariates`, without age) and, beside them, the ages.
 */
export function siteVolumes(seed = 42) {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const [nx, ny, nz] = SHAPE;
  const voxels = nx * ny * nz;
  const volumes: InMemoryVolumeResource<TestHeader>[] = [];
  const site: string[] = [];
  const age: number[] = [];
  for (const s of SITES) {
    for (let k = 0; k < 5; k++) {
      const a = 20 + 60 * next();
      const data = new Float64Array(voxels);
      for (let at = 0; at < voxels; at++) {
        const i = at % nx;
        const base = 0.3 + (0.4 * i) / (nx - 1);
        data[at] = (base + a * 0.002 + 0.02 * normal()) * SCALE[s] + SHIFT[s];
      }
      volumes.push(new InMemoryVolumeResource(volume(data), `${s}-${k}`));
      site.push(s);
      age.push(a);
    }
  }
  const maskData = new Int8Array(voxels);
  for (let at = 0; at < voxels; at++) {
    const [i, j, k] = [at % nx, Math.floor(at / nx) % ny, Math.floor(at / (nx * ny))];
    if (i >= 2 && i < 8 && j >= 2 && j < 10 && k >= 2 && k < 6) maskData[at] = 1;
  }
  return { volumes, site, age, covariates: { batch: site }, withAge: { batch: site, continuous: { age } }, mask: new InMemoryVolumeResource(volume(maskData)) };
}

/** The header of the synthetic volumes (what a reader's header would be). */
export interface TestHeader {
  readonly descrip: string;
}

export function volume(data: Volume['data'], shape: readonly number[] = SHAPE): Volume<TestHeader> {
  return { shape, affine: identityAffine(), data, header: { descrip: 'a test volume' } };
}
