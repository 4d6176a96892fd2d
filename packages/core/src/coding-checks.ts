import type { ErrorContext } from '@combat/base';
import { describeValue, isRecord } from '@combat/base/internal';
import { compareCodePoints } from './code-point-order.js';
import type { CovariateTerm, DesignCoding } from './design.js';
import { findNamingProblem, listDesignColumns } from './design-names.js';

/**
 * Throws the caller's error type with a detail (and optionally where): lets one check serve
 * arguments ({@link InvalidArgumentError}) and stored values ({@link ModelFormatError}).
 */
export type Fail = (detail: string, context?: ErrorContext) => never;

/**
 * Checks that a value is a design coding exactly as {@link codeDesign} makes one, and returns a
 * fresh copy of it: `terms` an array of categorical terms (a non-empty name, levels that are
 * non-empty strings in code-point order without repeats, at least one) and continuous terms (a
 * non-empty name, a range of two finite numbers in order, or null); no naming problem (see
 * `findNamingProblem`); and `columns` exactly the list the terms imply. Messages name the field
 * under `path`.
 */
export function checkCoding(value: unknown, path: string, fail: Fail): DesignCoding {
  if (!isRecord(value)) return fail(`${path} is ${describeValue(value)}; expected a design coding { terms, columns }`);
  const terms = requireArray(value.terms, `${path}.terms`, fail).map((entry, k) => checkTerm(entry, `${path}.terms[${k}]`, fail));
  const problem = findNamingProblem(terms);
  if (problem !== null) fail(`${path}: ${problem}`);
  const columns = listDesignColumns(terms);
  const given = requireArray(value.columns, `${path}.columns`, fail);
  const wrong = columns.findIndex((column, j) => given[j] !== column);
  if (wrong >= 0 || given.length !== columns.length) {
    const at = wrong >= 0 ? wrong : columns.length;
    const implied = columns.length === 0 ? 'no columns' : columns.join(', ');
    fail(`${path}.columns[${at}] is ${describeValue(given[at])}; expected ${at < columns.length ? JSON.stringify(columns[at]) : 'no more columns'} (the terms imply ${implied})`);
  }
  return { terms, columns };
}

function checkTerm(entry: unknown, at: string, fail: Fail): CovariateTerm {
  if (!isRecord(entry)) return fail(`${at} is ${describeValue(entry)}; expected a term { kind, name, ... }`);
  const name = requireNonEmptyString(entry.name, `${at}.name`, fail);
  if (entry.kind === 'categorical') {
    const levels = requireSortedLabels(entry.levels, `${at}.levels`, fail);
    if (levels.length === 0) fail(`${at}.levels is empty; expected at least one level`);
    return { kind: 'categorical', name, levels };
  }
  if (entry.kind === 'continuous' || entry.kind === 'spline') {
    const range = entry.range;
    if (range !== null && !isRange(range)) return fail(`${at}.range is ${describeValue(range)}; expected null or two finite numbers [smallest, largest] in order`);
    const checked = range === null ? null : ([range[0], range[1]] as [number, number]);
    if (entry.kind === 'continuous') return { kind: 'continuous', name, range: checked };
    const { knots, boundaryKnots } = entry;
    if (!Array.isArray(knots) || !knots.every((t) => typeof t === 'number')) return fail(`${at}.knots is ${describeValue(knots)}; expected an array of numbers`);
    if (!isRange(boundaryKnots)) return fail(`${at}.boundaryKnots is ${describeValue(boundaryKnots)}; expected two finite numbers in order`);
    const spline = { kind: 'spline' as const, name, knots: [...(knots as number[])], boundaryKnots: [boundaryKnots[0], boundaryKnots[1]] as [number, number], range: checked };
    const problem = findKnotProblem(spline);
    if (problem !== null) fail(`${at}: ${problem}`);
    return spline;
  }
  return fail(`${at}.kind is ${describeValue(entry.kind)}; expected "categorical", "continuous" or "spline"`);
}

/**
 * What is wrong with a spline's knots, or null: boundary knots finite with the first below the
 * second, interior knots finite, strictly ascending and strictly between them.
 */
export function findKnotProblem({ knots, boundaryKnots }: { readonly knots: readonly number[]; readonly boundaryKnots: readonly [number, number] }): string | null {
  const [a, b] = boundaryKnots;
  if (!(Number.isFinite(a) && Number.isFinite(b) && a < b)) return `boundary knots are [${a}, ${b}]; expected two finite numbers, the first below the second`;
  const all = [a, ...knots, b];
  for (let k = 1; k < all.length; k++) {
    const t = all[k] as number;
    if (!Number.isFinite(t) || !(t > (all[k - 1] as number))) {
      return `knots are ${all.join(', ')} (boundary knots included); expected finite knots strictly ascending, the interior ones strictly between the boundary knots`;
    }
  }
  return null;
}

/** Whether a value is `[low, high]` with finite numbers and low <= high. */
export function isRange(value: unknown): value is readonly [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number' && Number.isFinite(x)) && (value[0] as number) <= (value[1] as number);
}

export function requireArray(value: unknown, path: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) return fail(`${path} is ${describeValue(value)}; expected an array`);
  return value;
}

export function requireNonEmptyString(value: unknown, path: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(`${path} is ${describeValue(value)}; expected a non-empty string`);
  return value;
}

/** An array of non-empty strings in strictly ascending code-point order (so without repeats). */
export function requireSortedLabels(value: unknown, path: string, fail: Fail): string[] {
  const labels = requireArray(value, path, fail).map((label, k) => requireNonEmptyString(label, `${path}[${k}]`, fail));
  labels.forEach((label, k) => {
    if (k > 0 && compareCodePoints(labels[k - 1] as string, label) >= 0) {
      fail(`${path}[${k}] is ${JSON.stringify(label)} after ${JSON.stringify(labels[k - 1])}; expected labels in code-point order without repeats`);
    }
  });
  return labels;
}
