// Every layer type's kernels against the reference, at awkward shapes: batch 1, odd sizes, non-square kernels,
// stride 2, 'same' and numeric padding, channel counts that are not multiples of 4, pooling windows that do not
// tile the input or overlap, inputs stored either way, and the activation before and after the layer.
import type { LayerCase } from './harness_layers';
import { expect, report, test } from './fixtures';

const SUM_TOLERANCE = 1e-5; // of Σ|terms|, as in kernels.spec.ts
const STRATEGIES = { // TILED, BLOCKED and BLOCKED8 in src/ops/matmul.ts
  tiled: { tiled: true, tile: 16, block: 16 }, blocked: { tiled: false, tile: 4, block: 16 }, blocked8: { tiled: false, tile: 4, block: 8 },
};

type Case = Omit<LayerCase, 'strategy' | 'seed'>;

const CONVS: [string, Case][] = [
  ['batch 1, 1 × 5 × 5, 3 × 3', { input: [1, 5, 5], layer: { type: 'conv2d', filters: 1, kernelSize: 3 }, inLayout: 'chw', previous: 'identity', rows: 1, capacity: 1 }],
  ['3 × 9 × 7 -> 5, kernel 3 × 2, stride 2, same, tanh; after relu', { input: [3, 9, 7], layer: { type: 'conv2d', filters: 5, kernelSize: [3, 2], stride: 2, padding: 'same', activation: 'tanh' }, inLayout: 'chw', previous: 'relu', rows: 7, capacity: 9 }],
  ['6 × 8 × 11 stored channels last -> 7, kernel 2 × 3, stride [1, 2], padding [1, 2], relu; after sigmoid', { input: [6, 8, 11], layer: { type: 'conv2d', filters: 7, kernelSize: [2, 3], stride: [1, 2], padding: [1, 2], activation: 'relu' }, inLayout: 'hwc', previous: 'sigmoid', rows: 3, capacity: 5 }],
  ['8 × 7 × 6 stored channels last -> 5, kernel 3, stride 2, padding 1 (col2im 4 channels at a time); after relu', { input: [8, 7, 6], layer: { type: 'conv2d', filters: 5, kernelSize: 3, stride: 2, padding: 1 }, inLayout: 'hwc', previous: 'relu', rows: 3, capacity: 4 }],
  ['kernel as large as the padded input: 2 × 4 × 4, kernel 6, padding 1 -> 1 × 1', { input: [2, 4, 4], layer: { type: 'conv2d', filters: 3, kernelSize: 6, padding: 1 }, inLayout: 'chw', previous: 'identity', rows: 2, capacity: 2 }],
  ['the CNN preset\'s first: 1 × 28 × 28 -> 24, 5 × 5', { input: [1, 28, 28], layer: { type: 'conv2d', filters: 24, kernelSize: 5 }, inLayout: 'chw', previous: 'identity', rows: 4, capacity: 4 }],
  ['8 × 9 × 8 stored channels last -> 12, 3 × 3 (Winograd: an odd output, 4 channels and filters at a time); after relu', { input: [8, 9, 8], layer: { type: 'conv2d', filters: 12, kernelSize: 3 }, inLayout: 'hwc', previous: 'relu', rows: 3, capacity: 4 }],
  ['the CNN preset\'s second: 24 × 12 × 12 channels last -> 32, 3 × 3; after relu', { input: [24, 12, 12], layer: { type: 'conv2d', filters: 32, kernelSize: 3 }, inLayout: 'hwc', previous: 'relu', rows: 3, capacity: 4 }],
];

const OTHERS: [string, Case][] = [
  ['maxPool 3 × 2 stride 2 on 3 × 7 × 5 (does not tile)', { input: [3, 7, 5], layer: { type: 'maxPool2d', size: [3, 2], stride: 2 }, inLayout: 'chw', previous: 'identity', rows: 3, capacity: 4 }],
  ['avgPool 3 × 2 stride 2 on 3 × 7 × 5 (does not tile)', { input: [3, 7, 5], layer: { type: 'avgPool2d', size: [3, 2], stride: 2 }, inLayout: 'chw', previous: 'identity', rows: 3, capacity: 4 }],
  ['maxPool 2 on 24 × 24 × 24 channels last (the CNN preset\'s)', { input: [24, 24, 24], layer: { type: 'maxPool2d', size: 2 }, inLayout: 'hwc', previous: 'identity', rows: 2, capacity: 3 }],
  ['maxPool 3 stride 1 (overlapping), tanh, channels last; after relu', { input: [5, 6, 6], layer: { type: 'maxPool2d', size: 3, stride: 1, activation: 'tanh' }, inLayout: 'hwc', previous: 'relu', rows: 2, capacity: 2 }],
  ['avgPool over the whole 4 × 4, sigmoid, batch 1; after elu', { input: [2, 4, 4], layer: { type: 'avgPool2d', size: 4, activation: 'sigmoid' }, inLayout: 'chw', previous: { name: 'elu', alpha: 0.9 }, rows: 1, capacity: 1 }],
  ['maxPool 2 on 8 × 5 × 7 channels last (4 channels a thread; an edge row and column no window takes), after relu', { input: [8, 5, 7], layer: { type: 'maxPool2d', size: 2 }, inLayout: 'hwc', previous: 'relu', rows: 3, capacity: 4 }],
  ['avgPool 2 stride [3, 2] on 4 × 8 × 7 channels last (4 channels a thread; rows between windows), elu', { input: [4, 8, 7], layer: { type: 'avgPool2d', size: 2, stride: [3, 2], activation: 'elu' }, inLayout: 'hwc', previous: 'identity', rows: 2, capacity: 2 }],
  ['maxPool 3 stride 2 on 12 × 7 × 7 channels last (forward 4 channels a thread, overlapping backward one)', { input: [12, 7, 7], layer: { type: 'maxPool2d', size: 3, stride: 2 }, inLayout: 'hwc', previous: 'identity', rows: 2, capacity: 3 }],
  ['avgPool 2 × 3 stride [1, 2] channels last; after leaky_relu', { input: [3, 5, 7], layer: { type: 'avgPool2d', size: [2, 3], stride: [1, 2] }, inLayout: 'hwc', previous: { name: 'leaky_relu', slope: 0.1 }, rows: 3, capacity: 3 }],
  ['activation relu on 5 × 3 × 4 channels last; after tanh', { input: [5, 3, 4], layer: { type: 'activation', activation: 'relu' }, inLayout: 'hwc', previous: 'tanh', rows: 3, capacity: 4 }],
  ['activation identity: passes its input on', { input: [5, 3, 4], layer: { type: 'activation' }, inLayout: 'chw', previous: 'identity', rows: 2, capacity: 2 }],
  ['flatten of 7 × 3 × 2 channels last (reorders); after relu', { input: [7, 3, 2], layer: { type: 'flatten' }, inLayout: 'hwc', previous: 'relu', rows: 3, capacity: 4 }],
  ['flatten of 7 × 3 × 2 channels first: passes its input on', { input: [7, 3, 2], layer: { type: 'flatten' }, inLayout: 'chw', previous: 'identity', rows: 3, capacity: 4 }],
  ['flatten of 7 × 3 × 2 channels first, elu; after sigmoid', { input: [7, 3, 2], layer: { type: 'flatten', activation: { name: 'elu', alpha: 0.5 } }, inLayout: 'chw', previous: 'sigmoid', rows: 3, capacity: 4 }],
  ['dropout 0.4 on 1,000 values', { input: [1000, 1, 1], layer: { type: 'dropout', rate: 0.4 }, inLayout: 'chw', previous: 'identity', rows: 5, capacity: 8 }],
  ['dropout 0.3, leaky_relu, on 5 × 4 × 3 channels last; after sigmoid', { input: [5, 4, 3], layer: { type: 'dropout', rate: 0.3, activation: { name: 'leaky_relu', slope: 0.2 } }, inLayout: 'hwc', previous: 'sigmoid', rows: 4, capacity: 4 }],
  ['dropout 0 (keeps everything), batch 1', { input: [3, 1, 1], layer: { type: 'dropout', rate: 0 }, inLayout: 'chw', previous: 'relu', rows: 1, capacity: 1 }],
  ['batchNorm of 1 channel, 5 × 7, relu, batch 1', { input: [1, 5, 7], layer: { type: 'batchNorm', activation: 'relu' }, inLayout: 'chw', previous: 'identity', rows: 1, capacity: 2 }],
  ['batchNorm of 3 × 5 × 7 channels last, batch 2; after relu', { input: [3, 5, 7], layer: { type: 'batchNorm', momentum: 0.3 }, inLayout: 'hwc', previous: 'relu', rows: 2, capacity: 3 }],
  ['batchNorm of 7 flat features, sigmoid, batch 2; after tanh', { input: [7, 1, 1], layer: { type: 'batchNorm', epsilon: 0.01, activation: 'sigmoid' }, inLayout: 'chw', previous: 'tanh', rows: 2, capacity: 2 }],
  ['batchNorm of 24 × 12 × 12 channels last (the size after the CNN preset\'s first pool), batch 3', { input: [24, 12, 12], layer: { type: 'batchNorm' }, inLayout: 'hwc', previous: 'identity', rows: 3, capacity: 4 }],
];

function check(name: string, r: Awaited<ReturnType<typeof window.harness.layerCase>>): void {
  console.log(`  ops: ${r.ops.join(', ') || '(none: aliased)'}`);
  report(`${name} forward`, r.forward, SUM_TOLERANCE);
  report(`${name} dinp`, r.dinp, SUM_TOLERANCE);
  expect(r.forward.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
  expect(r.dinp.maxError).toBeLessThanOrEqual(SUM_TOLERANCE);
  for (const [tensor, comparison] of [...Object.entries(r.grads), ...Object.entries(r.updated)]) {
    const what = `${name} ${r.grads[tensor] === comparison ? `d${tensor}` : `${tensor} (updated)`}`;
    report(what, comparison, SUM_TOLERANCE);
    expect(comparison.maxError, what).toBeLessThanOrEqual(SUM_TOLERANCE);
  }
}

// Each convolution with both product strategies, and its patches gathered by im2col or read in place (implicit;
// a padded convolution always uses im2col), or with a 3 × 3 kernel of stride 1 its forward (and, channels last, its
// input gradient) by Winograd's F(2 × 2, 3 × 3).
for (const [strategyName, strategy] of Object.entries(STRATEGIES)) {
  for (const conv of ['im2col', 'implicit', 'winograd'] as const) {
    for (const [name, c] of CONVS) {
      test(`conv2d ${strategyName} ${conv}: ${name}`, async ({ harness }) => {
        const r = await harness.evaluate((c) => window.harness.layerCase(c), { ...c, strategy, conv, seed: 3 } as LayerCase);
        check(`conv2d.${strategyName}.${conv} ${name}`, r);
        expect(Object.keys(r.grads)).toEqual(['weight', 'bias']);
        const padded = c.layer.type === 'conv2d' && c.layer.padding !== undefined;
        expect(r.ops.includes('im2col')).toBe(conv === 'im2col' || padded);
        const threeByThree = c.layer.type === 'conv2d' && c.layer.kernelSize === 3 && c.layer.stride === undefined && !padded;
        expect(r.ops.includes('winogradProducts')).toBe(conv === 'winograd' && threeByThree);
        // The input gradient by Winograd too where the input is channels last; else the patches' gradient and
        // col2im, whose sum takes an activation's derivative in a pass of its own.
        const winogradGrad = conv === 'winograd' && threeByThree && c.inLayout === 'hwc';
        expect(r.ops.includes('winogradGradProducts')).toBe(winogradGrad);
        expect(r.ops.includes('colGrad')).toBe(!winogradGrad);
        expect(r.ops.includes('inputGradSum')).toBe(!winogradGrad && c.previous !== 'identity');
        expect(r.ops.includes('inputGrad')).toBe(true);
      });
    }
  }
}

// Winograd's forward products with the transformed weights read from a texture, 4 filters a texel (1, 12 and 32
// filters: zeros pad the one texel, or a block's second texel is its first again, or neither): the same sums as
// from a buffer, bit for bit.
const winogradFits = (c: Case) => c.layer.type === 'conv2d' && c.layer.kernelSize === 3 && c.layer.stride === undefined && c.layer.padding === undefined;
for (const [strategyName, strategy] of Object.entries(STRATEGIES).filter(([, s]) => !s.tiled)) {
  for (const [name, c] of CONVS.filter(([, c]) => winogradFits(c))) {
    test(`conv2d ${strategyName} winograd, weights from a texture: ${name}`, async ({ harness }) => {
      const run = (texels: boolean) => harness.evaluate((c) => window.harness.layerCase(c), { ...c, strategy, conv: 'winograd', texels, seed: 3 } as LayerCase);
      const texture = await run(true);
      const buffer = await run(false);
      check(`conv2d.${strategyName}.winograd.texels ${name}`, texture);
      expect(texture.ops).toContain('winogradTexels');
      expect(buffer.ops).not.toContain('winogradTexels');
      expect(texture.forward.maxDiff).toBe(buffer.forward.maxDiff);
    });
  }
}

for (const [name, c] of OTHERS) {
  test(`${c.layer.type}: ${name}`, async ({ harness }) => {
    const r = await harness.evaluate((c) => window.harness.layerCase(c), { ...c, strategy: STRATEGIES.blocked, seed: 5 } as LayerCase);
    check(`${c.layer.type} ${name}`, r);
    const passesOn = name.endsWith('passes its input on');
    expect(r.aliased.output).toBe(passesOn);
    expect(r.ops.length === 0).toBe(passesOn);
  });
}
