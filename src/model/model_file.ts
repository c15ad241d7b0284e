// A model as a safetensors file: tensors layers.{i}.{name} for every tensor each layer i (its index in the
// layer list) saves (weight, bias, running_mean, …), in PyTorch's layouts and names, and in __metadata__ the architecture (the options
// that make the model again) and the last fit's settings, as JSON strings. Files from elsewhere load too:
// without metadata, a stack of dense layers (2-D weights layers.0.weight, layers.1.weight, …; hidden relu),
// and files of the MLP format before layer lists (architecture { layers: [widths], activation }).

import { ModelFormatError, WebGPUNNError } from '../errors';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../data/safetensors';
import type { Layer, TensorSpec } from '../layers/layer';
import { type Architecture, type MLPOptions, type ModelOptions, modelOptions, type ModelSpec, resolveMLPOptions, resolveModelOptions } from './architecture';
import { tensorKey } from './layout';

/** Tensor values keyed `layers.{i}.{name}`, as the file names them. */
export type TensorRecord = Record<string, Float32Array>;

/**
 * The file's bytes: every tensor the layers save. A checkpoint (checkpoint.ts) adds `optimizer`, the optimizer's
 * state for each trained tensor, stored as optimizer.{k}.layers.{i}.{name}, and its own metadata.
 */
export function encodeModel(spec: ModelSpec, layers: Layer[], values: TensorRecord, training: object | undefined,
  extra?: { optimizer: TensorRecord[]; metadata: Record<string, string> }): Uint8Array {
  const tensorsOf = (prefix: string, v: TensorRecord, which: (t: TensorSpec) => boolean): NamedTensor[] => layers.flatMap((layer) =>
    layer.tensors.filter(which).map((t) => ({ name: `${prefix}${tensorKey(layer.index, t.name)}`, shape: t.shape, data: v[tensorKey(layer.index, t.name)] })));
  const tensors = [
    tensorsOf('', values, (t) => t.saved),
    ...(extra?.optimizer ?? []).map((state, k) => tensorsOf(`optimizer.${k}.`, state, (t) => t.trained)),
  ].flat();
  const metadata: Record<string, string> = { format: 'webgpu-nn', architecture: JSON.stringify(modelOptions(spec)) };
  if (training) metadata.training = JSON.stringify(training);
  return encodeSafetensors(tensors, { ...metadata, ...extra?.metadata });
}

/** A decoded model file: its architecture, tensors, metadata, and (a checkpoint's) optimizer state. */
export interface DecodedModel {
  architecture: Architecture;
  /** Every tensor the layers save. */
  values: TensorRecord;
  /** optimizer[k]: the optimizer's k-th state for each trained tensor; empty in a plain model file. */
  optimizer: TensorRecord[];
  metadata: Record<string, string>;
}

export function decodeModel(file: string, bytes: Uint8Array): DecodedModel {
  const { tensors, metadata } = decodeSafetensors(file, bytes);
  let architecture: Architecture;
  try {
    architecture = metadata.architecture !== undefined ? fromMetadata(file, metadata.architecture) : fromShapes(file, tensors);
  } catch (error) {
    if (error instanceof WebGPUNNError && !(error instanceof ModelFormatError)) throw new ModelFormatError(file, `architecture: ${error.message}`);
    throw error;
  }
  const owned = architecture.layers.flatMap((layer) => layer.tensors.map((t) => ({ key: tensorKey(layer.index, t.name), t })));
  const saved = owned.filter(({ t }) => t.saved);
  const trained = new Set(owned.filter(({ t }) => t.trained).map(({ key }) => key));
  const expected = new Map(saved.map(({ key, t }) => [key, t.shape]));
  let states = 0; // optimizer.{k}.… tensors: k counts from 0
  for (const name of tensors.keys()) {
    const state = /^optimizer\.(\d+)\.(.*)$/.exec(name);
    if (state && trained.has(state[2]) && Number(state[1]) < 2) states = Math.max(states, Number(state[1]) + 1);
    else if (!expected.has(name)) throw new ModelFormatError(file, `tensor ${name} is not part of ${describe(architecture.spec)}`);
  }
  for (const { key, t } of owned) {
    for (let k = 0; k < states; k++) if (t.trained) expected.set(`optimizer.${k}.${key}`, t.shape);
  }
  for (const [name, want] of expected) {
    const got = tensors.get(name)?.shape;
    if (!got) throw new ModelFormatError(file, `tensor ${name} is missing`);
    if (got.join(',') !== want.join(',')) throw new ModelFormatError(file, `tensor ${name} has shape [${got}]; the architecture needs [${want}]`);
    const data = tensors.get(name)!.data;
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ModelFormatError(file, `tensor ${name}[${bad}] is ${data[bad]}; weights must be finite`);
  }
  const get = (prefix: string, keys: string[]): TensorRecord => Object.fromEntries(keys.map((key) => [key, tensors.get(`${prefix}${key}`)!.data]));
  return {
    architecture,
    values: get('', saved.map(({ key }) => key)),
    optimizer: Array.from({ length: states }, (_, k) => get(`optimizer.${k}.`, [...trained])),
    metadata,
  };
}

/** The architecture in a file's metadata: a model's options, or an MLP's (the format before layer lists). */
function fromMetadata(file: string, json: string): Architecture {
  let options: unknown;
  try {
    options = JSON.parse(json);
  } catch (cause) {
    throw new ModelFormatError(file, `__metadata__.architecture is not valid JSON: ${(cause as Error).message}`);
  }
  if (typeof options !== 'object' || options === null) throw new ModelFormatError(file, '__metadata__.architecture is not an object');
  if ('input' in options) return resolveModelOptions(options as ModelOptions, 'architecture');
  const mlp = options as MLPOptions;
  const activation = mlp.activation as unknown as { name: string; alpha: number } | string | undefined;
  // An MLP file saved its activation as { name, alpha }; accept it back in the option form createMLP takes.
  if (typeof activation === 'object' && activation !== null) {
    mlp.activation = activation.name === 'leaky_relu' ? { name: 'leaky_relu', slope: activation.alpha }
      : activation.name === 'elu' ? { name: 'elu', alpha: activation.alpha } : (activation.name as MLPOptions['activation']);
  }
  return resolveMLPOptions(mlp);
}

/** A dense stack read from the weights' shapes (files without our metadata, e.g. from PyTorch): relu between layers. */
function fromShapes(file: string, tensors: Map<string, { shape: number[] }>): Architecture {
  const layers: number[] = [];
  for (let l = 0; tensors.has(`layers.${l}.weight`); l++) {
    const shape = tensors.get(`layers.${l}.weight`)!.shape;
    if (shape.length !== 2) {
      throw new ModelFormatError(file, `has no __metadata__.architecture, and tensor layers.${l}.weight has shape [${shape}]: ` +
        'without it, only a stack of dense layers (2-D weights) can be read');
    }
    if (l === 0) layers.push(shape[1]);
    layers.push(shape[0]);
  }
  if (layers.length < 2) throw new ModelFormatError(file, 'has no tensor layers.0.weight and no __metadata__.architecture');
  return resolveMLPOptions({ layers });
}

/** "a 784-128-10 MLP" for a dense stack on a vector, else "a model of 9 layers (conv2d, …)". */
export function describe(spec: ModelSpec): string {
  if (spec.input[1] * spec.input[2] === 1 && spec.layers.every((l) => l.type === 'dense')) {
    return `a ${[spec.input[0], ...spec.layers.map((l) => (l.type === 'dense' ? l.units : 0))].join('-')} MLP`;
  }
  return `a model of ${spec.layers.length} layers (${spec.layers.map((l) => l.type).join(', ')})`;
}
