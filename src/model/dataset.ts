// A dataset held on the GPU for one fit/evaluate/predict call: pixels uploaded once as bytes (or floats),
// labels as bytes, and the order buffer that each epoch's shuffle rewrites.

import type { Gpu } from '../runtime/gpu';
import { datasetOrder } from './batch_order';
import type { Dataset } from './config';

export interface GpuDataset {
  count: number;
  bytes: boolean;
  /** (count, features) bytes packed four to a u32, or f32 */
  images: GPUBuffer;
  /** (count) bytes packed four to a u32 */
  labels: GPUBuffer;
  /** (count) u32 sample indices: the order in which batches take samples */
  order: GPUBuffer;
}

/** Uploads `d` (already checked), to be taken in `order`; `label` names the buffers. Release with releaseDataset. */
export function uploadDataset(gpu: Gpu, label: string, d: Dataset, order = datasetOrder(d.count)): GpuDataset {
  gpu.checkStorageSize(`${label}.images`, d.images.byteLength);
  const storage = GPUBufferUsage.STORAGE;
  return {
    count: d.count,
    bytes: d.images instanceof Uint8Array,
    images: gpu.upload(`${label}.images`, d.images, storage),
    labels: gpu.upload(`${label}.labels`, d.labels, storage),
    order: gpu.upload(`${label}.order`, order, storage),
  };
}

export function releaseDataset(gpu: Gpu, data: GpuDataset): void {
  for (const buffer of [data.images, data.labels, data.order]) gpu.release(buffer);
}
