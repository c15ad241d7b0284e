// Whole training steps on the GPU against the CPU reference step, seeded runs, determinism, inference.
import { expect, test } from './fixtures';

// Weights after a few steps: the GPU works in float32, the reference in float64. Differences stay
// around 1e-7; a wrong gradient moves weights by about lr · |grad| ≈ 1e-3 or more.
const STEP_TOLERANCE = 2e-6;
// Probabilities predicted after training, against the reference's forward pass with the reference's weights.
const PREDICT_TOLERANCE = 1e-6;

const STEP_CASES = [
  { name: 'sgd relu, one full-batch step', model: { layers: [13, 7, 5], activation: 'relu', seed: 1 }, fit: { epochs: 1, batchSize: 37, learningRate: 0.5 }, count: 37 },
  { name: 'sgd tanh, short last batch (16+16+5), l2', model: { layers: [13, 9, 4], activation: 'tanh', seed: 2 }, fit: { epochs: 2, batchSize: 16, learningRate: 0.3, l2: 0.01 }, count: 37 },
  { name: 'the same, one step per submit', model: { layers: [13, 9, 4], activation: 'tanh', seed: 2 }, fit: { epochs: 2, batchSize: 16, learningRate: 0.3, l2: 0.01, stepsPerSubmit: 1 }, count: 37 },
  { name: 'momentum sigmoid, 3 layers', model: { layers: [20, 11, 8, 3], activation: 'sigmoid', seed: 3 }, fit: { epochs: 3, batchSize: 25, learningRate: 0.5, momentum: 0.9 }, count: 25 },
  { name: 'adam leaky_relu he-init, l2', model: { layers: [17, 12, 6], activation: { name: 'leaky_relu', slope: 0.1 }, init: 'he', seed: 4 }, fit: { epochs: 3, batchSize: 10, learningRate: 0.01, optimizer: 'adam', l2: 0.001 }, count: 30 },
  { name: 'sgd elu, mse loss', model: { layers: [10, 8, 4], activation: 'elu', loss: 'mse', seed: 5 }, fit: { epochs: 2, batchSize: 9, learningRate: 1 }, count: 20 },
  { name: 'sgd relu, float32 images, batch of 1', model: { layers: [6, 5, 3], seed: 6 }, fit: { epochs: 1, batchSize: 1, learningRate: 0.1 }, count: 7, floats: true },
  { name: 'ConvNet sgd: conv -> maxPool -> relu -> conv (same, tanh) -> avgPool -> flatten -> dense, short last batch', model: { input: [1, 9, 8], layers: [
    { type: 'conv2d', filters: 3, kernelSize: [3, 2] }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 5, kernelSize: 3, padding: 'same', activation: 'tanh' }, { type: 'avgPool2d', size: [2, 1], stride: 1 },
    { type: 'flatten' }, { type: 'dense', units: 4 }], init: 'he', seed: 7 }, fit: { epochs: 2, batchSize: 6, learningRate: 0.3 }, count: 15 },
  { name: 'ConvNet adam: 2 channels, stride 2 and padding, overlapping maxPool with elu, dropout, l2', model: { input: [2, 7, 6], layers: [
    { type: 'conv2d', filters: 6, kernelSize: 3, stride: 2, padding: [1, 2], activation: 'relu' }, { type: 'maxPool2d', size: 2, stride: 1, activation: { name: 'elu', alpha: 0.5 } },
    { type: 'flatten' }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 7, activation: 'sigmoid' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 3 }],
    seed: 8 }, fit: { epochs: 3, batchSize: 4, learningRate: 0.01, optimizer: 'adam', l2: 0.001 }, count: 10 },
  { name: 'ConvNet momentum, mse: conv after a dense-free chain, flatten with an activation, batch of 1', model: { input: [3, 5, 5], layers: [
    { type: 'conv2d', filters: 4, kernelSize: [2, 3], activation: 'sigmoid' }, { type: 'conv2d', filters: 2, kernelSize: 2, padding: 'same' },
    { type: 'flatten', activation: 'tanh' }, { type: 'dense', units: 5 }], loss: 'mse', seed: 9 }, fit: { epochs: 2, batchSize: 1, learningRate: 0.5, momentum: 0.9 }, count: 4 },
  // A bias right before a batch norm has no gradient (the mean takes it away), so float32's noise in it would be
  // all Adam sees and scales up: the conv here has an activation between them.
  { name: 'batch norm: conv (elu) -> batchNorm (relu) -> maxPool -> flatten -> dense -> batchNorm -> dense, adam, l2, short last batch of 2', model: { input: [2, 6, 5], layers: [
    { type: 'conv2d', filters: 3, kernelSize: 2, activation: 'elu' }, { type: 'batchNorm', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dense', units: 6, activation: 'tanh' }, { type: 'batchNorm', momentum: 0.3 }, { type: 'dense', units: 3 }],
    seed: 11 }, fit: { epochs: 2, batchSize: 5, learningRate: 0.01, optimizer: 'adam', l2: 0.01 }, count: 12 },
  { name: 'batch norm on the data, sgd, batches of 1 and 2 features each', model: { input: [5, 1, 1], layers: [
    { type: 'batchNorm', activation: 'sigmoid' }, { type: 'dense', units: 4 }], seed: 12 }, fit: { epochs: 2, batchSize: 2, learningRate: 0.5 }, count: 5 },
] as const;

for (const c of STEP_CASES) {
  test(`GPU training equals the reference: ${c.name}`, async ({ harness }) => {
    const r = await harness.evaluate(async (c) => {
      const h = window.harness;
      const { features, classes } = h.sizesOf(c.model as never);
      const data = h.randomDataset(c.count, features, classes, 9, 'floats' in c);
      return h.trainStepCase(c.model as never, c.fit as never, data);
    }, c);
    console.log(`${c.name}: weights maxdiff=${r.maxDiff.toExponential(2)} at ${r.worst} (moved by up to ${r.maxChange.toExponential(2)}), predict maxdiff=${r.predictMaxDiff.toExponential(2)}; ` +
      `losses gpu=${r.gpuLosses.map((x) => x.toFixed(6))} ref=${r.referenceLosses.map((x) => x.toFixed(6))}`);
    expect(r.maxChange).toBeGreaterThan(1e-3); // the step really moved the weights
    expect(r.maxDiff).toBeLessThanOrEqual(STEP_TOLERANCE);
    expect(r.predictMaxDiff).toBeLessThanOrEqual(PREDICT_TOLERANCE);
    r.gpuLosses.forEach((loss, i) => expect(Math.abs(loss - r.referenceLosses[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, r.referenceLosses[i])));
  });
}

// A convolution and the 2 × 2 max pool after it fuse (the pool in the product's epilogue, or in Winograd's output
// transform, its backward from the recorded winners) where patches are read in place; with im2col they do not. Odd
// sizes leave a row or a column no window takes; 8 filters take the 4-at-a-time paths, 5 the others; the second
// convolution's input gradient goes through the pool's relu (by Winograd, under winograd: both are 3 × 3). The
// tanh layer after the second pool is done in that product too (it adds no op; the dense layer applies its
// derivative). The data is 85% zeros, some of the first convolution's patches all zeros, which its
// register-blocked weight gradient skips. Predictions go through the inference plan, fused too.
const FUSED = { input: [2, 13, 12], layers: [
  { type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'maxPool2d', size: 2, activation: 'relu' },
  { type: 'conv2d', filters: 5, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'tanh' },
  { type: 'flatten' }, { type: 'dense', units: 3 }], init: 'he', seed: 10 } as const;
// Under winograd, its products read the transformed weights from a buffer or (texels) a texture.
for (const [matmul, conv, texels] of [['blocked', 'implicit', false], ['blocked8', 'implicit', false], ['tiled', 'implicit', false], ['blocked8', 'winograd', false],
  ['blocked', 'winograd', true], ['blocked', 'im2col', false]] as const) {
  test(`GPU training equals the reference: conv + max pool, ${matmul} products, ${conv} patches (${conv === 'im2col' ? 'apart' : 'fused'})${texels ? ', weights from a texture' : ''}`, async ({ harness }) => {
    const r = await harness.evaluate(async ([model, matmul, conv, texels]) => {
      const h = window.harness;
      await h.pinStrategies(matmul, conv, false, texels);
      const { features, classes } = h.sizesOf(model as never);
      return h.trainStepCase(model as never, { epochs: 2, batchSize: 6, learningRate: 0.3 }, h.randomDataset(13, features, classes, 4, false, 0.85));
    }, [FUSED, matmul, conv, texels] as const);
    console.log(`conv + max pool, ${matmul}, ${conv}: weights maxdiff=${r.maxDiff.toExponential(2)} (moved by up to ${r.maxChange.toExponential(2)}), ` +
      `predict maxdiff=${r.predictMaxDiff.toExponential(2)}; ops ${JSON.stringify(r.ops)}`);
    expect(r.maxChange).toBeGreaterThan(1e-3);
    expect(r.maxDiff).toBeLessThanOrEqual(STEP_TOLERANCE);
    expect(r.predictMaxDiff).toBeLessThanOrEqual(PREDICT_TOLERANCE);
    const fused = conv !== 'im2col';
    // Winograd's F(2 × 2, 3 × 3) does both convolutions' forward, with their pools, and the second's input gradient
    expect(r.ops[0].includes('winogradProducts')).toBe(conv === 'winograd');
    expect(r.ops[2].includes('winogradProducts')).toBe(conv === 'winograd');
    expect(r.ops[2].includes('winogradGradProducts')).toBe(conv === 'winograd');
    expect(r.ops[0].includes('winogradTexels')).toBe(texels);
    expect(r.ops[2].includes('colGrad')).toBe(conv !== 'winograd');
    for (const pool of [1, 3]) { // a fused pool adds only its backward; apart, its forward too
      expect(r.ops[pool].includes('forward')).toBe(!fused);
      expect(r.ops[pool]).toContain('inputGrad');
    }
    expect(r.ops[4]).toEqual(fused ? [] : ['forward']); // the tanh layer
  });
}

// A one-channel 5 × 5 convolution and its pool, as the MNIST ConvNet's first: by the direct kernel (in training
// and in the inference plan), or by the patches' product. 11 × 12 outputs leave a row no window takes; 5 × 6
// windows make 15 pairs a sample, so that with 16-row blocks a word of live rows spans two samples; the last
// batch has 1 sample. The data is 95% zeros: about a quarter of the patches are all zeros, and the weight
// gradient skips the rows whose live bits the forward left unset.
const DIRECT = { input: [1, 15, 16], layers: [
  { type: 'conv2d', filters: 5, kernelSize: 5 }, { type: 'maxPool2d', size: 2, activation: 'relu' },
  { type: 'flatten' }, { type: 'dense', units: 3 }], init: 'he', seed: 12 } as const;
for (const [matmul, direct] of [['blocked', true], ['blocked8', true], ['tiled', true], ['blocked8', false]] as const) {
  test(`GPU training equals the reference: 5 × 5 conv + max pool of one channel, ${matmul} products, ${direct ? 'direct kernel' : 'patches\' product'}`, async ({ harness }) => {
    const r = await harness.evaluate(async ([model, matmul, direct]) => {
      const h = window.harness;
      await h.pinStrategies(matmul, 'implicit', direct);
      const { features, classes } = h.sizesOf(model as never);
      return h.trainStepCase(model as never, { epochs: 2, batchSize: 6, learningRate: 0.3 }, h.randomDataset(13, features, classes, 6, false, 0.95));
    }, [DIRECT, matmul, direct] as const);
    console.log(`5 × 5 conv + max pool, ${matmul}, direct ${direct}: weights maxdiff=${r.maxDiff.toExponential(2)} (moved by up to ${r.maxChange.toExponential(2)}), ` +
      `predict maxdiff=${r.predictMaxDiff.toExponential(2)}; ops ${JSON.stringify(r.ops)}`);
    expect(r.maxChange).toBeGreaterThan(1e-3);
    expect(r.maxDiff).toBeLessThanOrEqual(STEP_TOLERANCE);
    expect(r.predictMaxDiff).toBeLessThanOrEqual(PREDICT_TOLERANCE);
    expect(r.ops[0].includes('forwardDirect')).toBe(direct);
    expect(r.ops[0].includes('forward')).toBe(!direct);
    expect(r.ops[1]).toEqual(['inputGrad']); // the pool: fused, its backward only
  });
}

// The data's dense layer reading the batch, its weight and its output gradient from textures (8 × 8 blocks):
// 20 units leave a block part outside, and 45 samples in batches of 19 a short last one; the data is 80% zeros,
// whose blocks the products skip. A dense layer after a flatten reads the data too. Predictions go through the
// inference plan, from textures as well. With 61 inputs (or 13 units), not a multiple of 4, the layer reads
// buffers.
const DATA_TEXELS = [
  ['MLP on sparse data', { layers: [60, 20, 5], activation: 'relu', seed: 3 }, true],
  ['flatten, then dense', { input: [1, 6, 10], layers: [{ type: 'flatten' }, { type: 'dense', units: 12, activation: 'tanh' }, { type: 'dense', units: 4 }], seed: 4 }, true],
  ['61 inputs', { layers: [61, 20, 5], activation: 'relu', seed: 3 }, false],
  ['13 units', { layers: [60, 13, 5], activation: 'relu', seed: 3 }, false],
] as const;
for (const [name, model, texels] of DATA_TEXELS) {
  test(`GPU training equals the reference: ${name}, blocked8 products, the data's layer ${texels ? 'from textures' : 'from buffers (textures chosen)'}`, async ({ harness }) => {
    const r = await harness.evaluate(async (model) => {
      const h = window.harness;
      await h.pinStrategies('blocked8', 'implicit', false, false, true);
      const { features, classes } = h.sizesOf(model as never);
      return h.trainStepCase(model as never, { epochs: 2, batchSize: 19, learningRate: 0.3 }, h.randomDataset(45, features, classes, 6, false, 0.8));
    }, model);
    console.log(`${name}, data from ${texels ? 'textures' : 'buffers'}: weights maxdiff=${r.maxDiff.toExponential(2)} (moved by up to ${r.maxChange.toExponential(2)}), ` +
      `predict maxdiff=${r.predictMaxDiff.toExponential(2)}; ops ${JSON.stringify(r.ops)}`);
    expect(r.maxChange).toBeGreaterThan(1e-3);
    expect(r.maxDiff).toBeLessThanOrEqual(STEP_TOLERANCE);
    expect(r.predictMaxDiff).toBeLessThanOrEqual(PREDICT_TOLERANCE);
    const dense = r.ops.findIndex((ops) => ops.length > 0);
    expect(r.ops[dense]).toEqual(texels ? ['inputMasks', 'inputTexels', 'weightTexels', 'forward', 'doutTexels', 'weightGrad', 'biasGrad'] : ['inputMasks', 'forward', 'weightGrad', 'biasGrad']);
  });
}

// The data's layer from textures adds the same terms in the same order as from buffers (a texel's zero pixels
// add zeros): a seeded fit, with Adam and a short last batch, ends bit for bit alike, so that an adapter measured
// again, choosing the other way, still trains the same weights.
test('the data\'s dense layer trains bit for bit alike from buffers and from textures', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const h = window.harness;
    const model = { layers: [60, 20, 5], activation: 'relu' as const, seed: 3 };
    return h.sameAcrossBlocks(model, { epochs: 2, batchSize: 19, learningRate: 0.2, optimizer: 'adam', seed: 5 }, h.randomDataset(45, 60, 5, 6, false, 0.8),
      [{ matmul: 'blocked8', dataTexels: false }, { matmul: 'blocked8', dataTexels: true }]);
  });
  console.log(`data's layer from buffers, then textures (${r.dataTexels.join(', ')}): bit for bit ${r.same}, weights moved by up to ${r.moved.toExponential(2)}`);
  expect(r.dataTexels).toEqual([false, true]);
  expect(r.moved).toBeGreaterThan(1e-3);
  expect(r.same).toBe(true);
});

test('a seeded run of a few epochs lowers the loss and learns', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.trainRun(
    { layers: [64, 32, 10], activation: 'relu', seed: 7 },
    { epochs: 4, batchSize: 32, learningRate: 0.1 }, 800, 11));
  const losses = r.history.map((h) => h.loss);
  console.log(`losses ${losses.map((x) => x.toFixed(4))}; accuracy ${r.history.map((h) => h.accuracy.toFixed(3))}; test ${JSON.stringify(r.test)}`);
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  expect(r.test.accuracy).toBeGreaterThan(0.9);
  expect(r.history.every((h) => h.validation !== undefined)).toBe(true);
  expect(r.batches.length).toBeGreaterThan(0);
  // predict gives probabilities: rows of 10 that sum to 1
  for (let row = 0; row < 5; row++) {
    const sum = r.probs.slice(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
  }
});

test('the same seeds give the same run, bit for bit; another seed does not', async ({ harness }) => {
  const [a, b, c] = await harness.evaluate(async () => {
    const h = window.harness;
    const fit = { epochs: 2, batchSize: 16, learningRate: 0.1, optimizer: 'adam' as const };
    const run = (seed: number) => h.trainRun({ layers: [20, 12, 4], seed }, { ...fit, seed }, 100, 3);
    return [await run(1), await run(1), await run(2)];
  });
  expect(a.checksum).toEqual(b.checksum);
  expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
  expect(a.checksum).not.toEqual(c.checksum);
});

test('a seeded ConvNet run with dropout and augmentation is the same run again, bit for bit; another seed is not', async ({ harness }) => {
  const [a, b, c] = await harness.evaluate(async () => {
    const h = window.harness;
    const model = (seed: number) => ({ input: [1, 5, 4] as [number, number, number], seed, layers: [
      { type: 'conv2d' as const, filters: 4, kernelSize: 3, padding: 'same' as const, activation: 'relu' as const }, { type: 'maxPool2d' as const, size: 2 },
      { type: 'flatten' as const }, { type: 'dropout' as const, rate: 0.3 }, { type: 'dense' as const, units: 4 }] });
    const fit = { epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam' as const, augment: { shift: 1, rotate: 10 } };
    const run = (seed: number) => h.trainRun(model(seed), { ...fit, seed }, 100, 3);
    return [await run(1), await run(1), await run(2)];
  });
  console.log(`losses ${a.history.map((h) => h.loss.toFixed(5))} / ${c.history.map((h) => h.loss.toFixed(5))}`);
  expect(a.checksum).toEqual(b.checksum);
  expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
  expect(a.probs).toEqual(b.probs);
  expect(a.checksum).not.toEqual(c.checksum);
});

test('getWeights/setWeights round-trip: same weights, same predictions', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.weightsRoundTrip());
  expect(r.shapes).toEqual([17 * 30, 5 * 17, 17, 5]);
  expect(r.weightsEqual).toBe(true);
  expect(r.changedPredictions).toBe(true);
  expect(r.predictionsEqual).toBe(true);
});

test('getTensors, setTensors, save and load carry every tensor, batch norm\'s running statistics too; predict uses them', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.tensorsRoundTrip());
  console.log(JSON.stringify(r));
  expect(r.keys).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.1.running_mean', 'layers.1.running_var',
    'layers.3.weight', 'layers.3.bias', 'layers.4.weight', 'layers.4.bias', 'layers.4.running_mean', 'layers.4.running_var', 'layers.5.weight', 'layers.5.bias']);
  expect(r.shapes.slice(0, 6)).toEqual([[4, 2, 3, 3], [4], [4], [4], [4], [4]]);
  expect(r.initialVar).toEqual([1, 1, 1, 1]);
  expect(r.runningMoved).toBe(true);
  expect(r.aloneMaxDiff).toBeLessThan(1e-6); // a sample's prediction does not depend on the others: running statistics
  expect(r.referenceMaxDiff).toBeLessThan(1e-6);
  expect(r.fromFile).toBe(true);
  expect(r.copied).toBe(true);
  expect(r.subsetSet).toEqual([1, 2, 3, 4]);
  expect(r.subsetKept).toBe(true);
  expect(r.refused[0]).toMatch(/^ArgumentError: tensors\['layers\.1\.running_men'\] is .*; expected a tensor of this model: layers\.0\.weight, /);
  expect(r.refused[1]).toMatch(/^ArgumentError: tensors\['layers\.1\.running_var'\]\.shape is \[5\]; expected \[4\]/);
  expect(r.refused[2]).toMatch(/^ArgumentError: tensors\['layers\.4\.weight'\] is 5; expected a Float32Array of 6 values \(6\)/);
  expect(r.refused[3]).toMatch(/^ArgumentError: tensors\['layers\.4\.bias'\]\[2\] is NaN; expected a finite number/);
  expect(r.unchanged).toBe(true);
  expect(r.weightShapes).toEqual([4 * 2 * 3 * 3, 4, 6 * 36, 6, 3 * 6]); // weight of conv, batch norm (γ), dense, batch norm (γ), dense
});

for (const [name, model] of [
  ['an MLP', undefined],
  ['a ConvNet with dropout', { input: [1, 5, 4], layers: [
    { type: 'conv2d', filters: 3, kernelSize: 2, activation: 'relu' }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' },
    { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 4 }], seed: 1 }],
] as const) {
  test(`no GPU allocation, bind group, submit or sync per training step: ${name}`, async ({ harness }) => {
    const r = await harness.evaluate((m) => window.harness.workPerFit(m as never), model);
    console.log(`per fit of 16 steps: ${JSON.stringify(r.steps16)}; of 48 steps: ${JSON.stringify(r.steps48)}`);
    expect(r.steps48).toEqual(r.steps16);
    expect(r.steps16.submits).toBeLessThanOrEqual(4); // one chunk of steps, plus uploads and readbacks
  });
}

test('the matmul strategy is measured once per device and reused', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.chosenStrategy());
  console.log(`matmul strategy on ${r.adapter}: ${JSON.stringify(r.strategy)}`);
  expect(r.same).toBe(true);
  expect([true, false]).toContain(r.strategy.tiled);
});

// 8 × 8 and 16 × 16 register blocks add the same terms in the same order, and skip only terms that are zero (each
// block reads the zero mask of its own rows, so 8 × 8 skips more): a seeded fit ends bit for bit alike, with the
// data's zeros skipped, a pool fused into its convolution and the first convolution's zero patches skipped.
const BLOCK_CASES = [
  ['MLP on sparse data', { layers: [61, 20, 5], activation: 'relu', seed: 3 }],
  ['conv + fused max pool', FUSED],
] as const;
for (const [name, model] of BLOCK_CASES) {
  test(`16 × 16 and 8 × 8 register blocks train bit for bit alike: ${name}`, async ({ harness }) => {
    const r = await harness.evaluate(async (model) => {
      const h = window.harness;
      const { features, classes } = h.sizesOf(model as never);
      return h.sameAcrossBlocks(model as never, { epochs: 2, batchSize: 19, learningRate: 0.2, optimizer: 'adam', seed: 5 }, h.randomDataset(45, features, classes, 6, false, 0.8));
    }, model);
    console.log(`${name}: blocks ${r.blocks.join(' then ')}, bit for bit ${r.same}, weights moved by up to ${r.moved.toExponential(2)}`);
    expect(r.blocks).toEqual([16, 8]);
    expect(r.moved).toBeGreaterThan(1e-3);
    expect(r.same).toBe(true);
  });
}
