import { identityAffine, type Volume } from '@combat/volumes';

/** The example's design: 3 scanners x 8 subjects of 30x36x20 voxels. */
export const SHAPE = [30, 36, 20] as const;
/** Each scanner's additive and multiplicative bias. */
export const SCANNERS = [
  { name: 'Scanner_A', shift: 0, scale: 1 },
  { name: 'Scanner_B', shift: 0.3, scale: 1.5 },
  { name: 'Scanner_C', shift: -0.2, scale: 0.7 },
] as const;
const SUBJECTS_PER_SCANNER = 8;
/** The biological effect to keep: 0.002 per year of age. */
const AGE_EFFECT = 0.002;

/**
 * One generated subject: its id, scanner, age and image.
 *
 * @example
 * ```ts
 * const [first] = generateExample().subjects;
 * first.scanner; // 'Scanner_A'
 * ```
 */
export interface DemoSubject {
  readonly subject: string;
  readonly scanner: string;
  readonly age: number;
  readonly volume: Volume;
}

/**
 * A multi-site example, seeded: 24 subjects whose images are a smooth anatomy plus an
 * age effect of 0.002/year plus noise (sd 0.02), scaled and shifted by their scanner; and a box
 * mask. Voxels are 2 mm.
 *
 * @example
 * ```ts
 * const { subjects, mask } = generateExample(123);
 * ```
 */
export function generateExample(seed = 123): { subjects: DemoSubject[]; mask: Volume } {
  const next = mulberry32(seed);
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
        data[at] = (anatomy + AGE_EFFECT * age + 0.02 * normal()) * scanner.scale + scanner.shift;
      }
      const subject = `sub-${String(subjects.length + 1).padStart(2, '0')}`;
      subjects.push({ subject, scanner: scanner.name, age, volume: { shape: [...SHAPE], affine, data, metadata: {} } });
    }
  }
  const mask = new Uint8Array(nx * ny * nz);
  for (let at = 0; at < mask.length; at++) {
    const [i, j, k] = [at % nx, Math.floor(at / nx) % ny, Math.floor(at / (nx * ny))];
    if (i >= 5 && i < 25 && j >= 6 && j < 30 && k >= 4 && k < 16) mask[at] = 1;
  }
  return { subjects, mask: { shape: [...SHAPE], affine, data: mask, metadata: {} } };
}

/** A small seeded generator (mulberry32). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
