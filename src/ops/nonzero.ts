// Nonzero masks of a batch of input data (shaders/nonzero.wgsl), for the sparse products of matmul.ts.
// inp (rows, features); two masks of (blocks, words of 32 bits) u32, a block being as many rows or columns as
// the products' register blocks: by rows, (rows / block, features / 32), and by columns, (features / block, rows / 32).

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 4; // 4 × 4 threads, each reading a tile of 32 × 32 values

/** Masks of blocks of `block` (8 or 16) rows or columns, for a batch of `features` values a row. */
export function nonzeroPipeline(gpu: Gpu, block: number, features: number): Promise<GPUComputePipeline> {
  if (block !== 8 && block !== 16) throw new Error(`nonzero: no masks of blocks of ${block}`);
  return kernel(gpu, 'nonzero.wgsl', { vec4: features % 4 === 0 }, { WORKGROUP, BLOCK: block }, ['uniform', 'read', 'write', 'write']);
}

/** Words of each mask of a batch of `rows` × `features`, in blocks of `block`. */
export function nonzeroMaskWords(rows: number, features: number, block: number): { byRows: number; byColumns: number } {
  return { byRows: ceilDiv(rows, block) * ceilDiv(features, 32), byColumns: ceilDiv(features, block) * ceilDiv(rows, 32) };
}

export function nonzeroMasks(gpu: Gpu, pipeline: GPUComputePipeline, label: string, features: number,
  t: { inp: Tensor; byRows: Tensor; byColumns: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([features]), [t.inp, t.byRows, t.byColumns],
    (rows) => [ceilDiv(features, 32 * WORKGROUP), ceilDiv(rows, 32 * WORKGROUP)]);
}
