import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Covariates, DataMatrix } from '@combat/core';
import { numericMatrix, readCsvFixture, type CsvTable } from './csv.js';
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
  expected: Float64Array;
  estimates: LongitudinalEstimates;
}

/** The names of the longitudinal cases. */
export function longitudinalCaseNames(): string[] {
  return readdirSync(LONGITUDINAL_CASES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function loadLongitudinalCase(name: string): LongitudinalCase {
  const dir = join(LONGITUDINAL_CASES, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as LongitudinalSpec;
  const input = readCsvFixture(join(dir, 'input.csv'));
  const features = featureColumns(input, spec);
  const expectedTable = readCsvFixture(join(dir, 'expected.csv'));
  return {
    name,
    dir,
    spec,
    ids: input.rows.map((r) => r[spec.id] as string),
    subject: input.rows.map((r) => r[spec.subject] as string),
    features,
    matrix: { data: numericMatrix(input, features), samples: input.rows.length, features: features.length },
    covariates: {
      batch: input.rows.map((r) => r[spec.batch] as string),
      categorical: Object.fromEntries(spec.categorical.map((c) => [c, input.rows.map((r) => r[c] as string)])),
      continuous: Object.fromEntries(spec.continuous.map((c) => [c, Float64Array.from(input.rows, (r) => Number(r[c]))])),
    },
    expected: numericMatrix(expectedTable, features),
    estimates: JSON.parse(readFileSync(join(dir, 'estimates.json'), 'utf8')) as LongitudinalEstimates,
  };
}

function featureColumns(table: CsvTable, spec: LongitudinalSpec): string[] {
  const features = table.columns.slice(table.columns.indexOf(spec.features.from), table.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`expected ${spec.features.count} features from ${spec.features.from} to ${spec.features.to}`);
  return features;
}
