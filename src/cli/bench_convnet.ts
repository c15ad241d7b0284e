// The ConvNet half of the benchmark page: jax-js's MNIST ConvNet trained for the same fixed number of steps by
// webgpu-nn and by TensorFlow.js (webgpu, webgl and cpu backends), same data in the same order, same initial
// weights and SGD; and a convolution micro-benchmark at the net's two shapes, ours against tf.conv2d and its
// gradients.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { type Dataset, type Engine, sliceDataset, type Weights } from '../index';
import { type Op, Recorder } from '../ops/op';
import type { TrainingResult } from './bench_page';
import { CONVNET, initialWeights } from './bench_runtime';

export { CONVNET, CONVNET_NAME } from './bench_runtime';

export interface ConvNetCase {
  batch: number;
  /** Steps timed, after one first step (compilation included) and `warmup` steps. */
  steps: number;
  warmup: number;
  /** Also jax-js, on each of its devices. */
  jax: boolean;
}


export const LEARNING_RATE = 0.05;
/** TensorFlow.js predicts in batches of this many; both warm up on this many test digits before the timed evaluation. */
const EVAL_BATCH = 500;
const fitOptions = (batch: number) => ({ batchSize: batch, learningRate: LEARNING_RATE, shuffle: false, epochs: 1 });

/** webgpu-nn: the first step (model creation and compilation included), warm-up steps, then the timed steps. */
export async function ours(engine: Engine, data: { train: Dataset; test: Dataset }, c: ConvNetCase): Promise<{ result: TrainingResult; weights: Weights }> {
  const rows = (from: number, steps: number) => sliceDataset(data.train, from * c.batch, (from + steps) * c.batch);
  const weights = await initialWeights(engine.createModel(CONVNET));
  let started = performance.now();
  const model = engine.createModel(CONVNET);
  await model.fit(rows(0, 1), fitOptions(c.batch));
  const firstBatchMs = performance.now() - started;
  await model.fit(rows(1, c.warmup), fitOptions(c.batch));
  started = performance.now();
  await model.fit(rows(1 + c.warmup, c.steps), fitOptions(c.batch));
  const samplesPerSecond = (c.steps * c.batch) / ((performance.now() - started) / 1000);
  await model.evaluate(sliceDataset(data.test, 0, EVAL_BATCH)); // compiles the inference plan
  started = performance.now();
  const { accuracy } = await model.evaluate(data.test);
  const evaluateMs = performance.now() - started;
  model.dispose();
  return { result: { backend: 'webgpu-nn', samplesPerSecond, firstBatchMs, evaluateMs, testAccuracy: accuracy }, weights };
}

/** The same net in TensorFlow.js (channels last) with our initial weights: its kernels and the dense layer after flatten reordered. */
function tfjsConvNet(weights: Weights): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 24, kernelSize: 5 }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3 }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: 10 }),
    ],
  });
  const [conv1, conv2, dense1, dense2] = weights.weights;
  const kernels = tf.tidy(() => [
    tf.tensor4d(conv1, [24, 1, 5, 5]).transpose([2, 3, 1, 0]), // ours (filters, c, kh, kw), theirs (kh, kw, c, filters)
    tf.tensor4d(conv2, [32, 24, 3, 3]).transpose([2, 3, 1, 0]),
    tf.tensor4d(dense1, [128, 32, 5, 5]).transpose([2, 3, 1, 0]).reshape([800, 128]), // ours flattens (c, h, w), theirs (h, w, c)
    tf.tensor2d(dense2, [10, 128]).transpose(),
  ]);
  [0, 3, 7, 8].forEach((layer, i) => model.layers[layer].setWeights([kernels[i], tf.tensor1d(weights.biases[i])]));
  tf.dispose(kernels);
  model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits) });
  return model;
}

/** TensorFlow.js on `backend`: the same steps on the same rows in the same order, from the same weights. */
export async function theirs(backend: 'webgpu' | 'webgl' | 'cpu', data: { train: Dataset; test: Dataset }, c: ConvNetCase, weights: Weights): Promise<TrainingResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const tensors = (d: Dataset, from: number, to: number) => tf.tidy(() => [
    tf.tensor4d(Float32Array.from(d.images.subarray(from * d.features, to * d.features), (p) => p / 255), [to - from, 28, 28, 1]),
    tf.oneHot(tf.tensor1d(Int32Array.from(d.labels.subarray(from, to)), 'int32'), 10),
  ]);
  const model = tfjsConvNet(weights);
  const fit = async (from: number, steps: number) => {
    const [xs, ys] = tensors(data.train, from * c.batch, (from + steps) * c.batch);
    await model.fit(xs, ys, { batchSize: c.batch, epochs: 1, shuffle: false });
    tf.dispose([xs, ys]);
  };
  let started = performance.now();
  await fit(0, 1);
  const firstBatchMs = performance.now() - started;
  await fit(1, c.warmup);
  started = performance.now();
  await fit(1 + c.warmup, c.steps);
  const samplesPerSecond = (c.steps * c.batch) / ((performance.now() - started) / 1000);
  const predict = async (count: number) => {
    const [xs, ys] = tensors(data.test, 0, count);
    const predicted = tf.tidy(() => (model.predict(xs, { batchSize: EVAL_BATCH }) as tf.Tensor).argMax(1));
    const labels = await predicted.data();
    tf.dispose([xs, ys, predicted]);
    return labels;
  };
  await predict(EVAL_BATCH); // compiles its programs at the evaluation's shapes
  started = performance.now();
  const labels = await predict(data.test.count);
  const evaluateMs = performance.now() - started;
  const testAccuracy = Array.from(labels).filter((p, i) => p === data.test.labels[i]).length / data.test.count;
  model.dispose();
  return { backend: `tfjs-${backend}`, samplesPerSecond, firstBatchMs, evaluateMs, testAccuracy };
}

/** A convolution of the net: its input (channels, height, width), filters and kernel size. */
export interface ConvShape {
  input: [number, number, number];
  filters: number;
  kernel: number;
}

export interface ConvGflops {
  forward: number;
  inputGrad: number;
  weightGrad: number;
}

/**
 * GFLOP/s of the convolution's forward, input-gradient and weight-gradient products at batch `batch`, over
 * `reps` runs in one submission, each timed from submission to completion. Ours: the ops the layer adds to a
 * training step (im2col or the implicit product; patches' gradient and col2im; per-sample weight gradients
 * and their sum), in a model where a 1 × 1 convolution before it makes it compute its input gradient.
 */
export async function convolution(engine: Engine, s: ConvShape, batch: number, reps: number): Promise<{ ours: ConvGflops; tfjs: ConvGflops }> {
  const [channels, height, width] = s.input;
  const [outHeight, outWidth] = [height - s.kernel + 1, width - s.kernel + 1];
  const flops = 2 * batch * outHeight * outWidth * s.filters * channels * s.kernel * s.kernel * reps;
  const gflops = (ms: number) => flops / ms / 1e6;

  const model = engine.createModel({
    input: s.input,
    layers: [{ type: 'conv2d', filters: channels, kernelSize: 1 }, { type: 'conv2d', filters: s.filters, kernelSize: s.kernel }, { type: 'flatten' }, { type: 'dense', units: 10 }],
  });
  const plan = await model.plan(batch, true);
  model.schedule.write([{ batchStart: 0, rows: batch, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 }]);
  const { forward, backward } = plan.layers[1];
  const kind = (name: RegExp) => backward.filter((op) => name.test(op.label));
  const runOurs = async (ops: Op[]) => {
    const time = async () => {
      const started = performance.now();
      const encoder = engine.gpu.device.createCommandEncoder({ label: 'bench.convolution' });
      const recorder = new Recorder(encoder, 'bench.convolution');
      for (let i = 0; i < reps; i++) for (const op of ops) recorder.record(op, model.schedule.group, 0, batch);
      recorder.end();
      engine.gpu.device.queue.submit([encoder.finish()]);
      await engine.gpu.device.queue.onSubmittedWorkDone();
      return performance.now() - started;
    };
    await time();
    return gflops(await time());
  };
  const ours = {
    forward: await runOurs(forward),
    inputGrad: await runOurs(kind(/\.(colGrad|inputGrad|inputGradSum)$/)),
    weightGrad: await runOurs(kind(/\.weightGrad(Parts)?$/)),
  };
  model.dispose();

  await tf.setBackend('webgpu');
  await tf.ready();
  const x = tf.randomNormal([batch, height, width, channels]) as tf.Tensor4D;
  const filter = tf.randomNormal([s.kernel, s.kernel, channels, s.filters]) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, outHeight, outWidth, s.filters]) as tf.Tensor4D;
  const runTheirs = async (op: () => tf.Tensor) => {
    const time = async () => {
      const started = performance.now();
      const outs = Array.from({ length: reps }, op);
      await outs[reps - 1].data();
      tf.dispose(outs);
      return performance.now() - started;
    };
    await time();
    return gflops(await time());
  };
  const tfjs = {
    forward: await runTheirs(() => tf.conv2d(x, filter, 1, 'valid')),
    inputGrad: await runTheirs(() => tf.conv2dTranspose(dy, filter, [batch, height, width, channels], 1, 'valid')),
    weightGrad: await runTheirs(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [s.kernel, s.kernel, channels, s.filters] } as never) as tf.Tensor),
  };
  tf.dispose([x, filter, dy]);
  return { ours, tfjs };
}
