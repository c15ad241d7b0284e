// Whole-model cases through the public API only: GPU training steps against the reference step,
// seeded training runs and determinism (the typed errors a user can meet: harness_errors.ts).

import { createEngine, type Dataset, type Engine, type FitOptions, loadMnist, type MLPOptions, type ModelOptions, sliceDataset, type Weights } from '../src/index';
import { Random } from '../src/random';
import * as reference from '../src/reference/model';
import { gather, softmax } from '../src/reference/kernels';
import { resolveFitOptions } from '../src/model/config';
import { type Architecture, resolveMLPOptions, resolveModelOptions } from '../src/model/architecture';
import { startOfFit } from '../src/model/fit';
import { dataTexelsStrategy, matmulStrategy, saveStrategy, strategyKey } from '../src/model/autotune';
import type { ConvStrategy } from '../src/ops/conv2d';

let shared: Promise<Engine> | undefined;
/** The engine the model cases share (one device for the page). */
export const getEngine = () => (shared ??= createEngine());

/**
 * Pins how products and convolutions run, whether the direct kernel does (where it fits), whether Winograd's
 * products read a texture, and whether the data's dense layer does, as if the autotuner had measured them on
 * this adapter before: call before any model.
 */
export async function pinStrategies(matmul: 'tiled' | 'blocked' | 'blocked8', conv: ConvStrategy, direct = false, texels = false, dataTexels = false): Promise<void> {
  if (shared) throw new Error('pinStrategies: the engine exists already, with its strategies chosen');
  const info = (await navigator.gpu.requestAdapter())!.info;
  if (!strategyKey(info, 'matmul')) throw new Error('pinStrategies: this adapter has no identity to save choices under (its info strings are empty)');
  saveStrategy(info, 'matmul', matmul);
  saveStrategy(info, 'conv', conv);
  saveStrategy(info, 'direct', direct ? 'direct' : 'product');
  saveStrategy(info, 'texels', texels ? 'texture' : 'buffer');
  saveStrategy(info, 'dataTexels', dataTexels ? 'texture' : 'buffer');
}

/** A model's options: createModel's (with `input`) or createMLP's. */
export type AnyOptions = MLPOptions | ModelOptions;
const isModel = (o: AnyOptions): o is ModelOptions => 'input' in o;
const architectureOf = (o: AnyOptions): Architecture => (isModel(o) ? resolveModelOptions(o) : resolveMLPOptions(o));
const create = (engine: Engine, o: AnyOptions) => (isModel(o) ? engine.createModel(o) : engine.createMLP(o));
/** Values per sample and classes of a model's options. */
export function sizesOf(o: AnyOptions): { features: number; classes: number } {
  const { layers } = architectureOf(o);
  const shape = layers[0].input;
  return { features: shape.channels * shape.height * shape.width, classes: layers[layers.length - 1].output.channels };
}

/** count random samples: bytes (or floats in [0, 1)), about a fraction `zeros` of them 0, and labels below `classes`. */
export function randomDataset(count: number, features: number, classes: number, seed: number, floats = false, zeros = 0): Dataset {
  const random = new Random(seed);
  const value = () => (random.uniform() < zeros ? 0 : floats ? random.uniform() : random.nextU32() & 255);
  const images = floats ? Float32Array.from({ length: count * features }, value) : Uint8Array.from({ length: count * features }, value);
  const labels = Uint8Array.from({ length: count }, () => random.nextU32() % classes);
  return { images, labels, count, features };
}

/** Gaussian blobs: class c is centred on a random byte pattern; learnable, but not in one step. */
export function blobs(count: number, features: number, classes: number, seed: number): Dataset {
  const random = new Random(seed);
  const centres = Array.from({ length: classes }, () => Float64Array.from({ length: features }, () => random.uniform() * 255));
  const labels = Uint8Array.from({ length: count }, () => random.nextU32() % classes);
  const images = new Uint8Array(count * features);
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < features; f++) {
      const v = centres[labels[i]][f] + random.normal() * 60;
      images[i * features + f] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { images, labels, count, features };
}

/**
 * Trains on the GPU with shuffle off, and replays the same steps on the CPU reference from the same
 * initial weights (dropout with the same per-step seeds). Returns the largest weight difference, both loss
 * histories, how far the trained model's predictions on the data are from the reference's (with the
 * reference's weights), and the ops of the training plan, by layer.
 */
export async function trainStepCase(model: AnyOptions, fit: FitOptions, data: Dataset) {
  const engine = await getEngine();
  const gpuModel = create(engine, model);
  const initial = await gpuModel.getTensors();
  const history = await gpuModel.fit(data, { ...fit, shuffle: false });
  const after = await gpuModel.getTensors();
  const plan = await gpuModel.plan(resolveFitOptions(fit, 0).batchSize, true); // the plan fit ran
  const ops = plan.layers.map((layer) => [...layer.forward, ...layer.backward].map((op) => op.label.replace(/^.*\.layers\[\d+\]\./, '')));
  const probs = await gpuModel.predict(data.images); // through the inference plan
  gpuModel.dispose();

  const { spec, layers } = architectureOf(model);
  const settings = resolveFitOptions(fit, spec.seed);
  const stepSeeds = Random.resume(startOfFit(settings, data.count).augmentRandom); // what each step record's seed is
  const params = reference.referenceParams(initial);
  const state: reference.ReferenceOptimizerState = {};
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  const referenceLosses: number[] = [];
  let t = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    let lossSum = 0;
    for (let start = 0; start < data.count; start += settings.batchSize) {
      const rows = Math.min(settings.batchSize, data.count - start);
      const batch = gather(data.images, data.labels, order, start, rows, data.features);
      const { loss } = reference.trainStep(layers, spec.loss, params, state, ++t, batch.inp, batch.batchLabels, rows, settings.learningRate, settings, stepSeeds.nextU32());
      lossSum += loss * rows;
    }
    referenceLosses.push(lossSum / data.count);
  }
  let maxDiff = 0;
  let maxChange = 0;
  let worst = '';
  for (const [key, { data: gpu }] of Object.entries(after)) {
    const [cpu, start] = [params[key], initial[key].data];
    for (let i = 0; i < gpu.length; i++) {
      if (Math.abs(gpu[i] - cpu[i]) > maxDiff) worst = `${key}[${i}]: gpu ${gpu[i]}, reference ${cpu[i]}`;
      maxDiff = Math.max(maxDiff, Math.abs(gpu[i] - cpu[i]));
      maxChange = Math.max(maxChange, Math.abs(cpu[i] - start[i]));
    }
  }
  const all = gather(data.images, data.labels, order, 0, data.count, data.features);
  const classes = probs.length / data.count;
  const expected = softmax(reference.forward(layers, params, all.inp, data.count).at(-1)!, data.count, classes);
  const predictMaxDiff = Math.max(...Array.from(probs, (p, i) => Math.abs(p - expected[i])));
  return { maxDiff, worst, maxChange, gpuLosses: history.map((h) => h.loss), referenceLosses, predictMaxDiff, ops };
}

/** A seeded run on blobs; returns the per-epoch history and the final held-out evaluation. */
export async function trainRun(model: AnyOptions, fit: FitOptions, count: number, seed: number) {
  const engine = await getEngine();
  const { features, classes } = sizesOf(model);
  const all = blobs(count + 200, features, classes, seed);
  const split = (from: number, n: number): Dataset => ({
    images: all.images.slice(from * features, (from + n) * features), labels: all.labels.slice(from, from + n), count: n, features,
  });
  const mlp = create(engine, model);
  const batches: number[] = [];
  const history = await mlp.fit(split(0, count), { ...fit, validation: split(count, 200), onBatch: (p) => void batches.push(p.loss) });
  const test = await mlp.evaluate(split(count, 200));
  const probs = await mlp.predict(split(count, 5).images);
  const weights = await mlp.getWeights();
  mlp.dispose();
  return { history, test, batches, probs: Array.from(probs), checksum: weights.weights.map((w) => Array.from(w.slice(0, 8))) };
}

/** Whether two arrays hold the same numbers, bit for bit. */
export const sameValues = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.from(x).every((v, i) => v === y[i]);

/** Whether two models' weights and biases are equal, bit for bit. */
export function sameWeights(a: Weights, b: Weights): boolean {
  const [x, y] = [[...a.weights, ...a.biases], [...b.weights, ...b.biases]];
  return x.length === y.length && x.every((tensor, i) => sameValues(tensor, y[i]));
}

/** Whether two models' tensors (getTensors: running statistics too) are equal, bit for bit. */
export function sameTensors(a: Record<string, { data: Float32Array }>, b: Record<string, { data: Float32Array }>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] !== undefined && sameValues(a[key].data, b[key].data));
}

/**
 * The same seeded fit with each of `setups` (by default 16 × 16 and 8 × 8 register blocks; with 8 × 8, the data's
 * dense layer may read textures), each on an engine of its own (the convolutions read their patches in place, so
 * that the pool fuses and the first one skips zero patches): whether the tensors come out bit for bit alike, which
 * block sizes and data's-layer reads the engines used, and how far training moved the weights.
 */
export async function sameAcrossBlocks(model: AnyOptions, fit: FitOptions, data: Dataset,
  setups: { matmul: 'blocked' | 'blocked8'; dataTexels: boolean }[] = [{ matmul: 'blocked', dataTexels: false }, { matmul: 'blocked8', dataTexels: false }]) {
  const info = (await navigator.gpu.requestAdapter())!.info;
  if (!strategyKey(info, 'matmul')) throw new Error('sameAcrossBlocks: this adapter has no identity to save choices under');
  type Tensors = Record<string, { data: Float32Array }>;
  const runs: { initial: Tensors; trained: Tensors; block: number; dataTexels: boolean }[] = [];
  for (const setup of setups) {
    saveStrategy(info, 'matmul', setup.matmul);
    saveStrategy(info, 'conv', 'implicit');
    saveStrategy(info, 'dataTexels', setup.dataTexels ? 'texture' : 'buffer');
    const engine = await createEngine();
    const m = create(engine, model);
    const initial = await m.getTensors();
    await m.fit(data, fit);
    runs.push({ initial, trained: await m.getTensors(), block: (await matmulStrategy(engine.gpu)).block, dataTexels: await dataTexelsStrategy(engine.gpu) });
    m.dispose();
    engine.destroy();
  }
  const [{ initial, trained }] = runs;
  const moved = Math.max(...Object.keys(trained).flatMap((key) => Array.from(trained[key].data, (x, i) => Math.abs(x - initial[key].data[i]))));
  return { same: runs.every((r) => sameTensors(runs[0].trained, r.trained)), blocks: runs.map((r) => r.block), dataTexels: runs.map((r) => r.dataTexels), moved };
}

/** Copies one model's weights into another: same weights back, same predictions, bit for bit. */
export async function weightsRoundTrip() {
  const engine = await getEngine();
  const a = engine.createMLP({ layers: [30, 17, 5], seed: 1 });
  const b = engine.createMLP({ layers: [30, 17, 5], seed: 2 });
  const images = randomDataset(9, 30, 5, 4).images;
  await a.fit(randomDataset(40, 30, 5, 3), { epochs: 1, batchSize: 8 });
  const weights = await a.getWeights();
  const before = await b.predict(images);
  await b.setWeights(weights);
  const copied = await b.getWeights();
  const [pa, pb] = [await a.predict(images), await b.predict(images)];
  a.dispose();
  b.dispose();
  return {
    weightsEqual: sameWeights(weights, copied),
    predictionsEqual: sameValues(pa, pb),
    changedPredictions: !sameValues(before, pb),
    shapes: weights.weights.map((w) => w.length).concat(weights.biases.map((v) => v.length)),
  };
}

/** Where the test server serves the bundled MNIST files. */
export const MNIST = '/data/mnist/';

/** The bundled MNIST files (written by `npm install`), as the loader reads them from a URL. */
export async function bundledMnist(): Promise<{ train: Dataset; test: Dataset }> {
  return loadMnist(MNIST, '.gz');
}

/** Trains on bundled MNIST; evaluates on its 2,000 test digits; checks save -> load predicts the same. */
export async function mnistRun(model: AnyOptions, fit: FitOptions) {
  const engine = await getEngine();
  const { train, test } = await bundledMnist();
  const mlp = create(engine, model);
  const history = await mlp.fit(train, fit);
  const result = await mlp.evaluate(test);
  const file = await mlp.save();
  const loaded = await engine.loadModel(file);
  const [a, b] = [await mlp.predict(test.images), await loaded.predict(test.images)];
  mlp.dispose();
  loaded.dispose();
  return {
    history, test: result, trainCount: train.count, testCount: test.count, fileBytes: file.length,
    samePredictions: a.length === b.length && a.every((x, i) => x === b[i]),
  };
}

/**
 * GPU allocations, bind groups, submits and map (sync) calls made by fit over 16 and over 48 steps (after a
 * warm-up fit builds the plan): equal counts mean none of them happen per step.
 */
export async function workPerFit(model: AnyOptions = { layers: [20, 16, 4], seed: 1 }) {
  const engine = await getEngine();
  const device = engine.gpu.device;
  const counts = { buffers: 0, bindGroups: 0, submits: 0, maps: 0 };
  const count = <T extends object, K extends keyof T>(target: T, name: K, key: keyof typeof counts) => {
    const original = target[name] as unknown as (...args: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) {
      counts[key]++;
      return original.apply(this, args);
    } as T[K];
    return () => (target[name] = original as T[K]);
  };
  const restore = [
    count(device, 'createBuffer', 'buffers'), count(device, 'createBindGroup', 'bindGroups'),
    count(device.queue, 'submit', 'submits'), count(GPUBuffer.prototype, 'mapAsync', 'maps'),
  ];
  const mlp = create(engine, model);
  const { features, classes } = sizesOf(model);
  const fit = async (count: number) => {
    const before = { ...counts };
    await mlp.fit(randomDataset(count, features, classes, 2), { epochs: 1, batchSize: 8 });
    return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v - before[k as keyof typeof counts]]));
  };
  await fit(8);
  const result = { steps16: await fit(128), steps48: await fit(384) };
  restore.forEach((undo) => undo());
  mlp.dispose();
  return result;
}

/** The matmul strategy this device was given, and whether asking again measures again. */
export async function chosenStrategy() {
  const engine = await getEngine();
  const { matmulStrategy } = await import('../src/model/autotune');
  const [a, b] = [await matmulStrategy(engine.gpu), await matmulStrategy(engine.gpu)];
  return { strategy: a, same: a === b, adapter: `${engine.adapterInfo.vendor} ${engine.adapterInfo.architecture}` };
}

/** A full-MNIST-sized byte dataset (60,000 × 784 = 47 MB) goes through upload, gather and evaluation. */
export async function fullSizeDataset() {
  const engine = await getEngine();
  const mlp = engine.createMLP({ layers: [784, 16, 10], seed: 1 });
  await mlp.evaluate(randomDataset(10, 784, 10, 1)); // builds the plan, so only the dataset's bytes remain to count
  const before = engine.bytesHeld;
  const data = randomDataset(60_000, 784, 10, 5);
  const result = await mlp.evaluate(data);
  const after = engine.bytesHeld;
  mlp.dispose();
  return { bytes: data.images.byteLength, limit: engine.gpu.device.limits.maxStorageBufferBindingSize, result, leaked: after - before };
}

/**
 * A small ConvNet trained briefly on 3,000 bundled MNIST digits, then: its predictions on 100 test digits; those of the model
 * saved and loaded, and of another model given its weights (both must be the same, bit for bit); the largest
 * difference from the CPU reference's forward pass; and its ONNX file with those digits, for ONNX Runtime.
 */
export async function convnetRoundTrips() {
  const engine = await getEngine();
  const { train, test } = await bundledMnist();
  const options: ModelOptions = { input: [1, 28, 28], init: 'he', seed: 3, layers: [
    { type: 'conv2d', filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'conv2d', filters: 6, kernelSize: 3, stride: 2 }, { type: 'avgPool2d', size: 2, activation: 'tanh' },
    { type: 'flatten' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 32, activation: 'relu' }, { type: 'dense', units: 10 }] };
  const model = engine.createModel(options);
  await model.fit(sliceDataset(train, 0, 3000), { epochs: 1, batchSize: 32, learningRate: 0.003, optimizer: 'adam', seed: 1 });
  const images = test.images.slice(0, 100 * 784) as Uint8Array;
  const probs = await model.predict(images);
  const file = await model.save();
  const loaded = await engine.loadModel(file);
  const weights = await model.getWeights();
  const params = reference.referenceParams(await model.getTensors());
  const copy = engine.createModel({ ...options, seed: 9 });
  await copy.setWeights(weights);
  const [fromFile, fromWeights] = [await loaded.predict(images), await copy.predict(images)];
  const { accuracy } = await model.evaluate(test);
  const onnx = await model.toONNX();
  for (const m of [model, loaded, copy]) m.dispose();

  const { layers } = resolveModelOptions(options);
  const pixels = Float64Array.from(images, (p) => p / 255);
  const expected = softmax(reference.forward(layers, params, pixels, 100).at(-1)!, 100, 10);
  return {
    accuracy, probs: Array.from(probs), fromFile: sameValues(probs, fromFile), fromWeights: sameValues(probs, fromWeights),
    referenceMaxDiff: Math.max(...Array.from(probs, (p, i) => Math.abs(p - expected[i]))),
    weightShapes: weights.weights.map((w) => w.length), onnx: Array.from(onnx), images: Array.from(images),
  };
}
