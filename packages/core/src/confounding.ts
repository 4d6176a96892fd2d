import type { DesignCoding } from './design.js';
import { countColumns } from './design-names.js';
import { buildCrossProduct, findInvolvedColumns, isFullRank, findNullSpace } from './design-matrix.js';
import { ConfoundedDesignError, InvalidValueError } from './errors.js';
import type { DesignSums } from './standardize.js';
import { buildManyLevelsWarnings } from './warnings.js';

/**
 * Throws {@link ConfoundedDesignError} when the design is rank deficient, with sva's three cases
 * (the only covariate is confounded with batch; the covariates are confounded with each other; at
 * least one covariate is confounded with batch), what the per-batch sums show exactly (see
 * {@link findExactCauses}), the covariate columns involved, the batches (those the exact causes name,
 * else those the null space involves), and the `many-levels` warning
 * of any categorical covariate it applies to. The explanation is computed
 * on the design without a reference batch (the same column space, with plain batch indicators)
 * from the null space as a whole, so it names the same columns and batches whatever the order of
 * the samples, the reference batch, or the basis the eigen solver returns.
 *
 * @throws {@link ConfoundedDesignError} when the design is rank deficient.
 * @throws {@link InvalidValueError} when covariate values are too large for float64 squares.
 */
export function checkDesignRank(coding: DesignCoding, batches: readonly string[], design: DesignSums): void {
  const { count, covariateSum, covariateCross } = design;
  const B = batches.length;
  const q = coding.columns.length;
  const p = B + q;
  const columnNames = [...batches.map((b) => `batch:${b}`), ...coding.columns];
  checkFiniteCrossProducts(coding, covariateCross);
  const xtx = buildCrossProduct(B, q, null, count, covariateSum, covariateCross);
  if (isFullRank(xtx, p)) return;
  const full = findInvolvedColumns(findNullSpace(xtx, p), p);
  const block = new Float64Array(q * q);
  for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) block[k * q + l] = xtx[(B + k) * p + B + l];
  const amongCovariates = q > 1 ? findInvolvedColumns(findNullSpace(block, q), q) : [];
  const [kind, advice, columns] =
    q === 1
      ? ['the covariate is confounded with batch', 'remove it', [B]]
      : amongCovariates.length > 0
        ? ['the covariates are confounded with each other', 'remove one of them', amongCovariates.map((k) => B + k)]
        : ['at least one covariate is confounded with batch', 'remove the confounded covariates', full.filter((j) => j >= B)];
  const names = columns.map((j) => columnNames[j] as string);
  const causes = findExactCauses(coding, batches, design);
  // The batches the exact causes name, else those the null space involves.
  const named = new Set(causes.flatMap((cause) => cause.batches));
  const involved = named.size > 0 ? [...named].sort((a, b) => a - b) : full.filter((j) => j < B);
  const involvedBatches = involved.map((b) => batches[b] as string);
  const where = [`${names.length === 1 ? 'column' : 'columns'} ${names.join(', ')}`, involvedBatches.length === 0 ? '' : `${involvedBatches.length === 1 ? 'batch' : 'batches'} ${involvedBatches.join(', ')}`];
  // A covariate of very many levels (an age given as categorical) is the usual cause of nested levels.
  const hints = buildManyLevelsWarnings(coding, count.reduce((a, n) => a + n, 0)).map((w) => `; ${w.message}`);
  throw new ConfoundedDesignError(`${kind}${causes.length > 0 ? `: ${causes.map((cause) => cause.text).join('; ')}` : ''} (${where.filter(Boolean).join('; ')}); ${advice}${hints.join('')}`, names, involvedBatches);
}

/**
 * One thing the per-batch sums show exactly about a rank-deficient design: a sentence, and the
 * batches it names.
 */
interface ExactCause {
  readonly text: string;
  readonly batches: readonly number[];
}

/**
 * What the per-batch sums show exactly about a rank-deficient design, in covariate order: a
 * categorical level whose count in every batch is 0 or the whole batch (it occurs only in some
 * batches and in all of their samples, or in no sample), and a continuous covariate constant
 * within every batch. Each is a dependency among the design's columns. Of a two-level covariate
 * only the level in fewer batches is described (the other is its complement); a level in every
 * sample is described by the others, which occur in none.
 */
function findExactCauses(coding: DesignCoding, batches: readonly string[], design: DesignSums): ExactCause[] {
  const { count, covariateSum, covariateCross } = design;
  const B = batches.length;
  const q = coding.columns.length;
  const causes: ExactCause[] = [];
  let offset = 0;
  for (const term of coding.terms) {
    if (term.kind === 'spline') {
      offset += countColumns(term);
      continue;
    }
    if (term.kind === 'continuous') {
      const k = offset;
      let within = 0;
      let total = 0;
      for (let b = 0; b < B; b++) {
        const sum = covariateSum[b * q + k] as number;
        const squares = covariateCross[(b * q + k) * q + k] as number;
        within += squares - (sum * sum) / (count[b] as number);
        total += squares;
      }
      if (within <= 1e-10 * total) causes.push({ text: `continuous covariate ${term.name} is constant within each batch`, batches: [] });
      offset += 1;
      continue;
    }
    const { name, levels } = term;
    // Counts are sums of 0s and 1s: exact. The first level's count is the rest of the batch.
    const levelCount = (b: number, l: number): number => {
      if (l > 0) return covariateSum[b * q + offset + l - 1] as number;
      let others = 0;
      for (let k = 1; k < levels.length; k++) others += covariateSum[b * q + offset + k - 1] as number;
      return (count[b] as number) - others;
    };
    const described: { level: number; batches: number[] }[] = [];
    for (let l = 0; l < levels.length && levels.length >= 2; l++) {
      const full: number[] = [];
      let determined = true;
      for (let b = 0; b < B && determined; b++) {
        const n = levelCount(b, l);
        if (n === count[b]) full.push(b);
        else if (n !== 0) determined = false;
      }
      if (determined && full.length < B) described.push({ level: l, batches: full });
    }
    const complements = levels.length === 2 && described.length === 2 && described.every((d) => d.batches.length > 0);
    const chosen = complements ? [described[0]!.batches.length <= described[1]!.batches.length ? described[0]! : described[1]!] : described;
    for (const { level, batches: where } of chosen) {
      causes.push({ text: describeLevel(levels[level] as string, name, where.map((b) => batches[b] as string)), batches: where });
    }
    offset += levels.length - 1;
  }
  return causes;
}

function describeLevel(level: string, name: string, batches: readonly string[]): string {
  if (batches.length === 0) return `level ${level} of ${name} occurs in no sample`;
  if (batches.length === 1) return `level ${level} of ${name} occurs only in batch ${batches[0]}, and in all of its samples`;
  return `level ${level} of ${name} occurs only in batches ${batches.join(', ')}, and in all of their samples`;
}

/**
 * Covariate values whose squares overflow float64 (around 1e154 and beyond) leave X'X infinite,
 * where no rank or fit means anything: an error naming the design column.
 */
function checkFiniteCrossProducts(coding: DesignCoding, covariateCross: Float64Array): void {
  const q = coding.columns.length;
  for (let at = 0; at < covariateCross.length; at++) {
    if (Number.isFinite(covariateCross[at])) continue;
    const k = Math.floor(at / q) % q;
    throw new InvalidValueError(
      `covariate column ${JSON.stringify(coding.columns[k])} has values too large for float64 (their squares overflow, around 1e154 and beyond); rescale it (e.g. to other units)`,
    );
  }
}
