/**
 * A short description of any value for error messages: `undefined`, `null`, `a string ("abc")`,
 * `a number (3)`, `an array of 2`, `a Float32Array of length 4`, `an Int32Array of length 2`,
 * `a function`, `an object`, or `an object (Map)` for one that is not plain.
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${article(value.constructor.name)} ${value.constructor.name}${'length' in value ? ` of length ${value.length}` : ''}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const kind = Object.prototype.toString.call(value).slice(8, -1);
  return kind === 'Object' ? 'an object' : `an object (${kind})`;
}

function article(word: string): string {
  // "a Uint8Array": a leading U is read as "you".
  return /^[AEIO]/i.test(word) ? 'an' : 'a';
}

/**
 * A voxel, given by its index in i-fastest order, as its coordinates in the shape, for messages:
 * `(i, j, k)` for a 3D shape (voxel 5 of shape 4x3x2 is `(1, 1, 0)`).
 */
export function formatVoxel(index: number, shape: readonly number[]): string {
  let rest = index;
  const coordinates = shape.map((n) => {
    const coordinate = rest % n;
    rest = Math.floor(rest / n);
    return coordinate;
  });
  return `(${coordinates.join(', ')})`;
}
