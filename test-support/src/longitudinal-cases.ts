import { join } from 'node:path';
import type { Covariates, DataMatrix, LongitudinalOptions } from '@combat/core';
import { caseFolders, readCaseJson, readCaseTable, readExpected } from './case-tables.js';
import { fixturePath } from './fixtures.js';

/** The reference cases of `fixtures/longitudinal/` (longCombat; see its README). */
export const LONGITUDINAL_CASES = fixturePath('longitudinal');

/** A longitudinal case's `case.json` (the parts the tests use). */
export interface LongitudinalSpec {
  id: string;
  subject: string;
  time: string;
  batch: string;
  categorical: string[];
  continuous: string[];
  /** Continuous covariates entered as natural splines (`ns(column, df = df)` in `formula`), with the knots R's `ns` chose from the case's values; none when `case.json` has no `splines`. */
  splines: { column: string; df: number; knots: number[]; boundaryKnots: [number, number] }[];
  iterations: number;
  features: { from: string; to: string; count: number };
}

/** longCombat's estimates of a case: batches in order, and per batch and feature gammahat, delta2hat and their EB estimates. */
export interface LongitudinalEstimates {
  batches: string[];
  gammaHat: number[][];
  delta2Hat: number[][];
  gammaStar: number[][];
  delta2Star: number[][];
}

export interface LongitudinalCase {
  name: string;
  dir: string;
  spec: LongitudinalSpec;
  ids: string[];
  subject: string[];
  features: string[];
  matrix: DataMatrix;
  covariates: Covariates;
  /** The options of `harmonizeLongitudinal` for the case: its subjects, and its splines by degrees of freedom as R was given them. */
  options: LongitudinalOptions;
  expected: Float64Array;
  estimates: LongitudinalEstimates;
}

/** The names of the longitudinal cases. */
export function longitudinalCaseNames(): string[] {
  return caseFolders(LONGITUDINAL_CASES);
}

export function loadLongitudinalCase(name: string): LongitudinalCase {
  const dir = join(LONGITUDINAL_CASES, name);
  const given = readCaseJson<Omit<LongitudinalSpec, 'splines'> & Partial<Pick<LongitudinalSpec, 'splines'>>>(dir);
  const spec: LongitudinalSpec = { ...given, splines: given.splines ?? [] };
  // A spline's column is a continuous covariate too.
  const { table, features, matrix, covariates } = readCaseTable(join(dir, 'input.csv'), { ...spec, continuous: [...spec.continuous, ...spec.splines.map((s) => s.column)] });
  const subject = table.rows.map((r) => r[spec.subject] as string);
  return {
    name,
    dir,
    spec,
    ids: table.rows.map((r) => r[spec.id] as string),
    subject,
    features,
    matrix,
    covariates,
    options: { subject, splines: Object.fromEntries(spec.splines.map((s) => [s.column, { df: s.df }])) },
    expected: readExpected(join(dir, 'expected.csv'), spec),
    estimates: readCaseJson<LongitudinalEstimates>(dir, 'estimates.json'),
  };
}
