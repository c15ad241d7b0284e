// A model's architecture: the shape of its input, its list of layers, its loss, initialisation and seed.
// createModel's options and createMLP's both resolve to one (an MLP is a stack of dense layers), checked
// before anything touches the GPU; a model file stores its options form.

import { oneOf, seedOf } from '../check';
import { ArgumentError } from '../errors';
import { type LayerOptions, layerOptions, layersOf, type LayerSpec, MAX_CLASSES } from '../layers';
import type { Layer } from '../layers/layer';
import { type ActivationOption, activationOf, activationOption } from '../layers/options';
import type { LossName } from '../ops/softmax';

export interface ModelOptions {
  /** [channels, height, width] of a sample; a dataset's `features` must be their product. */
  input: [number, number, number];
  layers: LayerOptions[];
  /** Default 'cross-entropy'. */
  loss?: LossName;
  /** 'xavier': randn·sqrt(2/(fanIn+fanOut)); 'he': randn·sqrt(2/fanIn). Biases start at 0. Default 'xavier'. */
  init?: 'xavier' | 'he';
  /** Seed for initialisation (and, unless fit gets its own, for shuffling). Default 0. */
  seed?: number;
}

export interface MLPOptions {
  /** Layer widths from input to output, e.g. [784, 128, 10]; at least two. */
  layers: number[];
  /** Hidden layers' activation (the output layer is linear, then softmax). Default 'relu'. */
  activation?: ActivationOption;
  loss?: LossName;
  init?: 'xavier' | 'he';
  seed?: number;
}

export interface ModelSpec {
  input: [number, number, number];
  layers: LayerSpec[];
  loss: LossName;
  init: 'xavier' | 'he';
  seed: number;
}

/** A resolved architecture: its spec, and its layers with their shapes. */
export interface Architecture {
  spec: ModelSpec;
  layers: Layer[];
}

const LOSSES: LossName[] = ['cross-entropy', 'mse'];

export function resolveModelOptions(options: ModelOptions, name = 'createModel options'): Architecture {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(name, options, 'an object with input and layers');
  for (const key of Object.keys(options)) {
    if (!['input', 'layers', 'loss', 'init', 'seed'].includes(key)) throw new ArgumentError(key, (options as unknown as Record<string, unknown>)[key], 'no such option: a model takes input, layers, loss, init, seed');
  }
  const layers = layersOf(options.input, options.layers);
  const spec: ModelSpec = {
    input: [...options.input],
    layers: layers.map((layer) => layer.spec as LayerSpec),
    loss: oneOf('loss', options.loss, LOSSES, 'cross-entropy'),
    init: oneOf('init', options.init, ['xavier', 'he'], 'xavier'),
    seed: seedOf('seed', options.seed, 0),
  };
  return { spec, layers };
}

/** createMLP's options as the model they describe: input [layers[0], 1, 1], then one dense layer per width. */
export function resolveMLPOptions(options: MLPOptions): Architecture {
  if (typeof options !== 'object' || options === null) throw new ArgumentError('createMLP options', options, 'an object with layers');
  const { layers } = options;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new ArgumentError('layers', layers, 'an array of at least two layer widths, e.g. [784, 128, 10]');
  }
  layers.forEach((width, i) => {
    if (!Number.isInteger(width) || width <= 0) throw new ArgumentError(`layers[${i}]`, width, 'a positive integer');
  });
  const last = layers.length - 1;
  if (layers[last] > MAX_CLASSES) throw new ArgumentError(`layers[${last}]`, layers[last], `at most ${MAX_CLASSES} classes (labels are bytes)`);
  const hidden = activationOption(activationOf('activation', options.activation, 'relu'));
  return resolveModelOptions({
    input: [layers[0], 1, 1],
    layers: layers.slice(1).map((units, l) => ({ type: 'dense', units, activation: l < last - 1 ? hidden : 'identity' })),
    loss: options.loss, init: options.init, seed: options.seed,
  }, 'createMLP options');
}

/** The options that make `spec` again: what a model file stores. */
export function modelOptions(spec: ModelSpec): ModelOptions {
  return { input: spec.input, layers: spec.layers.map(layerOptions), loss: spec.loss, init: spec.init, seed: spec.seed };
}
