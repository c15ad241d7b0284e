// Inference over a whole dataset, in dataset order and in steps of a plan's capacity: the forward half of the
// training step, then evaluate's loss and accuracy or predict's probabilities.

import type { Op } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import type { Plan } from './plan';
import { Schedule, type StepRecord } from './schedule';
import { encodeStep, inferenceStepOps } from './train_step';

/** Submits inference over all `count` samples, up to Schedule.CAPACITY steps per submit. */
export function runInference(gpu: Gpu, schedule: Schedule, label: string, plan: Plan, gather: Op, output: Op, count: number): void {
  const ops = inferenceStepOps(plan, gather, output);
  const records: StepRecord[] = [];
  for (let start = 0; start < count; start += plan.capacity) {
    records.push({ batchStart: start, rows: Math.min(plan.capacity, count - start), learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 });
  }
  for (let first = 0; first < records.length; first += Schedule.CAPACITY) {
    const chunk = records.slice(first, first + Schedule.CAPACITY);
    schedule.write(chunk);
    const encoder = gpu.device.createCommandEncoder({ label: `${label}.inference` });
    const pass = encoder.beginComputePass({ label: `${label}.inference` });
    chunk.forEach((r, i) => encodeStep(pass, ops, { group: schedule.group, offset: schedule.offset(i), rows: r.rows }));
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
  }
}
