import { expect, test } from 'vitest';
import { preprocessDigit } from './preprocess';

test('no ink gives nothing', () => {
  expect(preprocessDigit(new Uint8Array(100 * 100), 100, 100)).toBeUndefined();
});

test('a bar anywhere is scaled to 20 pixels tall and centred by mass', () => {
  const ink = new Uint8Array(200 * 200);
  for (let y = 10; y < 90; y++) for (let x = 150; x < 170; x++) ink[y * 200 + x] = 255; // 20 wide, 80 tall, top right
  const digit = preprocessDigit(ink, 200, 200)!;
  const rows = [...Array(28).keys()].filter((y) => digit.slice(y * 28, y * 28 + 28).some((v) => v > 0));
  const cols = [...Array(28).keys()].filter((x) => rows.some((y) => digit[y * 28 + x] > 0));
  expect(rows.length).toBe(20);
  expect(cols.length).toBe(5);
  let [mass, cx, cy] = [0, 0, 0];
  digit.forEach((v, i) => ((mass += v), (cx += v * (i % 28)), (cy += v * Math.floor(i / 28))));
  expect(Math.abs(cx / mass - 13.5)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(cy / mass - 13.5)).toBeLessThanOrEqual(0.5);
  expect(Math.max(...digit)).toBe(255);
});
