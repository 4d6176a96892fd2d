import type { VolumeResource } from '@combat/base';
import { isRecord, refuseArgument } from '@combat/base/internal';

/**
 * The argument checks of this package that are about volume resources, made once at its public
 * boundary; the generic ones are `@combat/base/internal`'s. Each throws an InvalidArgumentError
 * `<what>: expected <expected>; received <the value described>`.
 */

/** Throws unless `value` is a volume resource (`load()` and an optional string `source`). */
export function requireResource(value: unknown, what: string): asserts value is VolumeResource {
  if (!isRecord(value) || typeof value.load !== 'function' || (value.source !== undefined && typeof value.source !== 'string')) {
    refuseArgument(what, 'a volume resource (an object with a load() method and an optional string source)', value);
  }
}

/** Throws unless `value` is an array of volume resources. */
export function requireResources(value: unknown, what: string): asserts value is readonly VolumeResource[] {
  if (!Array.isArray(value)) refuseArgument(what, 'an array of volume resources (objects with a load() method)', value);
  value.forEach((resource, i) => requireResource(resource, `${what}[${i}]`));
}
