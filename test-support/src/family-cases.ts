import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { numericMatrix, readCsvFixture, type CsvTable } from './csv.js';
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
  return readdirSync(FAMILY_CASES)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

export function loadFamilyCase(name: string): FamilyCase {
  const dir = join(FAMILY_CASES, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as FamilySpec;
  const table = (file: string): FamilyTable => {
    const input = readCsvFixture(join(dir, file));
    const features = featureColumns(input, spec);
    return {
      ids: input.rows.map((r) => r[spec.id] as string),
      matrix: { data: numericMatrix(input, features), samples: input.rows.length, features: features.length },
      covariates: {
        batch: input.rows.map((r) => r[spec.batch] as string),
        categorical: Object.fromEntries(spec.categorical.map((c) => [c, input.rows.map((r) => r[c] as string)])),
        // A spline's column is a continuous covariate too.
        continuous: Object.fromEntries([...spec.continuous, ...spec.splines.map((s) => s.column)].map((c) => [c, Float64Array.from(input.rows, (r) => Number(r[c]))])),
      },
    };
  };
  const expected = (file: string): Float64Array => {
    const table = readCsvFixture(join(dir, file));
    return numericMatrix(table, featureColumns(table, spec));
  };
  return {
    name,
    dir,
    spec,
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    train: table('train.csv'),
    new: table('new.csv'),
    expectedTrain: expected('expected-train.csv'),
    expectedNew: expected('expected-new.csv'),
  };
}

function featureColumns(table: CsvTable, spec: FamilySpec): string[] {
  const features = table.columns.slice(table.columns.indexOf(spec.features.from), table.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`expected ${spec.features.count} features from ${spec.features.from} to ${spec.features.to}`);
  return features;
}
