import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Covariates, DataMatrix } from '@combat/core';
import { numericMatrix, readCsvFixture, type CsvTable } from './csv.js';

/** What a reference case's `case.json` says of its tables: the batch and covariate columns, and the features (the columns `from` to `to`). */
export interface TableSpec {
  batch: string;
  categorical: string[];
  continuous: string[];
  features: { from: string; to: string; count: number };
}

/** A reference case's input table, read as its spec says. */
export interface CaseTable {
  table: CsvTable;
  features: string[];
  matrix: DataMatrix;
  covariates: Covariates;
}

/** The cases of a folder of reference cases: its folders, sorted. */
export function caseFolders(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** A JSON file of a case's folder (`case.json` by default), as the type the caller names. */
export function readCaseJson<T>(dir: string, file = 'case.json'): T {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
}

/** A case's table of samples: its feature columns as a matrix and its batch and covariates. */
export function readCaseTable(path: string, spec: TableSpec): CaseTable {
  const table = readCsvFixture(path);
  const features = featureColumns(table, spec, path);
  return {
    table,
    features,
    matrix: { data: numericMatrix(table, features), samples: table.rows.length, features: features.length },
    covariates: {
      batch: table.rows.map((r) => r[spec.batch] as string),
      categorical: Object.fromEntries(spec.categorical.map((c) => [c, table.rows.map((r) => r[c] as string)])),
      continuous: Object.fromEntries(spec.continuous.map((c) => [c, Float64Array.from(table.rows, (r) => Number(r[c]))])),
    },
  };
}

/** A case's expected output: the feature columns of a CSV file as a sample-major matrix. */
export function readExpected(path: string, spec: TableSpec): Float64Array {
  const table = readCsvFixture(path);
  return numericMatrix(table, featureColumns(table, spec, path));
}

function featureColumns(table: CsvTable, spec: TableSpec, path: string): string[] {
  const features = table.columns.slice(table.columns.indexOf(spec.features.from), table.columns.indexOf(spec.features.to) + 1);
  if (features.length !== spec.features.count) throw new Error(`${path}: expected ${spec.features.count} features from ${spec.features.from} to ${spec.features.to}`);
  return features;
}
