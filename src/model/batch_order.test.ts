import { expect, test } from 'vitest';
import { Random } from '../random';
import { datasetOrder, orderKeys, sortBatches } from './batch_order';

test('a key sorts by label, then by where the first nonzero value is', () => {
  const images = Uint8Array.from([
    0, 0, 7, 0, // label 1, first nonzero at 2
    5, 0, 0, 0, // label 1, at 0
    0, 0, 0, 0, // label 0, none: 4
    0, 0, 0, 9, // label 2, at 3
  ]);
  const keys = orderKeys({ images, labels: Uint8Array.from([1, 1, 0, 2]), count: 4, features: 4 });
  expect(Array.from(keys)).toEqual([1 * 5 + 2, 1 * 5 + 0, 0 * 5 + 4, 2 * 5 + 3]);
  const floats = orderKeys({ images: Float32Array.from([0, -0.5, 0, 0]), labels: Uint8Array.from([3, 0]), count: 2, features: 2 });
  expect(Array.from(floats)).toEqual([3 * 3 + 1, 0 * 3 + 2]);
});

test('the dataset\'s order counts up from 0', () => {
  expect(Array.from(datasetOrder(5))).toEqual([0, 1, 2, 3, 4]);
  expect(datasetOrder(0).length).toBe(0);
});

test('each batch keeps its samples, sorted by key, ties in shuffled order', () => {
  const random = new Random(5);
  const keys = Float64Array.from({ length: 103 }, () => random.nextU32() % 10);
  const shuffled = random.shuffle(datasetOrder(103));
  const order = sortBatches(shuffled.slice(), keys, 16);
  for (let start = 0; start < 103; start += 16) { // the last batch holds 7
    const before = Array.from(shuffled.subarray(start, start + 16));
    const after = Array.from(order.subarray(start, start + 16));
    expect([...after].sort((a, b) => a - b)).toEqual([...before].sort((a, b) => a - b));
    for (let i = 1; i < after.length; i++) {
      const [a, b] = [after[i - 1], after[i]];
      expect(keys[a] < keys[b] || (keys[a] === keys[b] && before.indexOf(a) < before.indexOf(b))).toBe(true);
    }
  }
});

test('a batch of the whole set, and one sample a batch', () => {
  const keys = Float64Array.from([3, 1, 2, 1, 0]);
  expect(Array.from(sortBatches(Uint32Array.from([0, 1, 2, 3, 4]), keys, 64))).toEqual([4, 1, 3, 2, 0]);
  expect(Array.from(sortBatches(Uint32Array.from([0, 1, 2, 3, 4]), keys, 1))).toEqual([0, 1, 2, 3, 4]);
});
