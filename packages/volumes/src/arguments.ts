import { InvalidArgumentError, type VolumeResource } from '@combat/base';
import { describeValue } from '@combat/base/internal';

/**
 * Argument checks made once at the public boundary of this package: each throws an
 * `InvalidArgumentError` naming the argument and describing what it received.
 */

/** Throws unless `value` is a volume resource (`load()` and an optional string `source`). */
export function requireResource(value: unknown, what: string): asserts value is VolumeResource {
  const resource = value as Partial<VolumeResource> | null | undefined;
  if (typeof resource?.load !== 'function' || (resource.source !== undefined && typeof resource.source !== 'string')) {
    throw new InvalidArgumentError(`${what}: expected a volume resource (an object with a load() method and an optional string source); received ${describeValue(value)}`);
  }
}

/** Throws unless `value` is an array of volume resources. */
export function requireResources(value: unknown, what: string): asserts value is readonly VolumeResource[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an array of volume resources (objects with a load() method); received ${describeValue(value)}`);
  value.forEach((resource, i) => requireResource(resource, `${what}[${i}]`));
}

/** Throws unless `value` is a non-null object (not an array). */
export function requireObject(value: unknown, what: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an object; received ${describeValue(value)}`);
}

/** Throws unless `value` is a function. */
export function requireFunction(value: unknown, what: string): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${what}: expected a function; received ${describeValue(value)}`);
}
