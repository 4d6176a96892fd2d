import { checkColumns, checkCovariateNames, checkCovariates, checkDesignOptions, checkTermDeclarations, requireCoding } from './covariate-checks.js';
import { findNamingProblem, listDesignColumns } from './design-names.js';
import { CovariateNameError, InvalidValueError, UnknownCovariateError } from './errors.js';
import { findKnotProblem } from './coding-checks.js';
import { evaluateNaturalSpline, quantileKnots, scaleKnots } from './spline-basis.js';
import { sortLevels } from './levels.js';
import type { Covariates } from './types.js';

/**
 * A categorical covariate: its levels in code-point order. The first is the reference level; each
 * other level gets a 0/1 column `<name>:<level>` (treatment coding).
 *
 * @example
 * ```ts
 * const sex: CategoricalTerm = { kind: 'categorical', name: 'sex', levels: ['F', 'M'] };
 * declareDesign([sex]).columns; // ['sex:M']
 * ```
 */
export interface CategoricalTerm {
  readonly kind: 'categorical';
  readonly name: string;
  readonly levels: readonly string[];
}

/**
 * A continuous covariate: one column with its values as given, and the range the fit covers
 * (`[smallest, largest]` of the training values, or as declared; null when unknown). Applying a
 * model to values outside the range warns: the covariate's effect is extrapolated there.
 *
 * @example
 * ```ts
 * const age: ContinuousTerm = { kind: 'continuous', name: 'age', range: [18, 90] };
 * declareDesign([age]).columns; // ['age']
 * ```
 */
export interface ContinuousTerm {
  readonly kind: 'continuous';
  readonly name: string;
  readonly range: readonly [number, number] | null;
}

/**
 * A continuous covariate entered as a natural cubic spline (R's `splines::ns`): cubic between the
 * interior `knots`, linear beyond the `boundaryKnots`, `knots.length + 1` columns
 * `<name>:ns1`, `<name>:ns2`, ... (a basis of that space; see docs/combat-spec.md). The knots are
 * fixed when the design is coded, so every sample is encoded the same way; `range` as for a
 * continuous term.
 *
 * @example
 * ```ts
 * const age: SplineTerm = { kind: 'spline', name: 'age', knots: [40, 60], boundaryKnots: [20, 80], range: [20, 80] };
 * declareDesign([age]).columns; // ['age:ns1', 'age:ns2', 'age:ns3']
 * ```
 */
export interface SplineTerm {
  readonly kind: 'spline';
  readonly name: string;
  readonly knots: readonly number[];
  readonly boundaryKnots: readonly [number, number];
  readonly range: readonly [number, number] | null;
}

/**
 * One covariate of the design, with what it needs to produce its columns for any sample.
 *
 * @example
 * ```ts
 * const terms: CovariateTerm[] = [...model.coding.terms];
 * terms.map((term) => term.kind); // ['categorical', 'continuous']
 * ```
 */
export type CovariateTerm = CategoricalTerm | ContinuousTerm | SplineTerm;

/**
 * How covariates become the design's covariate columns: the terms, and the columns they give in
 * order. The batches are not part of it: statistics and models hold them by label.
 *
 * @example
 * ```ts
 * const coding: DesignCoding = codeDesign({ batch: ['b', 'a', 'b'], categorical: { sex: ['M', 'F', 'F'] }, continuous: { age: [30, 40, 50] } });
 * coding.columns; // ['sex:M', 'age']
 * coding.terms; // [{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { kind: 'continuous', name: 'age', range: [30, 50] }]
 * ```
 */
export interface DesignCoding {
  readonly terms: readonly CovariateTerm[];
  readonly columns: readonly string[];
}

/**
 * A term as {@link declareDesign} takes it: a categorical covariate's levels in any order; a
 * continuous covariate's range optional (null or absent: unknown, no warning when applying).
 *
 * @example
 * ```ts
 * const declared: TermDeclaration[] = [{ kind: 'categorical', name: 'sex', levels: ['M', 'F'] }, { kind: 'continuous', name: 'age' }];
 * declareDesign(declared).terms[0]; // { kind: 'categorical', name: 'sex', levels: ['F', 'M'] }
 * ```
 */
export type TermDeclaration =
  | { readonly kind: 'categorical'; readonly name: string; readonly levels: readonly string[] }
  | { readonly kind: 'continuous'; readonly name: string; readonly range?: readonly [number, number] | null }
  | { readonly kind: 'spline'; readonly name: string; readonly knots: readonly number[]; readonly boundaryKnots: readonly [number, number]; readonly range?: readonly [number, number] | null };

/**
 * How a continuous covariate becomes a spline term when a design is coded from data: by degrees of
 * freedom (`df`, default 4: df - 1 interior knots at the quantiles of the values, as R's `ns`
 * chooses them, boundary knots at the smallest and largest value), or by explicit `knots` and
 * `boundaryKnots`.
 *
 * @example
 * ```ts
 * const spline: SplineOptions = { df: 3 };
 * codeDesign(covariates, { splines: { age: spline } }).columns; // ['sex:M', 'age:ns1', 'age:ns2', 'age:ns3']
 * ```
 */
export interface SplineOptions {
  readonly df?: number;
  readonly knots?: readonly number[];
  readonly boundaryKnots?: readonly [number, number];
}

/**
 * Options of {@link codeDesign}: which continuous covariates enter as natural splines.
 *
 * @example
 * ```ts
 * const options: DesignOptions = { splines: { age: { df: 2 } } };
 * codeDesign(covariates, options).terms[1]; // { kind: 'spline', name: 'age', knots: [46], boundaryKnots: [29, 62], range: [29, 62] }
 * ```
 */
export interface DesignOptions {
  readonly splines?: Readonly<Record<string, SplineOptions>>;
}

/**
 * Covariates turned into numbers: each sample's batch label and its covariate columns
 * (`covariates[i * q + k]`, q = `coding.columns.length`).
 *
 * @example
 * ```ts
 * const rows: EncodedRows = encodeCovariates(model.coding, { batch: ['siteB', 'siteA'], categorical: { sex: ['M', 'F'] }, continuous: { age: [63, 41] } });
 * rows.samples; // 2
 * rows.batch; // ['siteB', 'siteA']
 * rows.covariates; // Float64Array.of(1, 63, 0, 41)
 * ```
 */
export interface EncodedRows {
  readonly samples: number;
  readonly batch: readonly string[];
  readonly covariates: Float64Array;
}

/**
 * Derives the design coding from covariates and validates them: lengths, missing values,
 * non-finite continuous values, and names that give every column once. Categorical levels are the
 * values seen, in code-point order; each continuous range is the smallest and largest value seen.
 * Labels (batches included) that differ only in spaces or Unicode form are refused.
 *
 * @throws {@link InvalidArgumentError} when `covariates` is not of the right kind.
 * @throws {@link ShapeMismatchError} when a covariate column has another length than `batch`.
 * @throws {@link InvalidValueError} when a label is missing or a continuous value is not finite.
 * @throws {@link CovariateNameError} when names would give a design column twice, or two labels
 * differ only in spaces or Unicode form.
 *
 * @example
 * ```ts
 * const coding = codeDesign({ batch: ['s1', 's1', 's2', 's2'], categorical: { sex: ['F', 'M', 'F', 'M'] } });
 * coding.columns; // ['sex:M']
 * codeDesign({ batch: ['s1', 's2'], categorical: { sex: ['F', 'F '] } });
 * // throws CovariateNameError: categorical covariate "sex" has the labels "F" and "F ", which differ only in spaces or Unicode form; write them the same way
 * ```
 */
export function codeDesign(covariates: Covariates, options: DesignOptions = {}): DesignCoding {
  const samples = checkCovariates(covariates, 'codeDesign');
  checkColumns(covariates, samples);
  const splines = checkDesignOptions(options, covariates, 'codeDesign');
  sortLevels(covariates.batch, 'batch');
  const terms: CovariateTerm[] = [
    ...Object.entries(covariates.categorical ?? {}).map(([name, values]): CovariateTerm => ({ kind: 'categorical', name, levels: sortLevels(values, `categorical covariate "${name}"`) })),
    ...Object.entries(covariates.continuous ?? {}).map(([name, values]): CovariateTerm => {
      const range = findRange(values);
      const spline = splines[name];
      return spline === undefined ? { kind: 'continuous', name, range } : codeSpline(name, values, range, spline);
    }),
  ];
  return codeTerms(terms);
}

/** A spline term of a covariate's values: its knots as given, or chosen as R's `ns` chooses them. */
function codeSpline(name: string, values: ArrayLike<number>, range: [number, number], spline: SplineOptions): SplineTerm {
  const boundaryKnots: [number, number] = spline.boundaryKnots === undefined ? range : [spline.boundaryKnots[0], spline.boundaryKnots[1]];
  const what = `spline of continuous covariate "${name}"`;
  const boundary = findKnotProblem({ knots: [], boundaryKnots });
  if (boundary !== null) throw new InvalidValueError(`${what}: ${boundary}`);
  let knots: number[];
  if (spline.knots === undefined) {
    // As R's ns: the quantiles of the values within the boundary knots.
    const inside = Array.from(values).filter((x) => x >= boundaryKnots[0] && x <= boundaryKnots[1]);
    const df = spline.df ?? 4;
    const distinct = new Set(inside).size;
    if (distinct < df + 1) throw new InvalidValueError(`${what}: ${distinct} distinct values within the boundary knots for df = ${df}; expected at least df + 1 (use a smaller df)`);
    knots = quantileKnots(inside, df);
  } else {
    knots = [...spline.knots];
  }
  const term: SplineTerm = { kind: 'spline', name, knots, boundaryKnots, range };
  const problem = findKnotProblem(term);
  if (problem !== null) throw new InvalidValueError(`${what}: ${problem}${spline.knots === undefined ? ' (ties among the values give equal knots: use a smaller df)' : ''}`);
  return term;
}

/**
 * A design coding declared from its terms up front, without data: what sites that share only
 * statistics agree on before each accumulates its own. Levels are sorted in code-point order;
 * samples added to statistics of this coding must use its levels; a declared range is widened to
 * cover values beyond it (declare null to record none).
 *
 * @throws {@link InvalidArgumentError} when `terms` is not an array of term declarations, a
 * categorical has no level, or a range is not two finite numbers in order.
 * @throws {@link CovariateNameError} when names would give a design column twice, or two levels
 * differ only in spaces or Unicode form.
 *
 * @example
 * ```ts
 * const coding = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['M', 'F'] }, { kind: 'continuous', name: 'age', range: [18, 90] }]);
 * coding.columns; // ['sex:M', 'age']
 * declareDesign([{ kind: 'continuous', name: 'age', range: [90, 18] }]);
 * // throws InvalidArgumentError: declareDesign: terms[0].range: expected two finite numbers [smallest, largest] in order; received an array of 2
 * ```
 */
export function declareDesign(terms: readonly TermDeclaration[]): DesignCoding {
  checkTermDeclarations(terms, 'declareDesign');
  return codeTerms(
    terms.map((term): CovariateTerm =>
      term.kind === 'categorical'
        ? { kind: 'categorical', name: term.name, levels: sortLevels(term.levels, `categorical covariate "${term.name}"`) }
        : term.kind === 'continuous'
          ? { kind: 'continuous', name: term.name, range: term.range === undefined || term.range === null ? null : [term.range[0], term.range[1]] }
          : declareSpline(term),
    ),
  );
}

/** A declared spline term, its knots checked. */
function declareSpline(term: Extract<TermDeclaration, { kind: 'spline' }>): SplineTerm {
  const spline: SplineTerm = {
    kind: 'spline',
    name: term.name,
    knots: [...term.knots],
    boundaryKnots: [term.boundaryKnots[0], term.boundaryKnots[1]],
    range: term.range === undefined || term.range === null ? null : [term.range[0], term.range[1]],
  };
  const problem = findKnotProblem(spline);
  if (problem !== null) throw new InvalidValueError(`spline of continuous covariate "${term.name}": ${problem}`);
  return spline;
}

/** The coding of checked terms: names checked, columns listed. */
function codeTerms(terms: CovariateTerm[]): DesignCoding {
  const problem = findNamingProblem(terms);
  if (problem !== null) throw new CovariateNameError(problem);
  return { terms, columns: listDesignColumns(terms) };
}

/**
 * Encodes covariates with an existing coding (the training one): batch labels as given, each
 * term's columns. A categorical level the coding does not know is an error naming it and the
 * sample; so is a covariate the coding needs but the input lacks, or one it does not know.
 * Continuous values outside a term's range are encoded as they are (applying warns about them).
 *
 * @throws {@link InvalidArgumentError} when `coding` is not a design coding as {@link codeDesign}
 * makes one, or `covariates` is not of the right kind.
 * @throws {@link ShapeMismatchError} when a covariate column has another length than `batch`.
 * @throws {@link InvalidValueError} when a label is missing or a continuous value is not finite.
 * @throws {@link UnknownCovariateError} when a categorical level is not one of the coding's, or
 * the covariates are not the coding's.
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['M'] }, continuous: { age: [63] } });
 * Array.from(rows.covariates); // [1, 63]
 * encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['X'] }, continuous: { age: [63] } });
 * // throws UnknownCovariateError: sample 0: categorical covariate "sex" has level "X", unseen in training (known: F, M)
 * encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['M'] } });
 * // throws UnknownCovariateError: covariates do not match the design (expected categorical "sex", continuous "age"): missing continuous "age"
 * ```
 */
export function encodeCovariates(coding: DesignCoding, covariates: Covariates): EncodedRows {
  requireCoding(coding, 'encodeCovariates');
  const samples = checkCovariates(covariates, 'encodeCovariates');
  checkColumns(covariates, samples);
  checkCovariateNames(coding, covariates);
  const q = coding.columns.length;
  const encoded = new Float64Array(samples * q);
  let offset = 0;
  for (const term of coding.terms) {
    if (term.kind === 'categorical') {
      const values = covariates.categorical?.[term.name] as readonly string[];
      const levelLookup = new Map(term.levels.map((level, i) => [level, i]));
      for (let i = 0; i < samples; i++) {
        const level = levelLookup.get(values[i] as string);
        if (level === undefined) {
          throw new UnknownCovariateError(
            `categorical covariate "${term.name}" has level ${JSON.stringify(values[i])}, unseen in training (known: ${term.levels.join(', ')})`,
            { sample: i },
          );
        }
        if (level > 0) encoded[i * q + offset + level - 1] = 1;
      }
      offset += term.levels.length - 1;
    } else if (term.kind === 'continuous') {
      const values = covariates.continuous?.[term.name] as ArrayLike<number>;
      for (let i = 0; i < samples; i++) encoded[i * q + offset] = values[i] as number;
      offset += 1;
    } else {
      const values = covariates.continuous?.[term.name] as ArrayLike<number>;
      const scaled = scaleKnots(term.knots, term.boundaryKnots);
      const basis = new Float64Array(term.knots.length + 1);
      for (let i = 0; i < samples; i++) {
        evaluateNaturalSpline(values[i] as number, scaled, term.boundaryKnots, basis, 0);
        encoded.set(basis, i * q + offset);
      }
      offset += basis.length;
    }
  }
  return { samples, batch: Array.from(covariates.batch), covariates: encoded };
}

/** The smallest and largest of finite values (checked before). */
function findRange(values: ArrayLike<number>): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x < low) low = x;
    if (x > high) high = x;
  }
  return [low, high];
}
