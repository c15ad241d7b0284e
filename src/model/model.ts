// A model living on the GPU: a stack of layers (src/layers/), its parameters, gradients and optimizer state in
// flat buffers, plans (per batch capacity, for training or inference) built on first use, and the public
// fit/evaluate/predict/weights API. An MLP is a stack of dense layers. Calls on one model run one at a time,
// in the order they were made. A copy of the last good state is kept on the CPU (snapshot.ts): after a lost
// device the model moves to a new one and carries on from it.

import { ArgumentError, DatasetError, DeviceLostError, DisposedError, DivergenceError, GPUExecutionError, WebGPUNNError } from '../errors';
import type { Layer } from '../layers/layer';
import type { Gpu } from '../runtime/gpu';
import { optimizerKind, optimizerPipeline, type OptimizerKind, type OptimizerSettings, optimizerUpdate, stateBuffers } from '../ops/optimizer';
import type { Op } from '../ops/op';
import type { Architecture, ModelSpec } from './architecture';
import { augmentationOf, checkDataset, type Dataset, type EpochStats, type FitOptions, type FitSettings, resolveFitOptions, splitForFit, type Tensors, type Weights } from './config';
import { encodeModel } from './model_file';
import { encodeOnnx } from './onnx';
import { releaseDataset, uploadDataset } from './dataset';
import { initialParams } from './init';
import { type ParamLayout, paramLayout } from './layout';
import { buildPlan, checkPlanFits, inferenceCapacity, maxRows, type Plan } from './plan';
import { type FitProgress, runEpochs, startOfFit } from './fit';
import { decodeCheckpoint, encodeCheckpoint, fnv1a } from './checkpoint';
import { describePosition, isFiniteSnapshot, type Snapshot } from './snapshot';
import { checkTensors, checkWeights, fillSlots, savedSlots, shapedTensors, tensorsOf, weightsOf, withWeights } from './tensors';
import { matmulStrategy, strategiesFor } from './autotune';
import { Schedule } from './schedule';
import { orderKeys } from './batch_order';
import { evaluateOn, gatherFor, inspectOn, type Inspection, predictOn } from './inference';

/** What a model needs from its engine: the current device, and a new one when it was lost. */
export interface ModelHost {
  readonly gpu: Gpu;
  /** A working device once the current one was lost (the same for every model); throws if none can be had. */
  replaceLostDevice(): Promise<Gpu>;
}

/** Device losses one call recovers from before it gives up with DeviceLostError. */
const MAX_RECOVERIES = 3;

export class Model {
  /** The architecture: input shape, layers (resolved), loss, init and seed. */
  readonly spec: ModelSpec;
  readonly layers: Layer[];
  readonly layout: ParamLayout;
  /** The device this model's buffers live on. After a lost device, the model moves to the engine's new one. */
  gpu: Gpu;
  /** Flat parameters (see layout.ts) and gradients of the same layout; remade on a new device. */
  params!: GPUBuffer;
  grads!: GPUBuffer;
  schedule!: Schedule;
  private optimizer: { kind: OptimizerKind; state: GPUBuffer[]; steps: number } | undefined;
  private readonly plans = new Map<string, Promise<Plan>>();
  /** The last good state, on the CPU (see snapshot.ts). */
  private saved: Snapshot;
  /** The settings of the last fit, saved with the model. */
  private lastFit: FitSettings | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether a fit is running: then getWeights and inspect run between its submits (see peek). */
  private fitting = false;
  private disposed = false;
  /** Aborted by dispose(), so that a fit in progress stops. */
  private readonly disposal = new AbortController();

  constructor(private readonly host: ModelHost, readonly label: string, architecture: Architecture, private readonly onDispose: () => void) {
    this.spec = architecture.spec;
    this.layers = architecture.layers;
    this.gpu = host.gpu;
    // Each tensor starts at the binding offset alignment, and at least every 4 floats (the update works on vec4s).
    this.layout = paramLayout(this.layers, Math.max(4, this.gpu.device.limits.minStorageBufferOffsetAlignment / 4));
    this.gpu.checkStorageSize(`${label}.params`, this.layout.totalFloats * 4);
    checkPlanFits(this.gpu, this.layers, 1);
    this.saved = { params: initialParams(this.spec, this.layout), taken: 'when initialised' };
    this.allocate();
  }

  /** Values per sample: the product of the input shape. */
  get features(): number {
    return this.spec.input[0] * this.spec.input[1] * this.spec.input[2];
  }

  /** The number of classes: the last (dense) layer's units. */
  get classes(): number {
    return this.layers[this.layers.length - 1].output.channels;
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
      const most = maxRows(this.gpu, this.layers, await matmulStrategy(this.gpu));
      if (settings.batchSize > most) throw new ArgumentError('batchSize', settings.batchSize, `at most ${most} on this device for this model`);
      this.check('train', dataset, true);
      const { train, validation, batchSize } = splitForFit(dataset, o, settings);
      settings.batchSize = batchSize;
      if (validation !== undefined) this.check('validation', validation, true);
      const augment = settings.augment && augmentationOf(this.spec.input, train, settings.augment);
      signal.throwIfAborted();
      if (o.resumeFrom && !progress) {
        const resumed = decodeCheckpoint('resumeFrom', o.resumeFrom, this, settings, train.labels);
        this.saved = resumed.snapshot;
        await this.reset();
        [progress, firstStep] = [resumed.progress, resumed.firstStep];
      }
      this.lastFit = settings;
      progress ??= startOfFit(settings, train.count);
      const labelsHash = o.onCheckpoint && fnv1a(train.labels);

      const gpu = this.gpu;
      const plan = await this.plan(settings.batchSize, true);
      const update = await this.optimizerOp(settings, plan);
      const data = uploadDataset(gpu, `${this.label}.train`, train);
      const trainGather = await gatherFor(this, plan, data, 'train', augment);
      this.fitting = true;
      try {
        return await runEpochs({
          model: this, plan, data, keys: orderKeys(train), gather: trainGather, update, settings, firstStep: (firstStep ??= this.optimizer!.steps),
          validate: validation && (() => this.evaluateNow(validation, 'validation')),
          onEpoch: o.onEpoch, onBatch: o.onBatch, onProfile: o.onProfile, signal,
          readState: () => this.readState(),
          checkpoint: async (at, steps, last, state) => {
            await this.takeSnapshot(steps, describePosition(at.epoch, at.step), last, state);
            progress = at;
            o.onCheckpoint?.(encodeCheckpoint(this, { snapshot: this.saved, progress: at, firstStep: firstStep!, settings, labels: labelsHash! }),
              { epoch: at.epoch, step: at.step });
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
        this.fitting = false;
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
      const features = this.features;
      const count = images?.length / features;
      if (!Number.isInteger(count) || count < 1) {
        throw new DatasetError('predict', 'images', `has ${images?.length} values; expected a positive multiple of ${features} features`);
      }
      const dataset: Dataset = { images, labels: new Uint8Array(count), count, features };
      this.check('predict', dataset, false);
      return predictOn(this, await this.inferencePlan(), dataset);
    });
  }

  /**
   * Copies of every tensor the model file holds, keyed as there (`layers.{i}.weight`, `layers.{i}.running_mean`,
   * …), each with its shape. Like getWeights, it runs during a fit with the latest values.
   */
  getTensors(): Promise<Tensors> {
    return this.peek(async () => shapedTensors(this.layout, await this.readParams()));
  }

  /**
   * Sets any of the tensors getTensors returns, keyed as there, each `{ shape, data }` or its data alone; the
   * others and the optimizer state are kept. Checks synchronously, as setWeights does.
   */
  setTensors(values: Record<string, { shape?: number[]; data: Float32Array } | Float32Array>): Promise<void> {
    const record = checkTensors(this.layout, values);
    return this.exclusive(async () => this.write(fillSlots(savedSlots(this.layout), record, new Float32Array(this.saved.params)), 'when set by setTensors'));
  }

  /**
   * Copies of every weight and bias, read back from the GPU. During a fit it does not wait for the fit: it
   * returns the weights after every step submitted so far.
   */
  getWeights(): Promise<Weights> {
    return this.peek(() => this.readWeights());
  }

  /**
   * What the model makes of one sample (`features` values, bytes or floats as in a Dataset): the class
   * probabilities and every layer's output, each (channels, height, width) with its values in that order
   * (after the layer's activation). Like getWeights, it runs during a fit with the latest weights.
   */
  inspect(image: Uint8Array | Float32Array): Promise<Inspection> {
    if (!((image instanceof Uint8Array || image instanceof Float32Array) && image.length === this.features)) {
      return Promise.reject(new DatasetError('inspect', 'image', `has ${image?.length} values; expected one sample of ${this.features} features`));
    }
    const dataset: Dataset = { images: image, labels: new Uint8Array(1), count: 1, features: this.features };
    try {
      this.check('inspect', dataset, false);
    } catch (error) {
      return Promise.reject(error);
    }
    // On a plan of its own, unfused: a convolution before a max pool stores its own output too.
    return this.peek(async () => inspectOn(this, await this.plan(1, false, false), this.layers, dataset));
  }

  /** The model as a safetensors file (architecture and last training settings in its metadata). */
  save(): Promise<Uint8Array> {
    return this.exclusive(async () => encodeModel(this.spec, this.layers, tensorsOf(savedSlots(this.layout), await this.readParams()), this.lastFit));
  }

  /**
   * The model as an ONNX file (opset 13): each layer's nodes (Conv, MaxPool, AveragePool, Flatten, Gemm,
   * BatchNormalization and activations), then Softmax. Its input "input" is (N, C, H, W), or (N, features) for a flat input, with pixels
   * in [0, 1] (bytes / 255); its output "probabilities" (N, classes).
   */
  toONNX(): Promise<Uint8Array> {
    return this.exclusive(async () => encodeOnnx(this.spec, this.layers, tensorsOf(savedSlots(this.layout), await this.readParams())));
  }

  /** Replaces every weight and bias (shapes as in getWeights); optimizer state is kept. Checks synchronously. */
  setWeights(values: Weights): Promise<void> {
    checkWeights(this.layout, values);
    return this.exclusive(async () => this.write(withWeights(this.layout, this.saved.params, values), 'when set by setWeights'));
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

  /** The plan for batches of up to `capacity` rows, for training or for inference, built once; see buildPlan for `fuse`. */
  plan(capacity: number, training: boolean, fuse = true): Promise<Plan> {
    const key = `${training ? 'train' : 'infer'}${capacity}${fuse ? '' : 'unfused'}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = strategiesFor(this.gpu, this.layers).then((strategies) =>
        buildPlan(this.gpu, `${this.label}.${key}`, this.layers, this.spec.loss, this.layout, this.params, this.grads, capacity, training, strategies, fuse));
      this.plans.set(key, plan);
      plan.catch(() => this.plans.delete(key));
    }
    return plan;
  }

  /** The plan every evaluate and predict call runs on. */
  async inferencePlan(): Promise<Plan> {
    return this.plan(inferenceCapacity(this.gpu, this.layers, await matmulStrategy(this.gpu)), false);
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
    return weightsOf(this.layout, await this.readParams());
  }

  private async readParams(): Promise<Float32Array> {
    return new Float32Array(await this.gpu.read(this.params));
  }

  /** Puts flat parameters on the GPU as the saved state (outside a fit, saved equals what the GPU holds). */
  private write(params: Float32Array<ArrayBuffer>, taken: string): void {
    this.gpu.device.queue.writeBuffer(this.params, 0, params);
    this.saved = { ...this.saved, params, taken };
  }

  /** Reads the GPU state back: the parameters, then the optimizer's state buffers. */
  private async readState(): Promise<Float32Array[]> {
    const buffers = [this.params, ...(this.optimizer?.state ?? [])];
    return (await this.gpu.readAll(buffers.map((buffer) => ({ buffer })))).map((bytes) => new Float32Array(bytes));
  }

  /** The GPU state (`read`, if given, from readState) as a snapshot, with `steps` optimizer steps taken. */
  private async readSnapshot(steps: number, taken: string, read = this.readState()): Promise<Snapshot> {
    const o = this.optimizer;
    const [params, ...state] = await read;
    return { params, optimizer: o && { kind: o.kind, steps, state }, taken };
  }

  /**
   * Saves the GPU state as the last good one; or, if it is not finite (the weights overflowed while the loss
   * stayed finite), puts the last good one back and throws DivergenceError naming `last`, the last step taken.
   */
  private async takeSnapshot(steps: number, taken: string, last: { epoch: number; step: number }, read?: Promise<Float32Array[]>): Promise<void> {
    const snapshot = await this.readSnapshot(steps, taken, read);
    if (!isFiniteSnapshot(snapshot)) {
      await this.reset();
      throw new DivergenceError(last.epoch, last.step, this.saved.taken, 'the weights');
    }
    this.saved = snapshot;
    if (this.optimizer) this.optimizer.steps = steps;
  }

  private async evaluateNow(dataset: Dataset, name: string): Promise<{ loss: number; accuracy: number }> {
    return evaluateOn(this, await this.inferencePlan(), dataset, name);
  }

  /**
   * The update op for these settings and the plan whose stats gate it (no update once the loss diverged).
   * Optimizer state is made, zeroed, when the kind of optimizer changes.
   */
  private async optimizerOp(settings: OptimizerSettings, plan: Plan): Promise<Op> {
    const kind = optimizerKind(settings);
    if (this.optimizer?.kind !== kind) {
      for (const buffer of this.optimizer?.state ?? []) this.gpu.release(buffer);
      const bytes = this.layout.trainedFloats * 4;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const state = Array.from({ length: stateBuffers(kind) }, (_, i) => this.gpu.buffer(`${this.label}.optimizer.state[${i}]`, bytes, usage));
      this.optimizer = { kind, state, steps: 0 };
    }
    const pipeline = await optimizerPipeline(this.gpu, kind);
    return optimizerUpdate(this.gpu, pipeline, `${this.label}.update`, this.layout.trainedFloats, this.layout.decayedFloats, settings, {
      param: { buffer: this.params }, grad: { buffer: this.grads }, stats: { buffer: plan.stats },
      state: this.optimizer.state.map((buffer) => ({ buffer })),
    });
  }

  private check(name: string, data: Dataset, labelled: boolean): void {
    checkDataset(name, data, this.spec.input, labelled ? this.classes : undefined);
  }

  /**
   * Runs `work`, which only reads the model, at once during a fit (between its submits: the GPU runs it after
   * every step submitted so far, and its buffers are not the fit's), else after every earlier call.
   */
  private peek<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new DisposedError(`${this.label} was disposed`));
    return this.fitting ? work() : this.exclusive(work);
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

