// The engine in Node with no browser, on the `webgpu` package (node_gpu.ts): a few of the checks the
// browser tests run, through the same harness code (e2e/harness_*.ts). A GPU test never skips: without
// an adapter it fails and says why.
import { beforeAll, expect, test } from 'vitest';
import { nodeGpu } from './node_gpu';

let products: typeof import('../../e2e/harness_products');
let model: typeof import('../../e2e/harness_model');

beforeAll(async () => {
  const gpu = await nodeGpu();
  const adapter = await gpu.requestAdapter();
  expect(adapter, 'the webgpu package found no adapter (is libvulkan1 installed?)').not.toBeNull();
  console.log(`Node WebGPU adapter: ${adapter!.info.vendor} ${adapter!.info.architecture}`);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true }); // what createEngine() uses
  // Imported only now: their module scope reads WebGPU's constants, which nodeGpu installed.
  products = await import('../../e2e/harness_products');
  model = await import('../../e2e/harness_model');
}, 60_000);

for (const variant of ['forward', 'backwardInput', 'backwardWeight'] as const) {
  test(`matmul ${variant} 257x784x129 matches the reference in Node`, async () => {
    const r = await products.matmulCase({ tiled: false, tile: 4, block: 16 }, variant, { name: 'relu', alpha: 0 }, 257, 784, 129, 1);
    console.log(`node matmul ${variant}: maxdiff=${r.maxDiff.toExponential(2)} maxerr=${r.maxError.toExponential(2)}`);
    expect(r.maxError).toBeLessThanOrEqual(1e-5);
  }, 60_000);
}

test('GPU training in Node equals the reference step (adam, tanh, 3 epochs)', async () => {
  const data = model.randomDataset(30, 17, 6, 9);
  const r = await model.trainStepCase({ layers: [17, 12, 6], activation: 'tanh', seed: 4 }, { epochs: 3, batchSize: 10, learningRate: 0.01, optimizer: 'adam' }, data);
  console.log(`node training: weights maxdiff=${r.maxDiff.toExponential(2)} (moved by up to ${r.maxChange.toExponential(2)})`);
  expect(r.maxChange).toBeGreaterThan(1e-3);
  expect(r.maxDiff).toBeLessThanOrEqual(2e-6); // as in e2e/training.spec.ts
}, 60_000);

test('a short seeded training in Node learns', async () => {
  const r = await model.trainRun({ layers: [64, 32, 10], activation: 'relu', seed: 7 }, { epochs: 4, batchSize: 32, learningRate: 0.1 }, 800, 11);
  console.log(`node training: losses ${r.history.map((h) => h.loss.toFixed(4))}; test accuracy ${r.test.accuracy}`);
  expect(r.history.at(-1)!.loss).toBeLessThan(0.5 * r.history[0].loss);
  expect(r.test.accuracy).toBeGreaterThan(0.9);
}, 60_000);

test('a ConvNet\'s training step in Node equals the reference step (conv, pooling, dropout)', async () => {
  const options = { input: [2, 6, 5] as [number, number, number], seed: 5, layers: [
    { type: 'conv2d' as const, filters: 3, kernelSize: 3, padding: 'same' as const, activation: 'tanh' as const }, { type: 'maxPool2d' as const, size: 2 },
    { type: 'flatten' as const }, { type: 'dropout' as const, rate: 0.25 }, { type: 'dense' as const, units: 4 }] };
  const r = await model.trainStepCase(options, { epochs: 2, batchSize: 5, learningRate: 0.01, optimizer: 'adam' }, model.randomDataset(12, 60, 4, 3));
  console.log(`node ConvNet training: weights maxdiff=${r.maxDiff.toExponential(2)} (moved by up to ${r.maxChange.toExponential(2)})`);
  expect(r.maxChange).toBeGreaterThan(1e-3);
  expect(r.maxDiff).toBeLessThanOrEqual(2e-6);
}, 60_000);
