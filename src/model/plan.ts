// Everything a model needs to run batches of up to `capacity` rows: activation and gradient buffers and
// the ops that read and write them. Built once per (model, capacity) and reused by every step.
// Indexing: layer l maps acts[l] (rows, layers[l]) to acts[l+1] with weights[l] (layers[l+1], layers[l]).

import type { Gpu } from '../runtime/gpu';
import { biasGrad, biasGradPipeline } from '../ops/bias_grad';
import { type Activation, matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel, type MatmulStrategy } from '../ops/matmul';
import { nonzeroMasks, nonzeroMaskWords, nonzeroPipeline } from '../ops/nonzero';
import type { Op } from '../ops/op';
import { softmaxLoss, softmaxPipeline } from '../ops/softmax';
import type { MLPSpec } from './config';
import { type ParamLayout, slotBinding } from './layout';

export interface Plan {
  capacity: number;
  /** acts[l]: (capacity, layers[l]); acts[0] is the gathered input, acts[L] the logits. */
  acts: GPUBuffer[];
  /** douts[l]: (capacity, layers[l]), ∂loss/∂(pre-activation) of acts[l], for l = 1..L; douts[L] is dlogits. */
  douts: GPUBuffer[];
  /** (capacity) u32 */
  batchLabels: GPUBuffer;
  /** Stats, accumulated until cleared */
  stats: GPUBuffer;
  statsReadback: GPUBuffer;
  layers: LayerOps[];
  /**
   * Where acts[0] is nonzero, for layer 0's sparse products (register-blocked strategy only): by rows for
   * forward[0], by columns for weightGrad[0].
   */
  inputMasks?: Op;
  trainLoss: Op;
  evaluateLoss: Op;
  /** Every buffer made for this plan, to release with it. */
  owned: GPUBuffer[];
}

/** The ops of layer l. */
export interface LayerOps {
  /** acts[l+1] = act(acts[l] · weights[l]ᵀ + biases[l]) */
  forward: Op;
  /** dweights[l] = douts[l+1]ᵀ · acts[l] */
  weightGrad: Op;
  /** dbiases[l] = column sums of douts[l+1] */
  biasGrad: Op;
  /** douts[l] = (douts[l+1] · weights[l]) ⊙ act'(acts[l]); none for layer 0, whose input is data */
  inputGrad?: Op;
}

/** The running totals a plan's loss op accumulates: mirrors `struct Stats` in shaders/softmax.wgsl. */
export interface Stats {
  lossSum: number;
  correct: number;
  /** batchStart + 1 of the first training batch whose loss was NaN or infinite; 0 while none was. */
  divergedAt: number;
}

const STATS_BYTES = 12;
const IDENTITY: Activation = { name: 'identity', alpha: 0 };

/** Throws DeviceLimitError before anything is allocated if a batch of `capacity` rows cannot fit. */
export function checkPlanFits(gpu: Gpu, spec: MLPSpec, capacity: number): void {
  spec.layers.forEach((width, l) => gpu.checkStorageSize(`acts[${l}] (${capacity} × ${width} floats)`, capacity * width * 4));
}

export async function buildPlan(gpu: Gpu, label: string, spec: MLPSpec, layout: ParamLayout,
  params: GPUBuffer, grads: GPUBuffer, capacity: number, matmul: MatmulStrategy): Promise<Plan> {
  checkPlanFits(gpu, spec, capacity);
  const L = spec.layers.length - 1;
  const hiddenActivation = spec.activation;
  // Layer 0's input is data, often mostly zeros (MNIST: 81%): where the strategy allows, its products skip
  // the zero blocks, guided by the input masks.
  const sparse = !matmul.tiled;
  const activationOf = (l: number) => (l === L - 1 ? IDENTITY : hiddenActivation);
  const [forwardHidden, forwardOut, forwardInput, backwardInput, backwardWeight, backwardWeightInput, biasGradKernel, trainKernel,
    evaluateKernel, nonzeroKernel] = await Promise.all([
    matmulKernel(gpu, 'forward', hiddenActivation, matmul),
    matmulKernel(gpu, 'forward', IDENTITY, matmul),
    matmulKernel(gpu, 'forward', activationOf(0), matmul, sparse),
    matmulKernel(gpu, 'backwardInput', hiddenActivation, matmul),
    matmulKernel(gpu, 'backwardWeight', IDENTITY, matmul),
    matmulKernel(gpu, 'backwardWeight', IDENTITY, matmul, sparse),
    biasGradPipeline(gpu),
    softmaxPipeline(gpu, 'train', spec.loss, capacity),
    softmaxPipeline(gpu, 'evaluate', spec.loss, capacity),
    sparse ? nonzeroPipeline(gpu) : undefined,
  ]);

  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const acts = spec.layers.map((width, l) => gpu.buffer(`${label}.acts[${l}]`, capacity * width * 4, storage));
  // douts[0] is never used (layer 0 has no inputGrad); it aliases acts[0] only to keep indices aligned.
  const douts = spec.layers.map((width, l) => (l === 0 ? acts[0] : gpu.buffer(`${label}.douts[${l}]`, capacity * width * 4, storage)));
  const batchLabels = gpu.buffer(`${label}.batchLabels`, capacity * 4, storage);
  const stats = gpu.buffer(`${label}.stats`, STATS_BYTES, storage | GPUBufferUsage.COPY_DST);
  const statsReadback = gpu.buffer(`${label}.stats.readback`, STATS_BYTES, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);

  const features = spec.layers[0];
  const words = nonzeroMaskWords(capacity, features);
  const masks = sparse ? {
    byRows: { buffer: gpu.buffer(`${label}.mask.byRows`, words.byRows * 4, storage) },
    byColumns: { buffer: gpu.buffer(`${label}.mask.byColumns`, words.byColumns * 4, storage) },
  } : undefined;
  const inputMasks = masks && nonzeroKernel && nonzeroMasks(gpu, nonzeroKernel, `${label}.inputMasks`, features, { inp: { buffer: acts[0] }, ...masks });
  const weight = (l: number) => slotBinding(params, layout.weights[l]);
  const bias = (l: number) => slotBinding(params, layout.biases[l]);
  const dims = (l: number) => ({ nIn: spec.layers[l], nOut: spec.layers[l + 1] });
  const layers = [...Array(L).keys()];
  const classes = spec.layers[L];

  const lossTensors = { logits: { buffer: acts[L] }, labels: { buffer: batchLabels }, stats: { buffer: stats } };
  const trainLoss = softmaxLoss(gpu, trainKernel, `${label}.trainLoss`, classes, { ...lossTensors, dlogits: { buffer: douts[L] } });
  const evaluateLoss = softmaxLoss(gpu, evaluateKernel, `${label}.evaluateLoss`, classes, lossTensors);
  const layerOps = layers.map((l): LayerOps => ({
    forward: matmulForward(gpu, l === 0 ? forwardInput : l === L - 1 ? forwardOut : forwardHidden, `${label}.forward[${l}]`, dims(l),
      { inp: { buffer: acts[l] }, weight: weight(l), bias: bias(l), out: { buffer: acts[l + 1] }, mask: l === 0 ? masks?.byRows : undefined }),
    weightGrad: matmulBackwardWeight(gpu, l === 0 ? backwardWeightInput : backwardWeight, `${label}.weightGrad[${l}]`, dims(l),
      { dout: { buffer: douts[l + 1] }, inp: { buffer: acts[l] }, dweight: slotBinding(grads, layout.weights[l]),
        mask: l === 0 ? masks?.byColumns : undefined }),
    biasGrad: biasGrad(gpu, biasGradKernel, `${label}.biasGrad[${l}]`, spec.layers[l + 1],
      { dout: { buffer: douts[l + 1] }, dbias: slotBinding(grads, layout.biases[l]) }),
    inputGrad: l === 0 ? undefined : matmulBackwardInput(gpu, backwardInput, `${label}.inputGrad[${l}]`, dims(l),
      { dout: { buffer: douts[l + 1] }, weight: weight(l), inp: { buffer: acts[l] }, dinp: { buffer: douts[l] } }),
  }));

  const ops = [trainLoss, evaluateLoss, ...layerOps.flatMap((o) => [o.forward, o.weightGrad, o.biasGrad, ...(o.inputGrad ? [o.inputGrad] : [])]),
    ...(inputMasks ? [inputMasks] : [])];
  return {
    capacity, acts, douts, batchLabels, stats, statsReadback, layers: layerOps, inputMasks, trainLoss, evaluateLoss,
    owned: [...acts, ...douts.slice(1), batchLabels, stats, statsReadback, ...(masks ? [masks.byRows.buffer, masks.byColumns.buffer] : []),
      ...ops.flatMap((op) => op.owned)],
  };
}

/** Queues setting the plan's stats (to zero by default), before the next batches accumulate into them. */
export function clearStats(gpu: Gpu, plan: Plan, from: Stats = { lossSum: 0, correct: 0, divergedAt: 0 }): void {
  const bytes = new ArrayBuffer(STATS_BYTES);
  new Float32Array(bytes, 0, 2).set([from.lossSum, from.correct]);
  new Uint32Array(bytes, 8, 1)[0] = from.divergedAt;
  gpu.device.queue.writeBuffer(plan.stats, 0, bytes);
}

/** Waits for the GPU and returns the plan's stats. */
export async function readStats(gpu: Gpu, plan: Plan): Promise<Stats> {
  const encoder = gpu.device.createCommandEncoder({ label: `${plan.stats.label}.read` });
  encoder.copyBufferToBuffer(plan.stats, 0, plan.statsReadback, 0, STATS_BYTES);
  gpu.device.queue.submit([encoder.finish()]);
  await plan.statsReadback.mapAsync(GPUMapMode.READ);
  const bytes = plan.statsReadback.getMappedRange();
  const [lossSum, correct] = new Float32Array(bytes, 0, 2);
  const divergedAt = new Uint32Array(bytes, 8, 1)[0];
  plan.statsReadback.unmap();
  gpu.check();
  return { lossSum, correct, divergedAt };
}
