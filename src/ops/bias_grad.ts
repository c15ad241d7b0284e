// dbias = column sums of dout (shaders/bias_grad.wgsl). dout (rows · positions, n_out), dbias (n_out), or with
// perSample (rows, n_out): each sample's sum, for a second pass to add up.

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

/** Columns a thread sums: 4 side by side (vec4) where there is a multiple of 4 of them. */
const lanes = (nOut: number) => (nOut % 4 === 0 ? 4 : 1);

export function biasGradPipeline(gpu: Gpu, nOut: number, perSample = false): Promise<GPUComputePipeline> {
  return kernel(gpu, 'bias_grad.wgsl', { perSample, vec4: lanes(nOut) === 4 }, { WORKGROUP }, ['uniform', 'read', 'write']);
}

/** `positions`: rows of dout per sample (1 for a dense layer, output positions for a convolution). */
export function biasGrad(gpu: Gpu, pipeline: GPUComputePipeline, label: string, nOut: number, positions: number,
  t: { dout: Tensor; dbias: Tensor }, perSample = false): Op {
  const groups = nOut / lanes(nOut);
  return makeOp(gpu, label, pipeline, new Uint32Array([groups, positions]), [t.dout, t.dbias], (rows) => [ceilDiv(groups, WORKGROUP), perSample ? rows : 1]);
}
