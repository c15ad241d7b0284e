import { expect, test } from 'vitest';
import { Random } from '../random';
import { sortBatchesByLabel } from './batch_order';

test('each batch keeps its samples, sorted by label, ties in shuffled order', () => {
  const random = new Random(5);
  const labels = Uint8Array.from({ length: 103 }, () => random.nextU32() % 10);
  const shuffled = random.shuffle(Uint32Array.from({ length: 103 }, (_, i) => i));
  const order = sortBatchesByLabel(shuffled.slice(), labels, 16);
  for (let start = 0; start < 103; start += 16) { // the last batch holds 7
    const before = Array.from(shuffled.subarray(start, start + 16));
    const after = Array.from(order.subarray(start, start + 16));
    expect([...after].sort((a, b) => a - b)).toEqual([...before].sort((a, b) => a - b));
    for (let i = 1; i < after.length; i++) {
      const [a, b] = [after[i - 1], after[i]];
      expect(labels[a] < labels[b] || (labels[a] === labels[b] && before.indexOf(a) < before.indexOf(b))).toBe(true);
    }
  }
});

test('a batch of the whole set, and one sample a batch', () => {
  const labels = Uint8Array.from([3, 1, 2, 1, 0]);
  expect(Array.from(sortBatchesByLabel(Uint32Array.from([0, 1, 2, 3, 4]), labels, 64))).toEqual([4, 1, 3, 2, 0]);
  expect(Array.from(sortBatchesByLabel(Uint32Array.from([0, 1, 2, 3, 4]), labels, 1))).toEqual([0, 1, 2, 3, 4]);
});
