import { expect, test } from 'vitest';
import { resolveModelOptions } from './architecture';
import { paramLayout } from './layout';

test('tensors are aligned, in order, weights before biases, and never overlap', () => {
  const { layers } = resolveModelOptions({ input: [1, 28, 28], layers: [
    { type: 'conv2d', filters: 30, kernelSize: [5, 3] }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' },
    { type: 'dense', units: 7 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 10 },
  ] });
  const layout = paramLayout(layers.flatMap((l) => (l.params ? [l.params] : [])), 64);
  const slots = [...layout.weights, ...layout.biases];
  expect(slots.map((s) => s.length)).toEqual([30 * 1 * 5 * 3, 30 * 12 * 13 * 7, 7 * 10, 30, 7, 10]);
  for (const slot of slots) expect(slot.offset % 64).toBe(0);
  for (let i = 1; i < slots.length; i++) expect(slots[i].offset).toBeGreaterThanOrEqual(slots[i - 1].offset + slots[i - 1].length);
  expect(layout.weightFloats).toBe(layout.biases[0].offset);
  expect(layout.totalFloats % 64).toBe(0);
  expect(layout.totalFloats).toBeGreaterThanOrEqual(layout.biases[2].offset + 10);
});
