// Max and average pooling (shaders/pool.wgsl), forward and backward, in either layout.
// inp and dinp (rows, C, H, W); out and dout (rows, C, outHeight, outWidth). And the backward of a 2 × 2 max
// pool fused into the convolution before it (unpool), from the winners that convolution recorded.

import type { Gpu } from '../runtime/gpu';
import { type Layout, strides } from './layout';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

export type PoolKind = 'max' | 'average';

/** A pooling layer's input (C, H, W), output size, window and stride. */
export interface PoolGeometry {
  channels: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  size: [number, number];
  stride: [number, number];
}

const WORKGROUP = 64;

/** Whether no two windows share a value: the backward pass then writes each window's tile of dinp. */
const tiles = (g: PoolGeometry) => g.stride[0] >= g.size[0] && g.stride[1] >= g.size[1];

/** Whether a thread takes 4 channels at a time (vec4 loads and stores): channels last, a multiple of 4 of them, and tiles backward. */
const lanes = (g: PoolGeometry, layout: Layout, pass: 'forward' | 'backward') =>
  (layout === 'hwc' && g.channels % 4 === 0 && (pass === 'forward' || tiles(g)) ? 4 : 1);

export function poolPipeline(gpu: Gpu, kind: PoolKind, pass: 'forward' | 'backward', g: PoolGeometry, layout: Layout): Promise<GPUComputePipeline> {
  const bindings = pass === 'forward' ? (['uniform', 'read', 'write'] as const) : (['uniform', 'read', 'read', 'write'] as const);
  const flags = { forward: pass === 'forward', max: kind === 'max', tiles: pass === 'backward' && tiles(g), vec4: lanes(g, layout, pass) === 4, unpool: false };
  return kernel(gpu, 'pool.wgsl', flags, { WORKGROUP, SIZE_H: g.size[0], SIZE_W: g.size[1] }, [...bindings]);
}

/** Channels the unpool takes at once: its tensors are always channels last. */
const unpoolLanes = (g: PoolGeometry) => (g.channels % 4 === 0 ? 4 : 1);

/** A 2 × 2 max pool's backward from the winners a fused convolution recorded (channels last; 4 at a time when a multiple of 4). */
export function unpoolPipeline(gpu: Gpu, g: PoolGeometry): Promise<GPUComputePipeline> {
  const flags = { forward: false, max: true, tiles: true, vec4: unpoolLanes(g) === 4, unpool: true };
  return kernel(gpu, 'pool.wgsl', flags, { WORKGROUP }, ['uniform', 'read', 'read', 'write']);
}

/** Sizes and strides, counted in the values a thread reads at once (4 channels with vec4). */
function dims(g: PoolGeometry, layout: Layout, pass: 'forward' | 'backward'): Uint32Array {
  const channels = g.channels / lanes(g, layout, pass);
  return new Uint32Array([channels, g.height, g.width, ...strides(layout, channels, g.height, g.width),
    g.outHeight, g.outWidth, ...strides(layout, channels, g.outHeight, g.outWidth), ...g.stride]);
}

/** out = the max (or mean) of each window of inp */
export function poolForward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: PoolGeometry, layout: Layout,
  t: { inp: Tensor; out: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims(g, layout, 'forward'), [t.inp, t.out], (rows) => [ceilDiv(g.outHeight * g.outWidth, WORKGROUP), rows]);
}

/**
 * dinp (rows, 4 · windows, C), the product of a convolution whose positions come window by window (see
 * productPositions in ops/conv2d.ts) = dout (rows, windows, C) where argmax says each row won, else 0
 */
export function unpool(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: PoolGeometry,
  t: { argmax: Tensor; dout: Tensor; dinp: Tensor }): Op {
  const channels = g.channels / unpoolLanes(g);
  const dims = new Uint32Array([channels, g.height, g.width, 0, 0, 0, g.outHeight, g.outWidth, 0, 0, 0, ...g.stride]);
  return makeOp(gpu, label, pipeline, dims, [t.argmax, t.dout, t.dinp], (rows) => [ceilDiv(g.outHeight * g.outWidth, WORKGROUP), rows]);
}

/** dinp = dout routed back to each window's maximum (or spread evenly over it) */
export function poolBackward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: PoolGeometry, layout: Layout,
  t: { inp: Tensor; dout: Tensor; dinp: Tensor }): Op {
  const positions = tiles(g) ? g.outHeight * g.outWidth : g.height * g.width; // a thread per window, or per input position
  return makeOp(gpu, label, pipeline, dims(g, layout, 'backward'), [t.inp, t.dout, t.dinp], (rows) => [ceilDiv(positions, WORKGROUP), rows]);
}
