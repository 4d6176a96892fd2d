import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { numericMatrix, readCsvFixture, type CsvTable } from './csv.js';
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
  return readdirSync(COVBAT_CASES).sort();
}

export function loadCovbatCase(name: string): CovbatCase {
  const dir = join(COVBAT_CASES, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CovbatSpec;
  const input = readCsvFixture(join(dir, 'input.csv'));
  const features = featureColumns(input, spec);
  const expected = (file: string): Float64Array => numericMatrix(readCsvFixture(join(dir, file)), features);
  return {
    name,
    dir,
    spec,
    features,
    matrix: { data: numericMatrix(input, features), samples: input.rows.length, features: features.length },
    covariates: {
      batch: input.rows.map((r) => r[spec.batch] as string),
      categorical: Object.fromEntries(spec.categorical.map((c) => [c, input.rows.map((r) => r[c] as string)])),
      continuous: Object.fromEntries(spec.continuous.map((c) => [c, Float64Array.from(input.rows, (r) => Number(r[c]))])),
    },
    options: { eb: spec.eb, parametric: spec.parametric, meanOnly: spec.meanOnly, refBatch: spec.refBatch },
    choice: spec.covbat.nPc === null ? { variance: spec.covbat.percentVar } : { components: spec.covbat.nPc },
    expected: expected('expected.csv'),
    expectedCombat: expected('expected-combat.csv'),
  };
}

function featureColumns(table: CsvTable, spec: CovbatSpec): string[] {
  const features = table.columns.slice(table.columns.indexOf(spec.features.from), table.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`expected ${spec.features.count} features from ${spec.features.from} to ${spec.features.to}`);
  return features;
}
