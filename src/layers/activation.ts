// An activation on its own: out = act(inp), in the input's shape and layout. (Every layer type also takes an
// `activation` of its own, applied to its output.)

import type { Activation } from '../ops/activation';
import { type ActivationName } from '../ops/activation';
import { type BuildContext, type Layer, LayerDefaults, type LayerKind, type LayerOps, type Shape } from './layer';
import { ACTIVATIONS, type ActivationOption, activationOf, onlyFields } from './options';
import { elementwiseOps } from './elementwise';

export interface ActivationLayerOptions {
  type: 'activation';
  /** Default 'identity' (which passes values through). */
  activation?: ActivationOption;
}

export interface ActivationLayerSpec {
  type: 'activation';
  activation: Activation;
}

export function activationLayer(options: ActivationLayerOptions, index: number, input: Shape): ActivationLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'activation']);
  return new ActivationLayer(index, { type: 'activation', activation: activationOf(`${at}.activation`, options.activation, 'identity') }, input);
}

export const activationKind: LayerKind<ActivationLayerOptions, ActivationLayerSpec> = {
  types: ['activation'],
  make: activationLayer,
  syntax: {
    names: ACTIVATIONS,
    help: `  ${ACTIVATIONS.filter((a) => a !== 'identity').join(', ')}, identity   an activation on its own`,
    activates: false,
    parse({ name, size }, fail) {
      if (size !== '') fail(`${name} without a number`);
      return { type: 'activation', activation: name as ActivationName };
    },
  },
};

export class ActivationLayer extends LayerDefaults implements Layer {
  readonly output: Shape;

  constructor(readonly index: number, readonly spec: ActivationLayerSpec, readonly input: Shape) {
    super();
    this.output = input;
  }

  override aliases(): boolean {
    return this.spec.activation.name === 'identity';
  }

  override passesGradient(): boolean {
    return true;
  }

  build(ctx: BuildContext): Promise<LayerOps> {
    return elementwiseOps(this, ctx, this.spec.activation, { permute: false });
  }

  twinForward(x: Float64Array) {
    return { out: x };
  }

  twinBackward(_x: Float64Array, dout: Float64Array) {
    return { dx: dout, grads: {} };
  }

  onnx(): void {} // its activation's node is all it adds
}
