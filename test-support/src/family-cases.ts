import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { caseFolders, readCaseJson, readCaseTable, readExpected } from './case-tables.js';
import { fixturePath } from './fixtures.js';

/** The reference cases of `fixtures/family/` (splines and new batches; see its README). */
export const FAMILY_CASES = fixturePath('family');

export interface FamilySpec {
  batch: string;
  id: string;
  categorical: string[];
  continuous: string[];
  splines: { column: string; df: number; knots: number[]; boundaryKnots: [number, number] }[];
  parametric: boolean;
  eb: boolean;
  meanOnly: boolean;
  refBatch: string | null;
  features: { from: string; to: string; count: number };
  newBatches: string[];
  formula: string;
}

/** One table of a family case: its ids, data and covariates. */
export interface FamilyTable {
  ids: string[];
  matrix: DataMatrix;
  covariates: Covariates;
}

export interface FamilyCase {
  name: string;
  dir: string;
  spec: FamilySpec;
  options: CombatOptions;
  train: FamilyTable;
  new: FamilyTable;
  expectedTrain: Float64Array;
  expectedNew: Float64Array;
}

/** The names of the family cases that start with `prefix`. */
export function familyCaseNames(prefix = ''): string[] {
  return caseFolders(FAMILY_CASES).filter((name) => name.startsWith(prefix));
}

export function loadFamilyCase(name: string): FamilyCase {
  const dir = join(FAMILY_CASES, name);
  const spec = readCaseJson<FamilySpec>(dir);
  // A spline's column is a continuous covariate too.
  const tables = { ...spec, continuous: [...spec.continuous, ...spec.splines.map((s) => s.column)] };
  const table = (file: string): FamilyTable => {
    const { table: rows, matrix, covariates } = readCaseTable(join(dir, file), tables);
    return { ids: rows.rows.map((r) => r[spec.id] as string), matrix, covariates };
  };
  return {
    name,
    dir,
    spec,
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    train: table('train.csv'),
    new: table('new.csv'),
    expectedTrain: readExpected(join(dir, 'expected-train.csv'), spec),
    expectedNew: readExpected(join(dir, 'expected-new.csv'), spec),
  };
}
