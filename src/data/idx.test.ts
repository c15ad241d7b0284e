// IDX parsing: round trips, and every malformed field named, with nothing loaded.
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { DataFormatError } from '../errors';
import { encodeIdxImages, encodeIdxLabels, maybeGunzip, parseIdxImages, parseIdxLabels } from './idx';
import { loadIdx } from './load';

const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
const images = encodeIdxImages(pixels, 3, 4, 5);
const labels = encodeIdxLabels(Uint8Array.from([7, 0, 9]));

test('round trip, plain and gzipped', async () => {
  const parsed = parseIdxImages('x', images);
  expect(parsed).toMatchObject({ count: 3, rows: 4, cols: 5 });
  expect(Array.from(parsed.pixels)).toEqual(Array.from(pixels));
  expect(Array.from(parseIdxLabels('y', labels))).toEqual([7, 0, 9]);
  const d = await loadIdx(gzipSync(images), labels);
  expect(d).toMatchObject({ count: 3, features: 20, imageShape: [4, 5] });
  expect(Array.from(d.labels)).toEqual([7, 0, 9]);
});

describe('malformed files are DataFormatErrors naming file and field', () => {
  const patched = (bytes: Uint8Array, offset: number, value: number) => {
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(offset, value, false);
    return copy;
  };
  const cases: [string, () => unknown, RegExp][] = [
    ['short header', () => parseIdxImages('a.idx', images.slice(0, 10)), /^a\.idx: header is 10 bytes; an IDX images file starts with 16/],
    ['wrong magic', () => parseIdxImages('a.idx', patched(images, 0, 1234)), /^a\.idx: magic is 1234; IDX images have 2051$/],
    ['swapped files', () => parseIdxImages('a.idx', labels), /magic is 2049; IDX images have 2051 \(images and labels swapped\?\)/],
    ['truncated', () => parseIdxImages('a.idx', images.slice(0, -1)), /^a\.idx: data is truncated: 3 images of 4 × 5 needs 60 bytes, the file has 59/],
    ['oversized', () => parseIdxImages('a.idx', Uint8Array.from([...images, 0, 0])), /^a\.idx: data has 2 bytes past the 60/],
    ['zero count', () => parseIdxImages('a.idx', patched(images, 4, 0)), /^a\.idx: count is 0/],
    ['huge dimensions', () => parseIdxImages('a.idx', patched(images, 8, 100000)), /^a\.idx: rows × cols is 100000 × 5/],
    ['labels truncated', () => parseIdxLabels('l.idx', labels.slice(0, -1)), /^l\.idx: data is truncated: 3 labels needs 3 bytes/],
  ];
  for (const [name, run, message] of cases) {
    test(name, () => {
      expect(run).toThrow(DataFormatError);
      expect(run).toThrow(message);
    });
  }
  test('count mismatch between the two files', async () => {
    const two = encodeIdxLabels(Uint8Array.from([1, 2]));
    await expect(loadIdx(images, two)).rejects.toThrow(/^labels: count is 2; images has 3 images/);
  });
  test('corrupt gzip', async () => {
    const bad = gzipSync(images).slice(0, 30);
    await expect(maybeGunzip('a.gz', bad)).rejects.toThrow(/^a\.gz: gzip does not decompress/);
  });
});
