import type { CombatError, ErrorContext } from './errors.js';

/**
 * A CombatError's message: `detail` prefixed with the location (`sample 3, feature 7: `) and
 * followed by the remedy (`; use { eb: false }`). The one formatting of `CombatError`'s
 * constructor and of {@link rewordError}: `sample 3: too few; use { eb: false }`.
 */
export function formatMessage(detail: string, { sample, feature, remedy }: ErrorContext): string {
  const where = [sample === undefined ? '' : `sample ${sample}`, feature === undefined ? '' : `feature ${feature}`].filter(Boolean).join(', ');
  const options = remedy === undefined ? '' : Object.entries(remedy).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ');
  return `${where === '' ? '' : `${where}: `}${detail}${options === '' ? '' : `; use { ${options} }`}`;
}

/**
 * Gives a thrown CombatError a new `detail` and the `message` made from it (with the error's own
 * `sample`, `feature` and `remedy`, as its constructor formats them), and returns the same
 * object: its class, its other fields (such as a `ConfoundedDesignError`'s `columns`), its
 * `cause` and its stack stay, and the first line of the stack shows the new message. For a
 * package that words an error of another in its own terms, e.g. naming a sample by its file:
 * `sample 3: age is NaN` given the detail `sub-04.nii.gz: age is NaN` becomes
 * `sample 3: sub-04.nii.gz: age is NaN`.
 */
export function rewordError<E extends CombatError>(error: E, detail: string): E {
  const before = error.message;
  const message = formatMessage(detail, error);
  Object.defineProperty(error, 'detail', { value: detail, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(error, 'message', { value: message, enumerable: false, writable: true, configurable: true });
  const { stack } = error;
  if (typeof stack === 'string') {
    // The stack's first lines are `Name: message`, as the message was when it was captured.
    const frames = stack.search(/\n\s+at /);
    const head = frames < 0 ? stack : stack.slice(0, frames);
    if (head.endsWith(before)) {
      Object.defineProperty(error, 'stack', {
        value: `${head.slice(0, head.length - before.length)}${message}${stack.slice(head.length)}`,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }
  return error;
}
