/**
 * File helpers for Node shared by the `@combat/*` writers: a file is written whole or not at all,
 * and never over one of the inputs.
 */
import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { describeValue } from './describe.js';
import { InputOverwriteError, InvalidArgumentError } from './errors.js';

/**
 * The absolute path with symbolic links resolved as far as it exists: the deepest existing folder
 * on the path is resolved and the parts that do not exist yet are joined to it. Two paths name
 * the same file when their canonical paths are equal.
 *
 * @throws {@link InvalidArgumentError} when `path` is not a string.
 * @example
 * ```ts
 * import { canonicalPath } from '@combat/base/node';
 * (await canonicalPath('a/../b.csv')) === (await canonicalPath('b.csv')); // true
 * ```
 */
export async function canonicalPath(path: string): Promise<string> {
  if (typeof path !== 'string') throw new InvalidArgumentError(`path: expected a string; received ${describeValue(path)}`);
  const missing: string[] = [];
  let existing = resolve(path);
  for (;;) {
    try {
      return join(await realpath(existing), ...missing);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/**
 * Options of {@link writeFileAtomically}: files the write must never replace (the inputs).
 *
 * @example
 * ```ts
 * import { writeFileAtomically, type WriteOptions } from '@combat/base/node';
 * const options: WriteOptions = { protect: ['data.csv', 'model.arrow'] };
 * await writeFileAtomically('./data.csv', new Uint8Array(0), options);
 * // throws InputOverwriteError: refusing to write ./data.csv: it is an input (data.csv)
 * ```
 */
export interface WriteOptions {
  readonly protect?: readonly string[];
}

/**
 * Writes bytes to a temporary file beside `path` and renames it into place, so the file appears
 * whole or not at all; refuses, before writing anything, when `path` is one of `protect` (after
 * resolving links).
 *
 * @throws {@link InputOverwriteError} when `path` is one of `options.protect`.
 * @example
 * ```ts
 * import { writeFileAtomically } from '@combat/base/node';
 * await writeFileAtomically('report.txt', new TextEncoder().encode('ok\n'), { protect: ['data.csv'] });
 * await writeFileAtomically('data.csv', new Uint8Array(0), { protect: ['data.csv'] }); // throws InputOverwriteError
 * ```
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`bytes: expected a Uint8Array; received ${describeValue(bytes)}`);
  const protect = options?.protect ?? [];
  if (!Array.isArray(protect) || !protect.every((p) => typeof p === 'string')) {
    throw new InvalidArgumentError(`options.protect: expected an array of paths; received ${describeValue(protect)}`);
  }
  const target = await canonicalPath(path);
  for (const input of protect) {
    if ((await canonicalPath(input)) === target) throw new InputOverwriteError(path, input);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
