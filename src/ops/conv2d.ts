// The data movement of a convolution (shaders/conv2d.wgsl): im2col builds the (rows · P, C · kh · kw) matrix of
// patches that matmul.ts multiplies by the weight, and col2im sums its gradient (rows · P, kh · kw · C: channels
// last, through tapColumns) back onto the input. Or, with the implicit strategy, matmul reads the patches where
// they lie, through the tables patchTables makes.

import type { Gpu } from '../runtime/gpu';
import { type Layout, strides } from './layout';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

/** A convolution's input (C, H, W), output size, kernel, stride and the padding before the first row and column. */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  kernel: [number, number];
  stride: [number, number];
  /** Zeros above and to the left; those below and to the right follow from the output size. */
  pad: [number, number];
  /** Whether any tap falls outside the input (any zeros, on any side). */
  padded: boolean;
}

/**
 * How a convolution's products get their patches: a matrix built by im2col, or read in place (unpadded
 * convolutions); winograd reads them in place too, and computes the forward of a 3 × 3 convolution of stride 1
 * by Winograd's F(2 × 2, 3 × 3) (src/ops/winograd.ts).
 */
export type ConvStrategy = 'im2col' | 'implicit' | 'winograd';

const WORKGROUP = 64;

/**
 * The output positions a convolution's products have per sample, in their order: every (oy, ox) row by row;
 * or, pooled (a 2 × 2 max pool fused after it), window by window, the 4 of each window together in row-major
 * order, and none that no window takes (an odd last row or column).
 */
export function productPositions(g: ConvGeometry, pooled: boolean): [number, number][] {
  const positions: [number, number][] = [];
  if (!pooled) {
    for (let oy = 0; oy < g.outHeight; oy++) for (let ox = 0; ox < g.outWidth; ox++) positions.push([oy, ox]);
    return positions;
  }
  for (let py = 0; py < Math.floor(g.outHeight / 2); py++) {
    for (let px = 0; px < Math.floor(g.outWidth / 2); px++) {
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) positions.push([2 * py + dy, 2 * px + dx]);
    }
  }
  return positions;
}

/**
 * Where each of the product's positions has its patch start in a sample (corners) and where each of its taps
 * is from there (taps, C · kh · kw values, in the weight's order), for an unpadded convolution of an input in
 * `layout`.
 */
export function patchTables(g: ConvGeometry, layout: Layout, pooled: boolean): { taps: Uint32Array; corners: Uint32Array } {
  const [cs, ys, xs] = strides(layout, g.channels, g.height, g.width);
  const [kh, kw] = g.kernel;
  const taps = new Uint32Array(g.channels * kh * kw);
  for (let c = 0; c < g.channels; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) taps[(c * kh + y) * kw + x] = c * cs + y * ys + x * xs;
  const corners = Uint32Array.from(productPositions(g, pooled), ([oy, ox]) => oy * g.stride[0] * ys + ox * g.stride[1] * xs);
  return { taps, corners };
}

/**
 * Where each of dcol's taps (ky, kx, c: channels last) is in the weight's order (c, ky, kx): the table through
 * which the patches' gradient product reads the weight's columns.
 */
export function tapColumns(g: ConvGeometry): Uint32Array {
  const [kh, kw] = g.kernel;
  const columns = new Uint32Array(g.channels * kh * kw);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < g.channels; c++) columns[(y * kw + x) * g.channels + c] = (c * kh + y) * kw + x;
  return columns;
}

/** Channels col2im sums at once: 4 (vec4) where they lie side by side in both dcol and a channels-last dinp. */
const lanes = (variant: 'im2col' | 'col2im', g: ConvGeometry, layout: Layout) => (variant === 'col2im' && layout === 'hwc' && g.channels % 4 === 0 ? 4 : 1);

/** `pooled` (col2im): dcol's positions are the pooled order of productPositions. */
export function conv2dPipeline(gpu: Gpu, variant: 'im2col' | 'col2im', g: ConvGeometry, layout: Layout, pooled = false): Promise<GPUComputePipeline> {
  const flags = { im2col: variant === 'im2col', padded: variant === 'im2col' && g.padded, vec4: lanes(variant, g, layout) === 4, pooled };
  return kernel(gpu, 'conv2d.wgsl', flags, { WORKGROUP }, ['uniform', 'read', 'write']);
}

/** Sizes and strides, channels counted in the values a thread reads at once. */
function dims(variant: 'im2col' | 'col2im', g: ConvGeometry, layout: Layout): Uint32Array {
  const channels = g.channels / lanes(variant, g, layout);
  return new Uint32Array([channels, g.height, g.width, ...strides(layout, channels, g.height, g.width), g.outHeight, g.outWidth,
    ...g.kernel, ...g.stride, ...g.pad]);
}

/** col (rows · P, C · kh · kw) = the patches of inp (rows, C, H, W), stored in `layout`. */
export function im2col(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: ConvGeometry, layout: Layout,
  t: { inp: Tensor; col: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims('im2col', g, layout), [t.inp, t.col], (rows) => [ceilDiv(g.outHeight * g.outWidth, WORKGROUP), rows]);
}

/** dinp (rows, C, H, W), stored in `layout` = the sum of dcol (rows · P, kh · kw · C) onto the elements im2col read. */
export function col2im(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: ConvGeometry, layout: Layout,
  t: { dcol: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims('col2im', g, layout), [t.dcol, t.dinp], (rows) => [ceilDiv(g.height * g.width, WORKGROUP), rows]);
}
