// The whole training step, in order: gather -> forward -> loss -> backward -> update. Inference runs the
// first half of it. Every op was built beforehand (see plan.ts and the layers in src/layers/); a step is the
// same list of ops each time, recorded with that step's record from the schedule.

import type { Op, Recorder } from '../ops/op';
import type { Plan } from './plan';

/** Where this step's record sits in the schedule (group 0) and how many rows it covers. */
export interface StepRef {
  group: GPUBindGroup;
  offset: number;
  rows: number;
}

/** The ops of one training step, in the order they run. */
export function trainStepOps(plan: Plan, gather: Op, update: Op): Op[] {
  const ops = [gather]; //                             acts[0], batchLabels <- dataset rows order[batchStart ..]
  for (const layer of plan.layers) ops.push(...layer.forward); // acts[l+1] = layer l (acts[l]), e.g. act(acts[l] · W[l]ᵀ + b[l])
  ops.push(plan.loss); //                              stats += loss, correct;  douts[L] = dlogits
  for (let l = plan.layers.length - 1; l >= 0; l--) {
    ops.push(...plan.layers[l].backward); //           dW[l], db[l] from douts[l+1]; then douts[l], through act' of layer l-1
  }
  ops.push(update); //                                 params -= lr · optimizer(grads + l2 · W)
  return ops;
}

/** The ops of one inference step: gather -> forward -> `output` (evaluate's loss, or softmax into predictions). */
export function inferenceStepOps(plan: Plan, gather: Op, output: Op): Op[] {
  return [gather, ...plan.layers.flatMap((layer) => layer.forward), output];
}

/** Records a step's ops. */
export function encodeStep(recorder: Recorder, ops: Op[], step: StepRef): void {
  for (const op of ops) recorder.record(op, step.group, step.offset, step.rows);
}
