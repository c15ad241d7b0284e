// dbias = column sums of dout (shaders/bias_grad.wgsl). dout (rows · positions, n_out), dbias (n_out), or with
// perSample (rows, n_out): each sample's sum, for a second pass to add up.

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

export function biasGradPipeline(gpu: Gpu, perSample = false): Promise<GPUComputePipeline> {
  return kernel(gpu, 'bias_grad.wgsl', { perSample }, { WORKGROUP }, ['uniform', 'read', 'write']);
}

/** `positions`: rows of dout per sample (1 for a dense layer, output positions for a convolution). */
export function biasGrad(gpu: Gpu, pipeline: GPUComputePipeline, label: string, nOut: number, positions: number,
  t: { dout: Tensor; dbias: Tensor }, perSample = false): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([nOut, positions]), [t.dout, t.dbias], (rows) => [ceilDiv(nOut, WORKGROUP), perSample ? rows : 1]);
}
