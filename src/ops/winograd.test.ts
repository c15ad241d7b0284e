// Which convolutions Winograd's F(2 × 2, 3 × 3) computes, and how it cuts their outputs into 2 × 2 tiles.
import { expect, test } from 'vitest';
import type { ConvGeometry } from './conv2d';
import { winogradFits, winogradGradScratch, winogradGradTiles, winogradScratch, winogradTiles } from './winograd';

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

test('scratch per sample, the larger buffer: 16 values per tile, per channel (the transformed input) or per filter (the products)', () => {
  expect(winogradScratch(geometry({}), 32, false)).toBe(16 * 25 * 32);
  expect(winogradScratch(geometry({}), 32, true)).toBe(16 * 20 * 32);
  expect(winogradScratch(geometry({}), 8, true)).toBe(16 * 20 * 24);
});

test('the input gradient: tiles of 2 × 2 input positions, and its larger buffer per sample', () => {
  expect(winogradGradTiles(geometry({}))).toEqual([6, 6]); // the input, 12 × 11
  expect(winogradGradScratch(geometry({}), 32)).toBe(16 * 36 * 32);
  expect(winogradGradScratch(geometry({}), 8)).toBe(16 * 36 * 24);
});
