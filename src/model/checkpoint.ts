// A checkpoint: a model file (model_file.ts) that also holds what a fit needs to carry on exactly where it
// stopped. Beside the weights it stores the optimizer's state for each trained tensor (optimizer.{k}.layers.{i}.{name}),
// and in __metadata__.checkpoint the fit's position: epoch and step, that epoch's sample order and running
// totals, both PRNG states, the finished epochs' stats, and the optimizer steps taken before the fit and in all.
// __metadata__.training holds the fit's settings, which a resumed fit must repeat. engine.loadModel reads a
// checkpoint as the model it holds.

import { ArgumentError, ModelFormatError } from '../errors';
import type { Layer } from '../layers/layer';
import { optimizerKind, stateBuffers } from '../ops/optimizer';
import { type ModelSpec, modelOptions } from './architecture';
import type { FitSettings } from './config';
import type { FitProgress } from './fit';
import type { ParamLayout } from './layout';
import { decodeModel, describe, encodeModel } from './model_file';
import type { Snapshot } from './snapshot';
import { fillSlots, savedSlots, tensorsOf, trainedSlots } from './tensors';

/** What a checkpoint holds: the model's state, and where its fit stands. */
export interface CheckpointState {
  /** The weights and the optimizer's state and steps in all. */
  snapshot: Snapshot;
  progress: FitProgress;
  /** Optimizer steps the model had taken when this fit began. */
  firstStep: number;
  settings: FitSettings;
  /** The training labels' FNV-1a hash: a resumed fit must train on the same samples. */
  labels: number;
}

/** What encoding and decoding need of the model. */
interface Shaped {
  spec: ModelSpec;
  layers: Layer[];
  layout: ParamLayout;
}

/** Fit settings that change no number a fit computes, so a resumed fit may differ in them. */
const FREE_SETTINGS = new Set<string>(['stepsPerSubmit', 'checkpointEvery', 'profileEvery']);

export function encodeCheckpoint(model: Shaped, state: CheckpointState): Uint8Array {
  const { snapshot, progress, settings } = state;
  const position = {
    epoch: progress.epoch, step: progress.step, order: Array.from(progress.order), totals: progress.totals,
    random: Array.from(progress.random), augmentRandom: Array.from(progress.augmentRandom), history: progress.history,
    firstStep: state.firstStep, optimizerSteps: snapshot.optimizer?.steps ?? 0, labels: state.labels,
  };
  const { layout } = model;
  return encodeModel(model.spec, model.layers, tensorsOf(savedSlots(layout), snapshot.params), settings, {
    optimizer: (snapshot.optimizer?.state ?? []).map((values) => tensorsOf(trainedSlots(layout), values)),
    metadata: { checkpoint: JSON.stringify(position) },
  });
}

/**
 * The state in a checkpoint for `model`, checked against it and against the fit about to resume (its settings
 * and training samples). Throws ModelFormatError for a damaged file and ArgumentError naming `argument` for a
 * checkpoint of another model or fit. Reads only: the model is not touched.
 */
export function decodeCheckpoint(argument: string, bytes: Uint8Array, model: Shaped, settings: FitSettings, labels: Uint8Array): CheckpointState {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(argument, bytes, 'the bytes of a checkpoint (a Uint8Array from onCheckpoint)');
  const decoded = decodeModel(argument, bytes);
  const { metadata } = decoded;
  const bad: (what: string) => never = (what) => {
    throw new ModelFormatError(argument, what); // a typed declaration, so that TypeScript narrows after `if (…) bad(…)`
  };
  if (metadata.checkpoint === undefined) bad('has no __metadata__.checkpoint: it is a model file, not a checkpoint (see FitOptions.onCheckpoint)');
  const same = (spec: ModelSpec) => JSON.stringify({ ...modelOptions(spec), init: 0, seed: 0 });
  if (same(decoded.architecture.spec) !== same(model.spec)) {
    throw new ArgumentError(argument, `a checkpoint of ${describe(decoded.architecture.spec)}`, `a checkpoint of this model, ${describe(model.spec)}`);
  }
  const position = parse(argument, metadata.checkpoint, '__metadata__.checkpoint') as Record<string, unknown> | null;
  if (typeof position !== 'object' || position === null || Array.isArray(position)) bad('__metadata__.checkpoint is not an object');
  const saved = parse(argument, metadata.training ?? 'null', '__metadata__.training') as Record<string, unknown> | null;
  if (typeof saved !== 'object' || saved === null) bad('has no __metadata__.training: the settings of the fit it was taken in');
  for (const [name, value] of Object.entries(settings)) {
    if (FREE_SETTINGS.has(name) || JSON.stringify(saved[name]) === JSON.stringify(value)) continue;
    throw new ArgumentError(argument, `a checkpoint of a fit with ${name} ${JSON.stringify(saved[name])}`,
      `a checkpoint of a fit with these options (${name} ${JSON.stringify(value)}): resume with the options it was taken with`);
  }

  const wholes = (name: string, length: number | undefined, below: number): number[] => {
    const values = position[name];
    if (!Array.isArray(values) || (length !== undefined && values.length !== length)
      || !values.every((x) => Number.isInteger(x) && x >= 0 && x < below)) {
      bad(`__metadata__.checkpoint.${name} is not ${length ?? 'a list of'} whole numbers below ${below}`);
    }
    return values as number[];
  };
  const count = labels.length;
  const order = wholes('order', undefined, 2 ** 32);
  if (order.length !== count) {
    throw new ArgumentError(argument, `a checkpoint of a fit on ${order.length} training samples`, `a checkpoint of a fit on these ${count} training samples`);
  }
  if (position.labels !== fnv1a(labels)) {
    throw new ArgumentError(argument, 'a checkpoint of a fit on other training labels', 'a checkpoint of a fit on these training samples, in the same order');
  }
  if (new Set(order).size !== count || order.some((i) => i >= count)) bad('__metadata__.checkpoint.order is not a permutation of the samples');
  const steps = Math.ceil(count / settings.batchSize);
  const [epoch, step, firstStep, optimizerSteps] = (['epoch', 'step', 'firstStep', 'optimizerSteps'] as const).map((name) => {
    const value = position[name];
    return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : bad(`__metadata__.checkpoint.${name} is not a whole number`);
  });
  // Step `steps` is a stop after an epoch's last step, before its validation and onEpoch.
  if (epoch < 1 || epoch > settings.epochs + 1 || step > steps || (epoch > settings.epochs && step > 0)) {
    bad(`__metadata__.checkpoint says epoch ${epoch} step ${step}, outside a fit of ${settings.epochs} epochs of ${steps} steps`);
  }
  if (optimizerSteps !== firstStep + (epoch - 1) * steps + step) bad('__metadata__.checkpoint.optimizerSteps does not match its epoch and step');
  const totals = position.totals as FitProgress['totals'];
  if (typeof totals !== 'object' || totals === null || ![totals.lossSum, totals.correct, totals.divergedAt].every(Number.isFinite)) {
    bad('__metadata__.checkpoint.totals is not { lossSum, correct, divergedAt }');
  }
  const history = position.history as FitProgress['history'];
  if (!Array.isArray(history) || history.length !== epoch - 1 || history.some((e, i) => e?.epoch !== i + 1)) {
    bad(`__metadata__.checkpoint.history does not list epochs 1 to ${epoch - 1}`);
  }

  const kind = optimizerKind(settings);
  if (decoded.optimizer.length !== stateBuffers(kind)) {
    bad(`holds ${decoded.optimizer.length} optimizer state tensors per parameter; ${kind} keeps ${stateBuffers(kind)}`);
  }
  const { layout } = model;
  return {
    snapshot: {
      params: fillSlots(savedSlots(layout), decoded.values, new Float32Array(layout.totalFloats)),
      optimizer: { kind, state: decoded.optimizer.map((values) => fillSlots(trainedSlots(layout), values, new Float32Array(layout.trainedFloats))), steps: optimizerSteps },
      taken: epoch > 1 && step === 0 ? `at the end of epoch ${epoch - 1} (a checkpoint)` : `after step ${step} of epoch ${epoch} (a checkpoint)`,
    },
    progress: {
      epoch, step, order: Uint32Array.from(order), totals,
      random: Uint32Array.from(wholes('random', 4, 2 ** 32)), augmentRandom: Uint32Array.from(wholes('augmentRandom', 4, 2 ** 32)), history,
    },
    firstStep,
    settings,
    labels: position.labels as number,
  };
}

/** A 32-bit FNV-1a hash of the bytes. */
export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

function parse(file: string, json: string, where: string): unknown {
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new ModelFormatError(file, `${where} is not valid JSON: ${(cause as Error).message}`);
  }
}
