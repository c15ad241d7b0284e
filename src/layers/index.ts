// Every layer type, by its `type`: the options a model's `layers` list takes, their resolved specs, and
// layersOf, which checks a whole list against an input shape and makes the layers.

import { ArgumentError } from '../errors';
import { type ActivationLayerOptions, type ActivationLayerSpec, activationLayer } from './activation';
import { conv2d, type Conv2dOptions, type Conv2dSpec } from './conv2d';
import { dense, type DenseOptions, type DenseSpec } from './dense';
import { dropout, type DropoutOptions, type DropoutSpec } from './dropout';
import { flatten, type FlattenOptions, type FlattenSpec } from './flatten';
import type { Layer, Shape } from './layer';
import { activationOption } from './options';
import { pool2d, type Pool2dOptions, type Pool2dSpec } from './pool2d';

export type LayerOptions = DenseOptions | Conv2dOptions | Pool2dOptions | ActivationLayerOptions | FlattenOptions | DropoutOptions;
export type LayerSpec = DenseSpec | Conv2dSpec | Pool2dSpec | ActivationLayerSpec | FlattenSpec | DropoutSpec;
type LayerType = LayerOptions['type'];

const MAKERS: Record<LayerType, (options: never, index: number, input: Shape) => Layer> = {
  dense, conv2d, maxPool2d: pool2d, avgPool2d: pool2d, activation: activationLayer, flatten, dropout,
};
const TYPES = Object.keys(MAKERS) as LayerType[];

/** The largest class count: labels are bytes. */
export const MAX_CLASSES = 256;

/**
 * The layers of `options` on samples of `input` ([channels, height, width]), each checked against the shape
 * the one before gives it. Throws ArgumentError naming `layers[i].field` and what is accepted.
 */
export function layersOf(input: unknown, options: unknown): Layer[] {
  if (!Array.isArray(input) || input.length !== 3 || !input.every((x) => Number.isInteger(x) && x > 0)) {
    throw new ArgumentError('input', input, '[channels, height, width]: three positive integers');
  }
  if (!Array.isArray(options) || options.length === 0) throw new ArgumentError('layers', options, 'a non-empty array of layers, e.g. [{ type: \'dense\', units: 10 }]');
  let shape: Shape = { channels: input[0], height: input[1], width: input[2], flat: false };
  const layers = options.map((layer: unknown, index) => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) throw new ArgumentError(`layers[${index}]`, layer, 'an object { type, ... }');
    const type = (layer as { type?: unknown }).type;
    if (!TYPES.includes(type as LayerType)) throw new ArgumentError(`layers[${index}].type`, type, `one of ${TYPES.map((t) => `'${t}'`).join(', ')}`);
    const made = MAKERS[type as LayerType](layer as never, index, shape);
    shape = made.output;
    return made;
  });
  const last = layers[layers.length - 1];
  const at = `layers[${last.index}]`;
  if (last.spec.type !== 'dense') throw new ArgumentError(`${at}.type`, last.spec.type, "'dense': the last layer gives the class scores the loss takes");
  if (last.spec.activation.name !== 'identity') {
    throw new ArgumentError(`${at}.activation`, activationOption(last.spec.activation), "'identity': the last layer is linear, and the loss applies the softmax");
  }
  if (last.spec.units > MAX_CLASSES) throw new ArgumentError(`${at}.units`, last.spec.units, `at most ${MAX_CLASSES} classes (labels are bytes)`);
  return layers;
}

/** The options that make `spec` again (activations in their option form). */
export function layerOptions(spec: LayerSpec): LayerOptions {
  return { ...spec, activation: activationOption(spec.activation) } as LayerOptions;
}
