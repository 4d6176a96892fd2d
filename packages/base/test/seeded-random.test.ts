import { readFileSync } from 'node:fs';
import { seededRandom } from '@combat/base/internal';
import { fixturePath } from '@combat/test-support';
import { expect, test } from 'vitest';

test('is mulberry32: the sequences of an independent implementation (fixtures/tools/make_mulberry32.py), number for number', () => {
  const { count, sequences } = JSON.parse(readFileSync(fixturePath('seeded-random', 'mulberry32.json'), 'utf8')) as { count: number; sequences: Record<string, number[]> };
  expect(Object.keys(sequences).length).toBeGreaterThan(5);
  for (const [seed, expected] of Object.entries(sequences)) expect(Array.from({ length: count }, seededRandom(Number(seed)))).toEqual(expected);
});

test('one seed gives one sequence, another seed another', () => {
  const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
  const seven = draw(7);
  const eight = draw(8);
  expect(draw(7)).toEqual(seven);
  expect(seven.filter((x, k) => x === eight[k])).toEqual([]);
});

test('the numbers are uniform in [0, 1): each tenth holds about a tenth of 100,000', () => {
  const next = seededRandom(2026);
  const tenths = new Array<number>(10).fill(0);
  const outside: number[] = [];
  for (let k = 0; k < 100_000; k++) {
    const x = next();
    if (x >= 0 && x < 1) tenths[Math.floor(x * 10)]!++;
    else outside.push(x);
  }
  expect(outside).toEqual([]);
  // A tenth's count is binomial(100,000, 0.1): sd 95, so 500 is over five sd.
  for (const count of tenths) expect(Math.abs(count - 10_000)).toBeLessThan(500);
});
