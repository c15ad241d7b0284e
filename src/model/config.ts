// The public option types and their validation. Every bad value becomes an ArgumentError or DatasetError
// that names the argument and what would have been accepted, before anything touches the GPU.

import { ArgumentError, DatasetError } from '../errors';
import type { Activation, ActivationName } from '../ops/matmul';
import type { OptimizerName, OptimizerSettings } from '../ops/optimizer';
import type { LossName } from '../ops/softmax';

/** A labelled dataset, row-major: sample i is images[i·features .. (i+1)·features). */
export interface Dataset {
  /** (count, features). Bytes are scaled by 1/255 on the GPU; floats are used as they are. */
  images: Uint8Array | Float32Array;
  /** (count), each in [0, classes). */
  labels: Uint8Array;
  count: number;
  features: number;
  /** [rows, cols] of each image (rows · cols = features); needed for augmentation. IDX loading sets it. */
  imageShape?: [number, number];
}

/** Row-major copies of the parameters: weights[l] is (layers[l+1], layers[l]), biases[l] is (layers[l+1]). */
export interface Weights {
  weights: Float32Array[];
  biases: Float32Array[];
}

export type ActivationOption =
  | ActivationName
  | { name: 'leaky_relu'; slope?: number }
  | { name: 'elu'; alpha?: number }
  | { name: Exclude<ActivationName, 'leaky_relu' | 'elu'> };

export interface MLPOptions {
  /** Layer widths from input to output, e.g. [784, 128, 10]; at least two. */
  layers: number[];
  /** Hidden layers' activation (the output layer is linear, then softmax). Default 'relu'. */
  activation?: ActivationOption;
  /** Default 'cross-entropy'. */
  loss?: LossName;
  /** 'xavier': randn·sqrt(2/(in+out)); 'he': randn·sqrt(2/in). Biases start at 0. Default 'xavier'. */
  init?: 'xavier' | 'he';
  /** Seed for initialisation (and, unless fit gets its own, for shuffling). Default 0. */
  seed?: number;
}

export interface MLPSpec {
  layers: number[];
  activation: Activation;
  loss: LossName;
  init: 'xavier' | 'he';
  seed: number;
}

const ACTIVATIONS: ActivationName[] = ['identity', 'relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh'];
const LOSSES: LossName[] = ['cross-entropy', 'mse'];
const OPTIMIZERS: OptimizerName[] = ['sgd', 'adam'];

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function oneOf<T extends string>(argument: string, value: unknown, accepted: T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!accepted.includes(value as T)) throw new ArgumentError(argument, value, `one of ${accepted.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function finite(argument: string, value: unknown, fallback: number, accepted: string, ok: (x: number) => boolean): number {
  if (value === undefined) return fallback;
  if (!isFiniteNumber(value) || !ok(value)) throw new ArgumentError(argument, value, accepted);
  return value;
}

function seedOf(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffffffff) {
    throw new ArgumentError(argument, value, 'an integer in [0, 2^32)');
  }
  return value as number;
}

function activationOf(value: ActivationOption | undefined): Activation {
  const spec = typeof value === 'string' || value === undefined ? { name: value ?? 'relu' } : value;
  if (typeof spec !== 'object' || spec === null) throw new ArgumentError('activation', value, `a name or { name, slope | alpha }`);
  const name = oneOf('activation', spec.name, ACTIVATIONS, 'relu');
  if (name === 'leaky_relu') {
    const slope = (spec as { slope?: number }).slope;
    return { name, alpha: finite('activation.slope', slope, 0.01, 'a finite number >= 0', (x) => x >= 0) };
  }
  if (name === 'elu') {
    const alpha = (spec as { alpha?: number }).alpha;
    return { name, alpha: finite('activation.alpha', alpha, 1, 'a finite number > 0', (x) => x > 0) };
  }
  return { name, alpha: 0 };
}

export function resolveMLPOptions(options: MLPOptions): MLPSpec {
  if (typeof options !== 'object' || options === null) throw new ArgumentError('createMLP options', options, 'an object with layers');
  const { layers } = options;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new ArgumentError('layers', layers, 'an array of at least two layer widths, e.g. [784, 128, 10]');
  }
  layers.forEach((width, i) => {
    if (!isCount(width)) throw new ArgumentError(`layers[${i}]`, width, 'a positive integer');
  });
  if (layers[layers.length - 1] > 256) {
    throw new ArgumentError(`layers[${layers.length - 1}]`, layers[layers.length - 1], 'at most 256 classes (labels are bytes)');
  }
  return {
    layers: [...layers],
    activation: activationOf(options.activation),
    loss: oneOf('loss', options.loss, LOSSES, 'cross-entropy'),
    init: oneOf('init', options.init, ['xavier', 'he'], 'xavier'),
    seed: seedOf('seed', options.seed, 0),
  };
}

/** Progress after each submitted chunk of steps (only computed when onBatch is given). */
export interface BatchProgress {
  epoch: number;
  /** Steps done in this epoch, and how many it has. */
  step: number;
  steps: number;
  /** Mean loss and accuracy over this epoch's samples so far. */
  loss: number;
  accuracy: number;
}

/** What one epoch did. `loss` is the mean data loss over the epoch's batches as trained (no L2 term). */
export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  /** Present when fit was given a validation set. */
  validation?: { loss: number; accuracy: number };
  samples: number;
  seconds: number;
}

export interface FitOptions {
  epochs?: number;
  /** Samples per step, at most the training samples; default 64, or all of them when fewer. */
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerName;
  momentum?: number;
  l2?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Shuffle the samples each epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Shuffling seed; default the model's seed. */
  seed?: number;
  validation?: Dataset;
  /** Instead of `validation`: hold out this fraction of `train`, taken from its end. */
  validationSplit?: number;
  /** Random per-sample shifts (whole pixels) and rotations (degrees); needs dataset.imageShape. Off by default. */
  augment?: { shift?: number; rotate?: number };
  /** 'constant' (default) or 'cosine': lr · ½(1 + cos(π · step / steps)) over this fit's steps. */
  lrSchedule?: 'constant' | 'cosine';
  onEpoch?: (stats: EpochStats) => void;
  /** Called after each submitted chunk of steps; if it returns a promise, training waits for it (e.g. pause). */
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /** Steps recorded per submit, and so between onBatch calls and abort checks: 1 to 64, default 64. */
  stepsPerSubmit?: number;
  /**
   * Stops training after the submit in flight (at most stepsPerSubmit steps); fit then rejects with the
   * signal's reason and the model keeps every step it took.
   */
  signal?: AbortSignal;
  /**
   * Steps between checkpoints within an epoch; by default there is one at each epoch's end only. A checkpoint
   * copies the weights and optimizer state to the CPU: what training continues from after a lost device.
   */
  checkpointEvery?: number;
  /** Called when the GPU device was lost and training goes on, on a new device, from the last checkpoint. */
  onRecovery?: (event: RecoveryEvent) => void;
}

/** A lost device, and where training resumed on the new one. */
export interface RecoveryEvent {
  /** Why the device was lost, as the browser said it. */
  reason: string;
  /** Training continues after `step` steps of `epoch`, the last checkpoint. */
  epoch: number;
  step: number;
}

export interface FitSettings extends OptimizerSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  lrSchedule: 'constant' | 'cosine';
  shuffle: boolean;
  seed: number;
  stepsPerSubmit: number;
  checkpointEvery?: number;
  validationSplit: number;
  /** Whole pixels and radians; undefined when off. */
  augment?: { maxShift: number; maxAngle: number };
}

export function resolveFitOptions(options: FitOptions, modelSeed: number): FitSettings {
  const o = options ?? {};
  if (typeof o !== 'object') throw new ArgumentError('fit options', o, 'an object');
  const epochs = o.epochs ?? 1;
  if (!isCount(epochs)) throw new ArgumentError('epochs', epochs, 'a positive integer');
  const batchSize = o.batchSize ?? 64;
  if (!isCount(batchSize)) throw new ArgumentError('batchSize', batchSize, 'a positive integer');
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new ArgumentError('shuffle', o.shuffle, 'true or false');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ArgumentError('signal', o.signal, 'an AbortSignal');
  if (o.checkpointEvery !== undefined && !isCount(o.checkpointEvery)) {
    throw new ArgumentError('checkpointEvery', o.checkpointEvery, 'a positive whole number of steps');
  }
  for (const name of ['onEpoch', 'onBatch', 'onRecovery'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') throw new ArgumentError(name, o[name], 'a function');
  }
  if (o.validation !== undefined && o.validationSplit !== undefined) {
    throw new ArgumentError('validationSplit', o.validationSplit, 'to be left out when validation is given');
  }
  return {
    epochs,
    batchSize,
    learningRate: finite('learningRate', o.learningRate, 0.1, 'a finite number >= 0', (x) => x >= 0),
    lrSchedule: oneOf('lrSchedule', o.lrSchedule, ['constant', 'cosine'], 'constant'),
    validationSplit: finite('validationSplit', o.validationSplit, 0, 'a number in [0, 1)', (x) => x >= 0 && x < 1),
    augment: augmentOf(o.augment),
    optimizer: oneOf('optimizer', o.optimizer, OPTIMIZERS, 'sgd'),
    momentum: finite('momentum', o.momentum, 0, 'a finite number in [0, 1)', (x) => x >= 0 && x < 1),
    l2: finite('l2', o.l2, 0, 'a finite number >= 0', (x) => x >= 0),
    beta1: finite('beta1', o.beta1, 0.9, 'a finite number in [0, 1)', (x) => x >= 0 && x < 1),
    beta2: finite('beta2', o.beta2, 0.999, 'a finite number in [0, 1)', (x) => x >= 0 && x < 1),
    epsilon: finite('epsilon', o.epsilon, 1e-8, 'a finite number > 0', (x) => x > 0),
    shuffle: o.shuffle ?? true,
    seed: seedOf('seed', o.seed, modelSeed),
    checkpointEvery: o.checkpointEvery,
    stepsPerSubmit: finite('stepsPerSubmit', o.stepsPerSubmit, 64, 'an integer from 1 to 64', (x) => Number.isInteger(x) && x >= 1 && x <= 64),
  };
}

function augmentOf(value: FitOptions['augment']): FitSettings['augment'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new ArgumentError('augment', value, '{ shift, rotate }');
  const shift = value.shift ?? 2;
  if (!Number.isInteger(shift) || shift < 0 || shift > 8) throw new ArgumentError('augment.shift', shift, 'a whole number of pixels from 0 to 8');
  const rotate = finite('augment.rotate', value.rotate, 0, 'degrees from 0 to 45', (x) => x >= 0 && x <= 45);
  return { maxShift: shift, maxAngle: (rotate * Math.PI) / 180 };
}

/** Checks a dataset against the model's input width and class count; `name` says which one in errors. */
export function checkDataset(name: string, d: Dataset, features: number, classes: number | undefined): void {
  if (typeof d !== 'object' || d === null) throw new DatasetError(name, '', 'expected { images, labels, count, features }');
  if (!isCount(d.count)) throw new DatasetError(name, 'count', `is ${String(d.count)}; expected a positive integer`);
  if (d.features !== features) {
    throw new DatasetError(name, 'features', `is ${String(d.features)}; the model's first layer takes ${features}`);
  }
  if (!(d.images instanceof Uint8Array) && !(d.images instanceof Float32Array)) {
    throw new DatasetError(name, 'images', 'expected a Uint8Array or Float32Array');
  }
  if (d.images.length !== d.count * features) {
    throw new DatasetError(name, 'images', `has ${d.images.length} values; count × features is ${d.count} × ${features} = ${d.count * features}`);
  }
  if (d.images instanceof Float32Array) {
    const bad = d.images.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DatasetError(name, `images[${bad}]`, `is ${d.images[bad]}; pixel values must be finite`);
  }
  if (d.imageShape !== undefined) {
    const [rows, cols] = d.imageShape;
    if (!isCount(rows) || !isCount(cols) || rows * cols !== features) {
      throw new DatasetError(name, 'imageShape', `is [${String(rows)}, ${String(cols)}]; rows × cols must equal features (${features})`);
    }
  }
  if (classes === undefined) return;
  if (!(d.labels instanceof Uint8Array)) throw new DatasetError(name, 'labels', 'expected a Uint8Array');
  if (d.labels.length !== d.count) throw new DatasetError(name, 'labels', `has ${d.labels.length} entries; count is ${d.count}`);
  const bad = d.labels.findIndex((label) => label >= classes);
  if (bad >= 0) throw new DatasetError(name, `labels[${bad}]`, `is ${d.labels[bad]}; expected a class in [0, ${classes})`);
}
