import { join } from 'node:path';

/** The two per-batch maps `--effect-maps` writes: the additive and the multiplicative batch effect. */
export const EFFECT_MAP_KINDS = ['gammaStar', 'deltaStar'] as const;

/**
 * Where `--effect-maps` writes one batch's map: `<dir>/<kind>_<batch>.nii.gz`, with every
 * character of the batch label outside `[A-Za-z0-9._-]` replaced by `_` (so `Site A/1` gives
 * `gammaStar_Site_A_1.nii.gz`). Two labels may give one name; the output plan refuses that.
 */
export function effectMapPath(dir: string, kind: (typeof EFFECT_MAP_KINDS)[number], batch: string): string {
  return join(dir, `${kind}_${batch.replace(/[^A-Za-z0-9._-]/g, '_')}.nii.gz`);
}
