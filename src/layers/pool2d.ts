// Max and average pooling over size_h × size_w windows moved by the stride (default: the size), without
// padding: windows that would run past the input's edge are not taken, as in PyTorch and TensorFlow's 'valid'.
// The layout of the output is the input's.

import { ArgumentError } from '../errors';
import type { Activation } from '../ops/activation';
import { pointwiseBackward, pointwiseForward, pointwisePipeline } from '../ops/pointwise';
import { type PoolGeometry, poolBackward, poolForward, poolPipeline, unpool, unpoolPipeline } from '../ops/pool';
import { intsAttribute, type OnnxGraph } from '../model/onnx_graph';
import * as t from '../reference/layers';
import { type BuildContext, describeShape, featuresOf, type Layer, LayerDefaults, type LayerKind, type LayerOps, Scratch, type Shape } from './layer';
import { type ActivationOption, activationOf, onlyFields, type Pair, pairFrom, pairOf } from './options';
import { valuesShape } from './elementwise';

export interface Pool2dOptions {
  type: 'maxPool2d' | 'avgPool2d';
  size: Pair;
  /** Default: the size. */
  stride?: Pair;
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface Pool2dSpec {
  type: 'maxPool2d' | 'avgPool2d';
  size: [number, number];
  stride: [number, number];
  activation: Activation;
}

export function pool2d(options: Pool2dOptions, index: number, input: Shape): Pool2dLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'size', 'stride', 'activation']);
  if (input.flat) throw new ArgumentError(`${at}.type`, options.type, `a layer that takes a flat input (dense, activation, dropout): its input, ${describeShape(input)} values, was flattened`);
  const size = pairOf(`${at}.size`, options.size);
  const spec: Pool2dSpec = {
    type: options.type, size, stride: pairOf(`${at}.stride`, options.stride, size),
    activation: activationOf(`${at}.activation`, options.activation, 'identity'),
  };
  if (size[0] > input.height || size[1] > input.width) {
    throw new ArgumentError(`${at}.size`, options.size, `at most the input's ${input.height} × ${input.width} (input ${describeShape(input)})`);
  }
  return new Pool2dLayer(index, spec, input);
}

export const pool2dKind: LayerKind<Pool2dOptions, Pool2dSpec> = {
  types: ['maxPool2d', 'avgPool2d'],
  make: pool2d,
  syntax: {
    names: ['maxpool', 'avgpool'],
    help: '  maxpool2, avgpool2      pooling windows (maxpool2x3: height x width); /S stride, default the window',
    strided: true,
    parse({ name, size, stride }, fail) {
      const numbers = size.split('x').map(Number);
      if (!/^\d+(x\d+)?$/.test(size) || numbers.some((n) => n < 1)) fail(`${name}<SIZE> or ${name}<H>x<W>, optionally /<STRIDE>, e.g. ${name}2`);
      return { type: name === 'maxpool' ? 'maxPool2d' : 'avgPool2d', size: pairFrom(numbers), ...(stride ? { stride: pairFrom(stride.split('x').map(Number)) } : {}) };
    },
  },
};

export class Pool2dLayer extends LayerDefaults implements Layer {
  readonly output: Shape;
  override readonly takesImage = true;
  readonly geometry: PoolGeometry;
  override readonly scratchPerSample: number;

  constructor(readonly index: number, readonly spec: Pool2dSpec, readonly input: Shape) {
    super();
    const [outHeight, outWidth] = [0, 1].map((i) => Math.floor(([input.height, input.width][i] - spec.size[i]) / spec.stride[i]) + 1);
    this.output = { channels: input.channels, height: outHeight, width: outWidth, flat: false };
    this.scratchPerSample = featuresOf(input); // with an activation before or after it: a pass's worth of values
    this.geometry = { channels: input.channels, height: input.height, width: input.width, outHeight, outWidth, size: spec.size, stride: spec.stride };
  }

  async build(ctx: BuildContext): Promise<LayerOps> {
    const { gpu, label } = ctx;
    const kind = this.kind;
    const g = this.geometry;
    if (ctx.fused) { // the convolution before pooled in its product; its activation is the identity
      const backward = ctx.dinp ? [unpool(gpu, await unpoolPipeline(gpu, g), `${label}.inputGrad`, g,
        { argmax: { buffer: ctx.fused.argmax }, dout: { buffer: ctx.dout! }, dinp: { buffer: ctx.dinp } })] : [];
      return { forward: [], backward, scratch: [] };
    }
    const scratch = new Scratch(ctx);
    const temporary = (name: string, shape: Shape) => scratch.floats(name, ctx.capacity * featuresOf(shape));
    // The pooling kernel has no activations: a layer with one, or after one, adds a pointwise pass for it.
    const inp = { buffer: ctx.inp };
    const forwardKernel = await poolPipeline(gpu, kind, 'forward', g, ctx.inLayout);
    const forward = [];
    if (this.spec.activation.name === 'identity') {
      forward.push(poolForward(gpu, forwardKernel, `${label}.forward`, g, ctx.inLayout, { inp, out: { buffer: ctx.out } }));
    } else {
      const pooled = temporary('pooled', this.output);
      const shape = valuesShape(this.output, ctx.inLayout, false);
      forward.push(
        poolForward(gpu, forwardKernel, `${label}.pool`, g, ctx.inLayout, { inp, out: pooled }),
        pointwiseForward(gpu, await pointwisePipeline(gpu, 'forward', this.spec.activation, shape, false), `${label}.forward`, shape, undefined,
          { inp: pooled, out: { buffer: ctx.out } }),
      );
    }
    if (!ctx.dinp) return { forward, backward: [], scratch: scratch.buffers };

    const backwardKernel = await poolPipeline(gpu, kind, 'backward', g, ctx.inLayout);
    const dout = { buffer: ctx.dout! };
    if (ctx.previous.name === 'identity') {
      return { forward, backward: [poolBackward(gpu, backwardKernel, `${label}.inputGrad`, g, ctx.inLayout, { inp, dout, dinp: { buffer: ctx.dinp } })], scratch: scratch.buffers };
    }
    const routed = temporary('inputGradRouted', this.input);
    const shape = valuesShape(this.input, ctx.inLayout, false);
    const backward = [
      poolBackward(gpu, backwardKernel, `${label}.inputGradRouted`, g, ctx.inLayout, { inp, dout, dinp: routed }),
      pointwiseBackward(gpu, await pointwisePipeline(gpu, 'backward', ctx.previous, shape, false), `${label}.inputGrad`, shape, undefined,
        { inp, dout: routed, dinp: { buffer: ctx.dinp } }),
    ];
    return { forward, backward, scratch: scratch.buffers };
  }

  private get kind() {
    return this.spec.type === 'maxPool2d' ? 'max' : 'average';
  }

  twinForward(x: Float64Array, _v: unknown, rows: number) {
    return { out: t.poolForward(x, rows, this.geometry, this.kind) };
  }

  twinBackward(x: Float64Array, dout: Float64Array, _v: unknown, rows: number) {
    return { dx: t.poolBackward(x, dout, rows, this.geometry, this.kind), grads: {} };
  }

  onnx(graph: OnnxGraph): void {
    const at = `layers.${this.index}`;
    graph.add(this.spec.type === 'maxPool2d' ? 'MaxPool' : 'AveragePool', [graph.x], `${at}.pool`,
      [intsAttribute('kernel_shape', this.spec.size), intsAttribute('strides', this.spec.stride)]);
  }
}
