// What every GPU case of the harness shares: one device, the comparison against a twin, and running ops as a
// training step would (through the schedule ring).

import { Gpu, requestDevice } from '../src/runtime/gpu';
import type { Random } from '../src/random';
import { Schedule, type StepRecord } from '../src/model/schedule';
import { type Op, Recorder } from '../src/ops/op';

export interface Comparison {
  /** max |gpu - reference| */
  maxDiff: number;
  /** max |gpu - reference| / (scale + 1e-30), scale being Σ|terms| (or |reference|) for that element */
  maxError: number;
  count: number;
}

let shared: Promise<Gpu> | undefined;
/** One device for every case of the page. */
export const getGpu = () => (shared ??= requestDevice().then((device) => new Gpu(device)));

export const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** n values uniform in [-scale, scale). */
export function uniforms(random: Random, n: number, scale = 1): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, () => (random.uniform() * 2 - 1) * scale);
}

/** The largest differences of `gpu` from `reference`, absolute and relative to `scale` (Σ|terms| of each element). */
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

/** Records `ops` once per record (in one pass, through the schedule ring; a copy between passes) and submits. */
export function run(gpu: Gpu, schedule: Schedule, records: StepRecord[], ops: Op[]): void {
  schedule.write(records);
  const encoder = gpu.device.createCommandEncoder({ label: 'harness' });
  const recorder = new Recorder(encoder, 'harness');
  records.forEach((r, i) => ops.forEach((op) => recorder.record(op, schedule.group, schedule.offset(i), r.rows)));
  recorder.end();
  gpu.device.queue.submit([encoder.finish()]);
}

/** A step record of `rows` rows, the rest neutral unless `extra` says. */
export const step = (rows: number, extra: Partial<StepRecord> = {}): StepRecord =>
  ({ batchStart: 0, rows, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0, ...extra });

/** `floats` floats (all, if not given) of `buffer` from float `offset`. */
export async function readF32(gpu: Gpu, buffer: GPUBuffer, offset = 0, floats?: number): Promise<Float32Array> {
  return new Float32Array(await gpu.read(buffer, offset * 4, floats === undefined ? undefined : floats * 4));
}
