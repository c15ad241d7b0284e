// Which convolutions Winograd's F(2 × 2, 3 × 3) computes, and how it cuts their outputs into 2 × 2 tiles.
import { expect, test } from 'vitest';
import type { ConvGeometry } from './conv2d';
import { winogradFits, winogradScratch, winogradTiles } from './winograd';

const geometry = (o: Partial<ConvGeometry>): ConvGeometry =>
  ({ channels: 24, height: 12, width: 11, outHeight: 10, outWidth: 9, kernel: [3, 3], stride: [1, 1], pad: [0, 0], padded: false, ...o });

test('3 × 3 kernels of stride 1 without padding only', () => {
  expect(winogradFits(geometry({}))).toBe(true);
  expect(winogradFits(geometry({ kernel: [3, 2] }))).toBe(false);
  expect(winogradFits(geometry({ kernel: [5, 5] }))).toBe(false);
  expect(winogradFits(geometry({ stride: [1, 2] }))).toBe(false);
  expect(winogradFits(geometry({ pad: [1, 1], padded: true }))).toBe(false);
});

test('tiles cover every output position, or (pooled) are the 2 × 2 windows: an odd last row or column has none', () => {
  expect(winogradTiles(geometry({}), false)).toEqual([5, 5]);
  expect(winogradTiles(geometry({}), true)).toEqual([5, 4]);
  expect(winogradTiles(geometry({ outHeight: 1, outWidth: 1 }), false)).toEqual([1, 1]);
});

test('scratch per sample: 16 values per tile, per channel (the transformed input) and per filter (the products)', () => {
  expect(winogradScratch(geometry({}), 32, false)).toBe(16 * 25 * (24 + 32));
  expect(winogradScratch(geometry({}), 32, true)).toBe(16 * 20 * (24 + 32));
});
