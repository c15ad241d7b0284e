// The benchmark every runtime and driver runs alike (Chromium's page, Node's Dawn, Deno's wgpu): the MLP and the
// ConvNet's first training step (compiling and the autotune included) and steady samples/s, and a 512³ matmul's
// GFLOP/s. It uses the library and its kernels only, no TensorFlow.js, so it bundles for Deno
// (bench_runtime_deno.ts). `npm run bench` puts the rows side by side.

import { type Dataset, type Engine, type MLPOptions, type ModelOptions, sliceDataset, type Weights } from '../index';
import { matmulStrategy } from '../model/autotune';
import { releaseDataset, uploadDataset } from '../model/dataset';
import { Schedule } from '../model/schedule';
import { wallClockPass } from '../model/timing';
import { type StepRef, trainStepOps } from '../model/train_step';
import { gather, gatherPipeline } from '../ops/gather';
import { matmulForward, matmulKernel } from '../ops/matmul';
import type { Op } from '../ops/op';
import { optimizerPipeline, optimizerUpdate } from '../ops/optimizer';

/** A fresh model's weights, before any step (the model is disposed after): what every contender starts from. */
export async function initialWeights(model: { getWeights(): Promise<Weights>; dispose(): void }): Promise<Weights> {
  const weights = await model.getWeights();
  model.dispose();
  return weights;
}

/** jax-js's MNIST ConvNet (no dropout): the CNN preset's layers, as the benchmark trains them. */
export const CONVNET: ModelOptions = {
  input: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 24, kernelSize: 5 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 32, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'flatten' }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10 },
  ],
  init: 'he',
  seed: 1,
};
export const CONVNET_NAME = 'conv5x5x24-pool-conv3x3x32-pool-128-10';
const MLP: MLPOptions = { layers: [784, 128, 10], seed: 1 };

export interface Rate {
  samplesPerSecond: number;
  /** From creating the model to its first step's end: compiling, and the autotune on a fresh engine. */
  firstStepMs: number;
}
export interface RuntimeBench {
  adapter: string;
  mlp: Rate;
  convnet: Rate;
  matmulGflops: number;
  /** Wall-clock milliseconds of each op of the MLP's training step, and of the whole step. */
  mlpProfile: { op: string; ms: number }[];
}

/** The ops of one SGD training step of a new model on the first `batch` digits of `train`, ready to record. */
export async function trainingStep(engine: Engine, options: MLPOptions | ModelOptions, train: Dataset, batch: number) {
  const gpu = engine.gpu;
  const model = 'input' in options ? engine.createModel(options) : engine.createMLP(options);
  const plan = await model.plan(batch, true);
  const data = uploadDataset(gpu, 'profile', sliceDataset(train, 0, batch));
  const gatherOp = gather(gpu, await gatherPipeline(gpu, true, false, train.features), 'gather', train.features, undefined, {
    images: { buffer: data.images }, labels: { buffer: data.labels }, order: { buffer: data.order },
    inp: { buffer: plan.acts[0] }, batchLabels: { buffer: plan.batchLabels },
  });
  const settings = { optimizer: 'sgd' as const, momentum: 0, l2: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const update = optimizerUpdate(gpu, await optimizerPipeline(gpu, 'sgd'), 'update', model.layout.trainedFloats, model.layout.decayedFloats,
    settings, { param: { buffer: model.params }, grad: { buffer: model.grads }, stats: { buffer: plan.stats }, state: [] });
  model.schedule.write([{ batchStart: 0, rows: batch, learningRate: 0.1, adamC1: 1, adamC2: 1, seed: 0 }]);
  const step: StepRef = { group: model.schedule.group, offset: 0, rows: batch };
  const release = () => {
    for (const buffer of [...gatherOp.owned, ...update.owned]) gpu.release(buffer);
    releaseDataset(gpu, data);
    model.dispose();
  };
  return { ops: trainStepOps(plan, gatherOp, update), step, release };
}

/** An op's name without its model's label ("layers[0].forward"). */
export const opName = (op: Op) => op.label.replace(/^model\d+\.(train\d+\.)?/, '');

/**
 * Wall-clock milliseconds of each op of `step` and of the whole step, on adapters whose timestamps cannot be
 * trusted (wgpu on lavapipe): each recorded `repeats` times in one pass, the best of 3 such passes over `repeats`,
 * less an empty pass's share.
 */
async function wallClockProfile(engine: Engine, step: Awaited<ReturnType<typeof trainingStep>>, repeats: number) {
  const time = async (ops: Op[]) => {
    await wallClockPass(engine.gpu, 'profile', ops, step.step, repeats, 1); // warms up
    return (await wallClockPass(engine.gpu, 'profile', ops, step.step, repeats, 3)) / repeats;
  };
  const emptyMs = await time([]); // a submission's own cost (about 12 ms in Deno), spread over the repeats
  const profile = [];
  for (const op of step.ops) profile.push({ op: opName(op), ms: (await time([op])) - emptyMs });
  profile.push({ op: 'whole step', ms: (await time(step.ops)) - emptyMs });
  return profile;
}

/** Batch 64, SGD: a one-step fit on a new model, then `samples` for two epochs, the second timed. */
async function rate(engine: Engine, options: MLPOptions | ModelOptions, train: Dataset, samples: number): Promise<Rate> {
  const fit = { batchSize: 64, learningRate: 0.05, optimizer: 'sgd' as const, seed: 1 };
  const make = () => ('input' in options ? engine.createModel(options) : engine.createMLP(options));
  let started = performance.now();
  const first = make();
  await first.fit(sliceDataset(train, 0, 64), { ...fit, epochs: 1 });
  const firstStepMs = performance.now() - started;
  await first.dispose();
  const model = make();
  const history = await model.fit(sliceDataset(train, 0, samples), { ...fit, epochs: 2 });
  await model.dispose();
  const last = history[1];
  return { samplesPerSecond: last.samples / last.seconds, firstStepMs };
}

/** GFLOP/s of our forward product C(m, n) = A(m, k) · B(k, n) (identity activation), `reps` in one pass. */
export async function matmulGflops(engine: Engine, m: number, k: number, n: number, reps: number): Promise<number> {
  const gpu = engine.gpu;
  const buffers = [m * k, n * k, n, m * n].map((size, i) => gpu.buffer(`bench.${i}`, size * 4, GPUBufferUsage.STORAGE));
  const kernel = await matmulKernel(gpu, 'forward', { name: 'identity', alpha: 0 }, await matmulStrategy(gpu), { m, n });
  const [inp, weight, bias, out] = buffers.map((buffer) => ({ buffer }));
  const op = matmulForward(gpu, kernel, 'bench.matmul', { nIn: k, nOut: n }, { inp, weight, bias, out });
  const schedule = new Schedule(gpu, 'bench');
  schedule.write([{ batchStart: 0, rows: m, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 }]);
  const run = () => wallClockPass(gpu, 'bench.matmul', [op], { group: schedule.group, offset: 0, rows: m }, reps, 1);
  await run();
  const ms = await run();
  for (const buffer of [...buffers, ...op.owned, schedule.buffer]) gpu.release(buffer);
  return (2 * m * k * n * reps) / ms / 1e6;
}

/** The rows' numbers on `engine`'s adapter (a fresh engine, so that its first steps include the autotune). */
export async function runtimeBench(engine: Engine, train: Dataset): Promise<RuntimeBench> {
  const info = engine.adapterInfo;
  return {
    adapter: [info.vendor, info.architecture, info.description].filter((text) => text).join(' '),
    mlp: await rate(engine, MLP, train, 8000),
    convnet: await rate(engine, CONVNET, train, 1024),
    matmulGflops: await matmulGflops(engine, 512, 512, 512, 4),
    mlpProfile: await mlpProfile(engine, train),
  };
}

/** The MLP's step at batch 64, op by op (wallClockProfile, 100 runs a pass). */
async function mlpProfile(engine: Engine, train: Dataset) {
  const step = await trainingStep(engine, MLP, train, 64);
  const profile = await wallClockProfile(engine, step, 100);
  step.release();
  return profile;
}
