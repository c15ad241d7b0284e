import { expect, test } from 'vitest';
import { resolveModelOptions } from './architecture';
import { paramLayout } from './layout';

test('tensors are aligned, decayed before trained before the rest, in layer order, and never overlap', () => {
  const { layers } = resolveModelOptions({ input: [1, 28, 28], layers: [
    { type: 'conv2d', filters: 30, kernelSize: [5, 3] }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' },
    { type: 'dense', units: 7 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 10 },
  ] });
  const layout = paramLayout(layers, 64);
  const slots = [...layout.tensors].sort((a, b) => a.offset - b.offset);
  expect(slots.map((s) => s.key)).toEqual(['layers.0.weight', 'layers.3.weight', 'layers.5.weight', 'layers.0.bias', 'layers.3.bias', 'layers.5.bias']);
  expect(slots.map((s) => s.length)).toEqual([30 * 1 * 5 * 3, 30 * 12 * 13 * 7, 7 * 10, 30, 7, 10]);
  for (const slot of slots) expect(slot.offset % 64).toBe(0);
  for (let i = 1; i < slots.length; i++) expect(slots[i].offset).toBeGreaterThanOrEqual(slots[i - 1].offset + slots[i - 1].length);
  expect(layout.decayedFloats).toBe(slots[3].offset);
  expect(layout.trainedFloats).toBe(layout.totalFloats); // nothing untrained
  expect(layout.totalFloats % 64).toBe(0);
  expect(layout.totalFloats).toBeGreaterThanOrEqual(slots[5].offset + 10);
});
