// An activation on its own: out = act(inp), in the input's shape and layout. (Every layer type also takes an
// `activation` of its own, applied to its output.)

import type { Activation } from '../ops/activation';
import type { Layout } from '../ops/layout';
import type { BuildContext, Layer, LayerOps, Shape } from './layer';
import { type ActivationOption, activationOf, onlyFields } from './options';
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

export class ActivationLayer implements Layer {
  readonly output: Shape;
  readonly productRows = 1;
  readonly scratchPerSample = 0;

  constructor(readonly index: number, readonly spec: ActivationLayerSpec, readonly input: Shape) {
    this.output = input;
  }

  outputLayout(layout: Layout): Layout {
    return layout;
  }

  aliases(): boolean {
    return this.spec.activation.name === 'identity';
  }

  passesGradient(): boolean {
    return true;
  }

  build(ctx: BuildContext): Promise<LayerOps> {
    return elementwiseOps(this, ctx, this.spec.activation, { permute: false });
  }
}
