// Runs each GPU kernel but the products (harness_products.ts) alone on seeded random inputs and compares it
// with its CPU twin in src/reference/kernels.ts. Each case returns the largest absolute difference and the
// largest error relative to the size of what was summed (Σ|terms|), which is what float32 rounding scales with.

import * as ref from '../src/reference/kernels';
import { Random } from '../src/random';
import { Schedule } from '../src/model/schedule';
import { adamCorrection } from '../src/model/fit';
import { biasGrad, biasGradPipeline } from '../src/ops/bias_grad';
import { type LossName, softmaxLoss, softmaxPipeline, softmaxPredict, type SoftmaxMode } from '../src/ops/softmax';
import { type Augmentation, gather, gatherPipeline } from '../src/ops/gather';
import { optimizerKind, optimizerPipeline, optimizerUpdate, type OptimizerSettings, stateBuffers } from '../src/ops/optimizer';
import { type Comparison, compare, getGpu, readF32, run, STORAGE, step, uniforms } from './harness_gpu';

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
  const op = gather(gpu, await gatherPipeline(gpu, bytes, augment !== undefined, features), 'case.gather', features, augment, {
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
