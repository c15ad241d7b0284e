// The engine's side of a Web Worker: runs the calls a WorkerEngine (client.ts) sends, on an engine and models
// that live in the worker, and answers each with a result, an error, or fit's progress events.

import { createEngine, type Engine, type FitOptions, type Model } from '../index';
import type { CallMessage, FitEvent, Reply, Request, SerializedError } from './protocol';

/** What this needs of a dedicated worker's global scope (`self` in the worker). */
export interface WorkerScope {
  postMessage(reply: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => unknown) | null;
}

/** Serves an engine to the thread that created the worker whose global scope is `scope`. */
export function serveEngine(scope: WorkerScope): void {
  let engine: Promise<Engine> | undefined;
  const models = new Map<number, Model>();
  const aborts = new Map<number, AbortController>();
  const acks = new Map<number, () => void>();
  const post = (reply: Reply) => scope.postMessage(reply);

  const run = async ({ id, model, method, args }: CallMessage): Promise<unknown> => {
    engine ??= createEngine();
    const e = await engine;
    if (model === undefined) {
      switch (method) {
        case 'createModel': models.set(args[0] as number, e.createModel(args[1] as never)); return undefined;
        case 'createMLP': models.set(args[0] as number, e.createMLP(args[1] as never)); return undefined;
        case 'loadModel': {
          const [bytes, name] = args.slice(1) as [Uint8Array<ArrayBuffer>, string];
          const loaded = await e.loadModel(new File([bytes], name)); // a File keeps the name errors give
          models.set(args[0] as number, loaded);
          return loaded.spec;
        }
        case 'adapterInfo': return { vendor: e.adapterInfo.vendor, architecture: e.adapterInfo.architecture };
        case 'bytesHeld': return e.bytesHeld;
        case 'destroy': e.destroy(); return undefined;
      }
      throw new Error(`no engine method ${method}`);
    }
    const mlp = models.get(model);
    if (!mlp) throw new Error(`no model ${model} in this worker`);
    switch (method) {
      case 'fit': return fit(id, mlp, args);
      case 'dispose': models.delete(model); return mlp.dispose();
      case 'evaluate': return mlp.evaluate(args[0] as never);
      case 'predict': return mlp.predict(args[0] as never);
      case 'getWeights': return mlp.getWeights();
      case 'getTensors': return mlp.getTensors();
      case 'setTensors': return mlp.setTensors(args[0] as never);
      case 'inspect': return mlp.inspect(args[0] as never);
      case 'setWeights': return mlp.setWeights(args[0] as never);
      case 'save': return mlp.save();
      case 'toONNX': return mlp.toONNX();
    }
    throw new Error(`no model method ${method}`);
  };

  /** fit, with the callbacks the app asked for (args[2]) turned into events, and its signal into 'abort'. */
  const fit = async (id: number, mlp: Model, args: unknown[]) => {
    const [dataset, options, wanted] = args as [never, FitOptions, { events: FitEvent[]; signal: boolean }];
    const emit = (name: FitEvent) => (data: unknown) => post({ type: 'event', id, name, data });
    const controller = new AbortController();
    aborts.set(id, controller);
    try {
      return await mlp.fit(dataset, {
        ...options,
        signal: wanted.signal ? controller.signal : undefined,
        onEpoch: wanted.events.includes('epoch') ? emit('epoch') : undefined,
        onRecovery: wanted.events.includes('recovery') ? emit('recovery') : undefined,
        onProfile: wanted.events.includes('profile') ? emit('profile') : undefined,
        onCheckpoint: wanted.events.includes('checkpoint') ? (checkpoint, at) => emit('checkpoint')({ checkpoint, at }) : undefined,
        onBatch: wanted.events.includes('batch')
          ? (progress) => new Promise<void>((resolve) => {
            acks.set(id, resolve);
            emit('batch')(progress);
          })
          : undefined,
      });
    } finally {
      aborts.delete(id);
      acks.delete(id);
    }
  };

  scope.onmessage = async ({ data }) => {
    if (data.type === 'abort') return aborts.get(data.id)?.abort(new DOMException('fit was aborted', 'AbortError'));
    if (data.type === 'ack') return acks.get(data.id)?.();
    try {
      post({ type: 'result', id: data.id, value: await run(data) });
    } catch (error) {
      post({ type: 'error', id: data.id, error: serialize(error) });
    }
  };
}

/** The error's class name, message and every field that survives structured cloning. */
function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    try {
      fields[key] = structuredClone(value);
    } catch {
      fields[key] = String(value); // e.g. a function given as an option value
    }
  }
  return { name: error.name, message: error.message, fields };
}
