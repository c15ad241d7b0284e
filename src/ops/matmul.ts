// The dense-layer products of shaders/matmul.wgsl: forward (with bias and activation), and the two
// backward products. Shapes: inp (rows, n_in), weight (n_out, n_in), bias (n_out), out (rows, n_out), with
// rows = step rows · positions (1 for a dense layer; a convolution's output positions per sample).
// The sparse variants take inp's nonzero mask (ops/nonzero.ts) and skip its zero blocks.

import type { Binding, Gpu } from '../runtime/gpu';
import { type Activation, activationFlags } from './activation';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

export type MatmulVariant = 'forward' | 'backwardInput' | 'backwardWeight';
export interface LayerDims {
  nIn: number;
  nOut: number;
  /** Rows of the product per sample: 1 for a dense layer (the default), output positions for a convolution. */
  positions?: number;
}

/** How the product is computed: workgroup-memory tiles of tile × tile, or 16 × 16 register blocks per thread. */
export interface MatmulStrategy {
  tiled: boolean;
  /** The workgroup is tile × tile threads. */
  tile: number;
}
export const TILED: MatmulStrategy = { tiled: true, tile: 16 };
export const BLOCKED: MatmulStrategy = { tiled: false, tile: 4 }; // small workgroups: enough of them for every core

/** How many rows (m) and columns (n) of C one workgroup of the strategy covers. */
export function matmulCover(strategy: MatmulStrategy): { m: number; n: number } {
  const side = strategy.tiled ? strategy.tile : strategy.tile * 16;
  return { m: side, n: side };
}

/** A compiled variant and how many rows (m) and columns (n) of C one workgroup covers. */
export interface MatmulKernel {
  pipeline: GPUComputePipeline;
  cover: { m: number; n: number };
  /** Skips inp's zero blocks; backwardWeight then computes dweightᵀ = inpᵀ · dout, of (n_in, n_out). */
  sparse: boolean;
}

/**
 * Compiles a variant. `sparse` (forward and backwardWeight, register-blocked only) adds a binding for inp's
 * nonzero mask: by rows for forward, by columns for backwardWeight.
 */
export async function matmulKernel(gpu: Gpu, variant: MatmulVariant, activation: Activation, strategy: MatmulStrategy,
  sparse = false): Promise<MatmulKernel> {
  if (sparse && (strategy.tiled || variant === 'backwardInput')) throw new Error(`matmul: no sparse ${variant} for this strategy`);
  const flags = {
    forward: variant === 'forward',
    backwardInput: variant === 'backwardInput',
    backwardWeight: variant === 'backwardWeight',
    ...activationFlags(activation),
    tiled: strategy.tiled,
    sparse,
  };
  const bindings: Binding[] = variant === 'backwardWeight' ? ['uniform', 'read', 'read', 'write'] : ['uniform', 'read', 'read', 'read', 'write'];
  if (sparse) bindings.push('read');
  const pipeline = await kernel(gpu, 'matmul.wgsl', flags, { TILE: strategy.tile, ALPHA: activation.alpha }, bindings);
  return { pipeline, cover: matmulCover(strategy), sparse };
}

const dimsOf = (d: LayerDims) => new Uint32Array([d.nIn, d.nOut, d.positions ?? 1]);

/** out = act(inp · weightᵀ + bias); `mask`: inp's nonzero mask by rows, for a sparse kernel */
export function matmulForward(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { inp: Tensor; weight: Tensor; bias: Tensor; out: Tensor; mask?: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.inp, t.weight, t.bias, t.out, ...(t.mask ? [t.mask] : [])],
    (rows) => [ceilDiv(dims.nOut, k.cover.n), ceilDiv(rows * (dims.positions ?? 1), k.cover.m)]);
}

/** dinp = (dout · weight) ⊙ act'(inp), with inp the previous layer's activated output */
export function matmulBackwardInput(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Tensor; weight: Tensor; inp: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.dout, t.weight, t.inp, t.dinp],
    (rows) => [ceilDiv(dims.nIn, k.cover.n), ceilDiv(rows * (dims.positions ?? 1), k.cover.m)]);
}

/** dweight = doutᵀ · inp; `mask`: inp's nonzero mask by columns, for a sparse kernel */
export function matmulBackwardWeight(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Tensor; inp: Tensor; dweight: Tensor; mask?: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.dout, t.inp, t.dweight, ...(t.mask ? [t.mask] : [])],
    () => (k.sparse ? [ceilDiv(dims.nOut, k.cover.n), ceilDiv(dims.nIn, k.cover.m)] : [ceilDiv(dims.nIn, k.cover.n), ceilDiv(dims.nOut, k.cover.m)]));
}
