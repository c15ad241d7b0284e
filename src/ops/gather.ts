// Batch gather of shaders/gather.wgsl: inp (rows, features) and batch labels (rows) from a dataset held on
// the GPU as bytes (or f32), in the order given by an index buffer.

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

export function gatherPipeline(gpu: Gpu, bytes: boolean): Promise<GPUComputePipeline> {
  return kernel(gpu, 'gather.wgsl', { bytes }, { WORKGROUP }, ['uniform', 'read', 'read', 'read', 'write', 'write']);
}

export function gather(gpu: Gpu, pipeline: GPUComputePipeline, label: string, features: number,
  t: { images: Tensor; labels: Tensor; order: Tensor; inp: Tensor; batchLabels: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([features]), [t.images, t.labels, t.order, t.inp, t.batchLabels],
    (rows) => [ceilDiv(features, WORKGROUP), rows]);
}
