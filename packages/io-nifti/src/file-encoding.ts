/** How a file's name and options say to encode it: checked options, and zlib's settings. */
import { constants } from 'node:zlib';
import { checkNonEmptyString, checkOneOf, checkOptions } from '@combat/base/internal';
import type { EncodeFileOptions } from './node.js';

/** Checks `encodeNiftiFile`'s path and options; gives the encoding's options and zlib's strategy. */
export function encodeOptions(path: string, options: EncodeFileOptions): { encoding: Omit<EncodeFileOptions, 'strategy'>; strategy: 'default' | 'run-length' } {
  checkNonEmptyString(path, 'path');
  const { strategy = 'default', ...encoding } = checkOptions(options);
  return { encoding, strategy: checkOneOf(strategy, 'options.strategy', ['default', 'run-length'] as const) };
}

/** zlib's options for a level (6 when none) and a strategy. */
export function deflateOptions(level: number | undefined, strategy: 'default' | 'run-length'): { level: number; strategy: number } {
  return { level: level ?? 6, strategy: strategy === 'run-length' ? constants.Z_RLE : constants.Z_DEFAULT_STRATEGY };
}
