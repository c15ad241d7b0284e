// A multi-layer perceptron living on the GPU: its parameters, gradients and optimizer state in flat
// buffers, plans (per batch capacity) built on first use, and the public fit/evaluate/predict/weights API.
// Calls on one model run one at a time, in the order they were made. A copy of the last good state is
// kept on the CPU (snapshot.ts): after a lost device the model moves to a new one and carries on from it.

import { ArgumentError, DatasetError, DeviceLostError, DisposedError, DivergenceError, GPUExecutionError, WebGPUNNError } from '../errors';
import type { Gpu } from '../runtime/gpu';
import { optimizerKind, optimizerPipeline, type OptimizerKind, type OptimizerSettings, optimizerUpdate, stateBuffers } from '../ops/optimizer';
import { type Augmentation, gather, gatherPipeline } from '../ops/gather';
import { sliceDataset } from '../data/load';
import { softmaxPipeline, softmaxPredict } from '../ops/softmax';
import type { Op } from '../ops/op';
import { checkDataset, type Dataset, type EpochStats, type FitOptions, type FitSettings, type MLPSpec, resolveFitOptions, type Weights } from './config';
import { encodeModel } from './model_file';
import { encodeOnnx } from './onnx';
import { type GpuDataset, releaseDataset, uploadDataset } from './dataset';
import { initialParams } from './init';
import { type ParamLayout, paramLayout } from './layout';
import { buildPlan, checkPlanFits, clearStats, type Plan, readStats } from './plan';
import { type FitProgress, runEpochs, startOfFit } from './fit';
import { describePosition, isFiniteSnapshot, type Snapshot, weightsOf } from './snapshot';
import { matmulStrategy } from './autotune';
import { Schedule, type StepRecord } from './schedule';
import { encodeStep, inferenceStepOps } from './train_step';

/** Rows per step when evaluating or predicting: one plan of this capacity serves every inference call. */
const INFERENCE_ROWS = 1024;

/** What a model needs from its engine: the current device, and a new one when it was lost. */
export interface ModelHost {
  readonly gpu: Gpu;
  /** A working device once the current one was lost (the same for every model); throws if none can be had. */
  replaceLostDevice(): Promise<Gpu>;
}

/** Device losses one call recovers from before it gives up with DeviceLostError. */
const MAX_RECOVERIES = 3;

export class MLP {
  readonly spec: MLPSpec;
  readonly layout: ParamLayout;
  /** The device this model's buffers live on. After a lost device, the model moves to the engine's new one. */
  gpu: Gpu;
  /** Flat parameters (see layout.ts) and gradients of the same layout; remade on a new device. */
  params!: GPUBuffer;
  grads!: GPUBuffer;
  schedule!: Schedule;
  private optimizer: { kind: OptimizerKind; state: GPUBuffer[]; steps: number } | undefined;
  private readonly plans = new Map<number, Promise<Plan>>();
  /** The last good state, on the CPU (see snapshot.ts). */
  private saved: Snapshot;
  /** The settings of the last fit, saved with the model. */
  private lastFit: FitSettings | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Aborted by dispose(), so that a fit in progress stops. */
  private readonly disposal = new AbortController();

  constructor(private readonly host: ModelHost, readonly label: string, spec: MLPSpec, private readonly onDispose: () => void) {
    this.spec = spec;
    this.gpu = host.gpu;
    // Each tensor starts at the binding offset alignment, and at least every 4 floats (the update works on vec4s).
    this.layout = paramLayout(spec.layers, Math.max(4, this.gpu.device.limits.minStorageBufferOffsetAlignment / 4));
    this.gpu.checkStorageSize(`${label}.params`, this.layout.totalFloats * 4);
    checkPlanFits(this.gpu, spec, 1);
    this.saved = { params: initialParams(spec, this.layout), taken: 'when initialised' };
    this.allocate();
  }

  /** Trains on `dataset`; resolves with one EpochStats per epoch. See FitOptions for every setting. */
  fit(dataset: Dataset, options?: FitOptions): Promise<EpochStats[]> {
    const o: FitOptions = options ?? {};
    let progress: FitProgress | undefined; // the last checkpoint: where training resumes on a new device
    let firstStep: number | undefined; // optimizer steps taken before this fit
    const onRecovery = (reason: string) => o.onRecovery?.({ reason, epoch: progress?.epoch ?? 1, step: progress?.step ?? 0 });
    const signal = AbortSignal.any([this.disposal.signal, ...(o.signal instanceof AbortSignal ? [o.signal] : [])]);
    return this.exclusive(async () => {
      const settings = resolveFitOptions(o, this.spec.seed);
      const maxRows = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
      if (settings.batchSize > maxRows) throw new ArgumentError('batchSize', settings.batchSize, `at most ${maxRows} on this device`);
      this.check('train', dataset, true);
      const held = Math.floor(dataset.count * settings.validationSplit);
      if (held > 0 && held === dataset.count) throw new ArgumentError('validationSplit', settings.validationSplit, 'a fraction that leaves training samples');
      const train = held > 0 ? sliceDataset(dataset, 0, dataset.count - held) : dataset;
      if (o.batchSize !== undefined && settings.batchSize > train.count) {
        throw new ArgumentError('batchSize', settings.batchSize, `at most the ${train.count} training samples`);
      }
      settings.batchSize = Math.min(settings.batchSize, train.count); // the default batch, on a smaller dataset
      const validation = held > 0 ? sliceDataset(dataset, dataset.count - held, dataset.count) : o.validation;
      if (validation !== undefined) this.check('validation', validation, true);
      const augment = settings.augment && augmentationFor(train, settings.augment);
      signal.throwIfAborted();
      this.lastFit = settings;
      progress ??= startOfFit(settings, train.count);

      const gpu = this.gpu;
      const plan = await this.plan(settings.batchSize);
      const update = await this.optimizerOp(settings, plan);
      const data = uploadDataset(gpu, `${this.label}.train`, train);
      const trainGather = await this.gatherOp(plan, data, 'train', augment);
      try {
        return await runEpochs({
          model: this, plan, data, gather: trainGather, update, settings, firstStep: (firstStep ??= this.optimizer!.steps),
          validate: validation && (() => this.evaluateNow(validation, 'validation')),
          onEpoch: o.onEpoch, onBatch: o.onBatch, signal,
          checkpoint: async (at, steps, last) => {
            await this.takeSnapshot(steps, describePosition(at.epoch, at.step), last);
            progress = at;
          },
          diverged: async (epoch, step, steps) => {
            const before = await this.readSnapshot(steps, `before step ${step} of epoch ${epoch}`);
            if (isFiniteSnapshot(before)) {
              this.saved = before;
              this.optimizer!.steps = steps;
            } else {
              await this.reset();
            }
            return new DivergenceError(epoch, step, this.saved.taken);
          },
        }, progress);
      } finally {
        for (const buffer of [...update.owned, ...trainGather.owned]) gpu.release(buffer);
        releaseDataset(gpu, data);
      }
    }, { signal, onRecovery });
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
      const gpu = this.gpu;
      gpu.checkStorageSize(`${this.label}.probs`, count * classes * 4);
      const plan = await this.plan(INFERENCE_ROWS);
      const data = uploadDataset(gpu, `${this.label}.predict`, dataset);
      const probs = gpu.buffer(`${this.label}.probs`, count * classes * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const output = softmaxPredict(gpu, await softmaxPipeline(gpu, 'predict', this.spec.loss), `${this.label}.predict`,
        classes, { logits: { buffer: plan.acts[plan.acts.length - 1] }, probs: { buffer: probs } });
      const op = await this.gatherOp(plan, data, 'predict');
      try {
        this.runInference(plan, op, output, count);
        return new Float32Array(await gpu.read(probs, 0, count * classes * 4));
      } finally {
        for (const buffer of [probs, ...output.owned, ...op.owned]) gpu.release(buffer);
        releaseDataset(gpu, data);
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

  /**
   * The model as an ONNX file (opset 13): Gemm per layer, the hidden activation, then Softmax. Its input
   * "input" is (N, layers[0]) floats with pixels in [0, 1] (bytes / 255); its output "probabilities" (N, classes).
   */
  toONNX(): Promise<Uint8Array> {
    return this.exclusive(async () => encodeOnnx(this.spec, await this.readWeights()));
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
    return this.exclusive(async () => {
      this.gpu.device.queue.writeBuffer(this.params, 0, flat);
      this.saved = { ...this.saved, params: flat, taken: 'when set by setWeights' };
    });
  }

  /**
   * Frees every GPU buffer this model made, once the call in progress (if any) has stopped: a fit stops
   * after its submit in flight and rejects with DisposedError. Later calls throw DisposedError.
   */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.disposal.abort(new DisposedError(`${this.label} was disposed during fit`));
      this.onDispose();
      this.queue = this.queue.then(() => this.release());
    }
    return this.queue.then(() => undefined);
  }

  /** The plan for batches of up to `capacity` rows, built once. */
  plan(capacity: number): Promise<Plan> {
    let plan = this.plans.get(capacity);
    if (!plan) {
      const gpu = this.gpu;
      plan = matmulStrategy(gpu).then((strategy) =>
        buildPlan(gpu, `${this.label}.plan${capacity}`, this.spec, this.layout, this.params, this.grads, capacity, strategy));
      this.plans.set(capacity, plan);
      plan.catch(() => this.plans.delete(capacity));
    }
    return plan;
  }

  /** Makes this model's buffers on this.gpu, holding the saved state. */
  private allocate(): void {
    const gpu = this.gpu;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.params = gpu.upload(`${this.label}.params`, this.saved.params, usage);
    this.grads = gpu.buffer(`${this.label}.grads`, this.layout.totalFloats * 4, usage);
    this.schedule = new Schedule(gpu, this.label);
    const o = this.saved.optimizer;
    this.optimizer = o && {
      kind: o.kind, steps: o.steps,
      state: o.state.map((values, i) => gpu.upload(`${this.label}.optimizer.state[${i}]`, values, usage)),
    };
  }

  /** Frees every buffer on this.gpu: parameters, optimizer state and every plan's. */
  private async release(): Promise<void> {
    const gpu = this.gpu;
    const plans = await Promise.allSettled(this.plans.values());
    this.plans.clear();
    const owned = plans.flatMap((p) => (p.status === 'fulfilled' ? p.value.owned : []));
    for (const buffer of [this.params, this.grads, this.schedule.buffer, ...(this.optimizer?.state ?? []), ...owned]) gpu.release(buffer);
  }

  /** Puts the saved state back, in new buffers (plans are rebuilt on use). */
  private async reset(): Promise<void> {
    await this.release();
    this.allocate();
  }

  /** Moves to a working device, restoring the saved state there; DeviceLostError with the saved weights if none. */
  private async moveToNewDevice(reason: string): Promise<void> {
    try {
      this.gpu = await this.host.replaceLostDevice();
    } catch (cause) {
      throw new DeviceLostError(`${reason}; no new device: ${cause instanceof Error ? cause.message : String(cause)}`,
        weightsOf(this.layout, this.saved.params), this.saved.taken);
    }
    this.plans.clear(); // the lost device's buffers went with it
    this.allocate();
  }

  private async readWeights(): Promise<Weights> {
    return weightsOf(this.layout, new Float32Array(await this.gpu.read(this.params)));
  }

  /** The GPU state as a snapshot, with `steps` optimizer steps taken. */
  private async readSnapshot(steps: number, taken: string): Promise<Snapshot> {
    const read = async (buffer: GPUBuffer) => new Float32Array(await this.gpu.read(buffer));
    const o = this.optimizer;
    return {
      params: await read(this.params),
      optimizer: o && { kind: o.kind, steps, state: await Promise.all(o.state.map(read)) },
      taken,
    };
  }

  /**
   * Saves the GPU state as the last good one; or, if it is not finite (the weights overflowed while the loss
   * stayed finite), puts the last good one back and throws DivergenceError naming `last`, the last step taken.
   */
  private async takeSnapshot(steps: number, taken: string, last: { epoch: number; step: number }): Promise<void> {
    const snapshot = await this.readSnapshot(steps, taken);
    if (!isFiniteSnapshot(snapshot)) {
      await this.reset();
      throw new DivergenceError(last.epoch, last.step, this.saved.taken, 'the weights');
    }
    this.saved = snapshot;
    if (this.optimizer) this.optimizer.steps = steps;
  }

  private async evaluateNow(dataset: Dataset, name: string): Promise<{ loss: number; accuracy: number }> {
    const gpu = this.gpu;
    const plan = await this.plan(INFERENCE_ROWS);
    const data = uploadDataset(gpu, `${this.label}.${name}`, dataset);
    const op = await this.gatherOp(plan, data, name);
    try {
      clearStats(gpu, plan);
      this.runInference(plan, op, plan.evaluateLoss, dataset.count);
      const { lossSum, correct } = await readStats(gpu, plan);
      return { loss: lossSum / dataset.count, accuracy: correct / dataset.count };
    } finally {
      for (const buffer of op.owned) gpu.release(buffer);
      releaseDataset(gpu, data);
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

  /**
   * The update op for these settings and the plan whose stats gate it (no update once the loss diverged).
   * Optimizer state is made, zeroed, when the kind of optimizer changes.
   */
  private async optimizerOp(settings: OptimizerSettings, plan: Plan): Promise<Op> {
    const kind = optimizerKind(settings);
    if (this.optimizer?.kind !== kind) {
      for (const buffer of this.optimizer?.state ?? []) this.gpu.release(buffer);
      const bytes = this.layout.totalFloats * 4;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const state = Array.from({ length: stateBuffers(kind) }, (_, i) => this.gpu.buffer(`${this.label}.optimizer.state[${i}]`, bytes, usage));
      this.optimizer = { kind, state, steps: 0 };
    }
    const pipeline = await optimizerPipeline(this.gpu, kind);
    return optimizerUpdate(this.gpu, pipeline, `${this.label}.update`, this.layout.totalFloats, this.layout.weightFloats, settings, {
      param: { buffer: this.params }, grad: { buffer: this.grads }, stats: { buffer: plan.stats },
      state: this.optimizer.state.map((buffer) => ({ buffer })),
    });
  }

  private check(name: string, data: Dataset, labelled: boolean): void {
    checkDataset(name, data, this.spec.layers[0], labelled ? this.spec.layers[this.spec.layers.length - 1] : undefined);
  }

  /**
   * Runs `work` after every earlier call on this model. If the device is lost (before or during it), the model
   * moves to a new device with its saved state, calls `onRecovery` and runs `work` again.
   */
  private exclusive<T>(work: () => Promise<T>, fitting?: { signal: AbortSignal; onRecovery: (reason: string) => void }): Promise<T> {
    if (this.disposed) return Promise.reject(new DisposedError(`${this.label} was disposed`));
    const result = this.queue.then(async () => {
      for (let recoveries = 0; ; recoveries++) {
        if (this.disposed) throw new DisposedError(`${this.label} was disposed`);
        try {
          if (this.gpu !== this.host.gpu || this.gpu.lost) await this.moveToNewDevice(this.gpu.lost ?? 'the engine moved to a new device');
          return await work();
        } catch (error) {
          if (this.disposed) throw new DisposedError(`${this.label} was disposed during the call`);
          // An abort, and our own errors other than GPUExecutionError, are what they say; anything else may be a lost device.
          const expected = (error instanceof WebGPUNNError && !(error instanceof GPUExecutionError)) || (fitting?.signal.aborted && error === fitting.signal.reason);
          const reason = expected ? undefined : await this.gpu.lostReason();
          if (reason === undefined) throw error;
          if (recoveries === MAX_RECOVERIES) {
            throw new DeviceLostError(`${reason}, ${MAX_RECOVERIES + 1} times in one call`, weightsOf(this.layout, this.saved.params), this.saved.taken);
          }
          await this.moveToNewDevice(reason);
          fitting?.onRecovery(reason);
        }
      }
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
