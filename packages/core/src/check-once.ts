/**
 * A check of a read-only value (a coding, statistics, a model) that runs once per object: a
 * streaming caller passes the same one with every sample. A value that is not an object is
 * checked (and refused) every time.
 */
export function checkOnce(check: (value: unknown, fn: string) => void): (value: unknown, fn: string) => void {
  const checked = new WeakSet<object>();
  return (value, fn) => {
    if (typeof value === 'object' && value !== null && checked.has(value)) return;
    check(value, fn);
    checked.add(value as object);
  };
}
