// Every error the engine throws on purpose. Each says what was wrong, where, and (where it helps) what to do.

import type { Weights } from './model/config';

/**
 * Base class: `instanceof WebGPUNNError` catches everything this library throws on purpose. Each class states
 * its `name` (a minifier renames classes, and users and logs read `name`).
 */
export class WebGPUNNError extends Error {
  override readonly name: string = 'WebGPUNNError';
}

/** No WebGPU here: `navigator.gpu` is missing, or no adapter or device could be had. */
export class WebGPUUnavailableError extends WebGPUNNError {
  override readonly name = 'WebGPUUnavailableError';
}

/** An option or argument has a value outside what is accepted. */
export class ArgumentError extends WebGPUNNError {
  override readonly name = 'ArgumentError';
  constructor(
    /** The argument's path, e.g. `layers[1]` or `fit options.batchSize`. */
    readonly argument: string,
    /** The value given. */
    readonly value: unknown,
    /** What would have been accepted, in words. */
    readonly accepted: string,
  ) {
    super(`${argument} is ${describe(value)}; expected ${accepted}`);
  }
}

/** A layer list in the short syntax (parseLayers) has a token it cannot read. */
export class LayerSyntaxError extends WebGPUNNError {
  override readonly name = 'LayerSyntaxError';
  constructor(
    /** The layer, counted from 1; 0 when the list as a whole is wrong. */
    readonly layer: number,
    /** That layer's token, or the whole list. */
    readonly token: string,
    /** What would have been read, in words. */
    readonly expected: string,
  ) {
    super(layer > 0 ? `layer ${layer}, '${token}': expected ${expected}` : `'${token}': expected ${expected}`);
  }
}

/** A dataset's arrays do not fit its declared shape, or its content is invalid (labels out of range, NaN). */
export class DatasetError extends WebGPUNNError {
  override readonly name = 'DatasetError';
  constructor(
    /** Which dataset, e.g. `train` or `validation`. */
    readonly dataset: string,
    /** The offending field, e.g. `labels[17]`. */
    readonly field: string,
    detail: string,
  ) {
    super(`${dataset}.${field}: ${detail}`);
  }
}

/** A data file (IDX) is malformed: the message names the file and the field. Nothing was loaded. */
export class DataFormatError extends WebGPUNNError {
  override readonly name = 'DataFormatError';
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field} ${detail}`);
  }
}

/** A model file (safetensors) is malformed or does not describe a model this engine can run. */
export class ModelFormatError extends WebGPUNNError {
  override readonly name = 'ModelFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/**
 * A buffer the model needs would exceed one of this device's limits, or a limit asked of createEngine is more
 * than the adapter grants (`buffer` is then `requiredLimits.{limit}` and `bytes` the value asked for); nothing
 * was allocated.
 */
export class DeviceLimitError extends WebGPUNNError {
  override readonly name = 'DeviceLimitError';
  constructor(
    readonly buffer: string,
    readonly bytes: number,
    readonly limit: string,
    readonly limitValue: number,
  ) {
    super(buffer.startsWith('requiredLimits.')
      ? `${buffer} is ${bytes} but this adapter grants at most ${limitValue}. Hint: ask for less, or use another adapter.`
      : `${buffer} needs ${bytes} bytes but this device's ${limit} is ${limitValue}. Hint: use smaller layers or a smaller batch.`);
  }
}

/** WGSL failed to compile; the message lists each error as `shader:line:col` with the source line. */
export class ShaderCompileError extends WebGPUNNError {
  override readonly name = 'ShaderCompileError';
}

/** The GPU reported a validation or out-of-memory error, or the device was lost, while running. */
export class GPUExecutionError extends WebGPUNNError {
  override readonly name = 'GPUExecutionError';
}

/**
 * The GPU device was lost and no new one could be had (or it was the app's own device, which the engine does
 * not replace). Nothing trained is lost: `weights` are the model's last checkpoint.
 */
export class DeviceLostError extends WebGPUNNError {
  override readonly name = 'DeviceLostError';
  constructor(
    /** Why the device was lost, and why no other could be had. */
    readonly reason: string,
    /** The last good weights (shapes as in `model.getWeights()`). */
    readonly weights: Weights,
    /** When they were saved, e.g. "at the end of epoch 3" or "after step 40 of epoch 2". */
    readonly taken: string,
  ) {
    super(`the GPU device was lost (${reason}); error.weights holds the weights saved ${taken}. ` +
      'Hint: create a new engine and give them to model.setWeights().');
  }
}

/** Training produced a non-finite loss (or weights). The model was left with its last finite weights, named in `kept`. */
export class DivergenceError extends WebGPUNNError {
  override readonly name = 'DivergenceError';
  constructor(
    /** The epoch (from 1) and the step within it (from 1) whose loss was NaN or infinite. */
    readonly epoch: number,
    readonly step: number,
    /** When the model had the weights it kept, in words, e.g. "before step 2 of epoch 1". */
    readonly kept: string,
    /** What became non-finite: the loss (seen at that step), or the weights (seen at a checkpoint, by that step). */
    readonly what: 'the loss' | 'the weights' = 'the loss',
  ) {
    super(`${what} became NaN or infinite ${what === 'the loss' ? 'at' : 'by'} epoch ${epoch}, step ${step}; ` +
      `the model kept the weights it had ${kept}. Hint: lower the learning rate.`);
  }
}

/** The model or engine was used after `dispose()` / `destroy()`. */
export class DisposedError extends WebGPUNNError {
  override readonly name = 'DisposedError';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
