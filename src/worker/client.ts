// A WorkerEngine: the engine's promise API, run in a dedicated Web Worker (host.ts) so that training never
// blocks the app's thread. Options are checked here, synchronously, as the engine checks them; fit's
// onEpoch/onBatch/onRecovery/onCheckpoint/onProfile come back as events (onBatch may return a promise: the worker waits for it)
// and its signal is forwarded. Errors come back as the same typed classes.

import * as errors from '../errors';
import { type FitOptions, resolveFitOptions } from '../model/config';
import { type MLPOptions, type ModelOptions, type ModelSpec, resolveMLPOptions, resolveModelOptions } from '../model/architecture';
import { type DataSource, nameOf, readBytes } from '../data/load';
import type { Dataset, EpochStats, Inspection, Tensors, Weights } from '../index';
import type { FitEvent, Reply, Request, SerializedError } from './protocol';

interface Pending {
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
  /** fit's callbacks, by event */
  on?: Partial<Record<FitEvent, (data: never) => unknown>>;
}

/**
 * Wraps `worker`, a dedicated module worker started from `webgpu-nn/worker` (dist/worker.js); in a Vite app
 * `import EngineWorker from 'webgpu-nn/worker?worker'` and `createWorkerEngine(new EngineWorker())`.
 */
export function createWorkerEngine(worker: Worker): WorkerEngine {
  return new WorkerEngine(worker);
}

export class WorkerEngine {
  private readonly pending = new Map<number, Pending>();
  private nextCall = 0;
  private nextModel = 0;

  constructor(private readonly worker: Worker) {
    worker.onmessage = ({ data }: MessageEvent<Reply>) => this.receive(data);
    worker.onerror = (event) => this.failAll(new errors.WebGPUUnavailableError(`the worker failed: ${event.message}`));
  }

  /** A new model in the worker (see Engine.createModel); throws ArgumentError here for bad options. */
  createModel(options: ModelOptions): WorkerModel {
    return this.create('createModel', options, resolveModelOptions(options).spec);
  }

  /** A new MLP in the worker (see Engine.createMLP); throws ArgumentError here for bad options. */
  createMLP(options: MLPOptions): WorkerModel {
    return this.create('createMLP', options, resolveMLPOptions(options).spec);
  }

  /** A model file (see Engine.loadModel), read here and parsed in the worker. */
  async loadModel(source: DataSource): Promise<WorkerModel> {
    const name = nameOf(source, 'model');
    const bytes = await readBytes(source, name);
    const id = this.nextModel++;
    const spec = await this.call<ModelSpec>(undefined, 'loadModel', [id, bytes, name]);
    return new WorkerModel(this, id, spec, Promise.resolve());
  }

  adapterInfo(): Promise<{ vendor: string; architecture: string }> {
    return this.call(undefined, 'adapterInfo', []);
  }

  bytesHeld(): Promise<number> {
    return this.call(undefined, 'bytesHeld', []);
  }

  /** Destroys the engine in the worker, then the worker. */
  async destroy(): Promise<void> {
    await this.call(undefined, 'destroy', []).finally(() => this.worker.terminate());
    this.failAll(new errors.DisposedError('the worker engine was destroyed'));
  }

  /** Posts a call and resolves with its result; `on` receives fit's events, and `signal`'s abort is forwarded. */
  call<T>(model: number | undefined, method: string, args: unknown[], on?: Pending['on'], signal?: AbortSignal): Promise<T> {
    const id = this.nextCall++;
    const forwardAbort = () => this.post({ type: 'abort', id });
    signal?.addEventListener('abort', forwardAbort, { once: true });
    const result = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject, on });
      this.post({ type: 'call', id, model, method, args });
    });
    if (signal?.aborted) forwardAbort();
    return result.finally(() => signal?.removeEventListener('abort', forwardAbort));
  }

  private create(method: 'createModel' | 'createMLP', options: unknown, spec: ModelSpec): WorkerModel {
    const id = this.nextModel++;
    const created = this.call(undefined, method, [id, options]);
    created.catch(() => undefined); // not unhandled: the model's calls reject with this error
    return new WorkerModel(this, id, spec, created);
  }

  private post(request: Request): void {
    this.worker.postMessage(request);
  }

  private receive(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'event') {
      const handled = pending.on?.[reply.name]?.(reply.data as never);
      if (reply.name === 'batch') void Promise.resolve(handled).finally(() => this.post({ type: 'ack', id: reply.id }));
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'result') pending.resolve(reply.value as never);
    else pending.reject(rebuild(reply.error));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** A model in the worker, with Model's promise API. */
export class WorkerModel {
  /** `created` settles when the worker has made the model: its error (e.g. DeviceLimitError) is every call's. */
  constructor(private readonly engine: WorkerEngine, private readonly id: number, readonly spec: ModelSpec,
    private readonly created: Promise<unknown>) {}

  /** As Model.fit; options are checked here first. */
  fit(dataset: Dataset, options: FitOptions = {}): Promise<EpochStats[]> {
    const { onEpoch, onBatch, onRecovery, onCheckpoint, onProfile, signal, ...rest } = options ?? {};
    try {
      resolveFitOptions(options, this.spec.seed);
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    const on = {
      epoch: onEpoch, batch: onBatch, recovery: onRecovery, profile: onProfile,
      checkpoint: onCheckpoint && (({ checkpoint, at }: { checkpoint: Uint8Array; at: { epoch: number; step: number } }) => onCheckpoint(checkpoint, at)),
    } as Pending['on'];
    const events = (Object.keys(on!) as FitEvent[]).filter((name) => on![name] !== undefined);
    return this.call<EpochStats[]>('fit', [dataset, rest, { events, signal: signal !== undefined }], on, signal)
      .catch((error) => {
        throw signal?.aborted && error?.name === 'AbortError' ? signal.reason : error; // the app's own reason
      });
  }

  evaluate(data: Dataset): Promise<{ loss: number; accuracy: number }> {
    return this.call('evaluate', [data]);
  }

  predict(images: Uint8Array | Float32Array): Promise<Float32Array> {
    return this.call('predict', [images]);
  }

  /** As Model.getWeights: during a fit, the weights so far. */
  getWeights(): Promise<Weights> {
    return this.call('getWeights', []);
  }

  /** As Model.getTensors: every tensor the model file holds, during a fit too. */
  getTensors(): Promise<Tensors> {
    return this.call('getTensors', []);
  }

  /** As Model.setTensors. */
  setTensors(values: Parameters<import('../model/model').Model['setTensors']>[0]): Promise<void> {
    return this.call('setTensors', [values]);
  }

  /** As Model.inspect: the probabilities and every layer's output for one sample, during a fit too. */
  inspect(image: Uint8Array | Float32Array): Promise<Inspection> {
    return this.call('inspect', [image]);
  }

  setWeights(values: Weights): Promise<void> {
    return this.call('setWeights', [values]);
  }

  save(): Promise<Uint8Array> {
    return this.call('save', []);
  }

  toONNX(): Promise<Uint8Array> {
    return this.call('toONNX', []);
  }

  dispose(): Promise<void> {
    return this.call('dispose', []);
  }

  private call<T>(method: string, args: unknown[], on?: Pending['on'], signal?: AbortSignal): Promise<T> {
    return this.created.then(() => this.engine.call<T>(this.id, method, args, on, signal));
  }
}

/** The typed error the worker threw, as the same class (instanceof works), with its fields. */
function rebuild({ name, message, fields }: SerializedError): Error {
  const Class = (errors as Record<string, unknown>)[name];
  const error = new Error(message);
  if (typeof Class === 'function') Object.setPrototypeOf(error, Class.prototype);
  return Object.assign(error, fields, { name });
}
