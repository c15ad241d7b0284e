// Every kernel against its CPU twin at awkward shapes, with explicit tolerances and the max difference logged.
import { expect, report, test } from './fixtures';

// The error of a float32 sum relative to Σ|terms| stays far below this; a wrong index or a missing term
// shows up as an error of order 1.
const SUM_TOLERANCE = 1e-5;

const SHAPES: [number, number, number][] = [ // rows, n_in, n_out
  [1, 1, 1],
  [37, 61, 13],
  [257, 784, 129],
  [16, 16, 16],
  [3, 130, 10],
  [100, 7, 33],
];

const STRATEGIES = { // TILED, BLOCKED and BLOCKED8 in src/ops/matmul.ts
  tiled: { tiled: true, tile: 16, block: 16 }, blocked: { tiled: false, tile: 4, block: 16 }, blocked8: { tiled: false, tile: 4, block: 8 },
};

for (const [strategyName, strategy] of Object.entries(STRATEGIES)) {
  for (const [rows, nIn, nOut] of SHAPES) {
    for (const variant of ['forward', 'backwardInput', 'backwardWeight'] as const) {
      test(`matmul ${strategyName} ${variant} ${rows}x${nIn}x${nOut}`, async ({ harness }) => {
        const result = await harness.evaluate(([s, v, r, i, o]) =>
          window.harness.matmulCase(s, v, { name: 'relu', alpha: 0 }, r, i, o, 1), [strategy, variant, rows, nIn, nOut] as const);
        report(`matmul.${strategyName}.${variant} relu ${rows}x${nIn}x${nOut}`, result, SUM_TOLERANCE);
        expect(result.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
      });
    }
  }
}

const ACTIVATIONS = [
  { name: 'identity', alpha: 0 },
  { name: 'leaky_relu', alpha: 0.1 },
  { name: 'elu', alpha: 1 },
  { name: 'sigmoid', alpha: 0 },
  { name: 'tanh', alpha: 0 },
] as const;

for (const activation of ACTIVATIONS) {
  for (const variant of ['forward', 'backwardInput'] as const) {
    test(`matmul ${variant} ${activation.name} 33x45x17`, async ({ harness }) => {
      const result = await harness.evaluate(([v, a, s]) => window.harness.matmulCase(s, v, a, 33, 45, 17, 2), [variant, activation, STRATEGIES.blocked] as const);
      report(`matmul.${variant} ${activation.name} 33x45x17`, result, SUM_TOLERANCE);
      expect(result.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
    });
  }
}

// Layer 0's input masks (shaders/nonzero.wgsl) in blocks of 8 and 16, bit for bit, including a batch smaller than its
// buffer; 784, 32 and 48 features take the 4-at-a-time path, 1, 61 and 7 the other.
for (const [block, rows, capacity, features] of [[16, 1, 1, 1], [16, 37, 40, 61], [16, 129, 129, 784], [16, 16, 64, 32], [16, 100, 100, 7], [16, 33, 33, 48],
  [8, 1, 1, 1], [8, 37, 40, 61], [8, 129, 129, 784], [8, 16, 64, 32], [8, 100, 100, 7], [8, 33, 33, 48]]) {
  test(`nonzero masks in blocks of ${block}, ${rows} of ${capacity} rows x ${features}`, async ({ harness }) => {
    const r = await harness.evaluate(([b, rw, c, f]) => window.harness.nonzeroCase(b, rw, c, f, 8), [block, rows, capacity, features] as const);
    for (const [name, m] of Object.entries(r)) console.log(`  ${name}: ${m.words} words, ${m.setBits} of ${m.bits} bits set in the reference, equal: ${m.equal}`);
    expect(r.byRows.equal).toBe(true);
    expect(r.byColumns.equal).toBe(true);
  });
}

// The sparse products of layer 0 skip the k where a register block's rows of inp (or inpᵀ) are all zero; at
// 37 × 61 × 20, neighbouring 8-row blocks (one SIMD group on CPU adapters) read different masks.
for (const [strategyName, strategy] of [['blocked', STRATEGIES.blocked], ['blocked8', STRATEGIES.blocked8]] as const) {
  for (const variant of ['forward', 'backwardWeight'] as const) {
    for (const [rows, nIn, nOut] of [[1, 1, 1], [37, 61, 13], [37, 61, 20], [257, 784, 129], [100, 7, 33], [64, 784, 128]]) {
      test(`matmul sparse ${strategyName} ${variant} ${rows}x${nIn}x${nOut}`, async ({ harness }) => {
        const r = await harness.evaluate(([s, v, rw, i, o]) => window.harness.sparseMatmulCase(s, v, rw, i, o, false, 9), [strategy, variant, rows, nIn, nOut] as const);
        report(`matmul.sparse.${strategyName}.${variant} ${rows}x${nIn}x${nOut}`, r, SUM_TOLERANCE);
        expect(r.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
      });
    }
    test(`matmul sparse ${strategyName} ${variant} reads its mask: an empty mask skips every k`, async ({ harness }) => {
      const r = await harness.evaluate(([s, v]) => window.harness.sparseMatmulCase(s, v, 37, 61, 13, true, 9), [strategy, variant] as const);
      report(`matmul.sparse.${strategyName}.${variant} empty mask`, r, SUM_TOLERANCE);
      expect(r.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
    });
  }
}

// The same products reading their operands from textures that hold them in order, 4 values a texel and 64 a
// texture row (8 × 8 blocks only; inputs and units multiples of 4): 12, 20, 132 and 36 units leave a block part
// outside, and 257, 37 and 100 rows too; 60 and 8 inputs make rows that end inside a texture row, and the
// copies' last texture row part full.
for (const variant of ['forward', 'backwardWeight'] as const) {
  for (const [rows, nIn, nOut] of [[1, 4, 4], [37, 60, 12], [37, 60, 20], [257, 784, 132], [100, 8, 36], [64, 784, 128]]) {
    test(`matmul sparse blocked8 ${variant} from textures ${rows}x${nIn}x${nOut}`, async ({ harness }) => {
      const r = await harness.evaluate(([v, rw, i, o]) => window.harness.sparseMatmulCase({ tiled: false, tile: 4, block: 8 }, v, rw, i, o, false, 9, true),
        [variant, rows, nIn, nOut] as const);
      report(`matmul.sparse.blocked8.texels.${variant} ${rows}x${nIn}x${nOut}`, r, SUM_TOLERANCE);
      expect(r.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
    });
  }
  test(`matmul sparse blocked8 ${variant} from textures reads its mask: an empty mask skips every k`, async ({ harness }) => {
    const r = await harness.evaluate((v) => window.harness.sparseMatmulCase({ tiled: false, tile: 4, block: 8 }, v, 37, 60, 12, true, 9, true), variant);
    report(`matmul.sparse.blocked8.texels.${variant} empty mask`, r, SUM_TOLERANCE);
    expect(r.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
  });
}

// A 3 × 3 convolution's weight gradient by Winograd, its 2 × 2 max pool fused (a tile is a window), with every
// product strategy: one window; 3 channels and 5 filters (one filter a thread) on 9 × 8, whose 7 × 6 output leaves
// a row no window takes, a batch of 3 in a plan for 4; 8 filters (4 a thread); the MNIST ConvNet's second
// convolution (24 → 32 on 12 × 12) at 61 of 64 rows, whose products sum in 4 parts.
for (const [strategyName, strategy] of Object.entries(STRATEGIES)) {
  for (const [channels, filters, height, width, rows, capacity] of [[1, 1, 4, 4, 1, 1], [3, 5, 9, 8, 3, 4], [2, 8, 6, 7, 2, 2], [24, 32, 12, 12, 61, 64]]) {
    const name = `winograd weight grad ${strategyName} ${channels} → ${filters} on ${height} × ${width}, ${rows} of ${capacity} rows`;
    test(name, async ({ harness }) => {
      const r = await harness.evaluate(([s, c, f, h, w, rw, cap]) => window.harness.winogradWeightGradCase(s, c, f, h, w, rw, cap, 12),
        [strategy, channels, filters, height, width, rows, capacity] as const);
      report(`${name} (${r.splits} parts)`, r, SUM_TOLERANCE);
      expect(r.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
    });
  }
}

for (const [rows, nOut, positions] of [[1, 1, 1], [37, 13, 1], [513, 129, 1], [3, 24, 100], [2, 4, 3]]) {
  test(`bias grad ${rows}x${nOut}, ${positions} per sample`, async ({ harness }) => {
    const result = await harness.evaluate(([r, o, p]) => window.harness.biasGradCase(r, o, p, 3), [rows, nOut, positions]);
    report(`biasGrad ${rows}x${nOut} ×${positions}`, result, SUM_TOLERANCE);
    expect(result.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
  });
}

for (const loss of ['cross-entropy', 'mse'] as const) {
  for (const [rows, classes, scale] of [[1, 1, 1], [37, 10, 3], [300, 13, 5], [5, 10, 1e4]]) {
    for (const mode of ['train', 'evaluate', 'predict'] as const) {
      if (mode === 'predict' && loss === 'mse') continue; // predict does not depend on the loss
      test(`softmax ${mode} ${loss} ${rows}x${classes} logits ±${scale}`, async ({ harness }) => {
        const r = await harness.evaluate(([m, l, n, c, s]) => window.harness.softmaxCase(m, l, n, c, s, 4), [mode, loss, rows, classes, scale] as const);
        const tolerance = 1e-5;
        report(`softmax.${mode} ${loss} ${rows}x${classes} ±${scale}`, r.values, tolerance);
        expect(r.values.maxError).toBeLessThanOrEqual(tolerance);
        if (mode !== 'predict') {
          console.log(`  loss sum gpu=${r.lossSum.gpu} ref=${r.lossSum.reference}; correct gpu=${r.correct.gpu} ref=${r.correct.reference}`);
          expect(Number.isFinite(r.lossSum.gpu)).toBe(true);
          expect(Number.isFinite(r.lossSum.reference)).toBe(true);
          expect(Math.abs(r.lossSum.gpu - r.lossSum.reference)).toBeLessThanOrEqual(1e-5 * Math.max(1, r.lossSum.reference));
          expect(r.correct.gpu).toBe(r.correct.reference);
          expect(r.divergedAt.gpu).toBe(r.divergedAt.reference);
        }
      });
    }
  }
}

// A NaN or infinite loss flags its batch (batch_start 40 -> 41), and the update in the same pass then skips.
// A -Infinity logit off the label only makes that class's probability 0: the loss stays finite.
for (const [poison, column, diverges] of [[NaN, 1, true], [Infinity, 1, true], [-Infinity, 2, true], [-Infinity, 1, false]] as const) {
  test(`softmax train, logit ${column} of a row with label 2 = ${poison}: ${diverges ? 'divergence, the optimizer skips' : 'finite, training goes on'}`, async ({ harness }) => {
    const r = await harness.evaluate(([p, c]) => window.harness.divergenceCase(p, c), [poison, column] as const);
    console.log(`  logit ${column} = ${poison}: diverged_at=${r.divergedAt} loss sum=${r.lossSum} params unchanged=${r.paramsUnchanged}`);
    expect(r.divergedAt).toBe(diverges ? 41 : 0);
    expect(Number.isFinite(r.lossSum)).toBe(!diverges);
    expect(r.paramsUnchanged).toBe(diverges);
  });
}

for (const bytes of [true, false]) {
  for (const [count, features, rows, start] of [[1, 1, 1, 0], [50, 37, 13, 29], [40, 68, 9, 3], [300, 784, 129, 100]]) {
    test(`gather ${bytes ? 'bytes' : 'floats'} ${count}x${features} rows ${rows} from ${start}`, async ({ harness }) => {
      const r = await harness.evaluate(([b, n, f, rw, s]) => window.harness.gatherCase(b, n, f, rw, s, 5), [bytes, count, features, rows, start] as const);
      report(`gather ${bytes ? 'bytes' : 'floats'} ${count}x${features} rows ${rows}`, r.values, 1e-7);
      expect(r.values.maxError).toBeLessThanOrEqual(1e-7);
      expect(r.labelsEqual).toBe(true);
    });
  }
}

// Augmented gathers: whole-pixel shifts copy pixels exactly; rotations interpolate (float32 cos/sin/mix).
for (const [name, augment, tolerance, channels] of [
  ['shift ±2', { width: 28, height: 28, maxShift: 2, maxAngle: 0 }, 1e-7, 1],
  ['shift ±3, rotate ±15°', { width: 28, height: 28, maxShift: 3, maxAngle: (15 * Math.PI) / 180 }, 1e-5, 1],
  ['7x5 image, rotate ±45°', { width: 7, height: 5, maxShift: 1, maxAngle: Math.PI / 4 }, 1e-5, 1],
  ['3 channels of 9x6, shift ±2, rotate ±20° (every channel alike)', { width: 9, height: 6, maxShift: 2, maxAngle: Math.PI / 9 }, 1e-5, 3],
] as const) {
  for (const bytes of [true, false]) {
    test(`gather augmented ${name} ${bytes ? 'bytes' : 'floats'}`, async ({ harness }) => {
      const features = channels * augment.width * augment.height;
      const r = await harness.evaluate(([b, f, a]) => window.harness.gatherCase(b, 60, f, 40, 7, 12, a), [bytes, features, augment] as const);
      report(`gather augmented ${name} ${bytes ? 'bytes' : 'floats'}`, r.values, tolerance);
      expect(r.values.maxError).toBeLessThanOrEqual(tolerance);
      expect(r.labelsEqual).toBe(true);
      expect(r.changed).toBe(true); // augmentation really moved pixels
    });
  }
}

const OPTIMIZERS = [
  { optimizer: 'sgd', momentum: 0, l2: 0 },
  { optimizer: 'sgd', momentum: 0, l2: 0.01 },
  { optimizer: 'sgd', momentum: 0.9, l2: 0.01 },
  { optimizer: 'adam', momentum: 0, l2: 0.001 },
] as const;

for (const o of OPTIMIZERS) {
  test(`optimizer ${o.optimizer} momentum ${o.momentum} l2 ${o.l2}`, async ({ harness }) => {
    const settings = { ...o, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    // 1000 elements, the first 700 being weights (l2 applies), three steps.
    const r = await harness.evaluate((s) => window.harness.optimizerCase(s, 1000, 700, 3, 6), settings);
    const tolerance = 1e-6;
    report(`optimizer ${o.optimizer} m=${o.momentum} l2=${o.l2}`, r, tolerance);
    expect(r.maxError).toBeLessThanOrEqual(tolerance);
  });
}
