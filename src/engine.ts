// The entry object: one WebGPU device (requested, or the app's own) and the models made on it.

import { DisposedError, WebGPUUnavailableError } from './errors';
import { Gpu, requestDevice, type RequiredLimits } from './runtime/gpu';
import { type Architecture, type MLPOptions, type ModelOptions, resolveMLPOptions, resolveModelOptions } from './model/architecture';
import { type DataSource, nameOf, readBytes } from './data/load';
import { decodeModel } from './model/model_file';
import { Model, type ModelHost } from './model/model';

export interface EngineOptions {
  /** Use this device instead of requesting one; the engine then never destroys (or replaces) it. */
  device?: GPUDevice;
  /**
   * Where to request devices from: default `navigator.gpu`. In Node, the `webgpu` package's
   * `create([])` (after `Object.assign(globalThis, globals)` from the same package).
   */
  gpu?: GPU;
  /**
   * Limits beyond what the engine asks for (the spec's defaults and the adapter's largest buffers), e.g.
   * `{ maxStorageBuffersPerShaderStage: 10 }`; DeviceLimitError if the adapter cannot grant one.
   */
  requiredLimits?: RequiredLimits;
}

export class Engine implements ModelHost {
  private readonly models = new Set<Model>();
  private destroyed = false;
  private count = 0;
  private replacing: Promise<Gpu> | undefined;

  /**
   * `gpu` is replaced by a new device's when the device is lost (see replaceLostDevice); `entry` requests
   * that device, and is undefined when the device was the app's own.
   */
  constructor(public gpu: Gpu, private readonly entry: GPU | undefined, private readonly limits: RequiredLimits = {}) {}

  /** The adapter's description of the device, e.g. { vendor: 'google', architecture: 'swiftshader' }. */
  get adapterInfo(): GPUAdapterInfo {
    return this.gpu.device.adapterInfo;
  }

  /** Bytes held on the GPU by this engine's buffers. */
  get bytesHeld(): number {
    return this.gpu.bytesHeld;
  }

  /**
   * A new model, a stack of layers (dense, conv2d, maxPool2d, avgPool2d, activation, flatten, dropout), with
   * seeded initial weights. Throws ArgumentError naming the layer and field, or DeviceLimitError, for bad options.
   */
  createModel(options: ModelOptions): Model {
    return this.make(resolveModelOptions(options));
  }

  /** A new MLP (a stack of dense layers) with seeded initial weights. Throws ArgumentError or DeviceLimitError for bad options. */
  createMLP(options: MLPOptions): Model {
    return this.make(resolveMLPOptions(options));
  }

  /** A model saved by `model.save()` (or any safetensors MLP), from a URL, bytes or a File. Throws ModelFormatError. */
  async loadModel(source: DataSource): Promise<Model> {
    const file = nameOf(source, 'model');
    const { architecture, values } = decodeModel(file, await readBytes(source, file));
    const model = this.make(architecture);
    await model.setTensors(values);
    return model;
  }

  /**
   * A working device after the current one was lost: one new device for every model (they move to it on their
   * next call, restoring their last checkpoint). Throws when the app gave the device, or none can be had.
   */
  replaceLostDevice(): Promise<Gpu> {
    if (this.gpu.lost === undefined) return Promise.resolve(this.gpu);
    if (this.destroyed) return Promise.reject(new DisposedError('the engine was destroyed'));
    if (!this.entry) {
      return Promise.reject(new WebGPUUnavailableError('the lost device was the app\'s own (createEngine({ device })); the engine does not replace it'));
    }
    this.replacing ??= requestDevice(this.entry, this.limits)
      .then((device) => (this.gpu = new Gpu(device)))
      .finally(() => (this.replacing = undefined));
    return this.replacing;
  }

  private make(architecture: Architecture): Model {
    if (this.destroyed) throw new DisposedError('the engine was destroyed');
    const model: Model = new Model(this, `model${this.count++}`, architecture, () => this.models.delete(model));
    this.models.add(model);
    return model;
  }

  /** Disposes every model, frees every buffer and, if the engine requested the device, destroys it; an app's own device is left alone. */
  destroy(): void {
    if (this.destroyed) return;
    for (const model of [...this.models]) model.dispose();
    this.destroyed = true;
    this.gpu.releaseAll();
    if (this.entry) this.gpu.device.destroy();
  }
}

/**
 * Creates an engine on a new device, or on `options.device`. Throws WebGPUUnavailableError without WebGPU, and
 * DeviceLimitError for a required limit the adapter cannot grant.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  if (options.device) return new Engine(new Gpu(options.device), undefined);
  const entry = options.gpu ?? globalThis.navigator?.gpu;
  return new Engine(new Gpu(await requestDevice(entry, options.requiredLimits)), entry, options.requiredLimits);
}
