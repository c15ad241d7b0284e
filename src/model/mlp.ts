// A multi-layer perceptron living on the GPU: its parameters, gradients and optimizer state in flat
// buffers, plans (per batch capacity) built on first use, and the public fit/evaluate/predict/weights API.
// Calls on one model run one at a time, in the order they were made.

import { ArgumentError, DatasetError, DisposedError } from '../errors';
import type { Gpu } from '../runtime/gpu';
import { optimizerKind, optimizerPipeline, type OptimizerKind, type OptimizerSettings, optimizerUpdate, stateBuffers } from '../ops/optimizer';
import { type Augmentation, gather, gatherPipeline } from '../ops/gather';
import { sliceDataset } from '../data/load';
import { softmaxPipeline, softmaxPredict } from '../ops/softmax';
import type { Op } from '../ops/op';
import { checkDataset, type Dataset, type EpochStats, type FitOptions, type FitSettings, type MLPSpec, resolveFitOptions } from './config';
import { encodeModel } from './model_file';
import { type GpuDataset, releaseDataset, uploadDataset } from './dataset';
import { initialParams } from './init';
import { type ParamLayout, paramLayout } from './layout';
import { buildPlan, checkPlanFits, clearStats, type Plan, readStats } from './plan';
import { runEpochs } from './fit';
import { matmulStrategy } from './autotune';
import { Schedule, type StepRecord } from './schedule';
import { encodeStep, inferenceStepOps } from './train_step';

/** Row-major copies of the parameters: weights[l] is (layers[l+1], layers[l]), biases[l] is (layers[l+1]). */
export interface Weights {
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Rows per step when evaluating or predicting: one plan of this capacity serves every inference call. */
const INFERENCE_ROWS = 1024;

export class MLP {
  readonly spec: MLPSpec;
  readonly layout: ParamLayout;
  /** Flat parameters (see layout.ts), gradients of the same layout, and optimizer state buffers. */
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  private optimizer: { kind: OptimizerKind; state: GPUBuffer[]; steps: number } | undefined;
  private readonly plans = new Map<number, Promise<Plan>>();
  readonly schedule: Schedule;
  /** The settings of the last fit, saved with the model. */
  private lastFit: FitSettings | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(readonly gpu: Gpu, readonly label: string, spec: MLPSpec, private readonly onDispose: () => void) {
    this.spec = spec;
    this.layout = paramLayout(spec.layers, gpu.device.limits.minStorageBufferOffsetAlignment / 4);
    gpu.checkStorageSize(`${label}.params`, this.layout.totalFloats * 4);
    checkPlanFits(gpu, spec, 1);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.params = gpu.upload(`${label}.params`, initialParams(spec, this.layout), usage);
    this.grads = gpu.buffer(`${label}.grads`, this.layout.totalFloats * 4, usage);
    this.schedule = new Schedule(gpu, label);
  }

  /** Trains on `train`; resolves with one EpochStats per epoch. See FitOptions for every setting. */
  fit(dataset: Dataset, options: FitOptions = {}): Promise<EpochStats[]> {
    return this.exclusive(async () => {
      const settings = resolveFitOptions(options, this.spec.seed);
      this.lastFit = settings;
      const maxRows = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
      if (settings.batchSize > maxRows) throw new ArgumentError('batchSize', settings.batchSize, `at most ${maxRows} on this device`);
      this.check('train', dataset, true);
      const held = Math.floor(dataset.count * settings.validationSplit);
      if (held > 0 && held === dataset.count) throw new ArgumentError('validationSplit', settings.validationSplit, 'a fraction that leaves training samples');
      const train = held > 0 ? sliceDataset(dataset, 0, dataset.count - held) : dataset;
      const validation = held > 0 ? sliceDataset(dataset, dataset.count - held, dataset.count) : options.validation;
      if (validation !== undefined) this.check('validation', validation, true);
      const augment = settings.augment && augmentationFor(train, settings.augment);
      const capacity = Math.min(settings.batchSize, train.count);
      const plan = await this.plan(capacity);
      const update = await this.optimizerOp(settings);
      const data = uploadDataset(this.gpu, `${this.label}.train`, train);
      const trainGather = await this.gatherOp(plan, data, 'train', augment);
      try {
        return await runEpochs({
          model: this, plan, data, gather: trainGather, update, settings,
          validate: validation && (() => this.evaluateNow(validation, 'validation')),
          onEpoch: options.onEpoch, onBatch: options.onBatch, signal: options.signal,
          nextStep: () => ++this.optimizer!.steps,
        });
      } finally {
        for (const buffer of [...update.owned, ...trainGather.owned]) this.gpu.release(buffer);
        releaseDataset(this.gpu, data);
      }
    });
  }

  /** Mean loss and accuracy over `data`. */
  evaluate(data: Dataset): Promise<{ loss: number; accuracy: number }> {
    return this.exclusive(() => {
      this.check('data', data, true);
      return this.evaluateNow(data, 'data');
    });
  }

  /** Class probabilities, (n, classes) row-major, for n = images.length / features samples. */
  predict(images: Uint8Array | Float32Array): Promise<Float32Array> {
    return this.exclusive(async () => {
      const features = this.spec.layers[0];
      const count = images?.length / features;
      if (!Number.isInteger(count) || count < 1) {
        throw new DatasetError('predict', 'images', `has ${images?.length} values; expected a positive multiple of ${features} features`);
      }
      const dataset: Dataset = { images, labels: new Uint8Array(count), count, features };
      this.check('predict', dataset, false);
      const classes = this.spec.layers[this.spec.layers.length - 1];
      this.gpu.checkStorageSize(`${this.label}.probs`, count * classes * 4);
      const plan = await this.plan(INFERENCE_ROWS);
      const data = uploadDataset(this.gpu, `${this.label}.predict`, dataset);
      const probs = this.gpu.buffer(`${this.label}.probs`, count * classes * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const output = softmaxPredict(this.gpu, await softmaxPipeline(this.gpu, 'predict', this.spec.loss), `${this.label}.predict`,
        classes, { logits: { buffer: plan.acts[plan.acts.length - 1] }, probs: { buffer: probs } });
      const op = await this.gatherOp(plan, data, 'predict');
      try {
        this.runInference(plan, op, output, count);
        return new Float32Array(await this.gpu.read(probs, 0, count * classes * 4));
      } finally {
        for (const buffer of [probs, ...output.owned, ...op.owned]) this.gpu.release(buffer);
        releaseDataset(this.gpu, data);
      }
    });
  }

  /** Copies of every weight and bias, read back from the GPU. */
  getWeights(): Promise<Weights> {
    return this.exclusive(() => this.readWeights());
  }

  /** The model as a safetensors file (architecture and last training settings in its metadata). */
  save(): Promise<Uint8Array> {
    return this.exclusive(async () => encodeModel(this.spec, await this.readWeights(), this.lastFit));
  }

  /** Replaces every weight and bias (shapes as in getWeights); optimizer state is kept. Checks synchronously. */
  setWeights(values: Weights): Promise<void> {
    const L = this.spec.layers.length - 1;
    const flat = new Float32Array(this.layout.totalFloats);
    for (const kind of ['weights', 'biases'] as const) {
      const tensors = values?.[kind];
      if (!Array.isArray(tensors) || tensors.length !== L) throw new ArgumentError(kind, tensors, `an array of ${L} Float32Arrays`);
      tensors.forEach((tensor, l) => {
        const slot = this.layout[kind][l];
        const shape = kind === 'weights' ? `(${this.spec.layers[l + 1]}, ${this.spec.layers[l]})` : `(${this.spec.layers[l + 1]})`;
        if (!(tensor instanceof Float32Array) || tensor.length !== slot.length) {
          throw new ArgumentError(`${kind}[${l}]`, tensor?.length ?? tensor, `a Float32Array of ${slot.length} values ${shape}`);
        }
        const bad = tensor.findIndex((x) => !Number.isFinite(x));
        if (bad >= 0) throw new ArgumentError(`${kind}[${l}][${bad}]`, tensor[bad], 'a finite number');
        flat.set(tensor, slot.offset);
      });
    }
    return this.exclusive(async () => this.gpu.device.queue.writeBuffer(this.params, 0, flat));
  }

  /** Frees every GPU buffer this model made. Later calls throw DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const owned = [this.params, this.grads, this.schedule.buffer, ...(this.optimizer?.state ?? [])];
    void Promise.all(this.plans.values()).then((plans) => {
      for (const buffer of [...owned, ...plans.flatMap((p) => p.owned)]) this.gpu.release(buffer);
    });
    this.onDispose();
  }

  /** The plan for batches of up to `capacity` rows, built once. */
  plan(capacity: number): Promise<Plan> {
    let plan = this.plans.get(capacity);
    if (!plan) {
      plan = matmulStrategy(this.gpu).then((strategy) =>
        buildPlan(this.gpu, `${this.label}.plan${capacity}`, this.spec, this.layout, this.params, this.grads, capacity, strategy));
      this.plans.set(capacity, plan);
      plan.catch(() => this.plans.delete(capacity));
    }
    return plan;
  }

  private async readWeights(): Promise<Weights> {
    const flat = new Float32Array(await this.gpu.read(this.params));
    const copy = (slot: { offset: number; length: number }) => flat.slice(slot.offset, slot.offset + slot.length);
    return { weights: this.layout.weights.map(copy), biases: this.layout.biases.map(copy) };
  }

  private async evaluateNow(dataset: Dataset, name: string): Promise<{ loss: number; accuracy: number }> {
    const plan = await this.plan(INFERENCE_ROWS);
    const data = uploadDataset(this.gpu, `${this.label}.${name}`, dataset);
    const op = await this.gatherOp(plan, data, name);
    try {
      clearStats(this.gpu, plan);
      this.runInference(plan, op, plan.evaluateLoss, dataset.count);
      const [lossSum, correct] = await readStats(this.gpu, plan);
      return { loss: lossSum / dataset.count, accuracy: correct / dataset.count };
    } finally {
      for (const buffer of op.owned) this.gpu.release(buffer);
      releaseDataset(this.gpu, data);
    }
  }

  /** Submits inference over all `count` samples in dataset order, in steps of plan.capacity rows. */
  private runInference(plan: Plan, gatherOp: Op, output: Op, count: number): void {
    const ops = inferenceStepOps(plan, gatherOp, output);
    const records: StepRecord[] = [];
    for (let start = 0; start < count; start += plan.capacity) {
      records.push({ batchStart: start, rows: Math.min(plan.capacity, count - start), learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 });
    }
    for (let first = 0; first < records.length; first += Schedule.CAPACITY) {
      const chunk = records.slice(first, first + Schedule.CAPACITY);
      this.schedule.write(chunk);
      const encoder = this.gpu.device.createCommandEncoder({ label: `${this.label}.inference` });
      const pass = encoder.beginComputePass({ label: `${this.label}.inference` });
      chunk.forEach((r, i) => encodeStep(pass, ops, { group: this.schedule.group, offset: this.schedule.offset(i), rows: r.rows }));
      pass.end();
      this.gpu.device.queue.submit([encoder.finish()]);
    }
  }

  private async gatherOp(plan: Plan, data: GpuDataset, name: string, augment?: Augmentation): Promise<Op> {
    const pipeline = await gatherPipeline(this.gpu, data.bytes, augment !== undefined);
    return gather(this.gpu, pipeline, `${this.label}.${name}.gather`, this.spec.layers[0], augment, {
      images: { buffer: data.images }, labels: { buffer: data.labels }, order: { buffer: data.order },
      inp: { buffer: plan.acts[0] }, batchLabels: { buffer: plan.batchLabels },
    });
  }

  /** The update op for these settings; optimizer state is made (zeroed) when the kind of optimizer changes. */
  private async optimizerOp(settings: OptimizerSettings): Promise<Op> {
    const kind = optimizerKind(settings);
    if (this.optimizer?.kind !== kind) {
      for (const buffer of this.optimizer?.state ?? []) this.gpu.release(buffer);
      const bytes = this.layout.totalFloats * 4;
      const state = Array.from({ length: stateBuffers(kind) }, (_, i) => this.gpu.buffer(`${this.label}.optimizer.state[${i}]`, bytes, GPUBufferUsage.STORAGE));
      this.optimizer = { kind, state, steps: 0 };
    }
    const pipeline = await optimizerPipeline(this.gpu, kind);
    return optimizerUpdate(this.gpu, pipeline, `${this.label}.update`, this.layout.totalFloats, this.layout.weightFloats, settings,
      { param: { buffer: this.params }, grad: { buffer: this.grads }, state: this.optimizer.state.map((buffer) => ({ buffer })) });
  }

  private check(name: string, data: Dataset, labelled: boolean): void {
    checkDataset(name, data, this.spec.layers[0], labelled ? this.spec.layers[this.spec.layers.length - 1] : undefined);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new DisposedError(`${this.label} was disposed`));
    const result = this.queue.then(() => {
      if (this.disposed) throw new DisposedError(`${this.label} was disposed`);
      return work();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}


/** The gather kernel's augmentation for `data`, which must know its image shape. */
function augmentationFor(data: Dataset, augment: { maxShift: number; maxAngle: number }): Augmentation {
  if (!data.imageShape) {
    throw new ArgumentError('augment', augment, 'a dataset with imageShape: [rows, cols] (loadIdx sets it)');
  }
  const [height, width] = data.imageShape;
  return { width, height, ...augment };
}
