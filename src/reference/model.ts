// The CPU oracle for a whole model (a list of layers from src/layers): forward, loss, backprop and one training
// step, walking each layer's twin (twinForward, twinBackward) on tensors stored (rows, C, H, W). Same order and
// same math as the GPU step in src/model/train_step.ts: each layer's activation follows its twin, and its input
// gradient takes in the derivative of the previous layer's activation. Tensors are keyed as model files and
// getTensors key them: `layers.{i}.{name}`.

import { featuresOf, type Layer, type TensorValues, type TwinPass } from '../layers/layer';
import { tensorKey } from '../model/layout';
import { type Activation, IDENTITY } from '../ops/activation';
import type { OptimizerSettings } from '../ops/optimizer';
import type { LossName } from '../ops/softmax';
import * as k from './kernels';

/** Every tensor of the model, keyed `layers.{i}.{name}`, row-major in PyTorch's layouts. */
export type ReferenceParams = Record<string, Float64Array>;

/** The tensors of a model's getTensors() (or any record of Float32Arrays), as the reference's Float64Arrays. */
export function referenceParams(values: Record<string, { data: Float32Array } | Float32Array>): ReferenceParams {
  return Object.fromEntries(Object.entries(values).map(([key, v]) => [key, Float64Array.from(v instanceof Float32Array ? v : v.data)]));
}

const activated = (values: Float64Array, act: Activation) => (act.name === 'identity' ? values : values.map((x) => k.activate(x, act)));
/** values ⊙ act'(y), with y the outputs the activation gave. */
const throughActivation = (values: Float64Array, y: ArrayLike<number>, act: Activation) =>
  (act.name === 'identity' ? values : values.map((v, i) => v * k.activateGrad(y[i], act)));

/** Layer l's own tensors, by their names. */
const tensorsOf = (layer: Layer, params: ReferenceParams): TensorValues =>
  Object.fromEntries(layer.tensors.map((t) => [t.name, params[tensorKey(layer.index, t.name)]]));

const EVALUATION: TwinPass = { training: false };

/** One layer's output (rows, output features), its activation applied, and the tensors the pass updated. */
export function layerForward(layer: Layer, tensors: TensorValues, x: Float64Array, rows: number, pass: TwinPass) {
  const { out, updated } = layer.twinForward(x, tensors, rows, pass);
  return { out: activated(out, layer.spec.activation), updated };
}

/**
 * One layer's gradients from dout = ∂loss/∂(its output before its activation), x its input and `previous` the
 * activation that made x: dx = ∂loss/∂(x before that activation), and its trained tensors' gradients.
 */
export function layerBackward(layer: Layer, tensors: TensorValues, x: Float64Array, dout: Float64Array, rows: number, previous: Activation, pass: TwinPass) {
  const { dx, grads } = layer.twinBackward(x, dout, tensors, rows, pass);
  return { dx: throughActivation(dx, x, previous), grads };
}

/**
 * Activations acts[0] = inp (rows, input features) ... acts[L] = logits (rows, classes), and in a training pass
 * the new values of the tensors layers update as they go (running statistics), keyed like params.
 */
export function forwardPass(layers: Layer[], params: ReferenceParams, inp: ArrayLike<number>, rows: number, pass: TwinPass) {
  const acts: Float64Array[] = [Float64Array.from(inp)];
  const updated: ReferenceParams = {};
  for (const layer of layers) {
    const { out, updated: own } = layerForward(layer, tensorsOf(layer, params), acts[layer.index], rows, pass);
    acts.push(out);
    for (const [name, values] of Object.entries(own ?? {})) updated[tensorKey(layer.index, name)] = values;
  }
  return { acts, updated };
}

/** Activations acts[0] = inp ... acts[L] = logits, evaluating (running statistics, no dropout) unless `pass` says. */
export function forward(layers: Layer[], params: ReferenceParams, inp: ArrayLike<number>, rows: number, pass = EVALUATION): Float64Array[] {
  return forwardPass(layers, params, inp, rows, pass).acts;
}

export interface Gradients {
  /** Mean data loss over the batch (no L2 term). */
  loss: number;
  correct: number;
  /** ∂loss/∂ each trained tensor, keyed like params. */
  grads: ReferenceParams;
  /** The values the training pass gave the tensors it updates (running statistics). */
  updated: ReferenceParams;
}

/** Gradients of the mean data loss by backprop through a training pass whose dropout masks come from `dropoutSeed`. */
export function backprop(layers: Layer[], loss: LossName, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number,
  dropoutSeed?: number): Gradients {
  const L = layers.length;
  const pass: TwinPass = { training: true, dropoutSeed };
  const { acts, updated } = forwardPass(layers, params, inp, rows, pass);
  const out = k.softmaxLoss(acts[L], labels, rows, featuresOf(layers[L - 1].output), loss);
  const grads: ReferenceParams = {};
  let dout = out.dlogits; // ∂loss/∂(layer l's output before its activation)
  for (let l = L - 1; l >= 0; l--) {
    const previous = l === 0 ? IDENTITY : layers[l - 1].spec.activation;
    const g = layerBackward(layers[l], tensorsOf(layers[l], params), acts[l], dout, rows, previous, pass);
    for (const [name, values] of Object.entries(g.grads)) grads[tensorKey(l, name)] = values;
    dout = g.dx;
  }
  return { loss: out.lossSum / rows, correct: out.correct, grads, updated };
}

/** The training objective: mean data loss + l2/2 · Σ‖W‖² over decayed tensors. Finite differences of this check backprop. */
export function objective(layers: Layer[], loss: LossName, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>,
  rows: number, l2: number, dropoutSeed?: number): number {
  const { acts } = forwardPass(layers, params, inp, rows, { training: true, dropoutSeed });
  const data = k.softmaxLoss(acts[layers.length], labels, rows, featuresOf(layers[layers.length - 1].output), loss).lossSum / rows;
  let penalty = 0;
  for (const layer of layers) {
    for (const t of layer.tensors) if (t.decayed) for (const x of params[tensorKey(layer.index, t.name)]) penalty += x * x;
  }
  return data + (l2 / 2) * penalty;
}

/** Per-tensor optimizer state, keyed like params. */
export type ReferenceOptimizerState = Record<string, k.OptimizerState>;

/** One SGD/Adam step (update number t) on params in place; returns the batch's loss and correct count. */
export function trainStep(layers: Layer[], loss: LossName, params: ReferenceParams, state: ReferenceOptimizerState, t: number,
  inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number, learningRate: number, settings: OptimizerSettings, dropoutSeed?: number) {
  const { grads, updated, ...result } = backprop(layers, loss, params, inp, labels, rows, dropoutSeed);
  for (const layer of layers) {
    for (const spec of layer.tensors.filter((x) => x.trained)) {
      const key = tensorKey(layer.index, spec.name);
      state[key] ??= {};
      k.optimizerUpdate(params[key], grads[key], spec.decayed ? params[key].length : 0, state[key], t, learningRate, settings);
    }
  }
  Object.assign(params, updated);
  return { loss: result.loss, correct: result.correct };
}
