import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { numericMatrix, readCsvFixture } from './csv.js';
import { fixturePath } from './fixtures.js';

/** The reference cases of `fixtures/combat/` (copied from the shared fixtures; see its README). */
export const COMBAT_CASES = fixturePath('combat');

export interface CaseSpec {
  batch: string;
  categorical: string[];
  continuous: string[];
  features: { from: string; to: string; count: number };
  parametric: boolean;
  meanOnly: boolean;
  refBatch: string | null;
  eb: boolean;
}

export interface FixtureCase {
  name: string;
  spec: CaseSpec;
  matrix: DataMatrix;
  covariates: Covariates;
  options: CombatOptions;
  expected: Float64Array;
  estimates: Record<string, number[] | number[][] | string[]> | undefined;
}

export function caseNames(): string[] {
  return readdirSync(COMBAT_CASES).sort();
}

export function loadCase(name: string): FixtureCase {
  const dir = join(COMBAT_CASES, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
  const input = readCsvFixture(join(dir, 'input.csv'));
  const features = input.columns.slice(input.columns.indexOf(spec.features.from), input.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`${name}: expected ${spec.features.count} features`);
  const expected = readCsvFixture(join(dir, 'expected.csv'));
  let estimates: FixtureCase['estimates'];
  try {
    estimates = JSON.parse(readFileSync(join(dir, 'estimates.json'), 'utf8'));
  } catch {
    estimates = undefined;
  }
  return {
    name,
    spec,
    matrix: { data: numericMatrix(input, features), samples: input.rows.length, features: features.length },
    covariates: {
      batch: input.rows.map((r) => r[spec.batch] as string),
      categorical: Object.fromEntries(spec.categorical.map((c) => [c, input.rows.map((r) => r[c] as string)])),
      continuous: Object.fromEntries(spec.continuous.map((c) => [c, Float64Array.from(input.rows, (r) => Number(r[c]))])),
    },
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    expected: numericMatrix(expected, features),
    estimates,
  };
}
