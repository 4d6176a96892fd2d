/**
 * The module of browser.test.ts's page: `threadsCheck(name)` runs one check and reports plain
 * values (Chromium hands back only JSON).
 */
import { applyCombat, harmonize, CombatError } from '@combat/core';
import { CombatThreads } from '@combat/threads';
import { syntheticData } from '../../../test-support/src/synthetic.js';

function sameBits(a: Float64Array, b: Float64Array): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

/** Plain facts of an error, core's or another. */
function describe(error: unknown): object {
  const { name, message } = error as Error;
  return { name, message, ...(error instanceof CombatError ? { sample: error.sample, feature: error.feature } : {}) };
}

/**
 * `harmonize`: the threads' values against core's. `worker-error`: a value that adjusts beyond
 * float64 in feature 29 (in the second of two ranges, so found by the second worker), the error
 * of the threads against core's.
 */
async function threadsCheck(name: 'harmonize' | 'worker-error'): Promise<object> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const { matrix, covariates } = syntheticData({ seed: 21, batchSizes: [7, 8, 6], features: 41, missing: 0.04 });
  const expected = harmonize(matrix, covariates, { parametric: false });
  const threads = new CombatThreads({ threads: 2 });
  try {
    if (name === 'worker-error') {
      const sample = covariates.batch.findIndex((label) => expected.model.batches.get(label)!.deltaStar[29]! < 0.85);
      const huge = Float64Array.from(matrix.data);
      huge[sample * 41 + 29] = 1.7e308;
      const run = (apply: () => unknown): Promise<object> => Promise.resolve().then(apply).then(() => ({ name: 'none' }), describe);
      return { isolated, sample, found: await run(() => threads.applyCombat(expected.model, { ...matrix, data: huge }, covariates)), expected: await run(() => applyCombat(expected.model, { ...matrix, data: huge }, covariates)) };
    }
    const found = await threads.harmonize(matrix, covariates, { parametric: false });
    const stars = [...expected.model.batches].every(([label, batch]) => sameBits(found.model.batches.get(label)!.gammaStar, batch.gammaStar) && sameBits(found.model.batches.get(label)!.deltaStar, batch.deltaStar));
    return { isolated, shared: found.data.buffer instanceof SharedArrayBuffer, sameData: sameBits(found.data, expected.data), sameStars: stars };
  } catch (error) {
    return { isolated, error: describe(error) };
  } finally {
    await threads.close();
  }
}

Object.assign(globalThis, { threadsCheck });
