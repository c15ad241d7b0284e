// Runs each GPU kernel alone on seeded random inputs and compares it with its CPU twin in
// src/reference/kernels.ts. Each case returns the largest absolute difference and the largest error
// relative to the size of what was summed (Σ|terms|), which is what float32 rounding scales with.

import { Gpu, requestDevice } from '../src/runtime/gpu';
import * as ref from '../src/reference/kernels';
import { Random } from '../src/random';
import { Schedule, type StepRecord } from '../src/model/schedule';
import { adamCorrection } from '../src/model/fit';
import { paramLayout, slotBinding, slotsOf } from '../src/model/layout';
import { layersOf } from '../src/layers';
import { type Op, record } from '../src/ops/op';
import type { Activation } from '../src/ops/activation';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel, type MatmulStrategy, type MatmulVariant } from '../src/ops/matmul';
import { biasGrad, biasGradPipeline } from '../src/ops/bias_grad';
import { nonzeroMasks, nonzeroMaskWords, nonzeroPipeline } from '../src/ops/nonzero';
import { type LossName, softmaxLoss, softmaxPipeline, softmaxPredict, type SoftmaxMode } from '../src/ops/softmax';
import { type Augmentation, gather, gatherPipeline } from '../src/ops/gather';
import { optimizerKind, optimizerPipeline, optimizerUpdate, type OptimizerSettings, stateBuffers } from '../src/ops/optimizer';
import { type ConvGeometry, productPositions } from '../src/ops/conv2d';
import { winogradForward, winogradKernels, winogradWeightGrad, winogradWeightGradKernels, winogradWeightGradSplits } from '../src/ops/winograd';
import * as refLayers from '../src/reference/layers';

export interface Comparison {
  /** max |gpu - reference| */
  maxDiff: number;
  /** max |gpu - reference| / (scale + 1e-30), scale being Σ|terms| (or |reference|) for that element */
  maxError: number;
  count: number;
}

let shared: Promise<Gpu> | undefined;
const getGpu = () => (shared ??= requestDevice().then((device) => new Gpu(device)));

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const IDENTITY: Activation = { name: 'identity', alpha: 0 };

function uniforms(random: Random, n: number, scale = 1): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, () => (random.uniform() * 2 - 1) * scale);
}

export function compare(gpu: ArrayLike<number>, reference: ArrayLike<number>, scale: ArrayLike<number>): Comparison {
  let maxDiff = 0;
  let maxError = 0;
  if (gpu.length !== reference.length) throw new Error(`length ${gpu.length} != ${reference.length}`);
  for (let i = 0; i < gpu.length; i++) {
    const diff = Math.abs(gpu[i] - reference[i]);
    if (!(diff <= Infinity)) return { maxDiff: NaN, maxError: NaN, count: gpu.length }; // NaN from the GPU
    maxDiff = Math.max(maxDiff, diff);
    maxError = Math.max(maxError, diff / (Math.abs(scale[i]) + 1e-30));
  }
  return { maxDiff, maxError, count: gpu.length };
}

/** Records `ops` once per record (in one pass, through the schedule ring) and submits. */
function run(gpu: Gpu, schedule: Schedule, records: StepRecord[], ops: Op[]): void {
  schedule.write(records);
  const encoder = gpu.device.createCommandEncoder({ label: 'harness' });
  const pass = encoder.beginComputePass({ label: 'harness' });
  records.forEach((r, i) => ops.forEach((op) => record(pass, op, schedule.group, schedule.offset(i), r.rows)));
  pass.end();
  gpu.device.queue.submit([encoder.finish()]);
}

const step = (rows: number, extra: Partial<StepRecord> = {}): StepRecord =>
  ({ batchStart: 0, rows, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0, ...extra });

async function readF32(gpu: Gpu, buffer: GPUBuffer, offset = 0, floats?: number): Promise<Float32Array> {
  return new Float32Array(await gpu.read(buffer, offset * 4, floats === undefined ? undefined : floats * 4));
}

export async function matmulCase(strategy: MatmulStrategy, variant: MatmulVariant, activation: Activation, rows: number, nIn: number, nOut: number, seed: number): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const schedule = new Schedule(gpu, 'case');
  // Weight and bias sit in a flat parameter buffer at aligned offsets, as in a model.
  const layout = paramLayout(layersOf([nIn, 1, 1], [{ type: 'dense', units: nOut }]), gpu.device.limits.minStorageBufferOffsetAlignment / 4);
  const slots = slotsOf(layout, 0);
  const weight = uniforms(random, nOut * nIn);
  const bias = uniforms(random, nOut);
  const flat = new Float32Array(layout.totalFloats);
  flat.set(weight, slots.weight.offset);
  flat.set(bias, slots.bias.offset);
  const params = gpu.upload('case.params', flat, STORAGE);
  const abs = (a: Float32Array) => a.map(Math.abs);
  const size = variant === 'forward' ? { m: rows, n: nOut } : variant === 'backwardInput' ? { m: rows, n: nIn } : { m: nOut, n: nIn }; // C's
  const pipeline = await matmulKernel(gpu, variant, activation, strategy, size);
  const dims = { nIn, nOut };

  if (variant === 'forward') {
    const inp = uniforms(random, rows * nIn);
    const out = gpu.buffer('case.out', rows * nOut * 4, STORAGE);
    const op = matmulForward(gpu, pipeline, 'case.forward', dims, {
      inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, weight: slotBinding(params, slots.weight),
      bias: slotBinding(params, slots.bias), out: { buffer: out },
    });
    run(gpu, schedule, [step(rows)], [op]);
    return compare(await readF32(gpu, out), ref.matmulForward(inp, weight, bias, rows, nIn, nOut, activation),
      ref.matmulForward(abs(inp), abs(weight), abs(bias), rows, nIn, nOut, IDENTITY));
  }
  const dout = uniforms(random, rows * nOut);
  if (variant === 'backwardInput') {
    // inp is a real activation output (relu zeros, sigmoid in (0, 1), ...), as in training.
    const inp = uniforms(random, rows * nIn, 3).map((x) => ref.activate(x, activation));
    const dinp = gpu.buffer('case.dinp', rows * nIn * 4, STORAGE);
    const op = matmulBackwardInput(gpu, pipeline, 'case.backwardInput', dims, {
      dout: { buffer: gpu.upload('case.dout', dout, STORAGE) }, weight: slotBinding(params, slots.weight),
      inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, dinp: { buffer: dinp },
    });
    run(gpu, schedule, [step(rows)], [op]);
    const ones = new Float32Array(rows * nIn).fill(1);
    return compare(await readF32(gpu, dinp), ref.matmulBackwardInput(dout, weight, inp, rows, nIn, nOut, activation),
      ref.matmulBackwardInput(abs(dout), abs(weight), ones, rows, nIn, nOut, IDENTITY));
  }
  const inp = uniforms(random, rows * nIn);
  const dweight = gpu.buffer('case.grads', layout.totalFloats * 4, STORAGE);
  const op = matmulBackwardWeight(gpu, pipeline, 'case.backwardWeight', dims, {
    dout: { buffer: gpu.upload('case.dout', dout, STORAGE) }, inp: { buffer: gpu.upload('case.inp', inp, STORAGE) },
    dweight: slotBinding(dweight, slots.weight),
  });
  run(gpu, schedule, [step(rows)], [op]);
  return compare(await readF32(gpu, dweight, slots.weight.offset, nOut * nIn), ref.matmulBackwardWeight(dout, inp, rows, nIn, nOut),
    ref.matmulBackwardWeight(abs(dout), abs(inp), rows, nIn, nOut));
}

/**
 * Input data as sparse as a digit's: each value is zero with probability `zeros`, and so are whole columns
 * (features 2, 5, 6, ...) and whole rows (3, 20, ...), so that whole blocks are zero too. One value is -0.
 */
function sparseInput(random: Random, rows: number, features: number, zeros: number): Float32Array<ArrayBuffer> {
  const inp = uniforms(random, rows * features).map((x) => (random.uniform() < zeros ? 0 : x));
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) if ((f % 3 !== 1 && f % 7 > 4) || r % 17 === 3) inp[r * features + f] = 0;
  }
  inp[inp.length - 1] = -0;
  return inp;
}

export interface MaskComparison {
  byRows: MaskCount;
  byColumns: MaskCount;
}
export interface MaskCount {
  equal: boolean;
  words: number;
  /** Set bits in the reference mask, and how many it has (blocks × bits each) */
  setBits: number;
  bits: number;
}

/**
 * The nonzero masks (blocks of `block`) of a sparse batch of `rows` rows, held in a buffer of `capacity` rows
 * whose other rows are nonzero (stale rows of a larger batch must not count), against the reference.
 */
export async function nonzeroCase(block: number, rows: number, capacity: number, features: number, seed: number): Promise<MaskComparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const inp = new Float32Array(capacity * features).fill(1);
  inp.set(sparseInput(random, rows, features, 0.8));
  const words = nonzeroMaskWords(rows, features, block);
  const junk = (n: number) => gpu.upload('case.mask', new Uint32Array(n).fill(0xdeadbeef), STORAGE); // overwritten word by word
  const [byRows, byColumns] = [junk(words.byRows), junk(words.byColumns)];
  const op = nonzeroMasks(gpu, await nonzeroPipeline(gpu, block, features), 'case.nonzero', features,
    { inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, byRows: { buffer: byRows }, byColumns: { buffer: byColumns } });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [op]);
  const popcount = (w: number) => w.toString(2).replaceAll('0', '').length;
  const count = async (mask: GPUBuffer, rowsFirst: boolean): Promise<MaskCount> => {
    const got = new Uint32Array(await gpu.read(mask));
    const want = ref.nonzeroMask(inp, rows, features, rowsFirst, block);
    const [blocked, along] = rowsFirst ? [rows, features] : [features, rows];
    return { equal: got.length === want.length && got.every((w, i) => w === want[i]), words: want.length,
      setBits: want.reduce((n, w) => n + popcount(w), 0), bits: Math.ceil(blocked / block) * along };
  };
  return { byRows: await count(byRows, true), byColumns: await count(byColumns, false) };
}

/**
 * Layer 0's sparse products (forward, or backwardWeight) on a sparse batch, its mask made by the GPU as in
 * training, against the reference. With `emptyMask`, the mask says every value is zero: the product must
 * then skip everything and equal the reference for an all-zero input.
 */
export async function sparseMatmulCase(strategy: MatmulStrategy, variant: 'forward' | 'backwardWeight', rows: number, nIn: number, nOut: number,
  emptyMask: boolean, seed: number): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const byRows = variant === 'forward';
  const inp = sparseInput(random, rows, nIn, 0.6);
  const weight = uniforms(random, nOut * nIn);
  const bias = uniforms(random, nOut);
  const dout = uniforms(random, rows * nOut);
  const upload = (label: string, data: Float32Array<ArrayBuffer>) => ({ buffer: gpu.upload(`case.${label}`, data, STORAGE) });
  const inpBuffer = upload('inp', inp);
  const words = nonzeroMaskWords(rows, nIn, strategy.block);
  const masks = { byRows: { buffer: gpu.buffer('case.byRows', words.byRows * 4, STORAGE) }, byColumns: { buffer: gpu.buffer('case.byColumns', words.byColumns * 4, STORAGE) } };
  const maskOp = nonzeroMasks(gpu, await nonzeroPipeline(gpu, strategy.block, nIn), 'case.nonzero', nIn, { inp: inpBuffer, ...masks });
  const mask = byRows ? masks.byRows : masks.byColumns;
  const kernel = await matmulKernel(gpu, variant, IDENTITY, strategy, byRows ? { m: rows, n: nOut } : { m: nIn, n: nOut }, { sparse: true });
  const dims = { nIn, nOut };
  const out = gpu.buffer('case.out', (byRows ? rows * nOut : nOut * nIn) * 4, STORAGE);
  const op = byRows
    ? matmulForward(gpu, kernel, 'case.forward', dims, { inp: inpBuffer, weight: upload('weight', weight), bias: upload('bias', bias), out: { buffer: out }, mask })
    : matmulBackwardWeight(gpu, kernel, 'case.backwardWeight', dims, { dout: upload('dout', dout), inp: inpBuffer, dweight: { buffer: out }, mask });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], emptyMask ? [op] : [maskOp, op]); // the mask buffer starts as zeros
  const seen = emptyMask ? new Float32Array(inp.length) : inp;
  const abs = (a: Float32Array) => a.map(Math.abs);
  return compare(await readF32(gpu, out),
    byRows ? ref.matmulForward(seen, weight, bias, rows, nIn, nOut, IDENTITY) : ref.matmulBackwardWeight(dout, seen, rows, nIn, nOut),
    byRows ? ref.matmulForward(abs(seen), abs(weight), abs(bias), rows, nIn, nOut, IDENTITY) : ref.matmulBackwardWeight(abs(dout), abs(seen), rows, nIn, nOut));
}

/**
 * The weight gradient of a 3 × 3 convolution fused with the 2 × 2 max pool after it, by Winograd
 * (winogradWeightGrad), against the twin (conv2dBackwardWeight). The forward runs first, for the input's
 * transformed tiles; dout is random on every window's positions, row by row as the fused product's rows come
 * (a position no window takes has no row, and no gradient). `rows` of a plan for `capacity`: the products'
 * parts are cut for the capacity, and a smaller batch gives each fewer tiles.
 */
export async function winogradWeightGradCase(strategy: MatmulStrategy, channels: number, filters: number, height: number, width: number,
  rows: number, capacity: number, seed: number): Promise<Comparison & { splits: number }> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const g: ConvGeometry = { channels, height, width, outHeight: height - 2, outWidth: width - 2, kernel: [3, 3], stride: [1, 1], pad: [0, 0], padded: false };
  const positions = productPositions(g, true); // the windows' 4 positions each, window by window
  const tiles = positions.length / 4;
  const inp = uniforms(random, rows * channels * height * width);
  const weight = uniforms(random, filters * channels * 9);
  const dout = uniforms(random, rows * positions.length * filters);
  const empty = (label: string, floats: number) => ({ buffer: gpu.buffer(`case.${label}`, floats * 4, STORAGE) });
  const upload = (label: string, data: Float32Array<ArrayBuffer>) => ({ buffer: gpu.upload(`case.${label}`, data, STORAGE) });
  const transformed = { u: empty('u', 16 * channels * filters), v: empty('v', 16 * capacity * tiles * channels), p: empty('p', 16 * capacity * tiles * filters) };
  const forward = winogradForward(gpu, await winogradKernels(gpu, g, 'chw', IDENTITY, strategy, true, { tiles: capacity * tiles, filters }), 'case', g, 'chw', filters, {
    inp: upload('inp', inp), weight: upload('weight', weight), bias: empty('bias', filters), out: empty('out', capacity * tiles * filters),
    argmax: empty('argmax', capacity * tiles * filters), ...transformed,
  });
  const splits = winogradWeightGradSplits(capacity * tiles);
  const dweight = empty('dweight', filters * channels * 9);
  const grad = winogradWeightGrad(gpu, await winogradWeightGradKernels(gpu, g, filters, strategy), 'case', g, filters, splits, {
    dout: upload('dout', dout), v: transformed.v, q: transformed.p, parts: empty('parts', splits * 16 * channels * filters), dweight,
  });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [...forward, ...grad]);
  // The twin's dout is (rows, F, out_height, out_width), zeros where no window is.
  const full = new Float32Array(rows * filters * g.outHeight * g.outWidth);
  for (let r = 0; r < rows; r++) {
    positions.forEach(([oy, ox], i) => {
      for (let f = 0; f < filters; f++) full[((r * filters + f) * g.outHeight + oy) * g.outWidth + ox] = dout[(r * positions.length + i) * filters + f];
    });
  }
  const abs = (a: Float32Array) => a.map(Math.abs);
  return { ...compare(await readF32(gpu, dweight.buffer), refLayers.conv2dBackwardWeight(full, inp, rows, filters, g).dweight,
    refLayers.conv2dBackwardWeight(abs(full), abs(inp), rows, filters, g).dweight), splits };
}

/** dbias over `rows` samples of `positions` rows each (a convolution's output positions; 1 for a dense layer). */
export async function biasGradCase(rows: number, nOut: number, positions: number, seed: number): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const dout = uniforms(random, rows * positions * nOut);
  const dbias = gpu.buffer('case.dbias', nOut * 4, STORAGE);
  const op = biasGrad(gpu, await biasGradPipeline(gpu, nOut), 'case.biasGrad', nOut, positions, { dout: { buffer: gpu.upload('case.dout', dout, STORAGE) }, dbias: { buffer: dbias } });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [op]);
  return compare(await readF32(gpu, dbias), ref.biasGrad(dout, rows * positions, nOut), ref.biasGrad(dout.map(Math.abs), rows * positions, nOut));
}

export interface SoftmaxComparison {
  /** dlogits (train) or probs (predict); empty for evaluate */
  values: Comparison;
  lossSum: { gpu: number; reference: number };
  correct: { gpu: number; reference: number };
  /** stats.diverged_at from the GPU, and what it must be (batchStart + 1 when the reference loss is not finite) */
  divergedAt: { gpu: number; reference: number };
}

export async function softmaxCase(mode: SoftmaxMode, loss: LossName, rows: number, classes: number, logitScale: number, seed: number): Promise<SoftmaxComparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const logits = uniforms(random, rows * classes, logitScale);
  const labels = Uint32Array.from({ length: rows }, () => random.nextU32() % classes);
  const reference = ref.softmaxLoss(logits, labels, rows, classes, loss);
  const logitsBuffer = { buffer: gpu.upload('case.logits', logits, STORAGE) };
  const schedule = new Schedule(gpu, 'case');
  if (mode === 'predict') {
    const batchStart = 3; // predictions land at rows batchStart.. of the output
    const probs = gpu.buffer('case.probs', (batchStart + rows) * classes * 4, STORAGE);
    const op = softmaxPredict(gpu, await softmaxPipeline(gpu, 'predict', loss), 'case.predict', classes, { logits: logitsBuffer, probs: { buffer: probs } });
    run(gpu, schedule, [step(rows, { batchStart })], [op]);
    const expected = ref.softmax(logits, rows, classes);
    const values = compare(await readF32(gpu, probs, batchStart * classes), expected, expected.map(() => 1));
    return { values, lossSum: { gpu: 0, reference: 0 }, correct: { gpu: 0, reference: 0 }, divergedAt: { gpu: 0, reference: 0 } };
  }
  const stats = gpu.buffer('case.stats', STATS_BYTES, STORAGE);
  const dlogits = gpu.buffer('case.dlogits', rows * classes * 4, STORAGE);
  const op = softmaxLoss(gpu, await softmaxPipeline(gpu, mode, loss, rows), `case.${mode}`, classes, { // a workgroup sized to the rows
    logits: logitsBuffer, labels: { buffer: gpu.upload('case.labels', labels, STORAGE) }, stats: { buffer: stats },
    dlogits: mode === 'train' ? { buffer: dlogits } : undefined,
  });
  run(gpu, schedule, [step(rows)], [op]);
  const [lossSum, correct, divergedAt] = readStatsOf(await readF32(gpu, stats));
  // dlogits are at most 1/rows (cross-entropy) in size: compare against that scale.
  const values = mode === 'train'
    ? compare(await readF32(gpu, dlogits), reference.dlogits, reference.dlogits.map(() => 1 / rows))
    : { maxDiff: 0, maxError: 0, count: 0 };
  return {
    values, lossSum: { gpu: lossSum, reference: reference.lossSum }, correct: { gpu: correct, reference: reference.correct },
    divergedAt: { gpu: divergedAt, reference: mode === 'train' && !Number.isFinite(reference.lossSum) ? 1 : 0 },
  };
}

const STATS_BYTES = 12; // struct Stats { loss_sum: f32, correct: f32, diverged_at: u32 }
const readStatsOf = (f32: Float32Array): [number, number, number] => [f32[0], f32[1], new Uint32Array(f32.buffer, 8, 1)[0]];

export interface DivergenceResult {
  divergedAt: number;
  lossSum: number;
  /** Whether the SGD update that followed in the same pass left every parameter as it was. */
  paramsUnchanged: boolean;
}

/**
 * A training batch of 6 rows starting at sample 40 whose row 2 (label 2) has `poison` for the logit of class
 * `column`, then an SGD update in the same pass. A non-finite loss must flag the batch and the update skip.
 */
export async function divergenceCase(poison: number, column: number): Promise<DivergenceResult> {
  const gpu = await getGpu();
  const [rows, classes, size] = [6, 4, 52];
  const random = new Random(3);
  const logits = uniforms(random, rows * classes);
  logits[2 * classes + column] = poison;
  const labels = Uint32Array.from({ length: rows }, (_, r) => r % classes);
  const stats = { buffer: gpu.buffer('case.stats', STATS_BYTES, STORAGE) };
  const loss = softmaxLoss(gpu, await softmaxPipeline(gpu, 'train', 'cross-entropy'), 'case.train', classes, {
    logits: { buffer: gpu.upload('case.logits', logits, STORAGE) }, labels: { buffer: gpu.upload('case.labels', labels, STORAGE) },
    stats, dlogits: { buffer: gpu.buffer('case.dlogits', rows * classes * 4, STORAGE) },
  });
  const param = uniforms(random, size);
  const paramBuffer = gpu.upload('case.param', param, STORAGE);
  const settings: OptimizerSettings = { optimizer: 'sgd', momentum: 0, l2: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const update = optimizerUpdate(gpu, await optimizerPipeline(gpu, 'sgd'), 'case.update', size, size, settings, {
    param: { buffer: paramBuffer }, grad: { buffer: gpu.upload('case.grad', uniforms(random, size), STORAGE) }, stats, state: [],
  });
  run(gpu, new Schedule(gpu, 'case'), [step(rows, { batchStart: 40, learningRate: 0.5 })], [loss, update]);
  const [lossSum, , divergedAt] = readStatsOf(await readF32(gpu, stats.buffer));
  const after = await readF32(gpu, paramBuffer);
  return { divergedAt, lossSum, paramsUnchanged: after.every((x, i) => x === param[i]) };
}

export async function gatherCase(bytes: boolean, count: number, features: number, rows: number, batchStart: number, seed: number,
  augment?: Augmentation) {
  const gpu = await getGpu();
  const random = new Random(seed);
  const images = bytes
    ? Uint8Array.from({ length: count * features }, () => random.nextU32() & 255)
    : uniforms(random, count * features);
  const labels = Uint8Array.from({ length: count }, () => random.nextU32() % 10);
  const order = random.shuffle(Uint32Array.from({ length: count }, (_, i) => i));
  const inp = gpu.buffer('case.inp', rows * features * 4, STORAGE);
  const batchLabels = gpu.buffer('case.batchLabels', rows * 4, STORAGE);
  const stepSeed = random.nextU32();
  const op = gather(gpu, await gatherPipeline(gpu, bytes, augment !== undefined), 'case.gather', features, augment, {
    images: { buffer: gpu.upload('case.images', images, STORAGE) }, labels: { buffer: gpu.upload('case.labels', labels, STORAGE) },
    order: { buffer: gpu.upload('case.order', order, STORAGE) }, inp: { buffer: inp }, batchLabels: { buffer: batchLabels },
  });
  run(gpu, new Schedule(gpu, 'case'), [step(rows, { batchStart, seed: stepSeed })], [op]);
  const expected = ref.gather(images, labels, order, batchStart, rows, features, augment && { ...augment, seed: stepSeed });
  const gotLabels = new Uint32Array(await gpu.read(batchLabels));
  const plain = ref.gather(images, labels, order, batchStart, rows, features);
  const got = await readF32(gpu, inp);
  return {
    values: compare(got, expected.inp, expected.inp.map(() => 1)),
    labelsEqual: expected.batchLabels.every((label, i) => label === gotLabels[i]),
    /** Differs from the unaugmented batch (always true when augment moves pixels). */
    changed: plain.inp.some((x, i) => Math.abs(x - got[i]) > 1e-3),
  };
}

/** `steps` optimizer updates (t = 1..steps) in one pass, each with fresh random gradients. */
export async function optimizerCase(settings: OptimizerSettings, size: number, weightCount: number, steps: number, seed: number): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const param = uniforms(random, size);
  const grads = Array.from({ length: steps }, () => uniforms(random, size));
  const kind = optimizerKind(settings);
  const state = Array.from({ length: stateBuffers(kind) }, (_, i) => ({ buffer: gpu.buffer(`case.state${i}`, size * 4, STORAGE) }));
  const paramBuffer = gpu.upload('case.param', param, STORAGE);
  const gradBuffer = gpu.buffer('case.grad', size * 4, STORAGE);
  const pipeline = await optimizerPipeline(gpu, kind);
  const stats = { buffer: gpu.buffer('case.stats', STATS_BYTES, STORAGE) }; // zeros: not diverged
  const op = optimizerUpdate(gpu, pipeline, 'case.update', size, weightCount, settings, { param: { buffer: paramBuffer }, grad: { buffer: gradBuffer }, stats, state });
  const schedule = new Schedule(gpu, 'case');
  // The GPU sees every setting as a float32 uniform; the reference gets the same rounded values
  // (1 - β2 alone differs by 1.3e-5 relative between float32 and float64 β2 = 0.999).
  const rounded: OptimizerSettings = {
    ...settings, momentum: Math.fround(settings.momentum), l2: Math.fround(settings.l2), beta1: Math.fround(settings.beta1),
    beta2: Math.fround(settings.beta2), epsilon: Math.fround(settings.epsilon),
  };
  const expected = Float64Array.from(param);
  const refState: ref.OptimizerState = {};
  const learningRate = 0.05;
  for (let t = 1; t <= steps; t++) {
    gpu.device.queue.writeBuffer(gradBuffer, 0, grads[t - 1]);
    const c = (beta: number) => (settings.optimizer === 'adam' ? adamCorrection(beta, t) : 1);
    run(gpu, schedule, [step(1, { learningRate, adamC1: c(settings.beta1), adamC2: c(settings.beta2) })], [op]);
    ref.optimizerUpdate(expected, grads[t - 1], weightCount, refState, t, Math.fround(learningRate), rounded);
  }
  return compare(await readF32(gpu, paramBuffer), expected, expected.map((x) => Math.max(1, Math.abs(x))));
}

/** Compiles a shader with a type error on line 3 and returns the error's name and message. */
export async function shaderErrorCase(): Promise<string> {
  const gpu = await getGpu();
  const code = '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = 1u;\n}\n';
  try {
    await gpu.pipeline('broken.wgsl', code, {}, []);
    return 'no error';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
