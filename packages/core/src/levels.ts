import { compareCodePoints } from './code-point-order.js';
import { CovariateNameError, TooFewBatchesError, UnknownBatchError } from './errors.js';

/**
 * The distinct labels in code-point order. Labels that differ only in surrounding spaces or in
 * Unicode form ("A " and "A", a composed and a decomposed "é") look like one level to a person and
 * would silently be two: an error naming both.
 *
 * @throws {@link CovariateNameError} naming the two labels.
 */
export function sortLevels(values: Iterable<string>, what: string): string[] {
  const levels = [...new Set(values)].sort(compareCodePoints);
  const seen = new Map<string, string>();
  for (const level of levels) {
    const key = level.trim().normalize('NFC');
    const twin = seen.get(key);
    if (twin !== undefined) {
      throw new CovariateNameError(`${what} has the labels ${JSON.stringify(twin)} and ${JSON.stringify(level)}, which differ only in spaces or Unicode form; write them the same way`);
    }
    seen.set(key, level);
  }
  return levels;
}

/**
 * The batches of a fit, in code-point order, from every sample's label: refused when there are
 * fewer than two, when two differ only in spaces or Unicode form, or when `refBatch` is not one of
 * them. What {@link finalizeModel} checks, for a caller to check before a data pass.
 *
 * @throws {@link TooFewBatchesError}, {@link CovariateNameError} or {@link UnknownBatchError}.
 */
export function checkFitBatches(labels: Iterable<string>, refBatch: string | null): string[] {
  const batches = sortLevels(labels, 'batch');
  const B = batches.length;
  if (B < 2) throw new TooFewBatchesError(`expected at least 2 batches; found ${B}${B === 0 ? '' : ` (${batches.map((b) => JSON.stringify(b)).join(', ')})`}`);
  if (refBatch !== null && !batches.includes(refBatch)) {
    throw new UnknownBatchError(`reference batch ${JSON.stringify(refBatch)} is not among the batches (${batches.join(', ')})`);
  }
  return batches;
}
