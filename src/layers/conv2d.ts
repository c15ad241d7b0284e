// A 2-D convolution: out[f, oy, ox] = act(bias[f] + Σ weight[f, c, ky, kx] · inp[c, oy·sy - top + ky, ox·sx - left + kx]),
// weight (filters, in channels, kh, kw) as PyTorch stores it, zeros outside the input. On the GPU, matmul
// multiplies the patches by the weight (bias and activation fused), the patches either gathered by im2col or,
// for an unpadded convolution where the adapter runs it faster (src/model/autotune.ts), read in place; backward,
// matmul gives the weight gradient from the same patches and the patches' gradient, which col2im sums onto the
// input. Its output is stored channels last (the product's natural order). With its patches read in place, a
// 2 × 2 max pool right after it is done in the same product (fusesWith; the plan decides), and on the input
// data its weight gradient skips the positions whose patch is all zeros. Where the adapter runs it faster, the
// forward of a 3 × 3 convolution of stride 1 goes by Winograd's F(2 × 2, 3 × 3) instead (src/ops/winograd.ts),
// the pool fused into its output transform, and so does its input gradient where its input is channels last;
// and where it runs it faster, a one-channel 5 × 5 convolution and its pool are computed directly (src/ops/conv_direct.ts).

import { ArgumentError } from '../errors';
import { type Activation, IDENTITY } from '../ops/activation';
import { biasGrad, biasGradPipeline } from '../ops/bias_grad';
import { directFits, directForward, directPipeline } from '../ops/conv_direct';
import { col2im, conv2dPipeline, type ConvGeometry, type ConvStrategy, im2col, patchTables, productPositions, tapColumns } from '../ops/conv2d';
import type { Layout } from '../ops/layout';
import { type LayerDims, matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel, type Patches } from '../ops/matmul';
import type { Op, Tensor } from '../ops/op';
import { pointwiseBackward, pointwisePipeline } from '../ops/pointwise';
import { winogradFits, winogradForward, winogradGradKernels, winogradGradScratch, winogradGradTiles, winogradInputGrad, winogradKernels, winogradScratch,
  type WinogradScratch, winogradTexelsFit, winogradTiles, winogradWeightGrad, winogradWeightGradKernels, winogradWeightGradSplits } from '../ops/winograd';
import { count } from '../check';
import { intsAttribute, type OnnxGraph } from '../model/onnx_graph';
import * as t from '../reference/layers';
import { type BuildContext, describeShape, featuresOf, type Layer, LayerDefaults, type LayerKind, type LayerOps, Scratch, type Shape, type TensorSpec,
  type TensorValues, weightAndBias } from './layer';
import { type ActivationOption, activationOf, onlyFields, type Pair, pairFrom, pairOf } from './options';
import { valuesShape } from './elementwise';
import { Pool2dLayer } from './pool2d';

export type Padding = 'valid' | 'same' | Pair;

export interface Conv2dOptions {
  type: 'conv2d';
  filters: number;
  kernelSize: Pair;
  /** Default 1. */
  stride?: Pair;
  /** 'valid' (none, the default), 'same' (output ceil(in / stride), the odd row or column of zeros at the end), or zeros on each side. */
  padding?: Padding;
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface Conv2dSpec {
  type: 'conv2d';
  filters: number;
  kernelSize: [number, number];
  stride: [number, number];
  padding: 'valid' | 'same' | [number, number];
  activation: Activation;
}

export function conv2d(options: Conv2dOptions, index: number, input: Shape): Conv2dLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'filters', 'kernelSize', 'stride', 'padding', 'activation']);
  if (input.flat) throw new ArgumentError(`${at}.type`, 'conv2d', `a layer that takes a flat input (dense, activation, dropout): its input, ${describeShape(input)} values, was flattened`);
  const spec: Conv2dSpec = {
    type: 'conv2d',
    filters: count(`${at}.filters`, options.filters),
    kernelSize: pairOf(`${at}.kernelSize`, options.kernelSize),
    stride: pairOf(`${at}.stride`, options.stride, [1, 1]),
    padding: paddingOf(`${at}.padding`, options.padding),
    activation: activationOf(`${at}.activation`, options.activation, 'identity'),
  };
  const layer = new Conv2dLayer(index, spec, input);
  const [kh, kw] = spec.kernelSize;
  const [height, width] = [input.height + layer.pads[0] + layer.pads[2], input.width + layer.pads[1] + layer.pads[3]];
  if (kh > height || kw > width) {
    throw new ArgumentError(`${at}.kernelSize`, options.kernelSize, `at most the padded input's ${height} × ${width} (input ${describeShape(input)}, padding ${JSON.stringify(spec.padding)})`);
  }
  return layer;
}

function paddingOf(at: string, value: unknown): Conv2dSpec['padding'] {
  if (value === undefined || value === 'valid' || value === 'same') return value ?? 'valid';
  const whole = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (whole(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every(whole)) return [value[0], value[1]];
  throw new ArgumentError(at, value, "'valid', 'same', a whole number of zeros >= 0 or [height, width] of them");
}

/** Zeros before and after along one axis, and the output size: 'same' puts the odd one after, as TensorFlow and PyTorch do. */
function axis(size: number, kernel: number, stride: number, padding: Conv2dSpec['padding'], i: 0 | 1): { before: number; after: number; out: number } {
  let [before, after] = [0, 0]; // 'valid'
  if (padding === 'same') {
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
    [before, after] = [Math.floor(total / 2), total - Math.floor(total / 2)];
  } else if (padding !== 'valid') {
    [before, after] = [padding[i], padding[i]];
  }
  return { before, after, out: Math.floor((size + before + after - kernel) / stride) + 1 };
}

export const conv2dKind: LayerKind<Conv2dOptions, Conv2dSpec> = {
  types: ['conv2d'],
  make: conv2d,
  syntax: {
    names: ['conv'],
    help: `  conv5x5x24              convolution: kernel height x width x filters; stride 1, no padding
    conv3x3x32/2+same     /S stride; +same (output ceil(in / S)), +pad1 or +pad1x2 zeros on each side`,
    strided: true,
    parse({ size, stride }, fail) {
      const numbers = size.split('x').map(Number);
      if (!/^\d+x\d+x\d+$/.test(size) || numbers.some((n) => n < 1)) fail('conv<KH>x<KW>x<FILTERS>, e.g. conv5x5x24');
      return { type: 'conv2d', filters: numbers[2], kernelSize: [numbers[0], numbers[1]], ...(stride ? { stride: pairFrom(stride.split('x').map(Number)) } : {}) };
    },
    option(layer, option) {
      const pad = /^pad(\d+)(?:x(\d+))?$/.exec(option);
      if (option === 'same' || option === 'valid') return { ...layer, padding: option };
      return pad ? { ...layer, padding: pad[2] ? [Number(pad[1]), Number(pad[2])] : Number(pad[1]) } : undefined;
    },
  },
};

export class Conv2dLayer extends LayerDefaults implements Layer {
  readonly output: Shape;
  /** weight (filters, in channels, kh, kw), bias (filters) */
  override readonly tensors: TensorSpec[];
  override readonly takesImage = true;
  override readonly convolves = true;
  override readonly fitsDirect: boolean;
  /** Taps per output position: in channels · kh · kw. */
  private readonly taps: number;
  /** Zeros [top, left, bottom, right]. */
  readonly pads: [number, number, number, number];
  readonly geometry: ConvGeometry;
  override readonly productRows: number;
  /** Its patches (positions × taps) and their gradient, or its weight gradient (filters × taps), or Winograd's tiles and products, per sample. */
  override readonly scratchPerSample: number;

  constructor(readonly index: number, readonly spec: Conv2dSpec, readonly input: Shape) {
    super();
    const [kh, kw] = spec.kernelSize;
    const y = axis(input.height, kh, spec.stride[0], spec.padding, 0);
    const x = axis(input.width, kw, spec.stride[1], spec.padding, 1);
    this.pads = [y.before, x.before, y.after, x.after];
    this.output = { channels: spec.filters, height: Math.max(y.out, 0), width: Math.max(x.out, 0), flat: false };
    const taps = input.channels * kh * kw;
    this.taps = taps;
    this.tensors = weightAndBias([spec.filters, input.channels, kh, kw], [spec.filters], taps, spec.filters * kh * kw);
    this.geometry = {
      channels: input.channels, height: input.height, width: input.width, outHeight: this.output.height, outWidth: this.output.width,
      kernel: spec.kernelSize, stride: spec.stride, pad: [y.before, x.before], padded: this.pads.some((p) => p > 0),
    };
    this.productRows = this.output.height * this.output.width;
    this.fitsDirect = directFits(this.geometry);
    const winograd = winogradFits(this.geometry) ? Math.max(winogradScratch(this.geometry, spec.filters, false), winogradGradScratch(this.geometry, spec.filters)) : 0;
    this.scratchPerSample = Math.max(Math.max(this.productRows, spec.filters) * taps, winograd);
  }

  override outputLayout(): Layout {
    return 'hwc';
  }

  /**
   * Whether its forward product can also do `next`'s pooling, when that is a 2 × 2 max pool: the product's
   * rows then come window by window and it keeps each window's max. Its patches must be read in place, and
   * its own activation be the identity (the pool's is applied after the max).
   */
  override fusesWith(next: Layer | undefined, conv: ConvStrategy): boolean {
    const twoByTwo = (pair: [number, number]) => pair[0] === 2 && pair[1] === 2;
    return next instanceof Pool2dLayer && next.spec.type === 'maxPool2d' && twoByTwo(next.spec.size) && twoByTwo(next.spec.stride) &&
      conv !== 'im2col' && !this.geometry.padded && this.spec.activation.name === 'identity';
  }

  async build(ctx: BuildContext): Promise<LayerOps> {
    const { gpu, label } = ctx;
    const pooled = ctx.fused !== undefined; // and `out` is the pool's output, (capacity, windows, filters)
    const positions = productPositions(this.geometry, pooled).length;
    // The product (rows · positions, taps) · weightᵀ; taps = in channels · kh · kw
    const dims = { nIn: this.taps, nOut: this.spec.filters, positions, sample: featuresOf(this.input) };
    const scratch = new Scratch(ctx);
    const { col, patches, forward } = await this.patches(ctx, scratch, pooled);
    const implicit = patches !== undefined;
    const winograd = ctx.conv === 'winograd' && winogradFits(this.geometry);
    // On the input data (mostly zeros, for digits), register-blocked: the weight gradient skips the positions
    // whose patch is all zeros, which the forward product notes, a register block of rows to a word.
    const live = implicit && !winograd && ctx.training && ctx.inputIsData && !ctx.matmul.tiled;
    const liveRows = live ? scratch.floats('liveRows', Math.ceil((ctx.capacity * positions) / ctx.matmul.block)) : undefined;
    const activation = ctx.fused?.activation ?? this.spec.activation;
    let transformed: WinogradScratch | undefined; // Winograd's transformed weights and input tiles, and its products
    if (winograd) {
      const passes = await this.winograd(ctx, scratch, activation, pooled);
      forward.push(...passes.ops);
      transformed = passes.scratch;
    } else if (ctx.direct && pooled && this.fitsDirect) {
      const pipeline = await directPipeline(gpu, activation, ctx.matmul.block, live);
      forward.push(directForward(gpu, pipeline, `${label}.forwardDirect`, this.geometry, this.spec.filters,
        { inp: col, weight: ctx.tensors.weight, bias: ctx.tensors.bias, out: { buffer: ctx.out }, argmax: { buffer: ctx.fused!.argmax }, live: liveRows }));
    } else {
      const forwardKernel = await matmulKernel(gpu, 'forward', activation, ctx.matmul, { m: ctx.capacity * positions, n: dims.nOut }, { patches: implicit, pooled, live });
      forward.push(matmulForward(gpu, forwardKernel, `${label}.forward`, dims,
        { inp: col, weight: ctx.tensors.weight, bias: ctx.tensors.bias, out: { buffer: ctx.out }, patches, argmax: ctx.fused && { buffer: ctx.fused.argmax }, live: liveRows }));
    }
    if (!ctx.training) return { forward, backward: [], scratch: scratch.buffers };

    // Each sample's weight and bias gradients apart (a convolution has few weights and many positions: one sum
    // over all rows would leave most of the GPU idle), then their sums over the batch. Under Winograd with the
    // pool fused, the weight gradient goes by Winograd too, its products summed in parts over the tiles.
    const dout = { buffer: ctx.dout! };
    const dbiasParts = scratch.floats('biasGradParts', ctx.capacity * dims.nOut); // (capacity, filters)
    const biasGradParts = biasGrad(gpu, await biasGradPipeline(gpu, dims.nOut, true), `${label}.biasGradParts`, dims.nOut, positions, { dout, dbias: dbiasParts }, true);
    const biasGradSum = biasGrad(gpu, await biasGradPipeline(gpu, dims.nOut), `${label}.biasGrad`, dims.nOut, 1, { dout: dbiasParts, dbias: ctx.grads.bias });
    const backward: Op[] = [];
    if (transformed && pooled) {
      backward.push(...await this.winogradWeightGradient(ctx, transformed, scratch), biasGradParts, biasGradSum);
    } else {
      const dweightParts = scratch.floats('weightGradParts', ctx.capacity * dims.nOut * dims.nIn); // (capacity, filters, taps)
      const weightGradKernel = await matmulKernel(gpu, 'backwardWeight', IDENTITY, ctx.matmul, { m: dims.nOut, n: dims.nIn }, { perSample: true, patches: implicit, live });
      backward.push(
        matmulBackwardWeight(gpu, weightGradKernel, `${label}.weightGradParts`, dims, { dout, inp: col, dweight: dweightParts, patches, live: liveRows }),
        biasGradParts,
        biasGrad(gpu, await biasGradPipeline(gpu, dims.nOut * dims.nIn), `${label}.weightGrad`, dims.nOut * dims.nIn, 1, { dout: dweightParts, dbias: ctx.grads.weight }),
        biasGradSum,
      );
    }
    if (ctx.dinp && transformed && ctx.inLayout === 'hwc') backward.push(...await this.winogradInputGradient(ctx, transformed.u, scratch, pooled));
    else if (ctx.dinp) backward.push(...await this.inputGradient(ctx, dims, col, scratch, pooled));
    return { forward, backward, scratch: scratch.buffers };
  }

  /**
   * Where the products find the patches: read in place through tables (implicit, for an unpadded convolution
   * where the adapter runs that faster), or a matrix (capacity · positions, taps) that an im2col op builds.
   */
  private async patches(ctx: BuildContext, scratch: Scratch, pooled: boolean) {
    const { gpu, label } = ctx;
    const g = this.geometry;
    if (ctx.conv !== 'im2col' && !g.padded) {
      const tables = patchTables(g, ctx.inLayout, pooled);
      const patches: Patches = { taps: scratch.upload('taps', tables.taps), corners: scratch.upload('corners', tables.corners) };
      return { col: { buffer: ctx.inp }, patches, forward: [] as Op[] };
    }
    const col = scratch.floats('col', ctx.capacity * g.outHeight * g.outWidth * this.taps); // (capacity · positions, taps)
    const forward = [im2col(gpu, await conv2dPipeline(gpu, 'im2col', g, ctx.inLayout), `${label}.im2col`, g, ctx.inLayout, { inp: { buffer: ctx.inp }, col })];
    return { col, patches: undefined, forward };
  }

  /** The forward by Winograd's F(2 × 2, 3 × 3): its transforms and 16 products, into scratch of its own. */
  private async winograd(ctx: BuildContext, scratch: Scratch, activation: Activation, pooled: boolean): Promise<{ ops: Op[]; scratch: WinogradScratch }> {
    const g = this.geometry;
    const filters = this.spec.filters;
    const [th, tw] = winogradTiles(g, pooled);
    const tiles = ctx.capacity * th * tw;
    const texels = ctx.texels && winogradTexelsFit(ctx.gpu, g, filters, ctx.matmul);
    const kernels = await winogradKernels(ctx.gpu, g, ctx.inLayout, activation, ctx.matmul, pooled, { tiles, filters }, texels);
    const transformed: WinogradScratch = {
      u: scratch.floats('winogradWeights', 16 * g.channels * filters), // (16, C, F)
      v: scratch.floats('winogradInputs', 16 * tiles * g.channels), // (16, capacity · tiles, C)
      p: scratch.floats('winogradProducts', 16 * tiles * filters), // (16, capacity · tiles, F)
      uTexels: texels ? scratch.texels('winogradWeightTexels', Math.ceil(filters / 4), 16 * g.channels) : undefined, // (16 · C, ⌈F / 4⌉) texels
    };
    const ops = winogradForward(ctx.gpu, kernels, ctx.label, g, ctx.inLayout, filters, {
      inp: { buffer: ctx.inp }, weight: ctx.tensors.weight, bias: ctx.tensors.bias, out: { buffer: ctx.out }, argmax: ctx.fused && { buffer: ctx.fused.argmax }, ...transformed,
    });
    return { ops, scratch: transformed };
  }

  /**
   * dweight by Winograd's F(2 × 2, 3 × 3), the pool fused (a tile is a window), from the forward's transformed
   * input tiles v; the output gradient's tiles go where the forward's products were.
   */
  private async winogradWeightGradient(ctx: BuildContext, transformed: WinogradScratch, scratch: Scratch): Promise<Op[]> {
    const g = this.geometry;
    const filters = this.spec.filters;
    const [th, tw] = winogradTiles(g, true);
    const splits = winogradWeightGradSplits(ctx.capacity * th * tw);
    const kernels = await winogradWeightGradKernels(ctx.gpu, g, filters, ctx.matmul);
    return winogradWeightGrad(ctx.gpu, kernels, ctx.label, g, filters, splits, {
      dout: { buffer: ctx.dout! }, v: transformed.v, q: transformed.p, dweight: ctx.grads.weight,
      parts: scratch.floats('winogradWeightGradParts', splits * 16 * g.channels * filters), // (splits, 16, C, F)
    });
  }

  /** dinp by Winograd's F(2 × 2, 3 × 3), with the forward's transformed weights u, through act' of the layer before. */
  private async winogradInputGradient(ctx: BuildContext, u: Tensor, scratch: Scratch, pooled: boolean): Promise<Op[]> {
    const g = this.geometry;
    const filters = this.spec.filters;
    const [th, tw] = winogradGradTiles(g);
    const tiles = ctx.capacity * th * tw;
    const kernels = await winogradGradKernels(ctx.gpu, g, filters, ctx.previous, ctx.matmul, pooled, tiles);
    return winogradInputGrad(ctx.gpu, kernels, ctx.label, g, filters, {
      dout: { buffer: ctx.dout! }, u, inp: { buffer: ctx.inp }, dinp: { buffer: ctx.dinp! },
      v: scratch.floats('winogradGradTiles', 16 * tiles * filters), // (16, capacity · tiles, F)
      p: scratch.floats('winogradGradProducts', 16 * tiles * g.channels), // (16, capacity · tiles, C)
    });
  }

  /**
   * dinp: the patches' gradient dout · weight (its taps channels last, for col2im to read them side by side),
   * summed back onto the input by col2im, through act' of the layer before.
   */
  private async inputGradient(ctx: BuildContext, dims: LayerDims, col: Tensor, scratch: Scratch, pooled: boolean): Promise<Op[]> {
    const { gpu, label } = ctx;
    const g = this.geometry;
    const dout = { buffer: ctx.dout! };
    const dcol = scratch.floats('dcol', ctx.capacity * dims.positions! * dims.nIn); // (capacity · positions, kh · kw · channels)
    const columns = scratch.upload('tapColumns', tapColumns(g));
    // With identity, the kernel reads no activations: col (or the input) stands in for them.
    const colGradKernel = await matmulKernel(gpu, 'backwardInput', IDENTITY, ctx.matmul, { m: ctx.capacity * dims.positions!, n: dims.nIn }, { columns: true });
    const colGrad = matmulBackwardInput(gpu, colGradKernel, `${label}.colGrad`, dims, { dout, weight: ctx.tensors.weight, inp: col, dinp: dcol, columns });
    const col2imKernel = await conv2dPipeline(gpu, 'col2im', g, ctx.inLayout, pooled);
    if (ctx.previous.name === 'identity') return [colGrad, col2im(gpu, col2imKernel, `${label}.inputGrad`, g, ctx.inLayout, { dcol, dinp: { buffer: ctx.dinp! } })];
    // col2im has no activations: their derivative is a pass of its own
    const dsum = scratch.floats('inputGradSum', ctx.capacity * featuresOf(this.input));
    const shape = valuesShape(this.input, ctx.inLayout, false);
    return [
      colGrad,
      col2im(gpu, col2imKernel, `${label}.inputGradSum`, g, ctx.inLayout, { dcol, dinp: dsum }),
      pointwiseBackward(gpu, await pointwisePipeline(gpu, 'backward', ctx.previous, shape, false), `${label}.inputGrad`, shape, undefined,
        { inp: { buffer: ctx.inp }, dout: dsum, dinp: { buffer: ctx.dinp! } }),
    ];
  }

  twinForward(x: Float64Array, v: TensorValues, rows: number) {
    return { out: t.conv2dForward(x, v.weight, v.bias, rows, this.spec.filters, this.geometry) };
  }

  twinBackward(x: Float64Array, dout: Float64Array, v: TensorValues, rows: number) {
    const { dweight, dbias } = t.conv2dBackwardWeight(dout, x, rows, this.spec.filters, this.geometry);
    return { dx: t.conv2dBackwardInput(dout, v.weight, rows, this.spec.filters, this.geometry), grads: { weight: dweight, bias: dbias } };
  }

  onnx(graph: OnnxGraph): void { // pads: [top, left, bottom, right], ONNX's begins then ends
    const at = `layers.${this.index}`;
    graph.add('Conv', [graph.x, `${at}.weight`, `${at}.bias`], `${at}.conv`,
      [intsAttribute('kernel_shape', this.spec.kernelSize), intsAttribute('strides', this.spec.stride), intsAttribute('pads', this.pads)]);
  }
}
