import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import type { CombatOptions, Covariates, DataMatrix } from '../src/index.js';

/** The reference cases of `fixtures/combat/` (copied from the shared fixtures; see its README). */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/combat/', import.meta.url));

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
  return readdirSync(FIXTURES).sort();
}

export function loadCase(name: string): FixtureCase {
  const dir = `${FIXTURES}${name}/`;
  const spec = JSON.parse(readFileSync(`${dir}case.json`, 'utf8')) as CaseSpec;
  const input = readTable(`${dir}input.csv`);
  const features = input.columns.slice(input.columns.indexOf(spec.features.from), input.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`${name}: expected ${spec.features.count} features`);
  const expected = readTable(`${dir}expected.csv`);
  let estimates: FixtureCase['estimates'];
  try {
    estimates = JSON.parse(readFileSync(`${dir}estimates.json`, 'utf8'));
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

interface Table {
  columns: string[];
  rows: Record<string, string>[];
}

function readTable(path: string): Table {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${path}: ${parsed.errors[0]?.message}`);
  return { columns: parsed.meta.fields ?? [], rows: parsed.data };
}

/** Parses with Number(), which reads "NaN" as NaN and every other cell at full float64 precision. */
function numericMatrix(table: Table, columns: string[]): Float64Array {
  const out = new Float64Array(table.rows.length * columns.length);
  table.rows.forEach((row, i) => columns.forEach((c, v) => (out[i * columns.length + v] = Number(row[c]))));
  return out;
}
