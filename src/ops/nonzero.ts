// Nonzero masks of a batch of input data (shaders/nonzero.wgsl), for the sparse products of matmul.ts.
// inp (rows, features); two masks of (blocks of 16, words of 32 bits) u32: by rows, (rows / 16, features / 32),
// and by columns, (features / 16, rows / 32).

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 4; // 4 × 4 threads, each reading a tile of 32 × 32 values

export function nonzeroPipeline(gpu: Gpu): Promise<GPUComputePipeline> {
  return kernel(gpu, 'nonzero.wgsl', {}, { WORKGROUP }, ['uniform', 'read', 'write', 'write']);
}

/** Words of each mask of a batch of `rows` × `features`. */
export function nonzeroMaskWords(rows: number, features: number): { byRows: number; byColumns: number } {
  return { byRows: ceilDiv(rows, 16) * ceilDiv(features, 32), byColumns: ceilDiv(features, 16) * ceilDiv(rows, 32) };
}

export function nonzeroMasks(gpu: Gpu, pipeline: GPUComputePipeline, label: string, features: number,
  t: { inp: Tensor; byRows: Tensor; byColumns: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([features]), [t.inp, t.byRows, t.byColumns],
    (rows) => [ceilDiv(features, 32 * WORKGROUP), ceilDiv(rows, 32 * WORKGROUP)]);
}
