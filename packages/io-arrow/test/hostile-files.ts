import { CombatError } from '@combat/base';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ModelFileExtras } from '../src/index.js';
import { rewrite } from './model-file-fixtures.js';

/**
 * What the hostile tests of model files and of statistics files share: decoding that accepts only
 * the file kind's own error naming the file, the expectations on mutated bytes, and the mutations
 * themselves (byte flips, appended bytes, framed random bytes, edits at a path of the JSON).
 */

/** A file of the kind: the value it was written from, its extras and its bytes. */
export interface HostileFile<V> {
  readonly value: V;
  readonly extras: ModelFileExtras;
  readonly bytes: Uint8Array;
}

/** A kind of file: how it decodes and encodes, the one error it may throw, and when two values are the same. */
export interface FileKind<V> {
  readonly source: string;
  readonly error: abstract new (...args: never[]) => CombatError;
  decode(bytes: Uint8Array, options: { source: string }): { value: V } & ModelFileExtras;
  encode(value: V, extras: ModelFileExtras): Uint8Array;
  expectSame(actual: V, expected: V): void;
}

/**
 * The expectations of a kind of file on mutated bytes: `decode` returns the decoded file or the
 * error (after checking it is the kind's, naming the file); `expectRefusedUnlessSame`, the error
 * unless no byte changed (then the original); `expectRefusedOrValid`, the error or a file that
 * encodes again to one that decodes to it.
 */
export function hostileChecks<V>(kind: FileKind<V>) {
  const decode = (bytes: Uint8Array): ({ value: V } & ModelFileExtras) | CombatError => {
    try {
      return kind.decode(bytes, { source: kind.source });
    } catch (error) {
      expect(error).toBeInstanceOf(kind.error);
      expect(error).toBeInstanceOf(CombatError);
      expect((error as Error).message.startsWith(`${kind.source}: `), (error as Error).message).toBe(true);
      return error as CombatError;
    }
  };
  const expectSameFile = (decoded: { value: V } & ModelFileExtras, original: HostileFile<V>): void => {
    kind.expectSame(decoded.value, original.value);
    expect(decoded.featureNames).toEqual(original.extras.featureNames);
    expect(decoded.columns).toEqual(original.extras.columns);
    expect(decoded.idColumn).toEqual(original.extras.idColumn);
    expect(decoded.mask).toEqual(original.extras.mask);
  };
  const expectRefused = (bytes: Uint8Array): void => {
    expect(decode(bytes)).toBeInstanceOf(kind.error);
  };
  const expectRefusedUnlessSame = (bytes: Uint8Array, original: HostileFile<V>): 'refused' | 'same' => {
    const result = decode(bytes);
    const unchanged = bytes.length === original.bytes.length && bytes.every((b, k) => b === original.bytes[k]);
    if (!unchanged) {
      expect(result).toBeInstanceOf(kind.error);
      return 'refused';
    }
    expectSameFile(result as { value: V } & ModelFileExtras, original);
    return 'same';
  };
  const expectRefusedOrValid = (bytes: Uint8Array): 'refused' | 'valid' => {
    const result = decode(bytes);
    if (result instanceof kind.error) return 'refused';
    const { value, ...extras } = result as { value: V } & ModelFileExtras;
    kind.expectSame(kind.decode(kind.encode(value, extras), { source: kind.source }).value, value);
    return 'valid';
  };
  const expectKept = (bytes: Uint8Array, original: HostileFile<V>): void => {
    const decoded = decode(bytes);
    expect(decoded).not.toBeInstanceOf(kind.error);
    expectSameFile(decoded as { value: V } & ModelFileExtras, original);
  };
  /** Random bytes XORed into the files (the second of two examples changes none): refused, unless no byte changed. */
  const expectRandomBytesRefused = (files: readonly HostileFile<V>[]): void => {
    const seen = { refused: 0, same: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), (original, flips) => {
        seen[expectRefusedUnlessSame(flipped(original.bytes, flips), original)]++;
      }),
      { numRuns: 200, examples: [[files[0]!, [{ at: 9, xor: 0xa6 }]], [files[1]!, [{ at: 5, xor: 0 }]]] },
    );
    expect(seen.refused).toBeGreaterThan(150);
    expect(seen.same).toBeGreaterThan(0);
  };
  return { decode, expectSameFile, expectKept, expectRefused, expectRefusedUnlessSame, expectRefusedOrValid, expectRandomBytesRefused };
}

/** Bytes with some XORed (positions taken modulo the length). */
export function flipped(bytes: Uint8Array, flips: readonly { at: number; xor: number }[]): Uint8Array {
  const copy = bytes.slice();
  for (const { at, xor } of flips) copy[at % copy.length]! ^= xor;
  return copy;
}

/** Bytes with more after them. */
export function appended(bytes: Uint8Array, tail: Uint8Array): Uint8Array {
  const longer = new Uint8Array(bytes.length + tail.length);
  longer.set(bytes);
  longer.set(tail, bytes.length);
  return longer;
}

/** Whether appended bytes end as a file does (then the file may still read). */
export function endsLikeAFile(tail: Uint8Array): boolean {
  return tail.length >= 6 && String.fromCharCode(...tail.slice(-6)) === 'ARROW1';
}

/** Random bytes framed as an Arrow file is: ARROW1 at both ends and a footer length, the checksum still missing. */
export function framed(random: Uint8Array, footer: number): Uint8Array {
  const magic = new TextEncoder().encode('ARROW1');
  const bytes = new Uint8Array(random.length + 16);
  bytes.set(magic, 0);
  bytes.set(random, 8);
  new DataView(bytes.buffer).setInt32(bytes.length - 10, footer % (bytes.length + 8), true);
  bytes.set(magic, bytes.length - 6);
  return bytes;
}

/** A file rewritten and resealed with nothing changed but the order of its JSON keys and (when `reverseColumns`) of its columns. */
export function reordered(bytes: Uint8Array, reverseColumns: boolean): Uint8Array {
  return rewrite(bytes, {
    json: (json) => Object.fromEntries(Object.entries(json).reverse()),
    columns: (vectors) => {
      if (!reverseColumns) return;
      const entries = Object.entries(vectors).reverse();
      for (const key of Object.keys(vectors)) delete vectors[key];
      for (const [key, vector] of entries) vectors[key] = vector;
    },
  });
}

/** Every path (keys and indices) in a JSON value, containers included. */
export function jsonPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const children = Array.isArray(value) ? value.map((v, k) => [k, v] as const) : typeof value === 'object' && value !== null ? Object.entries(value) : [];
  return [prefix, ...children.flatMap(([key, child]) => jsonPaths(child, [...prefix, key]))].filter((p) => p.length > 0);
}

/** The container a path of the JSON ends in, and the key in it. */
export function parentOf(json: Record<string, any>, path: readonly (string | number)[]): { parent: any; key: string | number } {
  return { parent: path.slice(0, -1).reduce((node: any, key) => node[key], json), key: path[path.length - 1]! };
}

/** Sets the value at the path `pick` (modulo their number) of the JSON, in place. */
export function setAtPath(json: Record<string, any>, pick: number, value: unknown): void {
  const all = jsonPaths(json);
  const { parent, key } = parentOf(json, all[pick % all.length]!);
  parent[key] = value;
}
