// The benchmark every runtime and driver runs alike (Chromium's page, Node's Dawn, Deno's wgpu): the MLP and the
// ConvNet's first training step (compiling and the autotune included) and steady samples/s, and a 512³ matmul's
// GFLOP/s. It uses the library and its kernels only, no TensorFlow.js, so it bundles for Deno
// (bench_runtime_deno.ts). `npm run bench` puts the rows side by side.

import { type Dataset, type Engine, type MLPOptions, type ModelOptions, sliceDataset } from '../index';
import { matmulStrategy } from '../model/autotune';
import { Schedule } from '../model/schedule';
import { matmulForward, matmulKernel } from '../ops/matmul';
import { record } from '../ops/op';

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
  const run = async () => {
    const started = performance.now();
    const encoder = gpu.device.createCommandEncoder({ label: 'bench.matmul' });
    const pass = encoder.beginComputePass({ label: 'bench.matmul' });
    for (let i = 0; i < reps; i++) record(pass, op, schedule.group, 0, m);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    return performance.now() - started;
  };
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
  };
}
