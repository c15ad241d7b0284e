// Dropout: while fitting, each value is zeroed with probability `rate` and the others scaled by 1 / (1 - rate),
// with masks drawn on the GPU from the fit's seed (a new mask every step; see shaders/pointwise.wgsl);
// evaluate and predict pass values through. Shape and layout are the input's.

import { ArgumentError } from '../errors';
import type { Activation } from '../ops/activation';
import type { Layout } from '../ops/layout';
import { type BuildContext, type Layer, LayerDefaults, type LayerOps, type Shape } from './layer';
import { type ActivationOption, activationOf, onlyFields } from './options';
import { elementwiseOps } from './elementwise';

export interface DropoutOptions {
  type: 'dropout';
  /** In [0, 1). */
  rate: number;
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface DropoutSpec {
  type: 'dropout';
  rate: number;
  activation: Activation;
}

/** What tells one dropout layer's masks from another's (and from the augmentation's draws, keyed by row). */
export const dropoutSalt = (index: number): number => (0x80000000 + index) >>> 0;

export function dropout(options: DropoutOptions, index: number, input: Shape): DropoutLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'rate', 'activation']);
  const { rate } = options;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ArgumentError(`${at}.rate`, rate, 'a number in [0, 1)');
  return new DropoutLayer(index, { type: 'dropout', rate, activation: activationOf(`${at}.activation`, options.activation, 'identity') }, input);
}

export class DropoutLayer extends LayerDefaults implements Layer {
  readonly output: Shape;

  constructor(readonly index: number, readonly spec: DropoutSpec, readonly input: Shape) {
    super();
    this.output = input;
  }

  override aliases(_layout: Layout, training: boolean): boolean {
    return !training && this.spec.activation.name === 'identity';
  }

  build(ctx: BuildContext): Promise<LayerOps> {
    return elementwiseOps(this, ctx, this.spec.activation, { permute: false, dropout: { rate: this.spec.rate, salt: dropoutSalt(this.index) } });
  }
}
