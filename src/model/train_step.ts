// The whole training step, in order, as recorded into a compute pass: gather -> forward -> loss ->
// backward -> update. Inference runs the first half of it. Every op was built beforehand (see plan.ts).

import { type Op, record } from '../ops/op';
import type { Plan } from './plan';

/** Where this step's record sits in the schedule (group 0) and how many rows it covers. */
export interface StepRef {
  group: GPUBindGroup;
  offset: number;
  rows: number;
}

export function encodeTrainStep(pass: GPUComputePassEncoder, plan: Plan, gather: Op, update: Op, step: StepRef): void {
  const run = (op: Op) => record(pass, op, step.group, step.offset, step.rows);
  run(gather); //                              acts[0], batchLabels <- dataset rows order[batchStart ..]
  for (const layer of plan.layers) run(layer.forward); // acts[l+1] = act(acts[l] · W[l]ᵀ + b[l])
  run(plan.trainLoss); //                      stats += loss, correct;  douts[L] = dlogits
  for (let l = plan.layers.length - 1; l >= 0; l--) {
    const layer = plan.layers[l];
    run(layer.weightGrad); //                  dW[l] = douts[l+1]ᵀ · acts[l]
    run(layer.biasGrad); //                    db[l] = Σ_rows douts[l+1]
    if (layer.inputGrad) run(layer.inputGrad); // douts[l] = (douts[l+1] · W[l]) ⊙ act'(acts[l])
  }
  run(update); //                              params -= lr · optimizer(grads + l2 · W)
}

/** gather -> forward -> `output` (the evaluate loss, or softmax into a predictions buffer). */
export function encodeInferenceStep(pass: GPUComputePassEncoder, plan: Plan, gather: Op, output: Op, step: StepRef): void {
  const run = (op: Op) => record(pass, op, step.group, step.offset, step.rows);
  run(gather);
  for (const layer of plan.layers) run(layer.forward);
  run(output);
}
