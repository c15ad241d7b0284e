// Batch normalization's kernels (shaders/batch_norm_stats.wgsl and shaders/batch_norm.wgsl): per-channel
// statistics and running statistics, normalizing, and the backward sums and input gradient. Values are
// (rows, features), a sample's stored as `shape` says; statistics are per channel over rows and positions.

import type { Gpu } from '../runtime/gpu';
import { type Activation, activationConstants } from './activation';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';
import type { PointwiseShape } from './pointwise';

const WORKGROUP = 64;

export interface NormShape extends PointwiseShape {
  epsilon: number;
  momentum: number;
}

export function batchNormStatsPipeline(gpu: Gpu, pass: 'forward' | 'backward'): Promise<GPUComputePipeline> {
  const bindings = pass === 'forward' ? (['uniform', 'read', 'write', 'write', 'write'] as const) : (['uniform', 'read', 'read', 'read', 'write', 'write'] as const);
  return kernel(gpu, 'batch_norm_stats.wgsl', { backward: pass === 'backward' }, {}, [...bindings]);
}

/**
 * normalize: with the batch's statistics (training) or the running ones, then `activation` (the layer's);
 * inputGrad: dinp, through `activation`'s derivative (the previous layer's).
 */
export function batchNormPipeline(gpu: Gpu, variant: 'normalize' | 'running' | 'inputGrad', activation: Activation): Promise<GPUComputePipeline> {
  const bindings = {
    normalize: ['uniform', 'read', 'read', 'read', 'read', 'write'],
    running: ['uniform', 'read', 'read', 'read', 'read', 'read', 'write'],
    inputGrad: ['uniform', 'read', 'read', 'read', 'read', 'read', 'read', 'write'],
  } as const;
  const flags = { running: variant === 'running', backward: variant === 'inputGrad' };
  return kernel(gpu, 'batch_norm.wgsl', flags, { WORKGROUP, ...activationConstants(activation) }, [...bindings[variant]]);
}

function statsDims(s: NormShape): Uint8Array {
  const bytes = new ArrayBuffer(20);
  new Uint32Array(bytes, 0, 3).set([s.channels, s.positions, s.channelsLast ? 1 : 0]);
  new Float32Array(bytes, 12, 2).set([s.momentum, s.epsilon]);
  return new Uint8Array(bytes);
}

function valueDims(s: NormShape): Uint8Array {
  const bytes = new ArrayBuffer(16);
  new Uint32Array(bytes, 0, 3).set([s.channels, s.positions, s.channelsLast ? 1 : 0]);
  new Float32Array(bytes, 12, 1).set([s.epsilon]);
  return new Uint8Array(bytes);
}

const perChannel = (s: NormShape) => (): [number, number] => [s.channels, 1];
const perValue = (s: NormShape) => (rows: number): [number, number] => [ceilDiv(s.channels * s.positions, WORKGROUP), rows];

/** batch = (mean, inv_std) per channel of inp; the running statistics move towards the batch's. */
export function batchNormStats(gpu: Gpu, pipeline: GPUComputePipeline, label: string, s: NormShape,
  t: { inp: Tensor; batch: Tensor; runningMean: Tensor; runningVar: Tensor }): Op {
  return makeOp(gpu, label, pipeline, statsDims(s), [t.inp, t.batch, t.runningMean, t.runningVar], perChannel(s));
}

/** out = act(γ · (inp - mean) · inv_std + β), with the batch's statistics, or (running given) the running ones. */
export function batchNormForward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, s: NormShape,
  t: { inp: Tensor; gamma: Tensor; beta: Tensor; out: Tensor } & ({ batch: Tensor } | { runningMean: Tensor; runningVar: Tensor })): Op {
  const statistics = 'batch' in t ? [t.batch] : [t.runningMean, t.runningVar];
  return makeOp(gpu, label, pipeline, valueDims(s), [t.inp, t.gamma, t.beta, ...statistics, t.out], perValue(s));
}

/** dgamma = Σ dout · x̂, dbeta = Σ dout, per channel. */
export function batchNormParamGrads(gpu: Gpu, pipeline: GPUComputePipeline, label: string, s: NormShape,
  t: { inp: Tensor; batch: Tensor; dout: Tensor; dgamma: Tensor; dbeta: Tensor }): Op {
  return makeOp(gpu, label, pipeline, statsDims(s), [t.inp, t.batch, t.dout, t.dgamma, t.dbeta], perChannel(s));
}

/** dinp = γ · inv_std / n · (n · dout - dbeta - x̂ · dgamma) ⊙ act'(inp) */
export function batchNormInputGrad(gpu: Gpu, pipeline: GPUComputePipeline, label: string, s: NormShape,
  t: { inp: Tensor; gamma: Tensor; batch: Tensor; dout: Tensor; dgamma: Tensor; dbeta: Tensor; dinp: Tensor }): Op {
  return makeOp(gpu, label, pipeline, valueDims(s), [t.inp, t.gamma, t.batch, t.dout, t.dgamma, t.dbeta, t.dinp], perValue(s));
}
