// The fit options and datasets, and their validation. Every bad value becomes an ArgumentError or
// DatasetError that names the argument and what would have been accepted, before anything touches the GPU.
// (A model's own options are in architecture.ts.)

import { finite, isCount, oneOf, seedOf } from '../check';
import { ArgumentError, DatasetError } from '../errors';
import type { OptimizerName, OptimizerSettings } from '../ops/optimizer';
import type { Augmentation } from '../ops/gather';
import { sliceDataset } from '../data/load';

/**
 * A labelled dataset, row-major: sample i is images[i·features .. (i+1)·features), its values in (channel, row,
 * column) order.
 */
export interface Dataset {
  /** (count, features). Bytes are scaled by 1/255 on the GPU; floats are used as they are. */
  images: Uint8Array | Float32Array;
  /** (count), each in [0, classes). */
  labels: Uint8Array;
  count: number;
  features: number;
  /**
   * [rows, cols] of each image (of each channel: rows · cols divides features). Augmenting an MLP's input needs it
   * (a model whose input is C × H × W knows its own); IDX loading sets it.
   */
  imageShape?: [number, number];
}

/**
 * Row-major copies of the `weight` and `bias` of every layer that trains both, in layer order: a dense weight is
 * (out, in), a conv2d weight (filters, in channels, kh, kw), a batchNorm's γ (channels), as PyTorch stores them;
 * biases[i] is (out), (filters) or β (channels).
 */
export interface Weights {
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Every tensor a model file holds, keyed as there (`layers.{i}.weight`, `layers.{i}.running_mean`, …), row-major. */
export type Tensors = Record<string, { shape: number[]; data: Float32Array }>;

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
  /**
   * Shuffle the samples each epoch (seeded; each batch's rows then come class by class, the same samples in
   * another order: src/model/batch_order.ts). Default true.
   */
  shuffle?: boolean;
  /** Shuffling seed; default the model's seed. */
  seed?: number;
  validation?: Dataset;
  /** Instead of `validation`: hold out this fraction of `train`, taken from its end. */
  validationSplit?: number;
  /**
   * Random per-sample shifts (whole pixels) and rotations (degrees), every channel alike; needs the model's input
   * to be C × H × W or the dataset's imageShape. Off by default.
   */
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
  /**
   * Called with a checkpoint file at each epoch's end, at each checkpointEvery, and when `signal` stops the fit:
   * the model file (as save() writes it) plus the optimizer's state, the position in the epoch and the PRNG
   * states. `at` is where a fit resumed from it starts: step `at.step` of epoch `at.epoch` (step 0 after an
   * epoch's end; epoch epochs + 1 once the fit is done). Each epoch's onEpoch comes after its checkpoint.
   */
  onCheckpoint?: (checkpoint: Uint8Array, at: { epoch: number; step: number }) => void;
  /**
   * A checkpoint from onCheckpoint: this fit carries on from it, on the same dataset with the same options
   * (stepsPerSubmit, checkpointEvery and profileEvery may differ), and ends bit for bit where the fit it came from would have.
   * The returned history includes the epochs before it. A damaged file throws ModelFormatError, a checkpoint
   * of another architecture, dataset or options ArgumentError, before the model is touched.
   */
  resumeFrom?: Uint8Array;
  /**
   * Called every profileEvery seconds (default 5) with the GPU time of each op of one training step, measured
   * through timestamp-query on a step of this fit (its ops each in their own compute pass, which changes no
   * number). Without timestamp-query on the adapter it is called once, with supported: false.
   */
  onProfile?: (profile: StepProfile) => void;
  profileEvery?: number;
}

/** One training step's GPU time per op (see FitOptions.onProfile). */
export type StepProfile =
  | { supported: true; epoch: number; step: number; ops: { op: string; ms: number }[] }
  | { supported: false; reason: string };

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
  profileEvery: number;
  validationSplit: number;
  /** Whole pixels and radians; undefined when off. */
  augment?: { maxShift: number; maxAngle: number };
}

const OPTIMIZERS: OptimizerName[] = ['sgd', 'adam'];

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
  if (o.resumeFrom !== undefined && !(o.resumeFrom instanceof Uint8Array)) {
    throw new ArgumentError('resumeFrom', o.resumeFrom, 'the bytes of a checkpoint (a Uint8Array from onCheckpoint)');
  }
  for (const name of ['onEpoch', 'onBatch', 'onRecovery', 'onCheckpoint', 'onProfile'] as const) {
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
    profileEvery: finite('profileEvery', o.profileEvery, 5, 'a number of seconds > 0', (x) => x > 0),
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

/**
 * A fit's training and validation sets, and its batch size: the last `validationSplit` of `dataset` is held out
 * (else `options.validation` validates, if given), and the default batch size shrinks to a smaller training set;
 * a batch size the caller gave must fit in it.
 */
export function splitForFit(dataset: Dataset, options: FitOptions, settings: FitSettings): { train: Dataset; validation?: Dataset; batchSize: number } {
  const held = Math.floor(dataset.count * settings.validationSplit); // below count: validationSplit < 1
  const train = held > 0 ? sliceDataset(dataset, 0, dataset.count - held) : dataset;
  if (options.batchSize !== undefined && settings.batchSize > train.count) {
    throw new ArgumentError('batchSize', settings.batchSize, `at most the ${train.count} training samples`);
  }
  const validation = held > 0 ? sliceDataset(dataset, dataset.count - held, dataset.count) : options.validation;
  return { train, validation, batchSize: Math.min(settings.batchSize, train.count) };
}

/**
 * The gather kernel's augmentation of `data` for a model whose input is `input` ([channels, height, width]): the
 * image size is the input's, or (for a flat input) the dataset's imageShape.
 */
export function augmentationOf(input: [number, number, number], data: Dataset, augment: { maxShift: number; maxAngle: number }): Augmentation {
  const [, height, width] = input;
  if (height * width > 1) return { width, height, ...augment };
  if (!data.imageShape) {
    throw new ArgumentError('augment', augment, 'a model whose input is C × H × W, or a dataset with imageShape: [rows, cols] (loadIdx sets it)');
  }
  const [rows, cols] = data.imageShape;
  return { width: cols, height: rows, ...augment };
}

/**
 * Checks a dataset against the model's input ([channels, height, width]) and class count; `name` says which
 * one in errors. Without classes (predict), labels are not looked at.
 */
export function checkDataset(name: string, d: Dataset, input: [number, number, number], classes: number | undefined): void {
  const features = input[0] * input[1] * input[2];
  const spatial = input[1] * input[2] > 1;
  if (typeof d !== 'object' || d === null) throw new DatasetError(name, '', 'expected { images, labels, count, features }');
  if (!isCount(d.count)) throw new DatasetError(name, 'count', `is ${String(d.count)}; expected a positive integer`);
  if (d.features !== features) {
    throw new DatasetError(name, 'features', `is ${String(d.features)}; the model's first layer takes ${features}${spatial ? ` (${input.join(' × ')})` : ''}`);
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
    if (!isCount(rows) || !isCount(cols) || features % (rows * cols) !== 0) {
      throw new DatasetError(name, 'imageShape', `is [${String(rows)}, ${String(cols)}]; rows × cols must divide features (${features})`);
    }
    if (spatial && (rows !== input[1] || cols !== input[2])) {
      throw new DatasetError(name, 'imageShape', `is [${rows}, ${cols}]; the model's input is ${input.join(' × ')}`);
    }
  }
  if (classes === undefined) return;
  if (!(d.labels instanceof Uint8Array)) throw new DatasetError(name, 'labels', 'expected a Uint8Array');
  if (d.labels.length !== d.count) throw new DatasetError(name, 'labels', `has ${d.labels.length} entries; count is ${d.count}`);
  const bad = d.labels.findIndex((label) => label >= classes);
  if (bad >= 0) throw new DatasetError(name, `labels[${bad}]`, `is ${d.labels[bad]}; expected a class in [0, ${classes})`);
}
