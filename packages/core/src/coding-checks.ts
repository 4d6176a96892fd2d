import type { ErrorContext } from '@combat/base';
import { describeValue, isRecord } from '@combat/base/internal';
import { compareCodePoints } from './code-point-order.js';
import type { CategoricalCoding, DesignCoding } from './design.js';
import { listDesignColumns, findNamingProblem } from './design-names.js';

/**
 * Throws the caller's error type with a detail (and optionally where): lets one check serve
 * arguments ({@link InvalidArgumentError}) and stored models ({@link ModelFormatError}).
 */
export type Fail = (detail: string, context?: ErrorContext) => never;

/**
 * Checks that a value is a design coding exactly as {@link codeDesign} makes one, and returns a
 * fresh copy of it: at least 2 batches, non-empty strings in code-point order without repeats; a
 * reference batch null or one of them; each categorical with a non-empty name and levels that are
 * non-empty strings in code-point order without repeats, the first of them `dropped`; non-empty
 * continuous names; no naming problem (see `findNamingProblem`); and `columns` exactly the list the
 * coding implies. Messages name the field under `path`.
 */
export function checkCoding(value: unknown, path: string, fail: Fail): DesignCoding {
  if (!isRecord(value)) return fail(`${path} is ${describeValue(value)}; expected a design coding { batches, refBatch, categorical, continuous, columns }`);
  const batches = requireSortedLabels(value.batches, `${path}.batches`, fail);
  if (batches.length < 2) fail(`${path}.batches has ${batches.length} batch(es); expected at least 2`);
  const refBatch = value.refBatch;
  if (refBatch !== null && !(typeof refBatch === 'string' && batches.includes(refBatch))) {
    fail(`${path}.refBatch is ${describeValue(refBatch)}; expected null or one of the batches (${batches.join(', ')})`);
  }
  const categorical = requireArray(value.categorical, `${path}.categorical`, fail).map((entry, k): CategoricalCoding => {
    const at = `${path}.categorical[${k}]`;
    if (!isRecord(entry)) return fail(`${at} is ${describeValue(entry)}; expected { name, levels, dropped }`);
    const name = requireNonEmptyString(entry.name, `${at}.name`, fail);
    const levels = requireSortedLabels(entry.levels, `${at}.levels`, fail);
    if (levels.length === 0) fail(`${at}.levels is empty; expected at least one level`);
    if (entry.dropped !== levels[0]) fail(`${at}.dropped is ${describeValue(entry.dropped)}; expected the first level, ${JSON.stringify(levels[0])}`);
    return { name, levels, dropped: levels[0] as string };
  });
  const continuous = requireArray(value.continuous, `${path}.continuous`, fail).map((name, k) => requireNonEmptyString(name, `${path}.continuous[${k}]`, fail));
  const problem = findNamingProblem(batches, categorical, continuous);
  if (problem !== null) fail(`${path}: ${problem}`);
  const columns = listDesignColumns(batches, categorical, continuous);
  const given = requireArray(value.columns, `${path}.columns`, fail);
  const wrong = columns.findIndex((column, j) => given[j] !== column);
  if (wrong >= 0 || given.length !== columns.length) {
    const at = wrong >= 0 ? wrong : columns.length;
    fail(
      `${path}.columns[${at}] is ${describeValue(given[at])}; expected ${at < columns.length ? JSON.stringify(columns[at]) : 'no more columns'} (the coding implies ${columns.join(', ')})`,
    );
  }
  return { batches, refBatch: refBatch as string | null, categorical, continuous, columns };
}

function requireArray(value: unknown, path: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) return fail(`${path} is ${describeValue(value)}; expected an array`);
  return value;
}

function requireNonEmptyString(value: unknown, path: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(`${path} is ${describeValue(value)}; expected a non-empty string`);
  return value;
}

/** An array of non-empty strings in strictly ascending code-point order (so without repeats). */
function requireSortedLabels(value: unknown, path: string, fail: Fail): string[] {
  const labels = requireArray(value, path, fail).map((label, k) => requireNonEmptyString(label, `${path}[${k}]`, fail));
  labels.forEach((label, k) => {
    if (k > 0 && compareCodePoints(labels[k - 1] as string, label) >= 0) {
      fail(`${path}[${k}] is ${JSON.stringify(label)} after ${JSON.stringify(labels[k - 1])}; expected labels in code-point order without repeats`);
    }
  });
  return labels;
}
