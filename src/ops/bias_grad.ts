// dbias = column sums of dout (shaders/bias_grad.wgsl). dout (rows, n_out), dbias (n_out).

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

export function biasGradPipeline(gpu: Gpu): Promise<GPUComputePipeline> {
  return kernel(gpu, 'bias_grad.wgsl', {}, { WORKGROUP }, ['uniform', 'read', 'write']);
}

export function biasGrad(gpu: Gpu, pipeline: GPUComputePipeline, label: string, nOut: number,
  t: { dout: Tensor; dbias: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([nOut]), [t.dout, t.dbias], () => [ceilDiv(nOut, WORKGROUP), 1]);
}
