// Flatten: a sample's C × H × W values become one vector in (channel, row, column) order, as torch.flatten
// orders them, so that the next dense layer's weight (out, C·H·W) is PyTorch's. Input stored channels last (a
// convolution's output) is reordered; otherwise the output is the input buffer itself.

import type { Activation } from '../ops/activation';
import type { Layout } from '../ops/layout';
import type { OnnxGraph } from '../model/onnx_graph';
import { type BuildContext, featuresOf, type Layer, LayerDefaults, type LayerKind, type LayerOps, type Shape } from './layer';
import { type ActivationOption, activationOf, onlyFields } from './options';
import { elementwiseOps, valuesShape } from './elementwise';

export interface FlattenOptions {
  type: 'flatten';
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface FlattenSpec {
  type: 'flatten';
  activation: Activation;
}

export function flatten(options: FlattenOptions, index: number, input: Shape): FlattenLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'activation']);
  return new FlattenLayer(index, { type: 'flatten', activation: activationOf(`${at}.activation`, options.activation, 'identity') }, input);
}

export const flattenKind: LayerKind<FlattenOptions, FlattenSpec> = {
  types: ['flatten'],
  make: flatten,
  syntax: {
    names: ['flatten'],
    help: '  flatten                 (channel, row, column) values to one vector',
    parse({ size }, fail) {
      if (size !== '') fail('flatten without a number');
      return { type: 'flatten' };
    },
  },
};

export class FlattenLayer extends LayerDefaults implements Layer {
  readonly output: Shape;

  constructor(readonly index: number, readonly spec: FlattenSpec, readonly input: Shape) {
    super();
    this.output = { channels: featuresOf(input), height: 1, width: 1, flat: true };
  }

  override outputLayout(): Layout {
    return 'chw';
  }

  /** Whether values stored in `layout` are already in (channel, row, column) order. */
  private inOrder(layout: Layout): boolean {
    return !valuesShape(this.input, layout, true).permute;
  }

  override aliases(layout: Layout): boolean {
    return this.inOrder(layout) && this.spec.activation.name === 'identity';
  }

  override passesGradient(layout: Layout): boolean {
    return this.inOrder(layout);
  }

  build(ctx: BuildContext): Promise<LayerOps> {
    return elementwiseOps(this, ctx, this.spec.activation, { permute: true });
  }

  twinForward(x: Float64Array) { // the twins store values (C, H, W) already
    return { out: x };
  }

  twinBackward(_x: Float64Array, dout: Float64Array) {
    return { dx: dout, grads: {} };
  }

  onnx(graph: OnnxGraph): void {
    graph.flatten(`layers.${this.index}`);
  }
}
