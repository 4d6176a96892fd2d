import { checkBoolean, checkInteger, checkOptions, refuseArgument } from '@combat/base/internal';

/**
 * Checks the options of a fit (`harmonize`, `codeDesign`, `finalizeModel`), once at the public
 * boundary: absent or an object; `eb`, `parametric` and `meanOnly` absent or true or false;
 * `refBatch` absent, null or a string; `maxIterations` absent or a positive integer.
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the option when one is not.
 */
export function checkFitOptions(options: unknown, fn: string): void {
  const given = checkOptions(options, `${fn}: options`, 'an object { eb?, parametric?, meanOnly?, refBatch?, maxIterations?, splines? }');
  for (const key of ['eb', 'parametric', 'meanOnly']) if (given[key] !== undefined) checkBoolean(given[key], `${fn}: options.${key}`);
  const { refBatch, maxIterations } = given;
  if (refBatch !== undefined && refBatch !== null && typeof refBatch !== 'string') refuseArgument(`${fn}: options.refBatch`, 'a batch label or null', refBatch);
  if (maxIterations !== undefined) checkInteger(maxIterations, `${fn}: options.maxIterations`, 1);
}
