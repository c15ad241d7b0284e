// Everything a model needs to run batches of up to `capacity` rows, for training or for inference: the
// buffers between layers and the ops that read and write them, built once per (model, capacity, purpose).
// acts[l] is layer l's input (capacity, its features): acts[0] the gathered batch, acts[L] the logits; a layer
// that aliases (e.g. a flatten of values already in order) hands its input buffer on as its output. A
// convolution fused with the 2 × 2 max pool after it writes the pool's output: acts[l + 1] is acts[l + 2]; an
// activation layer right after such a pool (with no activation of its own) is done in that product too, and
// hands its input on as its output.
// douts[l] (training) is ∂loss/∂(acts[l] before the activation of the layer that made it); douts[L] = dlogits.

import { featuresOf, type Layer, type LayerOps } from '../layers/layer';
import { type Activation, IDENTITY } from '../ops/activation';
import type { ConvStrategy } from '../ops/conv2d';
import type { Layout } from '../ops/layout';
import { matmulCover, type MatmulStrategy } from '../ops/matmul';
import type { Op } from '../ops/op';
import { type LossName, softmaxLoss, softmaxPipeline } from '../ops/softmax';
import type { Gpu } from '../runtime/gpu';
import { type ParamLayout, slotBinding, slotsOf } from './layout';

export interface Plan {
  capacity: number;
  training: boolean;
  acts: GPUBuffer[];
  /** How acts[l] stores each sample's values: (channel, row, column) or channels last. */
  layouts: Layout[];
  /** (capacity) u32 */
  batchLabels: GPUBuffer;
  /** Stats, accumulated until cleared */
  stats: GPUBuffer;
  statsReadback: GPUBuffer;
  /** Each layer's ops, in the model's order. */
  layers: LayerOps[];
  /** Softmax, loss and accuracy into stats; in a training plan, also dlogits. */
  loss: Op;
  /** Every buffer (and texture) made for this plan, to release with it. */
  owned: (GPUBuffer | GPUTexture)[];
}

/** The running totals a plan's loss op accumulates: mirrors `struct Stats` in shaders/softmax.wgsl. */
export interface Stats {
  lossSum: number;
  correct: number;
  /** batchStart + 1 of the first training batch whose loss was NaN or infinite; 0 while none was. */
  divergedAt: number;
}

const STATS_BYTES = 12;
/** Rows per inference plan, at most: one plan of this capacity serves every evaluate and predict call. */
const INFERENCE_ROWS = 1024;
/** Bytes an inference plan's buffers may take, about: a ConvNet's patches are large, so it gets fewer rows. */
const INFERENCE_BYTES = 64 * 2 ** 20;

/** The activation of the layer before layer l (identity for the data). */
const previousActivation = (layers: Layer[], l: number): Activation => (l === 0 ? IDENTITY : layers[l - 1].spec.activation);

/** The most rows a batch can have on this device: every dispatch's grid must stay within the device's limit. */
export function maxRows(gpu: Gpu, layers: Layer[], matmul: MatmulStrategy): number {
  const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension; // per-row grids (gather, convolutions' data movement)
  const productRows = Math.max(...layers.map((layer) => layer.productRows)); // matmul's grid covers rows · productRows
  return Math.min(limit, Math.floor((limit * matmulCover(matmul).m) / productRows));
}

/** Rows per inference plan: up to 1024, fewer where that many would take much memory or break a limit. */
export function inferenceCapacity(gpu: Gpu, layers: Layer[], matmul: MatmulStrategy): number {
  const bytesPerRow = 4 * layers.reduce((sum, layer) => sum + featuresOf(layer.output) + layer.scratchPerSample, featuresOf(layers[0].input));
  return Math.max(1, Math.min(INFERENCE_ROWS, maxRows(gpu, layers, matmul), Math.floor(INFERENCE_BYTES / bytesPerRow)));
}

/** Throws DeviceLimitError before anything is allocated if a batch of `capacity` rows cannot fit. */
export function checkPlanFits(gpu: Gpu, layers: Layer[], capacity: number): void {
  gpu.checkStorageSize(`acts[0] (${capacity} × ${featuresOf(layers[0].input)} floats)`, capacity * featuresOf(layers[0].input) * 4);
  layers.forEach((layer, l) => {
    const features = featuresOf(layer.output);
    gpu.checkStorageSize(`acts[${l + 1}] (${capacity} × ${features} floats)`, capacity * features * 4);
    if (layer.scratchPerSample > 0) {
      gpu.checkStorageSize(`layers[${l}] scratch (${capacity} × ${layer.scratchPerSample} floats)`, capacity * layer.scratchPerSample * 4);
    }
  });
}

/** How products and convolutions run on this adapter (src/model/autotune.ts). */
export interface Strategies {
  matmul: MatmulStrategy;
  conv: ConvStrategy;
  direct: boolean;
  /** Whether Winograd's forward products read its transformed weights from a texture. */
  texels: boolean;
  /** Whether a dense layer reading the data reads it, its weight and output gradient from textures. */
  dataTexels: boolean;
}

export async function buildPlan(gpu: Gpu, label: string, layers: Layer[], loss: LossName, layout: ParamLayout,
  params: GPUBuffer, grads: GPUBuffer, capacity: number, training: boolean, strategies: Strategies, fuse = true): Promise<Plan> {
  checkPlanFits(gpu, layers, capacity);
  const L = layers.length;
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const floats = (name: string, features: number) => gpu.buffer(`${label}.${name}`, capacity * features * 4, storage);

  // A layer may do the next one's work in its product (a convolution and the 2 × 2 max pool after it; see
  // Layer.fusesWith): it then writes the next layer's output, and its own is never stored. Without `fuse`,
  // every layer's output is stored.
  const fuses = layers.map((layer, l) => fuse && layer.fusesWith(layers[l + 1], strategies.conv));
  // act(max(window)) in the product's epilogue, for the pool (whose activation is the identity) and the
  // activation layer after it: that layer has no ops, and its gradient passes as it always does (the layer
  // after it applies act', from act's outputs).
  const absorbs = layers.map((layer, l) => fuses[l - 2] && layer.spec.type === 'activation' && layers[l - 1].spec.activation.name === 'identity');
  const layouts: Layout[] = ['chw']; // the data's order
  // The batch, as the gather writes it (or the autotune's made-up data, written from the CPU).
  const acts = [gpu.buffer(`${label}.acts[0]`, capacity * featuresOf(layers[0].input) * 4, storage | GPUBufferUsage.COPY_DST)];
  layers.forEach((layer, l) => {
    layouts.push(layer.outputLayout(layouts[l]));
    if (fuses[l - 1] || absorbs[l]) acts.push(acts[l]); // the pool's output (activated, after it), which the convolution before wrote
    else if (fuses[l]) acts.push(floats(`acts[${l + 2}]`, featuresOf(layers[l + 1].output)));
    else acts.push(layer.aliases(layouts[l], training) ? acts[l] : floats(`acts[${l + 1}]`, featuresOf(layer.output)));
  });
  const argmaxes = fuses.map((fused, l) => (fused ? gpu.buffer(`${label}.layers[${l}].argmax`, capacity * featuresOf(layers[l + 1].output) * 4, storage) : undefined));
  const fusedPool = (l: number) => { // for the convolution and for the pool alike
    const conv = fuses[l] ? l : fuses[l - 1] ? l - 1 : undefined;
    return conv === undefined ? undefined : { argmax: argmaxes[conv]!, activation: layers[absorbs[conv + 2] ? conv + 2 : conv + 1].spec.activation };
  };
  // The input gradient is needed from the last layer down to just after the first layer with parameters.
  const douts: (GPUBuffer | undefined)[] = [];
  if (training) {
    douts[L] = floats('dlogits', featuresOf(layers[L - 1].output));
    const first = layers.findIndex((layer) => layer.tensors.some((t) => t.trained));
    for (let l = L - 1; l > first; l--) {
      const passes = layers[l].passesGradient(layouts[l]) && previousActivation(layers, l).name === 'identity';
      douts[l] = passes ? douts[l + 1] : floats(`douts[${l}]`, featuresOf(layers[l].input));
    }
  }

  const bindings = (buffer: GPUBuffer, l: number, trainedOnly: boolean) => Object.fromEntries(Object.entries(slotsOf(layout, l))
    .filter(([, slot]) => !trainedOnly || slot.spec.trained).map(([name, slot]) => [name, slotBinding(buffer, slot)]));
  const layerOps = await Promise.all(layers.map((layer, l) => absorbs[l] ? { forward: [], backward: [], scratch: [] } : layer.build({
    gpu, label: `${label}.layers[${l}]`, capacity, training, ...strategies,
    inp: acts[l], inLayout: layouts[l], inputIsData: acts[l] === acts[0], out: acts[l + 1],
    dout: douts[l + 1], dinp: douts[l], previous: previousActivation(layers, l), fused: fusedPool(l),
    tensors: bindings(params, l, false), grads: training ? bindings(grads, l, true) : {},
  })));

  const batchLabels = gpu.buffer(`${label}.batchLabels`, capacity * 4, storage);
  const stats = gpu.buffer(`${label}.stats`, STATS_BYTES, storage | GPUBufferUsage.COPY_DST);
  const statsReadback = gpu.buffer(`${label}.stats.readback`, STATS_BYTES, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const classes = featuresOf(layers[L - 1].output);
  const lossKernel = await softmaxPipeline(gpu, training ? 'train' : 'evaluate', loss, capacity);
  const lossOp = softmaxLoss(gpu, lossKernel, `${label}.loss`, classes, {
    logits: { buffer: acts[L] }, labels: { buffer: batchLabels }, stats: { buffer: stats }, dlogits: training ? { buffer: douts[L]! } : undefined,
  });

  const ops = [lossOp, ...layerOps.flatMap((o) => [...o.forward, ...o.backward])];
  const buffers = new Set([...acts, ...douts.filter((b) => b !== undefined), ...argmaxes.filter((b) => b !== undefined), ...layerOps.flatMap((o) => o.scratch)]);
  return {
    capacity, training, acts, layouts, batchLabels, stats, statsReadback, layers: layerOps, loss: lossOp,
    owned: [...buffers, batchLabels, stats, statsReadback, ...ops.flatMap((op) => op.owned)],
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
