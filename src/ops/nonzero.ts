// Nonzero masks of a batch of input data (shaders/nonzero.wgsl), for the sparse products of matmul.ts.
// inp (rows, features); the mask is (blocks of 16, words of 32 bits) u32: by rows, (rows / 16, features / 32);
// by columns, (features / 16, rows / 32).

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

export function nonzeroPipeline(gpu: Gpu, byRows: boolean): Promise<GPUComputePipeline> {
  return kernel(gpu, 'nonzero.wgsl', { byRows }, { WORKGROUP }, ['uniform', 'read', 'write']);
}

/** Words of the mask of a batch of `rows` × `features`. */
export function nonzeroMaskWords(byRows: boolean, rows: number, features: number): number {
  const [blocked, bits] = byRows ? [rows, features] : [features, rows];
  return ceilDiv(blocked, 16) * ceilDiv(bits, 32);
}

export function nonzeroMask(gpu: Gpu, pipeline: GPUComputePipeline, label: string, features: number, byRows: boolean,
  t: { inp: Tensor; mask: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([features]), [t.inp, t.mask], (rows) => {
    const [blocked, bits] = byRows ? [rows, features] : [features, rows];
    return [ceilDiv(ceilDiv(bits, 32), WORKGROUP), ceilDiv(blocked, 16)];
  });
}
