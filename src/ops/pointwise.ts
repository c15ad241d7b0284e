// Per-value layers (shaders/pointwise.wgsl): an activation, flatten's reordering and dropout, forward and
// backward. inp, out, dout and dinp are (rows, features).

import type { Gpu } from '../runtime/gpu';
import { type Activation, activationConstants } from './activation';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

/** How a row's values are stored: (C, H, W), or channelsLast (H, W, C); permute writes channelsLast values as (C, H, W). */
export interface PointwiseShape {
  channels: number;
  /** height · width */
  positions: number;
  channelsLast: boolean;
  permute: boolean;
}

/** Dropout's rate and the salt that gives each layer its own masks. */
export interface Dropout {
  rate: number;
  salt: number;
}

const WORKGROUP = 64;
const PER_THREAD = 16;

/**
 * The kernel for `pass`: forward applies `activation` (the layer's own), backward multiplies by its derivative
 * (the previous layer's activation).
 */
export function pointwisePipeline(gpu: Gpu, pass: 'forward' | 'backward', activation: Activation, shape: PointwiseShape,
  dropout: boolean): Promise<GPUComputePipeline> {
  const flags = { forward: pass === 'forward', channelsLast: shape.channelsLast, permute: shape.permute, dropout };
  const bindings = pass === 'forward' ? (['uniform', 'read', 'write'] as const) : (['uniform', 'read', 'read', 'write'] as const);
  return kernel(gpu, 'pointwise.wgsl', flags, { WORKGROUP, PER_THREAD, ...activationConstants(activation) }, [...bindings]);
}

/** What dropout's rate becomes on the GPU: the rate as float32 and the scale 1 / (1 - rate) of the kept values. */
function dropoutScale(rate: number): { rate: number; scale: number } {
  return { rate: Math.fround(rate), scale: Math.fround(1 / (1 - rate)) };
}

function dims(shape: PointwiseShape, dropout: Dropout | undefined): Uint8Array {
  const bytes = new ArrayBuffer(24);
  new Uint32Array(bytes, 0, 4).set([shape.channels * shape.positions, shape.channels, shape.positions, dropout?.salt ?? 0]);
  const { rate, scale } = dropoutScale(dropout?.rate ?? 0);
  new Float32Array(bytes, 16, 2).set([rate, scale]);
  return new Uint8Array(bytes);
}

const grid = (shape: PointwiseShape) => (rows: number): [number, number] =>
  [ceilDiv(shape.channels * shape.positions, WORKGROUP * PER_THREAD), rows];

/** out = act(inp · keep) */
export function pointwiseForward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, shape: PointwiseShape,
  dropout: Dropout | undefined, t: { inp: Tensor; out: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims(shape, dropout), [t.inp, t.out], grid(shape));
}

/** dinp = dout · keep · act'(inp) */
export function pointwiseBackward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, shape: PointwiseShape,
  dropout: Dropout | undefined, t: { inp: Tensor; dout: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, pipeline, dims(shape, dropout), [t.inp, t.dout, t.dinp], grid(shape));
}
