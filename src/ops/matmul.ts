// The dense-layer products of shaders/matmul.wgsl: forward (with bias and activation), and the two
// backward products. Shapes: inp (rows, n_in), weight (n_out, n_in), bias (n_out), out (rows, n_out).

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

export type ActivationName = 'identity' | 'relu' | 'leaky_relu' | 'elu' | 'sigmoid' | 'tanh';
/** An activation and its parameter: the slope of leaky_relu or the alpha of elu (0 for the others). */
export interface Activation {
  name: ActivationName;
  alpha: number;
}
export type MatmulVariant = 'forward' | 'backwardInput' | 'backwardWeight';
export interface LayerDims {
  nIn: number;
  nOut: number;
}

/** How the product is computed: workgroup-memory tiles of tile × tile, or 16 × 16 register blocks per thread. */
export interface MatmulStrategy {
  tiled: boolean;
  /** The workgroup is tile × tile threads. */
  tile: number;
}
export const TILED: MatmulStrategy = { tiled: true, tile: 16 };
export const BLOCKED: MatmulStrategy = { tiled: false, tile: 4 }; // small workgroups: enough of them for every core

/** A compiled variant and how many rows (m) and columns (n) of C one workgroup covers. */
export interface MatmulKernel {
  pipeline: GPUComputePipeline;
  cover: { m: number; n: number };
}

export async function matmulKernel(gpu: Gpu, variant: MatmulVariant, activation: Activation, strategy: MatmulStrategy): Promise<MatmulKernel> {
  const name = activation.name;
  const flags = {
    forward: variant === 'forward',
    backwardInput: variant === 'backwardInput',
    backwardWeight: variant === 'backwardWeight',
    relu: name === 'relu',
    leakyRelu: name === 'leaky_relu',
    elu: name === 'elu',
    sigmoid: name === 'sigmoid',
    tanh: name === 'tanh',
    tiled: strategy.tiled,
  };
  const bindings = variant === 'backwardWeight'
    ? (['uniform', 'read', 'read', 'write'] as const)
    : (['uniform', 'read', 'read', 'read', 'write'] as const);
  const pipeline = await kernel(gpu, 'matmul.wgsl', flags, { TILE: strategy.tile, ALPHA: activation.alpha }, [...bindings]);
  const cover = strategy.tiled ? { m: strategy.tile, n: strategy.tile } : { m: strategy.tile * 16, n: strategy.tile * 16 };
  return { pipeline, cover };
}

const dimsOf = (d: LayerDims) => new Uint32Array([d.nIn, d.nOut]);

/** out = act(inp · weightᵀ + bias) */
export function matmulForward(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { inp: Tensor; weight: Tensor; bias: Tensor; out: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.inp, t.weight, t.bias, t.out],
    (rows) => [ceilDiv(dims.nOut, k.cover.n), ceilDiv(rows, k.cover.m)]);
}

/** dinp = (dout · weight) ⊙ act'(inp), with inp the previous layer's activated output */
export function matmulBackwardInput(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Tensor; weight: Tensor; inp: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.dout, t.weight, t.inp, t.dinp],
    (rows) => [ceilDiv(dims.nIn, k.cover.n), ceilDiv(rows, k.cover.m)]);
}

/** dweight = doutᵀ · inp */
export function matmulBackwardWeight(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Tensor; inp: Tensor; dweight: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.dout, t.inp, t.dweight],
    () => [ceilDiv(dims.nIn, k.cover.n), ceilDiv(dims.nOut, k.cover.m)]);
}
