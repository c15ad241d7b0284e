import { expect, test } from 'vitest';
import { Random } from './random';

test('the same seed gives the same stream; different seeds differ', () => {
  const a = new Random(5);
  const b = new Random(5);
  const c = new Random(6);
  const draw = (r: Random) => Array.from({ length: 8 }, () => r.nextU32());
  const [x, y, z] = [draw(a), draw(b), draw(c)];
  expect(x).toEqual(y);
  expect(x).not.toEqual(z);
});

test('uniform is in [0, 1) and normal has mean 0 and variance 1', () => {
  const r = new Random(1);
  const n = 20000;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    expect(u >= 0 && u < 1).toBe(true);
    const x = r.normal();
    sum += x;
    squares += x * x;
  }
  expect(Math.abs(sum / n)).toBeLessThan(0.03);
  expect(Math.abs(squares / n - 1)).toBeLessThan(0.05);
});

test('shuffle is a permutation and depends on the seed', () => {
  const a = new Random(3).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
  expect(Array.from(a).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(Array.from(new Random(3).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i)))).toEqual(Array.from(a));
});

test('a saved state resumes the exact stream', () => {
  const a = new Random(9);
  for (let i = 0; i < 5; i++) a.nextU32();
  const b = Random.resume(a.save());
  const draw = (r: Random) => Array.from({ length: 8 }, () => r.nextU32());
  expect(draw(b)).toEqual(draw(a));
});
