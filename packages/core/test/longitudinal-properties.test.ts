import { expectClose, longitudinalStudy, type StudySpec } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { harmonizeLongitudinal } from '../src/index.js';
import { buildSubjectDesign, fitMixedModel, profileAt, type SubjectDesign } from '../src/mixed-model.js';

const studies: fc.Arbitrary<StudySpec> = fc.record({
  seed: fc.integer(),
  subjects: fc.integer({ min: 6, max: 40 }),
  maxVisits: fc.integer({ min: 2, max: 5 }),
  sites: fc.integer({ min: 2, max: 3 }),
  features: fc.integer({ min: 2, max: 5 }),
  subjectSd: fc.constantFrom(0, 0.05, 0.3, 1, 5),
  movers: fc.boolean(),
});

/** The fixed effects of a study as the mixed model takes them: a column per site, age and male. */
function studyDesign(study: ReturnType<typeof longitudinalStudy>): SubjectDesign {
  const { covariates, subject } = study;
  const sites = [...new Set(covariates.batch)].sort();
  const labels = [...new Set(subject)].sort();
  const N = subject.length;
  const p = sites.length + 2;
  const x = new Float64Array(N * p);
  for (let i = 0; i < N; i++) {
    x[i * p + sites.indexOf(covariates.batch[i] as string)] = 1;
    x[i * p + sites.length] = (covariates.continuous.age[i] as number) - 60;
    x[i * p + sites.length + 1] = covariates.categorical.sex[i] === 'M' ? 1 : 0;
  }
  return buildSubjectDesign(x, p, Int32Array.from(subject, (s) => labels.indexOf(s)), labels.length);
}

/** Whether the repeated scans leave within-subject degrees of freedom (else the model is not identified; harmonizeLongitudinal refuses it). */
function hasWithinFreedom(design: SubjectDesign): boolean {
  return design.rows - design.size.length - design.withinRank > 0;
}

function column(study: ReturnType<typeof longitudinalStudy>, v: number): Float64Array {
  const { data, samples, features } = study.matrix;
  return Float64Array.from({ length: samples }, (_, i) => data[i * features + v] as number);
}

describe('the REML fit of the random-intercept model', () => {
  it('is the optimum: the derivative of the profiled criterion vanishes at an interior ratio, or the ratio is 0 and the criterion rises into the interior', () => {
    fc.assert(
      fc.property(studies, (spec) => {
        const study = longitudinalStudy(spec);
        const design = studyDesign(study);
        fc.pre(hasWithinFreedom(design));
        for (let v = 0; v < spec.features; v++) {
          const y = column(study, v);
          const { ratio } = fitMixedModel(design, y);
          const rho = ratio / (1 + ratio);
          const at = profileAt(design, y, rho);
          if (ratio === 0) {
            // d(-2 log L_REML)/d ratio >= 0 at the boundary: the likelihood does not rise into ratio > 0.
            expect(at.slope).toBeGreaterThanOrEqual(0);
          } else {
            // The derivative is a difference of terms of size about N: zero to rounding of those terms.
            const size = Math.abs(profileAt(design, y, 0).slope) + design.rows;
            expect(Math.abs(at.slope)).toBeLessThan(1e-9 * size);
          }
          // And no point of a fine grid over the whole range is better (a global optimum on it).
          for (let g = 0; g < 200; g++) {
            const other = profileAt(design, y, g / 200).criterion;
            expect(other).toBeGreaterThanOrEqual(at.criterion - 1e-12 * Math.abs(at.criterion));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('adding a vector of the fixed effects\u2019 span (a constant per site, a multiple of age) moves the fixed effects by it and nothing else', () => {
    fc.assert(
      fc.property(studies, fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 5, maxLength: 5 }), (spec, shifts) => {
        const study = longitudinalStudy(spec);
        const design = studyDesign(study);
        fc.pre(hasWithinFreedom(design));
        const p = design.columns;
        const delta = Float64Array.from({ length: p }, (_, j) => shifts[j % shifts.length] as number);
        const y = column(study, 0);
        const moved = y.map((value, i) => {
          let shifted = value;
          for (let j = 0; j < p; j++) shifted += (design.x[i * p + j] as number) * (delta[j] as number);
          return shifted;
        });
        const before = fitMixedModel(design, y);
        const after = fitMixedModel(design, moved);
        const scale = Math.max(...Array.from(y, Math.abs), ...Array.from(delta, Math.abs));
        expect(Math.abs(after.ratio - before.ratio)).toBeLessThanOrEqual(1e-7 * Math.max(1, before.ratio));
        expect(Math.abs(after.sigma - before.sigma)).toBeLessThanOrEqual(1e-7 * before.sigma);
        expectClose(after.beta.map((b, j) => b - (delta[j] as number)), before.beta, 1e-8 * scale, 'beta');
        expectClose(after.intercepts, before.intercepts, 1e-8 * scale, 'intercepts');
      }),
      { numRuns: 60 },
    );
  });

  it('predicts each subject\u2019s intercept as its mean residual shrunk by n ratio / (1 + n ratio)', () => {
    fc.assert(
      fc.property(studies, (spec) => {
        const study = longitudinalStudy(spec);
        const design = studyDesign(study);
        fc.pre(hasWithinFreedom(design));
        const y = column(study, 0);
        const { beta, intercepts, ratio } = fitMixedModel(design, y);
        const p = design.columns;
        const residual = new Float64Array(design.size.length);
        for (let i = 0; i < design.rows; i++) {
          let r = y[i] as number;
          for (let j = 0; j < p; j++) r -= (design.x[i * p + j] as number) * (beta[j] as number);
          residual[design.subject[i] as number]! += r;
        }
        const expected = Array.from(residual, (sum, s) => {
          const n = design.size[s] as number;
          return ((n * ratio) / (1 + n * ratio)) * (sum / n);
        });
        expectClose(intercepts, expected, 1e-9, 'intercepts');
      }),
      { numRuns: 40 },
    );
  });
});

describe('harmonizeLongitudinal', () => {
  it('is the same for any order of the rows and any labels of the subjects', () => {
    fc.assert(
      fc.property(studies, fc.integer(), (spec, shuffleSeed) => {
        const study = longitudinalStudy(spec);
        const { matrix, covariates, subject } = study;
        const N = matrix.samples;
        const V = matrix.features;
        const order = shuffled(N, shuffleSeed);
        const pick = <T>(values: ArrayLike<T>): T[] => order.map((i) => values[i] as T);
        // Relabelled subjects sort in another order.
        const renamed = pick(subject).map((label) => `${(label.charCodeAt(label.length - 1) * 7919) % 97}-${label}`);
        const data = new Float64Array(N * V);
        order.forEach((from, to) => data.set(matrix.data.subarray(from * V, (from + 1) * V), to * V));
        const run = () => harmonizeLongitudinal(matrix, covariates, { subject });
        const runPermuted = () =>
          harmonizeLongitudinal(
            { data, samples: N, features: V },
            { batch: pick(covariates.batch), categorical: { sex: pick(covariates.categorical.sex) }, continuous: { age: Float64Array.from(pick(covariates.continuous.age)) } },
            { subject: renamed },
          );
        // A design without within-subject degrees of freedom is refused alike in any order.
        const refusal = refusalOf(run);
        if (refusal !== null) {
          expect(refusalOf(runPermuted)).toEqual(refusal);
          return;
        }
        const original = run();
        const permuted = runPermuted();
        const back = new Float64Array(N * V);
        order.forEach((from, to) => back.set(permuted.data.subarray(to * V, (to + 1) * V), from * V));
        expectClose(back, original.data, 1e-9, 'data');
        expectClose(permuted.sigma, original.sigma, 1e-9, 'sigma');
        expectClose(permuted.ratio, original.ratio, 1e-7, 'ratio');
        for (const [label, batch] of original.batches) {
          const other = permuted.batches.get(label)!;
          for (const key of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) expectClose(other[key], batch[key], 1e-9, `${label} ${key}`);
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** The name and message of what `run` throws, or null. */
function refusalOf(run: () => unknown): { name: string; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

/** A seeded permutation of 0 .. n - 1 (Fisher-Yates). */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
