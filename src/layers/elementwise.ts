// The ops of the layers that act on each value alone (activation, flatten, dropout; see shaders/pointwise.wgsl):
// forward out = act(inp · keep), unless the layer aliases its input; backward dinp = dout · keep · act'(inp),
// unless the gradient passes through as it is.

import type { Activation } from '../ops/activation';
import type { Layout } from '../ops/layout';
import { type Dropout, pointwiseBackward, pointwiseForward, pointwisePipeline, type PointwiseShape } from '../ops/pointwise';
import type { BuildContext, Layer, LayerOps, Shape } from './layer';

/** How the pointwise kernel sees values of `shape` stored in `layout`; `permute` (flatten) reorders them channels first. */
export function valuesShape(shape: Shape, layout: Layout, permute: boolean): PointwiseShape {
  const positions = shape.height * shape.width;
  const channelsLast = layout === 'hwc' && shape.channels > 1 && positions > 1; // otherwise both orders are the same
  return { channels: shape.channels, positions, channelsLast, permute: permute && channelsLast };
}

export async function elementwiseOps(layer: Layer, ctx: BuildContext, activation: Activation,
  o: { permute: boolean; dropout?: Dropout }): Promise<LayerOps> {
  const { gpu, label } = ctx;
  const shape = valuesShape(layer.input, ctx.inLayout, o.permute);
  const dropout = ctx.training ? o.dropout : undefined; // evaluate and predict pass values through
  const forward = layer.aliases(ctx.inLayout, ctx.training) ? [] : [
    pointwiseForward(gpu, await pointwisePipeline(gpu, 'forward', activation, shape, dropout !== undefined), `${label}.forward`, shape, dropout,
      { inp: { buffer: ctx.inp }, out: { buffer: ctx.out } }),
  ];
  const backward = !ctx.dinp || ctx.dinp === ctx.dout ? [] : [
    pointwiseBackward(gpu, await pointwisePipeline(gpu, 'backward', ctx.previous, shape, dropout !== undefined), `${label}.inputGrad`, shape, dropout,
      { inp: { buffer: ctx.inp }, dout: { buffer: ctx.dout! }, dinp: { buffer: ctx.dinp } }),
  ];
  return { forward, backward, scratch: [] };
}
