// Inference over a whole dataset in steps of a plan's capacity: the forward half of the training step, then
// evaluate's loss and accuracy (the samples in the order of src/model/batch_order.ts) or predict's probabilities
// (in dataset order; and inspect's layer outputs). Also the gather op that fills a plan's input from a dataset
// on the GPU, which fit uses too.

import { featuresOf, type Layer, type Shape } from '../layers/layer';
import { type Augmentation, gather, gatherPipeline } from '../ops/gather';
import type { Layout } from '../ops/layout';
import { type Op, Recorder } from '../ops/op';
import { softmaxPipeline, softmaxPredict } from '../ops/softmax';
import type { LossName } from '../ops/softmax';
import type { Gpu } from '../runtime/gpu';
import type { Dataset } from './config';
import { datasetOrder, orderKeys, sortBatches } from './batch_order';
import { type GpuDataset, releaseDataset, uploadDataset } from './dataset';
import { clearStats, type Plan, readStats } from './plan';
import { Schedule, type StepRecord } from './schedule';
import { encodeStep, inferenceStepOps } from './train_step';

/** What inference needs of a model. */
export interface Inferring {
  gpu: Gpu;
  label: string;
  schedule: Schedule;
  features: number;
  classes: number;
  spec: { loss: LossName };
}

/** The op that fills plan's input batch (and labels) from `data`, in its order, augmented or not. */
export async function gatherFor(model: Inferring, plan: Plan, data: GpuDataset, name: string, augment?: Augmentation): Promise<Op> {
  const pipeline = await gatherPipeline(model.gpu, data.bytes, augment !== undefined, model.features);
  return gather(model.gpu, pipeline, `${model.label}.${name}.gather`, model.features, augment, {
    images: { buffer: data.images }, labels: { buffer: data.labels }, order: { buffer: data.order },
    inp: { buffer: plan.acts[0] }, batchLabels: { buffer: plan.batchLabels },
  });
}

/**
 * Mean loss and accuracy over `dataset` (checked), named `name` in labels. The samples go in the order of their
 * orderKeys, in which the sparse products skip more of the input.
 */
export async function evaluateOn(model: Inferring, plan: Plan, dataset: Dataset, name: string): Promise<{ loss: number; accuracy: number }> {
  const { gpu } = model;
  const order = sortBatches(datasetOrder(dataset.count), orderKeys(dataset), dataset.count);
  const data = uploadDataset(gpu, `${model.label}.${name}`, dataset, order);
  const op = await gatherFor(model, plan, data, name);
  try {
    clearStats(gpu, plan);
    runInference(model, plan, op, plan.loss, dataset.count);
    const { lossSum, correct } = await readStats(gpu, plan);
    return { loss: lossSum / dataset.count, accuracy: correct / dataset.count };
  } finally {
    for (const buffer of op.owned) gpu.release(buffer);
    releaseDataset(gpu, data);
  }
}

/** Class probabilities (count, classes) of `dataset` (checked). */
export async function predictOn(model: Inferring, plan: Plan, dataset: Dataset): Promise<Float32Array> {
  const { gpu, label, classes } = model;
  const bytes = dataset.count * classes * 4;
  gpu.checkStorageSize(`${label}.probs`, bytes);
  const data = uploadDataset(gpu, `${label}.predict`, dataset);
  const probs = gpu.buffer(`${label}.probs`, bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const output = softmaxPredict(gpu, await softmaxPipeline(gpu, 'predict', model.spec.loss), `${label}.predict`,
    classes, { logits: { buffer: plan.acts[plan.acts.length - 1] }, probs: { buffer: probs } });
  const op = await gatherFor(model, plan, data, 'predict');
  try {
    runInference(model, plan, op, output, dataset.count);
    return new Float32Array(await gpu.read(probs, 0, bytes));
  } finally {
    for (const buffer of [probs, ...output.owned, ...op.owned]) gpu.release(buffer);
    releaseDataset(gpu, data);
  }
}

/** What inspect returns: the class probabilities, and each layer's output for the sample. */
export interface Inspection {
  /** (classes) */
  probabilities: Float32Array;
  /** One per layer, in order: its type, its output's [channels, height, width], and the values in that order. */
  layers: { type: string; shape: [number, number, number]; values: Float32Array }[];
}

/** The probabilities of one sample (`dataset`, checked) and every layer's output, read back from `plan`'s buffers in one go. */
export async function inspectOn(model: Inferring, plan: Plan, layers: Layer[], dataset: Dataset): Promise<Inspection> {
  const probabilities = await predictOn(model, plan, dataset);
  const stored = await model.gpu.readAll(layers.map((layer, l) => ({ buffer: plan.acts[l + 1], byteLength: featuresOf(layer.output) * 4 })));
  return {
    probabilities,
    layers: layers.map((layer, l) => {
      const { channels, height, width } = layer.output;
      return { type: layer.spec.type, shape: [channels, height, width], values: toChw(new Float32Array(stored[l]), plan.layouts[l + 1], layer.output) };
    }),
  };
}

/** A sample's values stored in `layout`, in (channel, row, column) order. */
function toChw(values: Float32Array, layout: Layout, { channels, height, width }: Shape): Float32Array {
  if (layout === 'chw') return values;
  const out = new Float32Array(values.length);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < channels; c++) out[c * height * width + p] = values[p * channels + c];
  }
  return out;
}

/** Submits inference over all `count` samples, up to Schedule.CAPACITY steps per submit. */
function runInference(model: Inferring, plan: Plan, gather: Op, output: Op, count: number): void {
  const { gpu, schedule, label } = model;
  const ops = inferenceStepOps(plan, gather, output);
  const records: StepRecord[] = [];
  for (let start = 0; start < count; start += plan.capacity) {
    records.push({ batchStart: start, rows: Math.min(plan.capacity, count - start), learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 });
  }
  for (let first = 0; first < records.length; first += Schedule.CAPACITY) {
    const chunk = records.slice(first, first + Schedule.CAPACITY);
    schedule.write(chunk);
    const encoder = gpu.device.createCommandEncoder({ label: `${label}.inference` });
    const recorder = new Recorder(encoder, `${label}.inference`);
    chunk.forEach((r, i) => encodeStep(recorder, ops, { group: schedule.group, offset: schedule.offset(i), rows: r.rows }));
    recorder.end();
    gpu.device.queue.submit([encoder.finish()]);
  }
}
