import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { caseFolders, readCaseJson, readCaseTable, readExpected } from './case-tables.js';
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
  return caseFolders(COMBAT_CASES);
}

export function loadCase(name: string): FixtureCase {
  const dir = join(COMBAT_CASES, name);
  const spec = readCaseJson<CaseSpec>(dir);
  const { matrix, covariates } = readCaseTable(join(dir, 'input.csv'), spec);
  return {
    name,
    spec,
    matrix,
    covariates,
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    expected: readExpected(join(dir, 'expected.csv'), spec),
    estimates: existsSync(join(dir, 'estimates.json')) ? readCaseJson(dir, 'estimates.json') : undefined,
  };
}
