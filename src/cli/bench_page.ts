// The browser half of `npm run bench`: the same MLP, data, batch size, SGD and initial weights, trained by
// webgpu-nn, by TensorFlow.js (webgpu and wasm backends) and by jax-js (bench_jax.ts) in this one page; webgpu-nn
// against jax-js in alternating rounds; plus a matmul micro-benchmark, per-op profiles of a training step, and the
// ConvNet benchmarks of bench_convnet.ts.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createEngine, type Dataset, type Engine, loadMnist, type MLPOptions, type ModelOptions, sliceDataset, type Weights } from '../index';
import * as convnet from './bench_convnet';
import type { Device } from '@jax-js/jax';
import { type JaxCase, jaxDevices, jaxTraining } from './bench_jax';
import { CONVNET, initialWeights, matmulGflops, opName, type RuntimeBench, runtimeBench, trainingStep } from './bench_runtime';
import { matmulStrategy } from '../model/autotune';
import { timeOps } from '../model/timing';

export interface TrainingCase {
  layers: number[];
  batch: number;
  /** Samples per epoch (the first `samples` of the training file). */
  samples: number;
  epochs: number;
  /** Also jax-js, on each of its devices. */
  jax: boolean;
}

export interface TrainingResult {
  backend: string;
  samplesPerSecond: number;
  firstBatchMs: number;
  evaluateMs: number;
  testAccuracy: number;
}

const LEARNING_RATE = 0.1;
let data: { train: Dataset; test: Dataset } | undefined;
let engine: Engine | undefined;

async function mnist() {
  data ??= await loadMnist('/__data__/');
  return data;
}

/** webgpu-nn: first batch (compilation included), then warm-up epoch, then timed epochs. */
async function ours(c: TrainingCase): Promise<{ result: TrainingResult; weights: Weights }> {
  const { train, test } = await mnist();
  engine ??= await createEngine();
  const set = sliceDataset(train, 0, c.samples);
  const model = engine.createMLP({ layers: c.layers, seed: 1 });
  const weights = await model.getWeights();
  const fit = { batchSize: c.batch, learningRate: LEARNING_RATE, seed: 1 };
  let started = performance.now();
  await model.fit(sliceDataset(set, 0, c.batch), { ...fit, epochs: 1 });
  const firstBatchMs = performance.now() - started;
  await model.fit(set, { ...fit, epochs: 1 });
  started = performance.now();
  await model.fit(set, { ...fit, epochs: c.epochs });
  const samplesPerSecond = (c.samples * c.epochs) / ((performance.now() - started) / 1000);
  await model.evaluate(test);
  started = performance.now();
  const { accuracy } = await model.evaluate(test);
  const evaluateMs = performance.now() - started;
  model.dispose();
  return { result: { backend: 'webgpu-nn', samplesPerSecond, firstBatchMs, evaluateMs, testAccuracy: accuracy }, weights };
}

/** TensorFlow.js on `backend`, from the same initial weights, same data, batch and SGD. */
async function theirs(backend: 'webgpu' | 'wasm', c: TrainingCase, weights: Weights): Promise<TrainingResult> {
  const { train, test } = await mnist();
  await tf.setBackend(backend);
  await tf.ready();
  const tensors = (d: Dataset, n: number) => tf.tidy(() => [
    tf.tensor2d(Float32Array.from(d.images.subarray(0, n * d.features), (p) => p / 255), [n, d.features]),
    tf.oneHot(tf.tensor1d(Int32Array.from(d.labels.subarray(0, n)), 'int32'), c.layers[c.layers.length - 1]),
  ]);
  const [xs, ys] = tensors(train, c.samples);
  const [testXs] = tensors(test, test.count);
  const model = tf.sequential();
  c.layers.slice(1).forEach((units, l) => model.add(tf.layers.dense({
    units, inputShape: l === 0 ? [c.layers[0]] : undefined, activation: l === c.layers.length - 2 ? 'linear' : 'relu',
  })));
  model.layers.forEach((layer, l) => {
    const [nOut, nIn] = [c.layers[l + 1], c.layers[l]];
    const kernel = tf.tidy(() => tf.tensor2d(weights.weights[l], [nOut, nIn]).transpose()); // ours (out, in), theirs (in, out)
    layer.setWeights([kernel, tf.tensor1d(weights.biases[l])]);
  });
  model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits) });
  let started = performance.now();
  await model.trainOnBatch(xs.slice(0, c.batch), ys.slice(0, c.batch));
  const firstBatchMs = performance.now() - started;
  await model.fit(xs, ys, { batchSize: c.batch, epochs: 1, shuffle: true });
  started = performance.now();
  await model.fit(xs, ys, { batchSize: c.batch, epochs: c.epochs, shuffle: true });
  const samplesPerSecond = (c.samples * c.epochs) / ((performance.now() - started) / 1000);
  const accuracyOf = async () => {
    const predicted = tf.tidy(() => (model.predict(testXs) as tf.Tensor).argMax(1));
    const labels = await predicted.data();
    predicted.dispose();
    return Array.from(labels).filter((p, i) => p === test.labels[i]).length / test.count;
  };
  await accuracyOf();
  started = performance.now();
  const testAccuracy = await accuracyOf();
  const evaluateMs = performance.now() - started;
  tf.dispose([xs, ys, testXs]);
  model.dispose();
  return { backend: `tfjs-${backend}`, samplesPerSecond, firstBatchMs, evaluateMs, testAccuracy };
}

/** The MLP trained by webgpu-nn, then by each TensorFlow.js backend and each jax-js device, from the same initial weights. */
export async function training(c: TrainingCase, backends: ('webgpu' | 'wasm')[]): Promise<TrainingResult[]> {
  const { result, weights } = await ours(c);
  const results = [result];
  for (const backend of backends) results.push(await theirs(backend, c, weights));
  if (!c.jax) return results;
  for (const device of await jaxDevices()) results.push(await jaxTraining(device, await mnist(), jaxMlpCase(c), weights, LEARNING_RATE));
  return results;
}

/** An MLP case as jax-js trains it: as ours, a first step, an epoch to warm up, then the timed epochs. */
function jaxMlpCase(c: TrainingCase): JaxCase {
  const epoch = Math.ceil(c.samples / c.batch);
  return { model: c.layers, batch: c.batch, samples: c.samples, warmup: epoch, steps: c.epochs * epoch };
}

/** The ConvNet's fixed steps as jax-js takes them: the same rows in the same order. */
const jaxConvNetCase = (c: convnet.ConvNetCase): JaxCase =>
  ({ model: 'convnet', batch: c.batch, samples: (1 + c.warmup + c.steps) * c.batch, warmup: c.warmup, steps: c.steps });

/** jax-js's devices that the head-to-head repeats: its webgl trains about 10× slower than its webgpu here, minutes a run. */
const RIVALS: Device[] = ['webgpu', 'wasm'];

/** One workload of the head-to-head: an MLP's training case, or the ConvNet's. */
export type Workload = { mlp: TrainingCase } | { convnet: convnet.ConvNetCase };

/**
 * webgpu-nn against jax-js's webgpu and wasm devices on one workload, in `rounds` rounds: each round trains every
 * contender once from the same initial weights, starting one further along, so that none always runs first or
 * last while the shared host's load drifts. Each contender's results, round by round; webgpu-nn's first.
 */
export async function againstJax(workload: Workload, rounds: number): Promise<TrainingResult[][]> {
  engine ??= await createEngine();
  const data = await mnist();
  const weights = await initialWeights('mlp' in workload ? engine.createMLP({ layers: workload.mlp.layers, seed: 1 }) : engine.createModel(CONVNET)); // as ours() makes them
  const ourRun = 'mlp' in workload ? () => ours(workload.mlp) : () => convnet.ours(engine!, data, workload.convnet);
  const jaxCase = 'mlp' in workload ? jaxMlpCase(workload.mlp) : jaxConvNetCase(workload.convnet);
  const learningRate = 'mlp' in workload ? LEARNING_RATE : convnet.LEARNING_RATE;
  const available = await jaxDevices();
  const contenders = [
    async () => (await ourRun()).result,
    ...RIVALS.filter((device) => available.includes(device)).map((device) => () => jaxTraining(device, data, jaxCase, weights, learningRate)),
  ];
  const results: TrainingResult[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const which = (round + i) % contenders.length;
      results[which].push(await contenders[which]());
    }
  }
  return results;
}

/** GFLOP/s of C(M, N) = A(M, K) · B(K, N): ours (forward kernel, identity) and tf.matMul (webgpu). */
export async function matmul(m: number, k: number, n: number, reps: number): Promise<{ ours: number; tfjs: number }> {
  engine ??= await createEngine();
  const ours = await matmulGflops(engine, m, k, n, reps);
  await tf.setBackend('webgpu');
  const [a, b] = [tf.randomNormal([m, k]), tf.randomNormal([k, n])];
  const runTheirs = async () => {
    const started = performance.now();
    const outs = Array.from({ length: reps }, () => tf.matMul(a, b));
    await outs[reps - 1].data();
    tf.dispose(outs);
    return performance.now() - started;
  };
  await runTheirs();
  const tfMs = await runTheirs();
  tf.dispose([a, b]);
  return { ours, tfjs: (2 * m * k * n * reps) / tfMs / 1e6 };
}

/** GPU milliseconds of each op of one SGD training step (timestamp-query), or undefined without it. */
export async function profile(options: MLPOptions | ModelOptions, batch: number): Promise<{ op: string; ms: number }[] | undefined> {
  const { train } = await mnist();
  engine ??= await createEngine();
  const step = await trainingStep(engine, options, train, batch);
  await timeOps(engine.gpu, step.ops, step.step, 1); // warm-up
  const times = await timeOps(engine.gpu, step.ops, step.step, 5);
  step.release();
  return times && step.ops.map((op, i) => ({ op: opName(op), ms: times[i] }));
}

/**
 * What fit's onProfile costs, as the demo uses it (a step timed every 3 s, 4 steps a submit with onBatch):
 * samples/s of fits with and without it, alternating, `runs` of each, on the first `samples` digits.
 */
export async function profileCost(options: MLPOptions | ModelOptions, samples: number, epochs: number, runs: number) {
  const { train } = await mnist();
  engine ??= await createEngine();
  const data = sliceDataset(train, 0, samples);
  const rates = { plain: [] as number[], profiled: [] as number[] };
  let profiles = 0;
  for (let run = 0; run < 2 * runs; run++) {
    const profiled = run % 4 === 1 || run % 4 === 2; // plain, profiled, profiled, plain, …: neither goes first every time
    const model = 'input' in options ? engine.createModel(options) : engine.createMLP(options);
    const started = performance.now();
    await model.fit(data, {
      epochs, batchSize: 64, optimizer: 'adam', learningRate: 0.002, stepsPerSubmit: 4, onBatch: () => undefined,
      ...(profiled ? { profileEvery: 3, onProfile: () => profiles++ } : {}),
    });
    (profiled ? rates.profiled : rates.plain).push((samples * epochs) / ((performance.now() - started) / 1000));
    await model.dispose();
  }
  return { ...rates, profiles };
}

export async function environment() {
  engine ??= await createEngine();
  const info = engine.adapterInfo;
  const strategy = await matmulStrategy(engine.gpu);
  return { adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), userAgent: navigator.userAgent, matmul: strategy.tiled ? 'tiled' : `register-blocked ${strategy.block} × ${strategy.block}` };
}

/** The ConvNet trained by webgpu-nn, then by each TensorFlow.js backend and each jax-js device, from the same initial weights. */
export async function convnetTraining(c: convnet.ConvNetCase, backends: ('webgpu' | 'webgl' | 'cpu')[]): Promise<TrainingResult[]> {
  engine ??= await createEngine();
  const { result, weights } = await convnet.ours(engine, await mnist(), c);
  const results = [result];
  for (const backend of backends) results.push(await convnet.theirs(backend, await mnist(), c, weights));
  if (!c.jax) return results;
  for (const device of await jaxDevices()) results.push(await jaxTraining(device, await mnist(), jaxConvNetCase(c), weights, convnet.LEARNING_RATE));
  return results;
}

export async function convolution(shape: convnet.ConvShape, batch: number, reps: number) {
  engine ??= await createEngine();
  return convnet.convolution(engine, shape, batch, reps);
}

setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
/** The runtime benchmark (bench_runtime.ts) on a fresh engine in this page: Chromium's row. */
export async function runtime(): Promise<RuntimeBench> {
  const fresh = await createEngine();
  const result = await runtimeBench(fresh, (await mnist()).train);
  fresh.destroy();
  return result;
}

const bench = { training, againstJax, matmul, profile, profileCost, environment, convnetTraining, convolution, runtime, CONVNET: convnet.CONVNET };
declare global {
  interface Window {
    bench: typeof bench;
  }
}
window.bench = bench;
