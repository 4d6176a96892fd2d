/**
 * `features` split into `parts` consecutive ranges `[from, to)` of sizes differing by at most one
 * (fewer when there are fewer features than parts), in order.
 */
export function splitFeatures(features: number, parts: number): [number, number][] {
  const count = Math.min(parts, features);
  const ranges: [number, number][] = [];
  for (let part = 0, from = 0; part < count; part++) {
    const to = from + Math.floor(features / count) + (part < features % count ? 1 : 0);
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}
