// GPU time of each op of a step, through timestamp-query: each op in its own compute pass with timestamps
// at its start and end (a copy, which no pass may hold, is not timed). A StepTimer records one step that way
// inside a training chunk (fit's onProfile); timeOps times a list of ops on its own (the benchmarks). Both need
// the adapter's timestamp-query.
// wallClockPass times by the wall clock instead, from submission to completion (the autotune, and the
// benchmarks where timestamps cannot be trusted).

import { dispatch, type Op, Recorder } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import type { StepRef } from './train_step';

/** Whether this device can time ops (the engine asks for timestamp-query wherever the adapter has it). */
export const canTime = (gpu: Gpu): boolean => gpu.device.features.has('timestamp-query');

/** Records one step with a timestamp pair around each op, and reads back each op's milliseconds. */
export class StepTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;

  constructor(private readonly gpu: Gpu, label: string, private readonly ops: Op[]) {
    this.querySet = gpu.device.createQuerySet({ label: `${label}.timing`, type: 'timestamp', count: 2 * ops.length });
    this.resolved = gpu.buffer(`${label}.timing.resolved`, 16 * ops.length, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
  }

  /** Records the step: one compute pass per op (a copy, outside passes, untimed), then the timestamps' resolve. */
  encode(encoder: GPUCommandEncoder, step: StepRef): void {
    this.ops.forEach((op, i) => {
      if ('copy' in op) {
        op.copy(encoder, step.rows);
        return;
      }
      const pass = encoder.beginComputePass({
        label: op.label,
        timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
      });
      dispatch(pass, op, step.group, step.offset, step.rows);
      pass.end();
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.ops.length, this.resolved, 0);
  }

  /** Milliseconds of each op in the last step encoded (waits for it); 0 for a copy. */
  async read(): Promise<number[]> {
    const stamps = new BigUint64Array(await this.gpu.read(this.resolved));
    return this.ops.map((op, i) => ('copy' in op ? 0 : Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e6));
  }

  destroy(): void {
    this.querySet.destroy();
    this.gpu.release(this.resolved);
  }
}

/** Mean milliseconds of each op over `repeats` runs of the whole list, or undefined without timestamps. */
export async function timeOps(gpu: Gpu, ops: Op[], step: StepRef, repeats: number): Promise<number[] | undefined> {
  if (!canTime(gpu)) return undefined;
  const timer = new StepTimer(gpu, 'timeOps', ops);
  const totals = new Array<number>(ops.length).fill(0);
  try {
    for (let run = 0; run < repeats; run++) {
      const encoder = gpu.device.createCommandEncoder({ label: 'timeOps' });
      timer.encode(encoder, step);
      gpu.device.queue.submit([encoder.finish()]);
      (await timer.read()).forEach((ms, i) => (totals[i] += ms));
    }
  } finally {
    timer.destroy();
  }
  return totals.map((total) => total / repeats);
}

/** Best of `runs` wall times (ms) of one pass that records `ops` `repeats` times for `step`, submitted and waited for. */
export async function wallClockPass(gpu: Gpu, label: string, ops: Op[], step: StepRef, repeats: number, runs: number): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const encoder = gpu.device.createCommandEncoder({ label });
    const recorder = new Recorder(encoder, label);
    for (let i = 0; i < repeats; i++) for (const op of ops) recorder.record(op, step.group, step.offset, step.rows);
    recorder.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
