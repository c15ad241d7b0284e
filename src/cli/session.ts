// One `npm run train` session, wherever WebGPU is: load the IDX files, train with the public API, test,
// and report progress through `report`. The browser page (page.ts) and the Node runtime (train.ts) run it.

import { ArgumentError, type DataSource, type Dataset, type Engine, type FitOptions, type LayerOptions, loadIdx, type Model, ModelFormatError, sliceDataset } from '../index';
import { CliError } from './errors';
import { MNIST_FILES } from '../data/mnist';
import type { TrainConfig } from './args';

export type TrainEvent =
  | { type: 'start'; adapter: string; train: number; validation: number; test: number }
  | { type: 'batch'; epoch: number; step: number; steps: number; loss: number; accuracy: number }
  | { type: 'epoch'; epoch: number; loss: number; accuracy: number; validation?: { loss: number; accuracy: number }; samples: number; seconds: number };

export interface TrainResult {
  stopped: boolean;
  test: { loss: number; accuracy: number; count: number };
  /** correct[c] of total[c] test digits of class c */
  perClass: { correct: number[]; total: number[] };
}

/** Checkpoints in and out: the one to resume from (--resume), and where each new one goes (--checkpoint). */
export interface CheckpointIO {
  resumeFrom?: Uint8Array;
  save?: (checkpoint: Uint8Array, at: { epoch: number; step: number }) => void;
}

/** Trains as `config` says on the files `source` gives by name; stops early (stopped: true) when `signal` aborts. */
export async function runSession(engine: Engine, config: TrainConfig, source: (file: string) => DataSource,
  report: (event: TrainEvent) => void, signal: AbortSignal, checkpoints: CheckpointIO = {}): Promise<{ model: Model; result: TrainResult }> {
  const { train, validation, test } = await datasets(config, source);
  const info = engine.adapterInfo;
  report({ type: 'start', adapter: [info.vendor, info.architecture, info.description].filter((text) => text).join(' '), train: train.count, validation: validation?.count ?? 0, test: test.count });
  const model = configuredModel(engine, config, train);
  let stopped = false;
  try {
    await model.fit(train, {
      ...fitSettings(config), validation, signal, stepsPerSubmit: 8, // progress and Ctrl-C every 8 batches
      onBatch: (p) => report({ type: 'batch', ...p }),
      onEpoch: (e) => report({ type: 'epoch', ...e }),
      onCheckpoint: checkpoints.save, resumeFrom: checkpoints.resumeFrom,
    });
  } catch (error) {
    if (error instanceof ArgumentError && error.argument === 'resumeFrom') throw new CliError(`--resume ${config.resume}: ${error.message.replace(/^resumeFrom is /, 'it is ')}`);
    if (error instanceof ModelFormatError && error.file === 'resumeFrom') throw new CliError(`--resume ${config.resume}: ${error.message.replace(/^resumeFrom:? ?/, '')}`);
    if (!signal.aborted) throw error;
    stopped = true;
  }
  const result = await model.evaluate(test);
  const probs = await model.predict(test.images);
  const classes = model.classes;
  const correct = new Array<number>(classes).fill(0);
  const total = new Array<number>(classes).fill(0);
  for (let i = 0; i < test.count; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    const predicted = row.indexOf(Math.max(...row));
    total[test.labels[i]]++;
    if (predicted === test.labels[i]) correct[test.labels[i]]++;
  }
  return { model, result: { stopped, test: { ...result, count: test.count }, perClass: { correct, total } } };
}

/** The model `config` describes, for images shaped as `data`'s. */
export function configuredModel(engine: Engine, config: TrainConfig, data: Dataset): Model {
  const [rows, cols] = data.imageShape ?? [1, data.features];
  const { init, seed } = config;
  return typeof config.layers[0] === 'number'
    ? engine.createMLP({ layers: config.layers as number[], activation: config.activation as never, init, seed })
    : engine.createModel({ input: [1, rows, cols], layers: config.layers as LayerOptions[], init, seed });
}

/** The fit options `config` sets. */
export function fitSettings(config: TrainConfig): FitOptions {
  return {
    epochs: config.epochs, batchSize: config.batch, learningRate: config.lr, lrSchedule: config.schedule,
    optimizer: config.optimizer, momentum: config.momentum, l2: config.l2, seed: config.seed, augment: config.augment,
  };
}

function binarized(d: Dataset): Dataset {
  return { ...d, images: (d.images as Uint8Array).map((p) => (p > 0 ? 255 : 0)) };
}

async function datasets(config: TrainConfig, source: (file: string) => DataSource): Promise<{ train: Dataset; validation?: Dataset; test: Dataset }> {
  let train = await loadIdx(source(MNIST_FILES.trainImages), source(MNIST_FILES.trainLabels));
  let test: Dataset;
  let validation: Dataset | undefined;
  if (config.samples !== undefined) {
    // The tutorial's split: the first `samples` digits, 70% train, 15% validation, 15% test.
    const n = Math.min(config.samples, train.count);
    const [a, b] = [Math.round(n * 0.7), Math.round(n * 0.85)];
    [validation, test, train] = [sliceDataset(train, a, b), sliceDataset(train, b, n), sliceDataset(train, 0, a)];
  } else {
    test = await loadIdx(source(MNIST_FILES.testImages), source(MNIST_FILES.testLabels));
    const held = Math.round(train.count * config.validationSplit);
    if (held > 0) [validation, train] = [sliceDataset(train, train.count - held, train.count), sliceDataset(train, 0, train.count - held)];
  }
  if (config.binarize) [train, test, validation] = [binarized(train), binarized(test), validation && binarized(validation)];
  return { train, validation, test };
}
