// Summaries of a benchmark taken in alternating rounds (bench.ts's head-to-head against jax-js). Pure functions.

/** The median of `values` (the mean of the middle two when their number is even). */
export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Round by round, `ours[r] / theirs[r]` (each round's two figures were taken minutes apart, so a slow spell of the
 * host weighs on both): the ratios' median, lowest and highest.
 */
export function pairedRatios(ours: number[], theirs: number[]): Spread {
  if (ours.length !== theirs.length) throw new RangeError(`pairedRatios: ${ours.length} rounds of ours, ${theirs.length} of theirs`);
  return spread(ours.map((x, r) => x / theirs[r]));
}
