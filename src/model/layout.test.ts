import { expect, test } from 'vitest';
import { paramLayout } from './layout';

test('tensors are aligned, in order, weights before biases, and never overlap', () => {
  const layout = paramLayout([784, 30, 7, 10], 64);
  const slots = [...layout.weights, ...layout.biases];
  expect(slots.map((s) => s.length)).toEqual([784 * 30, 30 * 7, 7 * 10, 30, 7, 10]);
  for (const slot of slots) expect(slot.offset % 64).toBe(0);
  for (let i = 1; i < slots.length; i++) expect(slots[i].offset).toBeGreaterThanOrEqual(slots[i - 1].offset + slots[i - 1].length);
  expect(layout.weightFloats).toBe(layout.biases[0].offset);
  expect(layout.totalFloats % 64).toBe(0);
  expect(layout.totalFloats).toBeGreaterThanOrEqual(layout.biases[2].offset + 10);
});
