// The CPU oracle for a whole MLP: forward, loss, backprop and one training step, built from the kernel
// twins in ./kernels. Same order and same math as the GPU step in src/model/train_step.ts.

import type { Activation } from '../ops/matmul';
import type { LossName } from '../ops/softmax';
import type { OptimizerSettings } from '../ops/optimizer';
import * as k from './kernels';

export interface ReferenceSpec {
  layers: number[];
  /** Hidden layers' activation; the last layer is linear (its logits go to softmax). */
  activation: Activation;
  loss: LossName;
}

/** weights[l] (layers[l+1], layers[l]) row-major; biases[l] (layers[l+1]). */
export interface ReferenceParams {
  weights: Float64Array[];
  biases: Float64Array[];
}

const IDENTITY: Activation = { name: 'identity', alpha: 0 };
const layerActivation = (spec: ReferenceSpec, l: number) => (l === spec.layers.length - 2 ? IDENTITY : spec.activation);

/** Activations acts[0] = inp (rows, layers[0]) ... acts[L] = logits (rows, layers[L]). */
export function forward(spec: ReferenceSpec, params: ReferenceParams, inp: ArrayLike<number>, rows: number): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(inp)];
  for (let l = 0; l < spec.layers.length - 1; l++) {
    acts.push(k.matmulForward(acts[l], params.weights[l], params.biases[l], rows, spec.layers[l], spec.layers[l + 1], layerActivation(spec, l)));
  }
  return acts;
}

export interface Gradients extends ReferenceParams {
  /** Mean data loss over the batch (no L2 term). */
  loss: number;
  correct: number;
}

/** Gradients of the mean data loss by backpropagation (the L2 term is the optimizer's: see objective). */
export function backprop(spec: ReferenceSpec, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number): Gradients {
  const L = spec.layers.length - 1;
  const acts = forward(spec, params, inp, rows);
  const out = k.softmaxLoss(acts[L], labels, rows, spec.layers[L], spec.loss);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  let dout = out.dlogits; // ∂loss/∂(pre-activation of layer l), (rows, layers[l+1])
  for (let l = L - 1; l >= 0; l--) {
    const [nIn, nOut] = [spec.layers[l], spec.layers[l + 1]];
    weights[l] = k.matmulBackwardWeight(dout, acts[l], rows, nIn, nOut);
    biases[l] = k.biasGrad(dout, rows, nOut);
    if (l > 0) dout = k.matmulBackwardInput(dout, params.weights[l], acts[l], rows, nIn, nOut, spec.activation);
  }
  return { loss: out.lossSum / rows, correct: out.correct, weights, biases };
}

/** The training objective: mean data loss + l2/2 · Σ‖W‖². Finite differences of this check backprop. */
export function objective(spec: ReferenceSpec, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number, l2: number): number {
  const L = spec.layers.length - 1;
  const acts = forward(spec, params, inp, rows);
  const data = k.softmaxLoss(acts[L], labels, rows, spec.layers[L], spec.loss).lossSum / rows;
  let penalty = 0;
  for (const w of params.weights) for (const x of w) penalty += x * x;
  return data + (l2 / 2) * penalty;
}

/** Per-tensor optimizer state, in the order weights[0..], biases[0..]. */
export type ReferenceOptimizerState = k.OptimizerState[];

/** One SGD/Adam step (update number t) on params in place; returns the batch's loss and correct count. */
export function trainStep(spec: ReferenceSpec, params: ReferenceParams, state: ReferenceOptimizerState, t: number,
  inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number, learningRate: number, settings: OptimizerSettings) {
  const grads = backprop(spec, params, inp, labels, rows);
  const tensors = [...params.weights, ...params.biases];
  const dtensors = [...grads.weights, ...grads.biases];
  tensors.forEach((param, i) => {
    state[i] ??= {};
    const isWeight = i < params.weights.length;
    k.optimizerUpdate(param, dtensors[i], isWeight ? param.length : 0, state[i], t, learningRate, settings);
  });
  return { loss: grads.loss, correct: grads.correct };
}
