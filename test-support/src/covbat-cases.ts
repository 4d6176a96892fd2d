import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { caseFolders, readCaseJson, readCaseTable, readExpected } from './case-tables.js';
import { fixturePath } from './fixtures.js';

/** The reference cases of `fixtures/covbat/` (CovBat's R code; see its README). */
export const COVBAT_CASES = fixturePath('covbat');

export interface CovbatSpec {
  batch: string;
  id: string;
  categorical: string[];
  continuous: string[];
  parametric: boolean;
  eb: boolean;
  meanOnly: boolean;
  refBatch: string | null;
  features: { from: string; to: string; count: number };
  covbat: { percentVar: number; nPc: number | null; npcChosen: number; stdVar: boolean; scoreEb: boolean; varianceExplained: number[] };
}

export interface CovbatCase {
  name: string;
  dir: string;
  spec: CovbatSpec;
  features: string[];
  matrix: DataMatrix;
  covariates: Covariates;
  /** ComBat's options of the case. */
  options: CombatOptions;
  /** CovBat's choice of components as `case.json` gives it: `nPc`, else `percentVar`. */
  choice: { variance: number } | { components: number };
  expected: Float64Array;
  expectedCombat: Float64Array;
}

export function covbatCaseNames(): string[] {
  return caseFolders(COVBAT_CASES);
}

export function loadCovbatCase(name: string): CovbatCase {
  const dir = join(COVBAT_CASES, name);
  const spec = readCaseJson<CovbatSpec>(dir);
  const { features, matrix, covariates } = readCaseTable(join(dir, 'input.csv'), spec);
  return {
    name,
    dir,
    spec,
    features,
    matrix,
    covariates,
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    choice: spec.covbat.nPc === null ? { variance: spec.covbat.percentVar } : { components: spec.covbat.nPc },
    expected: readExpected(join(dir, 'expected.csv'), spec),
    expectedCombat: readExpected(join(dir, 'expected-combat.csv'), spec),
  };
}
