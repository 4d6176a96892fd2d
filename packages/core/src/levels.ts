import { compareCodePoints } from './code-point-order.js';
import { CovariateNameError } from './errors.js';

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
