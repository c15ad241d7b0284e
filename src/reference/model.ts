// The CPU oracle for a whole model (a list of layers from src/layers): forward, loss, backprop and one training
// step, built from the twins in ./kernels and ./layers, on tensors stored (rows, C, H, W). Same order and same
// math as the GPU step in src/model/train_step.ts: each layer's input gradient takes in the derivative of the
// previous layer's activation.

import { Conv2dLayer } from '../layers/conv2d';
import { dropoutSalt } from '../layers/dropout';
import { featuresOf, type Layer } from '../layers/layer';
import { Pool2dLayer } from '../layers/pool2d';
import { type Activation, IDENTITY } from '../ops/activation';
import type { OptimizerSettings } from '../ops/optimizer';
import type { LossName } from '../ops/softmax';
import * as k from './kernels';
import * as t from './layers';

/** The parameters of the layers that have them, in order: weights row-major in PyTorch's layouts; biases. */
export interface ReferenceParams {
  weights: Float64Array[];
  biases: Float64Array[];
}

/** A training step's dropout: the seed of its masks (what the GPU's step record holds). None: evaluation. */
export interface DropoutMasks {
  seed: number;
}

const activated = (values: Float64Array, act: Activation) => (act.name === 'identity' ? values : values.map((x) => k.activate(x, act)));
/** values ⊙ act'(y), with y the outputs the activation gave. */
const throughActivation = (values: Float64Array, y: ArrayLike<number>, act: Activation) =>
  (act.name === 'identity' ? values : values.map((v, i) => v * k.activateGrad(y[i], act)));

/** The multiplier of every value of a dropout layer's (rows, features) input, in a step with these masks. */
function dropoutMask(layer: Layer, rows: number, masks: DropoutMasks): Float64Array {
  const features = featuresOf(layer.input);
  const rate = (layer.spec as { rate: number }).rate;
  return Float64Array.from({ length: rows * features }, (_, i) =>
    t.dropoutKeep(masks.seed, dropoutSalt(layer.index), features, Math.floor(i / features), i % features, rate));
}

/** One layer's output (rows, output features) for input x, with its parameters `param` (if it has any). */
export function layerForward(layer: Layer, param: { weight: Float64Array; bias: Float64Array } | undefined, x: Float64Array, rows: number,
  dropout?: DropoutMasks): Float64Array {
  const s = layer.spec;
  if (s.type === 'dense') return k.matmulForward(x, param!.weight, param!.bias, rows, featuresOf(layer.input), s.units, s.activation);
  if (layer instanceof Conv2dLayer) {
    return activated(t.conv2dForward(x, param!.weight, param!.bias, rows, layer.spec.filters, layer.geometry), layer.spec.activation);
  }
  if (layer instanceof Pool2dLayer) {
    return activated(t.poolForward(x, rows, layer.geometry, layer.spec.type === 'maxPool2d' ? 'max' : 'average'), layer.spec.activation);
  }
  if (s.type === 'dropout' && dropout) {
    const mask = dropoutMask(layer, rows, dropout);
    return activated(x.map((v, i) => v * mask[i]), s.activation);
  }
  return activated(x, s.activation); // activation, flatten (values keep their (C, H, W) order), dropout when evaluating
}

/**
 * One layer's gradients from dout = ∂loss/∂(its output before its activation), x its input and `previous` the
 * activation that made x: dx = ∂loss/∂(x before that activation), and its dweight and dbias if it has parameters.
 */
export function layerBackward(layer: Layer, param: { weight: Float64Array } | undefined, x: Float64Array, dout: Float64Array, rows: number,
  previous: Activation, dropout?: DropoutMasks): { dx: Float64Array; dweight?: Float64Array; dbias?: Float64Array } {
  const s = layer.spec;
  if (s.type === 'dense') {
    const nIn = featuresOf(layer.input);
    return {
      dx: k.matmulBackwardInput(dout, param!.weight, x, rows, nIn, s.units, previous),
      dweight: k.matmulBackwardWeight(dout, x, rows, nIn, s.units),
      dbias: k.biasGrad(dout, rows, s.units),
    };
  }
  if (layer instanceof Conv2dLayer) {
    const { dweight, dbias } = t.conv2dBackwardWeight(dout, x, rows, layer.spec.filters, layer.geometry);
    return { dx: throughActivation(t.conv2dBackwardInput(dout, param!.weight, rows, layer.spec.filters, layer.geometry), x, previous), dweight, dbias };
  }
  if (layer instanceof Pool2dLayer) {
    return { dx: throughActivation(t.poolBackward(x, dout, rows, layer.geometry, layer.spec.type === 'maxPool2d' ? 'max' : 'average'), x, previous) };
  }
  if (s.type === 'dropout' && dropout) {
    const mask = dropoutMask(layer, rows, dropout);
    return { dx: throughActivation(dout.map((v, i) => v * mask[i]), x, previous) };
  }
  return { dx: throughActivation(dout, x, previous) };
}

/** The parameters of each layer (undefined for those without), from the flat lists. */
function paramsOf(layers: Layer[], params: ReferenceParams) {
  let p = 0;
  return layers.map((layer) => (layer.params ? { weight: params.weights[p], bias: params.biases[p++] } : undefined));
}

/** Activations acts[0] = inp (rows, input features) ... acts[L] = logits (rows, classes). */
export function forward(layers: Layer[], params: ReferenceParams, inp: ArrayLike<number>, rows: number, dropout?: DropoutMasks): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(inp)];
  const each = paramsOf(layers, params);
  layers.forEach((layer, l) => acts.push(layerForward(layer, each[l], acts[l], rows, dropout)));
  return acts;
}

export interface Gradients extends ReferenceParams {
  /** Mean data loss over the batch (no L2 term). */
  loss: number;
  correct: number;
}

/** Gradients of the mean data loss by backpropagation (the L2 term is the optimizer's: see objective). */
export function backprop(layers: Layer[], loss: LossName, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number,
  dropout?: DropoutMasks): Gradients {
  const L = layers.length;
  const acts = forward(layers, params, inp, rows, dropout);
  const out = k.softmaxLoss(acts[L], labels, rows, featuresOf(layers[L - 1].output), loss);
  const each = paramsOf(layers, params);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  let dout = out.dlogits; // ∂loss/∂(layer l's output before its activation)
  for (let l = L - 1; l >= 0; l--) {
    const previous = l === 0 ? IDENTITY : layers[l - 1].spec.activation;
    const g = layerBackward(layers[l], each[l], acts[l], dout, rows, previous, dropout);
    if (g.dweight) {
      weights.unshift(g.dweight);
      biases.unshift(g.dbias!);
    }
    dout = g.dx;
  }
  return { loss: out.lossSum / rows, correct: out.correct, weights, biases };
}

/** The training objective: mean data loss + l2/2 · Σ‖W‖². Finite differences of this check backprop. */
export function objective(layers: Layer[], loss: LossName, params: ReferenceParams, inp: ArrayLike<number>, labels: ArrayLike<number>,
  rows: number, l2: number, dropout?: DropoutMasks): number {
  const acts = forward(layers, params, inp, rows, dropout);
  const data = k.softmaxLoss(acts[layers.length], labels, rows, featuresOf(layers[layers.length - 1].output), loss).lossSum / rows;
  let penalty = 0;
  for (const w of params.weights) for (const x of w) penalty += x * x;
  return data + (l2 / 2) * penalty;
}

/** Per-tensor optimizer state, in the order weights[0..], biases[0..]. */
export type ReferenceOptimizerState = k.OptimizerState[];

/** One SGD/Adam step (update number t) on params in place; returns the batch's loss and correct count. */
export function trainStep(layers: Layer[], loss: LossName, params: ReferenceParams, state: ReferenceOptimizerState, t: number,
  inp: ArrayLike<number>, labels: ArrayLike<number>, rows: number, learningRate: number, settings: OptimizerSettings, dropout?: DropoutMasks) {
  const grads = backprop(layers, loss, params, inp, labels, rows, dropout);
  const tensors = [...params.weights, ...params.biases];
  const dtensors = [...grads.weights, ...grads.biases];
  tensors.forEach((param, i) => {
    state[i] ??= {};
    const isWeight = i < params.weights.length;
    k.optimizerUpdate(param, dtensors[i], isWeight ? param.length : 0, state[i], t, learningRate, settings);
  });
  return { loss: grads.loss, correct: grads.correct };
}
