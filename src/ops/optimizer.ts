// The optimizer update of shaders/optimizer.wgsl over the flat parameter buffer (weights first, then biases).

import type { Gpu } from '../runtime/gpu';
import { kernel, makeOp, type Op, type Tensor } from './op';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerSettings {
  optimizer: OptimizerName;
  /** SGD momentum; 0 is plain SGD. */
  momentum: number;
  /** L2 penalty l2/2·‖W‖² on weights (not biases). */
  l2: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Which kernel variant the settings need: plain SGD, SGD with a velocity buffer, or Adam. */
export type OptimizerKind = 'sgd' | 'momentum' | 'adam';
export const optimizerKind = (s: OptimizerSettings): OptimizerKind =>
  s.optimizer === 'adam' ? 'adam' : s.momentum > 0 ? 'momentum' : 'sgd';

/** How many state buffers (each the size of the parameters) the kind keeps: velocity, or Adam's m and v. */
export const stateBuffers = (kind: OptimizerKind): number => (kind === 'adam' ? 2 : kind === 'momentum' ? 1 : 0);

const WORKGROUP = 256;

export function optimizerPipeline(gpu: Gpu, kind: OptimizerKind): Promise<GPUComputePipeline> {
  const flags = { sgd: kind === 'sgd', momentum: kind === 'momentum', adam: kind === 'adam' };
  return kernel(gpu, 'optimizer.wgsl', flags, { WORKGROUP }, ['uniform', 'write', 'read', 'read', ...Array<'write'>(stateBuffers(kind)).fill('write')]);
}

/**
 * `state` holds the optimizer's buffers: [velocity] for momentum, [m, v] for Adam, [] for SGD. `stats` is the
 * training plan's (see plan.ts): once it says the loss diverged, the update leaves everything as it is.
 * The kernel works on vec4s: `size` and `weightCount` (floats) must be multiples of 4.
 */
export function optimizerUpdate(gpu: Gpu, pipeline: GPUComputePipeline, label: string, size: number, weightCount: number,
  settings: OptimizerSettings, t: { param: Tensor; grad: Tensor; stats: Tensor; state: Tensor[] }): Op {
  if (size % 4 !== 0 || weightCount % 4 !== 0) throw new Error(`${label}: sizes ${size} and ${weightCount} must be multiples of 4`);
  const uniform = new ArrayBuffer(32);
  new Uint32Array(uniform, 0, 2).set([size / 4, weightCount / 4]);
  new Float32Array(uniform, 8, 5).set([settings.l2, settings.momentum, settings.beta1, settings.beta2, settings.epsilon]);
  return makeOp(gpu, label, pipeline, new Uint8Array(uniform), [t.param, t.grad, t.stats, ...t.state], () => gpu.grid1d(size / 4, WORKGROUP));
}
