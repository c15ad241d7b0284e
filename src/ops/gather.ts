// Batch gather of shaders/gather.wgsl: inp (rows, features) and batch labels (rows) from a dataset held on
// the GPU as bytes (or f32), in the order given by an index buffer, optionally augmented.

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

/** Random shifts and rotations applied per sample; the seed comes from each step record. */
export interface Augmentation {
  width: number;
  height: number;
  /** Whole pixels, each direction. */
  maxShift: number;
  /** Radians, either way. */
  maxAngle: number;
}

const WORKGROUP = 16;
/**
 * Consecutive features each thread fills. SwiftShader pays per invocation: a batch of 512 MNIST digits took
 * 4.8 ms with 4 per thread, 2.6-3.1 ms with 64 (6,500 threads, still plenty for a GPU).
 */
const PER_THREAD = 64;

/** Copies four values at a time where a sample's `features` are a multiple of 4 (not augmenting). */
export function gatherPipeline(gpu: Gpu, bytes: boolean, augment: boolean, features: number): Promise<GPUComputePipeline> {
  const vec4 = !augment && features % 4 === 0;
  return kernel(gpu, 'gather.wgsl', { bytes, augment, vec4 }, { WORKGROUP, PER_THREAD }, ['uniform', 'read', 'read', 'read', 'write', 'write']);
}

export function gather(gpu: Gpu, pipeline: GPUComputePipeline, label: string, features: number, augment: Augmentation | undefined,
  t: { images: Tensor; labels: Tensor; order: Tensor; inp: Tensor; batchLabels: Tensor }): Op {
  const dims = new ArrayBuffer(32);
  new Uint32Array(dims, 0, 4).set([features, augment?.width ?? 0, augment?.height ?? 0, augment?.maxShift ?? 0]);
  new Float32Array(dims, 16, 1).set([augment?.maxAngle ?? 0]);
  return makeOp(gpu, label, pipeline, new Uint8Array(dims), [t.images, t.labels, t.order, t.inp, t.batchLabels],
    (rows) => [ceilDiv(features, WORKGROUP * PER_THREAD), rows]);
}
