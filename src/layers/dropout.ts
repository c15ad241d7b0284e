// Dropout: while fitting, each value is zeroed with probability `rate` and the others scaled by 1 / (1 - rate),
// with masks drawn on the GPU from the fit's seed (a new mask every step; see shaders/pointwise.wgsl);
// evaluate and predict pass values through. Shape and layout are the input's.

import { ArgumentError } from '../errors';
import type { Activation } from '../ops/activation';
import type { Layout } from '../ops/layout';
import { dropoutKeep } from '../reference/layers';
import { type BuildContext, featuresOf, type Layer, LayerDefaults, type LayerKind, type LayerOps, type Shape, type TwinPass } from './layer';
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

export const dropoutKind: LayerKind<DropoutOptions, DropoutSpec> = {
  types: ['dropout'],
  make: dropout,
  syntax: {
    names: ['dropout'],
    help: '  dropout0.25             dropout at rate 0.25 while training',
    parse({ size }, fail) {
      const rate = Number(size);
      if (size === '' || !(rate >= 0 && rate < 1)) fail('dropout<RATE> with a rate in [0, 1), e.g. dropout0.25');
      return { type: 'dropout', rate };
    },
  },
};

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

  /** What each value of a (rows, features) input is multiplied by in this pass: the GPU's masks, or 1. */
  private mask(rows: number, pass: TwinPass): Float64Array {
    const features = featuresOf(this.input);
    const { rate } = this.spec;
    if (!pass.training || pass.dropoutSeed === undefined) return new Float64Array(rows * features).fill(1);
    return Float64Array.from({ length: rows * features }, (_, i) =>
      dropoutKeep(pass.dropoutSeed!, dropoutSalt(this.index), features, Math.floor(i / features), i % features, rate));
  }

  twinForward(x: Float64Array, _v: unknown, rows: number, pass: TwinPass) {
    const mask = this.mask(rows, pass);
    return { out: x.map((v, i) => v * mask[i]) };
  }

  twinBackward(_x: Float64Array, dout: Float64Array, _v: unknown, rows: number, pass: TwinPass) {
    const mask = this.mask(rows, pass);
    return { dx: dout.map((v, i) => v * mask[i]), grads: {} };
  }

  onnx(): void {} // inference passes values through
}
