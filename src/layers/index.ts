// Every layer type, one line each in KINDS: the options a model's `layers` list takes and their resolved specs
// (both derived from KINDS), and layersOf, which checks a whole list against an input shape and makes the
// layers. A new layer type is a file in this folder and its line here.

import { ArgumentError } from '../errors';
import { activationKind } from './activation';
import { batchNormKind } from './batch_norm';
import { conv2dKind } from './conv2d';
import { denseKind } from './dense';
import { dropoutKind } from './dropout';
import { flattenKind } from './flatten';
import type { BaseSpec, Layer, Shape } from './layer';
import { activationOption } from './options';
import { pool2dKind } from './pool2d';

/** The layer types, in the order the layer syntax's help lists them. */
export const KINDS = [conv2dKind, pool2dKind, denseKind, dropoutKind, flattenKind, activationKind, batchNormKind];

type Kind = (typeof KINDS)[number];
type Make = Kind['make'];
export type LayerOptions = Make extends infer M ? (M extends (options: infer O, index: number, input: Shape) => Layer ? O : never) : never;
export type LayerSpec = Make extends infer M ? (M extends (options: never, index: number, input: Shape) => { spec: infer S } ? S : never) : never;
type LayerType = LayerOptions['type'];

const MAKERS = new Map<string, Kind['make']>(KINDS.flatMap((kind) => kind.types.map((type) => [type, kind.make as Kind['make']])));

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
    const make = MAKERS.get(type as LayerType);
    if (typeof type !== 'string' || !make) throw new ArgumentError(`layers[${index}].type`, type, `one of ${[...MAKERS.keys()].map((t) => `'${t}'`).join(', ')}`);
    const made = (make as (options: unknown, index: number, input: Shape) => Layer)(layer, index, shape);
    shape = made.output;
    return made;
  });
  const last = layers[layers.length - 1];
  const at = `layers[${last.index}]`;
  const spec = last.spec as LayerSpec;
  if (spec.type !== 'dense') throw new ArgumentError(`${at}.type`, spec.type, "'dense': the last layer gives the class scores the loss takes");
  if (spec.activation.name !== 'identity') {
    throw new ArgumentError(`${at}.activation`, activationOption(spec.activation), "'identity': the last layer is linear, and the loss applies the softmax");
  }
  if (spec.units > MAX_CLASSES) throw new ArgumentError(`${at}.units`, spec.units, `at most ${MAX_CLASSES} classes (labels are bytes)`);
  return layers;
}

/** The options that make `spec` again (activations in their option form). */
export function layerOptions(spec: BaseSpec): LayerOptions {
  return { ...spec, activation: activationOption(spec.activation) } as LayerOptions;
}
