import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { FitPlan, Iterations } from '@combat/core/internal';
import { iterateOverRanges } from '../src/iterations.js';

const CONVERGENCE = 1e-4;

/**
 * The parametric solver's stopping point over ranges of features is the one over all features
 * (the first iteration whose largest change over every range is at most 1e-4, or the cap), for
 * any per-range changes, including a range that stops early and changes by more later: the same
 * outcome, and every range has run exactly the iterations core's loop over all the features runs
 * (no fewer, no more), so each feature's estimates are core's. The ranges' iterations are
 * simulated: each range and batch has a sequence of changes, and each request must continue
 * where the last one stopped.
 */
test('iterations over ranges stop where iterations over all features stop', async () => {
  const change = fc.oneof(fc.constantFrom(0, 5e-5, CONVERGENCE, 2e-4), fc.double({ min: 0, max: 1e-3, noNaN: true }));
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 12 }),
      fc.array(fc.array(change, { minLength: 12, maxLength: 12 }), { minLength: 12, maxLength: 12 }),
      async (ranges, batches, maxIterations, pool) => {
        // Range r, batch b: its change at iteration t (1-based) is changes[r][b][t - 1].
        const changes = Array.from({ length: ranges }, (_, r) => Array.from({ length: batches }, (_, b) => pool[(r * batches + b) % 12] as number[]));
        const plan = { labels: Array.from({ length: batches }, (_, b) => `b${b}`), ref: null, eb: true, parametric: true, meanOnly: false, maxIterations } as unknown as FitPlan;
        const done = changes.map((range) => range.map(() => 0));
        const run = async (steps: (Iterations | null)[][]) =>
          steps.map((range, r) =>
            range.map((step, b) => {
              if (step === null) return [];
              expect(step.done).toBe(done[r]![b]);
              const found: number[] = [];
              for (let t = step.done; t < step.limit && !(step.untilConverged && (found.at(-1) ?? Infinity) <= CONVERGENCE); t++) found.push(changes[r]![b]![t]!);
              done[r]![b]! += found.length;
              return found;
            }),
          );
        const outcomes = await iterateOverRanges(plan, ranges, run);
        // Core's loop over all the features, batch by batch: its outcome and how many iterations it ran.
        const expected = Array.from({ length: batches }, (_, b) => {
          let last = Infinity;
          let count = 0;
          for (let t = 0; t < maxIterations && last > CONVERGENCE; t++, count++) last = Math.max(...changes.map((range) => range[b]![t]!));
          return { outcome: { converged: last <= CONVERGENCE, change: last }, count };
        });
        expect(outcomes).toEqual(expected.map(({ outcome }) => outcome));
        expect(done).toEqual(changes.map(() => expected.map(({ count }) => count)));
      },
    ),
    { numRuns: 300 },
  );
});
