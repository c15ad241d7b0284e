// The data movement of a convolution (shaders/conv2d.wgsl): im2col builds the (rows · P, C · kh · kw) matrix of
// patches that matmul.ts multiplies by the weight, and col2im sums its gradient back onto the input.

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
}

const WORKGROUP = 64;

export function conv2dPipeline(gpu: Gpu, variant: 'im2col' | 'col2im'): Promise<GPUComputePipeline> {
  return kernel(gpu, 'conv2d.wgsl', { im2col: variant === 'im2col' }, { WORKGROUP }, ['uniform', 'read', 'write']);
}

function dims(g: ConvGeometry, layout: Layout): Uint32Array {
  return new Uint32Array([g.channels, g.height, g.width, ...strides(layout, g.channels, g.height, g.width), g.outHeight, g.outWidth,
    ...g.kernel, ...g.stride, ...g.pad]);
}

/** col (rows · P, C · kh · kw) = the patches of inp (rows, C, H, W), stored in `layout`. */
export function im2col(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: ConvGeometry, layout: Layout,
  t: { inp: Tensor; col: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims(g, layout), [t.inp, t.col], (rows) => [ceilDiv(g.outHeight * g.outWidth, WORKGROUP), rows]);
}

/** dinp (rows, C, H, W), stored in `layout` = the sum of dcol (rows · P, C · kh · kw) onto the elements im2col read. */
export function col2im(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: ConvGeometry, layout: Layout,
  t: { dcol: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims(g, layout), [t.dcol, t.dinp], (rows) => [ceilDiv(g.height * g.width, WORKGROUP), rows]);
}
