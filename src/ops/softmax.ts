// The output layer of shaders/softmax.wgsl: softmax, loss, accuracy and dlogits. logits (rows, classes),
// labels (rows) u32, stats (see plan.ts) accumulated, dlogits and probs (rows, classes).

import type { Gpu } from '../runtime/gpu';
import { kernel, makeOp, type Op, type Tensor } from './op';

export type LossName = 'cross-entropy' | 'mse';
export type SoftmaxMode = 'train' | 'evaluate' | 'predict';

/**
 * The kernel runs one workgroup of `rows` threads rounded up to a power of two, at most 256: each level of
 * its tree reduction costs a barrier, which CPU adapters pay dearly for, so small batches get fewer.
 */
export function softmaxPipeline(gpu: Gpu, mode: SoftmaxMode, loss: LossName, rows = 256): Promise<GPUComputePipeline> {
  const workgroup = Math.min(256, 2 ** Math.ceil(Math.log2(Math.max(1, rows))));
  const flags = {
    train: mode === 'train',
    predict: mode === 'predict',
    hasLabels: mode !== 'predict',
    crossEntropy: loss === 'cross-entropy',
    mse: loss === 'mse',
  };
  const bindings = mode === 'predict'
    ? (['uniform', 'read', 'write'] as const)
    : mode === 'evaluate'
      ? (['uniform', 'read', 'read', 'write'] as const)
      : (['uniform', 'read', 'read', 'write', 'write'] as const);
  return kernel(gpu, 'softmax.wgsl', flags, { WORKGROUP: workgroup }, [...bindings]);
}

/** Loss and accuracy into stats and, with `dlogits`, the gradient of the mean loss (train mode). */
export function softmaxLoss(gpu: Gpu, pipeline: GPUComputePipeline, label: string, classes: number,
  t: { logits: Tensor; labels: Tensor; stats: Tensor; dlogits?: Tensor }): Op {
  const tensors = [t.logits, t.labels, t.stats, ...(t.dlogits ? [t.dlogits] : [])];
  return makeOp(gpu, label, pipeline, new Uint32Array([classes]), tensors, () => [1, 1]);
}

export function softmaxPredict(gpu: Gpu, pipeline: GPUComputePipeline, label: string, classes: number,
  t: { logits: Tensor; probs: Tensor }): Op {
  return makeOp(gpu, label, pipeline, new Uint32Array([classes]), [t.logits, t.probs], () => [1, 1]);
}
