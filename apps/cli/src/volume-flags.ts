import { UsageError } from './cli-io.js';

/** The multiples a `--memory-budget` size may end with: powers of 1024. */
const UNITS: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parses `--memory-budget`: a number of bytes and an optional unit K, M, G or T (powers of 1024;
 * `512M`, `1.5G`, `2GiB`, `64kb`), as a whole number of bytes (rounded down).
 */
export function memoryBudgetFlag(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([KMGT])i?)?B?$/i.exec(value.trim());
  const unit = UNITS[match?.[2]?.toUpperCase() ?? ''] as number;
  const bytes = match === null ? Number.NaN : Number(match[1]) * unit;
  if (!Number.isSafeInteger(Math.floor(bytes)) || (unit === 1 && !Number.isInteger(bytes))) {
    throw new UsageError(`--memory-budget: expected a size in bytes, or with a unit K, M, G or T (512M, 2G); received "${value}"`);
  }
  return Math.floor(bytes);
}

/** Parses `--gzip-level`: a whole number from 0 (stored) to 9 (smallest). */
export function gzipLevelFlag(value: string): number {
  if (!/^\d$/.test(value.trim())) throw new UsageError(`--gzip-level: expected a whole number from 0 (no compression) to 9 (smallest files); received "${value}"`);
  return Number(value.trim());
}
