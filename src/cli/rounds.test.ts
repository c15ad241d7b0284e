// rounds.ts: medians and paired ratios of alternating benchmark rounds.
import { expect, test } from 'vitest';
import { median, pairedRatios, spread } from './rounds';

test('median: odd and even counts, unsorted input left as it was', () => {
  const values = [5, 1, 3];
  expect(median(values)).toBe(3);
  expect(values).toEqual([5, 1, 3]);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([7])).toBe(7);
  expect(() => median([])).toThrow(RangeError);
});

test('spread: median, lowest and highest', () => {
  expect(spread([10, 30, 20, 50, 40])).toEqual({ median: 30, min: 10, max: 50 });
});

test('pairedRatios: divides round by round, not median by median', () => {
  // Round 2 was slow for both: paired, its ratio is like the others; medians of each side would give 100 / 40 = 2.5.
  const ours = [100, 100, 50];
  const theirs = [40, 50, 25];
  expect(pairedRatios(ours, theirs)).toEqual({ median: 2, min: 2, max: 2.5 });
  expect(() => pairedRatios([1, 2], [1])).toThrow(/2 rounds of ours, 1 of theirs/);
});
