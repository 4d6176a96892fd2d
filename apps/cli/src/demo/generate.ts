import { identityAffine, type Volume } from '@combat/base';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';

/** The example's design: 3 scanners x 8 subjects of 30x36x20 voxels. */
export const SHAPE = [30, 36, 20] as const;
/** Each scanner's additive and multiplicative bias. */
export const SCANNERS = [
  { name: 'Scanner_A', shift: 0, scale: 1 },
  { name: 'Scanner_B', shift: 0.3, scale: 1.5 },
  { name: 'Scanner_C', shift: -0.2, scale: 0.7 },
] as const;
const SUBJECTS_PER_SCANNER = 8;
/** The biological effect to keep: 0.002 per year of age, or with `nonlinear` a rise and fall. */
const AGE_EFFECT = 0.002;

/** The nonlinear age effect: up by 0.12 from 20 to 50 years, back down by 80. */
export function nonlinearAgeEffect(age: number): number {
  return 0.12 * Math.sin((Math.PI * (age - 20)) / 60);
}

/**
 * One generated subject: its id, scanner, age and image.
 */
export interface DemoSubject {
  readonly subject: string;
  readonly scanner: string;
  readonly age: number;
  readonly volume: Volume;
}

/**
 * A multi-scanner example, seeded: 24 subjects whose images are a smooth anatomy plus an
 * age effect (0.002/year, or {@link nonlinearAgeEffect} with `nonlinear`) plus noise (sd 0.02),
 * scaled and shifted by their scanner; and a box mask. Voxels are 2 mm.
 */
export function generateExample(seed = 123, options: { nonlinear?: boolean } = {}): { subjects: DemoSubject[]; mask: Volume } {
  const ageEffect = options.nonlinear === true ? nonlinearAgeEffect : (age: number) => AGE_EFFECT * age;
  const generator = mersenne(seed);
  const next = () => uniformFloat64(generator);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const [nx, ny, nz] = SHAPE;
  const affine = identityAffine();
  affine.set([2, 0, 0, -29, 0, 2, 0, -35, 0, 0, 2, -19], 0);
  const subjects: DemoSubject[] = [];
  for (const scanner of SCANNERS) {
    for (let k = 0; k < SUBJECTS_PER_SCANNER; k++) {
      const age = 20 + 60 * next();
      const data = new Float32Array(nx * ny * nz);
      for (let at = 0; at < data.length; at++) {
        const [i, j] = [at % nx, Math.floor(at / nx) % ny];
        const anatomy = 0.3 + 0.4 * Math.sin((Math.PI * i) / (nx - 1)) * Math.sin((Math.PI * j) / (ny - 1));
        data[at] = (anatomy + ageEffect(age) + 0.02 * normal()) * scanner.scale + scanner.shift;
      }
      const subject = `sub-${String(subjects.length + 1).padStart(2, '0')}`;
      subjects.push({ subject, scanner: scanner.name, age, volume: { shape: [...SHAPE], affine, data } });
    }
  }
  const mask = new Uint8Array(nx * ny * nz);
  for (let at = 0; at < mask.length; at++) {
    const [i, j, k] = [at % nx, Math.floor(at / nx) % ny, Math.floor(at / (nx * ny))];
    if (i >= 5 && i < 25 && j >= 6 && j < 30 && k >= 4 && k < 16) mask[at] = 1;
  }
  return { subjects, mask: { shape: [...SHAPE], affine, data: mask } };
}
