import { expect } from 'vitest';

/**
 * The fixtures' parity rule: every value within `relative * max(1, |expected|)`, NaN exactly where
 * expected is NaN, and an infinity only where the same infinity is expected. Reports the worst
 * cell, so a failure says where and by how much.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-9, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (a === e) continue;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      expect(Number.isNaN(a), `${label}[${i}]: actual ${a}, expected ${e}`).toBe(Number.isNaN(e));
      continue;
    }
    // Unequal values one of which is infinite: no tolerance covers that.
    if (!Number.isFinite(e) || !Number.isFinite(a)) expect.fail(`${label}[${i}]: actual ${a}, expected ${e}`);
    const ratio = Math.abs(a - e) / (relative * Math.max(1, Math.abs(e)));
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worst >= 0 && !(worstRatio <= 1)) {
    expect.fail(`${label}[${worst}]: actual ${actual[worst]}, expected ${expected[worst]} (${worstRatio.toExponential(2)} x the tolerance)`);
  }
}
