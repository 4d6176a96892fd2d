import { InvalidArgumentError } from '@combat/base';
import { checkInteger, checkObject, checkOptions, isRecord, refuseArgument } from '@combat/base/internal';
import { checkOnce } from './check-once.js';
import { checkCoding, isRange } from './coding-checks.js';
import type { DesignCoding, SplineOptions } from './design.js';
import { InvalidValueError, ShapeMismatchError, UnknownCovariateError } from './errors.js';
import type { Covariates } from './types.js';

/**
 * Checks of covariates and codings at the public boundary of the design functions: the shape of
 * the arguments, every column's length and values, and that covariates match a coding.
 */

/**
 * Checks a design coding argument as `checkCoding` does (once per coding object: codings are
 * read-only, and a streaming caller encodes one sample at a time with the same one).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the field when it is not a coding.
 */
export const requireCoding: (coding: unknown, fn: string) => asserts coding is DesignCoding = checkOnce((coding, fn) => {
  checkObject(coding, `${fn}: coding`, 'a design coding { terms, columns }');
  checkCoding(coding, 'coding', (detail) => {
    throw new InvalidArgumentError(`${fn}: ${detail}`);
  });
});

/**
 * Checks the shape of a covariates argument (an object with an array of batch labels, and
 * optional records of arrays) and returns the number of samples; the values are checked by
 * {@link checkColumns}.
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the part that is of the wrong kind.
 */
export function checkCovariates(covariates: unknown, fn: string): number {
  const { batch, categorical, continuous } = checkObject(covariates, `${fn}: covariates`, 'an object { batch, categorical?, continuous? }');
  if (!Array.isArray(batch)) return refuseArgument(`${fn}: covariates.batch`, 'an array of batch labels, one per sample', batch);
  for (const [role, group, expected] of [
    ['categorical', categorical, 'an array of labels'],
    ['continuous', continuous, 'an array or typed array of numbers'],
  ] as const) {
    if (group === undefined) continue;
    if (!isRecord(group)) refuseArgument(`${fn}: covariates.${role}`, 'an object of named columns', group);
    for (const [name, values] of Object.entries(group)) {
      const ok = role === 'categorical' ? Array.isArray(values) : isArrayLike(values);
      if (!ok) refuseArgument(`${fn}: covariates.${role}[${JSON.stringify(name)}]`, `${expected}, one per sample`, values);
    }
  }
  return batch.length;
}

/**
 * Checks every column's length and that no label is missing and no continuous value non-finite
 * (after {@link checkCovariates} has checked the shape).
 *
 * @throws {@link ShapeMismatchError} when a column has another length than `samples`.
 * @throws {@link InvalidValueError} when a label is missing or a continuous value not finite.
 */
export function checkColumns(covariates: Covariates, samples: number): void {
  checkLabels(covariates.batch, 'batch labels', samples);
  for (const [name, values] of Object.entries(covariates.categorical ?? {})) {
    checkLabels(values, `categorical covariate "${name}"`, samples);
  }
  for (const [name, values] of Object.entries(covariates.continuous ?? {})) {
    if (values.length !== samples) {
      throw new ShapeMismatchError(`continuous covariate "${name}" has ${values.length} values; expected one per sample (${samples})`);
    }
    for (let i = 0; i < samples; i++) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidValueError(`continuous covariate "${name}" is ${String(value)}; expected a finite number`, { sample: i });
      }
    }
  }
}

function checkLabels(values: readonly string[], what: string, samples: number): void {
  if (values.length !== samples) {
    throw new ShapeMismatchError(`${what} has ${values.length} values; expected one per sample (${samples})`);
  }
  for (let i = 0; i < samples; i++) {
    const value = values[i];
    if (typeof value !== 'string' || value === '') {
      throw new InvalidValueError(`${what} is ${JSON.stringify(value) ?? 'undefined'}; expected a non-empty string`, { sample: i });
    }
  }
}

/**
 * Checks that covariates name exactly the covariates of a coding, each in its role.
 *
 * @throws {@link UnknownCovariateError} listing the missing and the unknown covariates.
 */
export function checkCovariateNames(coding: DesignCoding, covariates: Covariates): void {
  const given = [...Object.keys(covariates.categorical ?? {}).map((n) => `categorical "${n}"`), ...Object.keys(covariates.continuous ?? {}).map((n) => `continuous "${n}"`)];
  const needed = coding.terms.map((term) => `${term.kind === 'categorical' ? 'categorical' : 'continuous'} "${term.name}"`);
  const missing = needed.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !needed.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', unknown.length > 0 ? `not in the design: ${unknown.join(', ')}` : ''];
    throw new UnknownCovariateError(
      `covariates do not match the design (expected ${needed.length > 0 ? needed.join(', ') : 'none'}): ${parts.filter(Boolean).join('; ')}`,
    );
  }
}

/**
 * Checks the argument of `declareDesign`: an array of `{ kind: 'categorical', name, levels }`
 * (levels a non-empty array of non-empty strings) and `{ kind: 'continuous', name, range? }`
 * (range absent, null, or two finite numbers in order).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the entry.
 */
export function checkTermDeclarations(terms: unknown, fn: string): void {
  if (!Array.isArray(terms)) refuseArgument(`${fn}: terms`, 'an array of term declarations', terms);
  terms.forEach((term: unknown, k) => {
    const at = `${fn}: terms[${k}]`;
    if (!isRecord(term) || (term.kind !== 'categorical' && term.kind !== 'continuous' && term.kind !== 'spline')) {
      refuseArgument(at, "{ kind: 'categorical', name, levels }, { kind: 'continuous', name, range? } or { kind: 'spline', name, knots, boundaryKnots, range? }", term);
    }
    if (typeof term.name !== 'string') refuseArgument(`${at}.name`, 'a covariate name', term.name);
    if (term.kind === 'categorical') {
      const { levels } = term;
      if (!Array.isArray(levels) || levels.length === 0 || levels.some((level) => typeof level !== 'string' || level === '')) {
        refuseArgument(`${at}.levels`, 'a non-empty array of non-empty labels', levels);
      }
    } else {
      if (term.range !== undefined && term.range !== null && !isRange(term.range)) refuseArgument(`${at}.range`, 'two finite numbers [smallest, largest] in order', term.range);
      if (term.kind === 'spline') {
        if (!Array.isArray(term.knots) || !term.knots.every((t) => typeof t === 'number')) refuseArgument(`${at}.knots`, 'an array of numbers', term.knots);
        if (!Array.isArray(term.boundaryKnots) || term.boundaryKnots.length !== 2 || !term.boundaryKnots.every((t) => typeof t === 'number')) {
          refuseArgument(`${at}.boundaryKnots`, 'two numbers', term.boundaryKnots);
        }
      }
    }
  });
}

/**
 * Checks `codeDesign`'s options and returns the splines by covariate name: each names a continuous
 * covariate (a categorical one, or one the covariates lack, is refused), with `df` an integer of
 * at least 1, or `knots` (numbers) and optionally `boundaryKnots` (two numbers).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the option.
 */
export function checkDesignOptions(options: unknown, covariates: Covariates, fn: string): Readonly<Record<string, SplineOptions>> {
  const given = checkOptions(options, `${fn}: options`, 'an object { splines? }');
  const splines = given.splines;
  if (splines === undefined) return {};
  if (!isRecord(splines)) return refuseArgument(`${fn}: options.splines`, 'an object of spline options by continuous covariate name', splines);
  for (const [name, spline] of Object.entries(splines)) {
    const at = `${fn}: options.splines[${JSON.stringify(name)}]`;
    if (covariates.categorical?.[name] !== undefined) refuseArgument(at, `a spline of a continuous covariate; "${name}" is categorical`, spline);
    if (covariates.continuous?.[name] === undefined) refuseArgument(at, `a spline of one of the continuous covariates (${Object.keys(covariates.continuous ?? {}).join(', ') || 'none'})`, spline);
    const { df, knots, boundaryKnots } = checkObject(spline, at, '{ df? } or { knots, boundaryKnots? }');
    if (df !== undefined) checkInteger(df, `${at}.df`, 1);
    if (knots !== undefined && !(Array.isArray(knots) && knots.every((t) => typeof t === 'number'))) refuseArgument(`${at}.knots`, 'an array of numbers', knots);
    if (boundaryKnots !== undefined && !(Array.isArray(boundaryKnots) && boundaryKnots.length === 2 && boundaryKnots.every((t) => typeof t === 'number'))) {
      refuseArgument(`${at}.boundaryKnots`, 'two numbers', boundaryKnots);
    }
    if (df !== undefined && knots !== undefined) refuseArgument(at, 'df or knots, not both', spline);
  }
  return splines as Readonly<Record<string, SplineOptions>>;
}

/** Whether a value is an array or a typed array (what `ArrayLike<number>` inputs may be). */
function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}
