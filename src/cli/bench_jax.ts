// jax-js (npm @jax-js/jax, a devDependency of the benchmark only) in the benchmark page, on each of its devices:
// the MLPs and jax-js's MNIST ConvNet, written as its users write them (a jit'ed step of valueAndGrad and plain
// SGD, jax-js's own ConvNet code), from our initial weights, on the same digits in the same order as webgpu-nn.
// The page is cross-origin isolated, so that jax-js's Wasm device gets its threads.

import { blockUntilReady, type Device, defaultDevice, init, jit, lax, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import type { Dataset, Weights } from '../index';
import type { TrainingResult } from './bench_page';

type Params = Record<string, np.Array>;
type Predict = (params: Params, x: np.Array) => np.Array;

/**
 * What to train: an MLP's widths or the ConvNet, at `batch`, for a first step, `warmup` steps, then `steps` timed;
 * the steps take the first `samples` training digits batch by batch, over and over (as epochs do; an epoch's last
 * batch may be smaller).
 */
export interface JaxCase {
  model: number[] | 'convnet';
  batch: number;
  samples: number;
  warmup: number;
  steps: number;
}

/** jax-js's devices that train here; its `cpu` device (interpreted JavaScript, for debugging) is left out. */
const DEVICES: Device[] = ['webgpu', 'wasm', 'webgl'];

/** Samples per evaluation batch (as webgpu-nn's ConvNet benchmark predicts in batches of 500). */
const EVAL_BATCH = 500;

let available: Promise<Device[]> | undefined;
/** The jax-js devices this browser can run, of webgpu, wasm and webgl. */
export const jaxDevices = async () => (await (available ??= init(...DEVICES))).filter((device) => DEVICES.includes(device));

/** The MLP's layers as jax-js writes them: x (batch, in) · w (in, out); ours are (out, in), so transposed. */
function mlp(weights: Weights, widths: number[]): { params: Params; predict: Predict } {
  const params: Params = {};
  weights.weights.forEach((w, l) => {
    params[`w${l}`] = np.array(w).reshape([widths[l + 1], widths[l]]).transpose();
    params[`b${l}`] = np.array(weights.biases[l]);
  });
  const layers = weights.weights.length;
  const predict = (p: Params, x: np.Array) => {
    for (let l = 0; l < layers; l++) {
      x = np.dot(x, p[`w${l}`]).add(p[`b${l}`]);
      if (l < layers - 1) x = nn.relu(x);
    }
    return x;
  };
  return { params, predict };
}

/**
 * jax-js's MNIST ConvNet (its website's demo code): conv 5 × 5 × 24, max pool 2, relu, conv 3 × 3 × 32, max pool
 * 2, relu, dense 128 relu, dense 10, channels first. Our kernels are laid out as its (filters, channels, kh, kw),
 * and our flatten is its reshape of (channels, h, w); only the dense weights are transposed.
 */
function convnet(weights: Weights): { params: Params; predict: Predict } {
  const [w1, w2, w3, w4] = weights.weights;
  const [b1, b2, b3, b4] = weights.biases;
  const params: Params = {
    w1: np.array(w1).reshape([24, 1, 5, 5]), b1: np.array(b1).reshape([24, 1, 1]),
    w2: np.array(w2).reshape([32, 24, 3, 3]), b2: np.array(b2).reshape([32, 1, 1]),
    w3: np.array(w3).reshape([128, 800]).transpose(), b3: np.array(b3),
    w4: np.array(w4).reshape([10, 128]).transpose(), b4: np.array(b4),
  };
  const maxPool2x2 = (x: np.Array) => lax.reduceWindow(x, np.max, [2, 2], [2, 2]);
  const predict = (p: Params, x: np.Array) => {
    x = x.reshape([-1, 1, 28, 28]);
    const a1 = nn.relu(maxPool2x2(lax.convGeneralDilated(x, p.w1, [1, 1], 'VALID').add(p.b1)));
    const a2 = nn.relu(maxPool2x2(lax.convGeneralDilated(a1, p.w2, [1, 1], 'VALID').add(p.b2)));
    const a3 = nn.relu(np.dot(a2.reshape([-1, 800]), p.w3).add(p.b3));
    return np.dot(a3, p.w4).add(p.b4);
  };
  return { params, predict };
}

/** Digits from..to of `data` as jax-js arrays: pixels scaled to [0, 1] (batch, 784), labels int32. */
function digits(data: Dataset, from: number, to: number): [np.Array, np.Array] {
  const x = np.array(Float32Array.from(data.images.subarray(from * data.features, to * data.features), (p) => p / 255)).reshape([to - from, data.features]);
  return [x, np.array(Int32Array.from(data.labels.subarray(from, to)), { dtype: np.int32 })];
}

/** jax-js on `device`: the case's steps from `weights`, then the time to evaluate the test digits, and their accuracy. */
export async function jaxTraining(device: Device, data: { train: Dataset; test: Dataset }, c: JaxCase, weights: Weights, learningRate: number): Promise<TrainingResult> {
  defaultDevice(device);
  const model = c.model === 'convnet' ? convnet(weights) : mlp(weights, c.model);
  const loss = (p: Params, x: np.Array, y: np.Array) => {
    const rows = y.shape[0];
    const logits = nn.logSoftmax(model.predict(p, x));
    return logits.mul(nn.oneHot(y, 10)).sum().mul(-1 / rows);
  };
  // One SGD step, jit'ed whole: the loss and its gradient, and every parameter moved against its gradient.
  const step = jit((p: Params, x: np.Array, y: np.Array) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [tree.map((param: np.Array, grad: np.Array) => param.sub(grad.mul(learningRate)), p, grads), value];
  });
  const predict = jit((p: Params, x: np.Array) => np.argmax(model.predict(p, x), 1));
  let params = model.params;
  const perEpoch = Math.ceil(c.samples / c.batch);
  /** Takes steps from..from + steps - 1; the samples they saw. */
  const train = async (from: number, steps: number) => {
    let samples = 0;
    for (let s = from; s < from + steps; s++) {
      const start = (s % perEpoch) * c.batch;
      const [x, y] = digits(data.train, start, Math.min(c.samples, start + c.batch));
      samples += y.shape[0];
      const [next, value] = step(params, x, y) as [Params, np.Array];
      params = next;
      value.dispose();
    }
    await blockUntilReady(params); // jax-js runs lazily: wait for the last step
    return samples;
  };
  const accuracy = async (count: number) => {
    let correct = 0;
    for (let from = 0; from < count; from += EVAL_BATCH) {
      const [x, y] = digits(data.test, from, Math.min(count, from + EVAL_BATCH));
      const labels = await predict(tree.ref(params), x).data(); // data() takes the array's reference
      const truth = await y.data();
      correct += labels.filter((label: number, i: number) => label === truth[i]).length;
    }
    return correct / count;
  };
  try {
    let started = performance.now();
    await train(0, 1);
    const firstBatchMs = performance.now() - started;
    await train(1, c.warmup);
    started = performance.now();
    const samples = await train(1 + c.warmup, c.steps);
    const samplesPerSecond = samples / ((performance.now() - started) / 1000);
    await accuracy(EVAL_BATCH); // compiles its kernels at the evaluation's shapes
    started = performance.now();
    const testAccuracy = await accuracy(data.test.count);
    const evaluateMs = performance.now() - started;
    return { backend: `jax-js-${device}`, samplesPerSecond, firstBatchMs, evaluateMs, testAccuracy };
  } finally {
    tree.dispose(params);
    step.dispose();
    predict.dispose();
  }
}
