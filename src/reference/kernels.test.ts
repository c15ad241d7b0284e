// Hand-checked values for the reference kernels: the oracle has to be right before it judges the GPU.
import { expect, test } from 'vitest';
import * as k from './kernels';

const relu = { name: 'relu', alpha: 0 } as const;
const identity = { name: 'identity', alpha: 0 } as const;

test('matmulForward: out = act(inp · weightᵀ + bias)', () => {
  // inp (2, 3), weight (2, 3), bias (2)
  const out = k.matmulForward([1, 2, 3, -1, 0, 1], [1, 0, 0, 0, 1, -1], [0.5, -2], 2, 3, 2, relu);
  expect(Array.from(out)).toEqual([1.5, 0, 0, 0]); // [1.5, -3] and [-0.5, -3], relu'd
  expect(Array.from(k.matmulForward([1, 2, 3], [1, 1, 1], [0], 1, 3, 1, identity))).toEqual([6]);
});

test('backward products and column sums', () => {
  // dout (1, 2), weight (2, 3), inp (1, 3)
  expect(Array.from(k.matmulBackwardInput([1, 2], [1, 0, 0, 0, 1, -1], [1, 1, 1], 1, 3, 2, identity))).toEqual([1, 2, -2]);
  expect(Array.from(k.matmulBackwardInput([1, 2], [1, 0, 0, 0, 1, -1], [1, 0, 2], 1, 3, 2, relu))).toEqual([1, 0, -2]);
  expect(Array.from(k.matmulBackwardWeight([1, 2], [3, 4, 5], 1, 3, 2))).toEqual([3, 4, 5, 6, 8, 10]);
  expect(Array.from(k.biasGrad([1, 2, 3, 4, 5, 6], 3, 2))).toEqual([9, 12]);
});

test('nonzeroMask: a bit per column for each block of rows, and a bit per row for each block of columns', () => {
  // inp (17, 33): nonzero at (0, 0), (15, 32) and (16, 5), NaN at (16, 20), -0 at (3, 3)
  const features = 33;
  const inp = new Float32Array(17 * features);
  inp[0] = 1;
  inp[15 * features + 32] = -2;
  inp[16 * features + 5] = 3;
  inp[16 * features + 20] = NaN;
  inp[3 * features + 3] = -0;
  // by rows: blocks rows 0..15 and row 16; words columns 0..31 and column 32
  expect(Array.from(k.nonzeroMask(inp, 17, features, true, 16))).toEqual([1, 1, (1 << 5) | (1 << 20), 0]);
  // blocks of 8: rows 0..7, 8..15 and 16
  expect(Array.from(k.nonzeroMask(inp, 17, features, true, 8))).toEqual([1, 0, 0, 1, (1 << 5) | (1 << 20), 0]);
  // by columns: blocks columns 0..15, 16..31 and 32; one word, rows 0..16
  expect(Array.from(k.nonzeroMask(inp, 17, features, false, 16))).toEqual([1 | (1 << 16), 1 << 16, 1 << 15]);
  // blocks of 8: columns 0..7, 8..15, 16..23, 24..31 and 32
  expect(Array.from(k.nonzeroMask(inp, 17, features, false, 8))).toEqual([1 | (1 << 16), 0, 1 << 16, 0, 1 << 15]);
});

test('activation derivatives from outputs equal derivatives from inputs', () => {
  const cases = [
    { name: 'sigmoid', alpha: 0 }, { name: 'tanh', alpha: 0 }, { name: 'elu', alpha: 0.7 },
    { name: 'leaky_relu', alpha: 0.1 }, { name: 'relu', alpha: 0 },
  ] as const;
  for (const act of cases) {
    for (const x of [-2.5, -0.3, 0.4, 1.7]) {
      const h = 1e-6;
      const numeric = (k.activate(x + h, act) - k.activate(x - h, act)) / (2 * h);
      expect(k.activateGrad(k.activate(x, act), act)).toBeCloseTo(numeric, 6);
    }
  }
});

test('softmax is stable for huge logits and cross-entropy stays finite', () => {
  const probs = k.softmax([1e4, -1e4, 0], 1, 3);
  expect(Array.from(probs)).toEqual([1, 0, 0]);
  const { lossSum, dlogits } = k.softmaxLoss([1e4, -1e4, 0], [1], 1, 3, 'cross-entropy');
  expect(lossSum).toBe(2e4);
  expect(Array.from(dlogits)).toEqual([1, -1, 0]);
});

test('cross-entropy of uniform logits is log(classes); argmax takes the first maximum', () => {
  const { lossSum, correct } = k.softmaxLoss([0, 0, 0, 0, 5, 5], [0, 2], 2, 3, 'cross-entropy');
  expect(lossSum).toBeCloseTo(Math.log(3) + Math.log(1 + Math.exp(-5) + 1), 12);
  expect(correct).toBe(1); // row 0: argmax 0 == label 0; row 1: argmax 1 (first of the tie) != 2
});

test('gather scales bytes by 1/255 and follows the order', () => {
  const { inp, batchLabels } = k.gather(Uint8Array.from([0, 255, 51, 102]), Uint8Array.from([7, 9]), [1, 0], 0, 2, 2);
  expect(Array.from(inp)).toEqual([0.2, 0.4, 0, 1]);
  expect(Array.from(batchLabels)).toEqual([9, 7]);
});

test('optimizer: sgd with l2 on weights only, and adam first step of size lr', () => {
  const s = { optimizer: 'sgd' as const, momentum: 0, l2: 0.5, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const param = Float64Array.from([1, 1]);
  k.optimizerUpdate(param, [0.2, 0.2], 1, {}, 1, 0.1, s);
  expect(param[0]).toBeCloseTo(1 - 0.1 * (0.2 + 0.5), 12);
  expect(param[1]).toBeCloseTo(1 - 0.1 * 0.2, 12);
  const adam = Float64Array.from([0, 0]);
  k.optimizerUpdate(adam, [3, -0.01], 0, {}, 1, 0.1, { ...s, optimizer: 'adam', l2: 0 });
  expect(adam[0]).toBeCloseTo(-0.1, 6);
  expect(adam[1]).toBeCloseTo(0.1, 4);
});
