// The reference's backprop against central finite differences of its own objective: for MLPs with every
// activation and loss, and for ConvNets with padding, strides, both poolings, dropout (fixed masks) and an
// activation on every layer type. An oracle for the oracle.
import { describe, expect, test } from 'vitest';
import { Random } from '../random';
import type { ActivationOption } from '../layers/options';
import type { LayerOptions } from '../layers';
import type { Layer } from '../layers/layer';
import { featuresOf } from '../layers/layer';
import type { LossName } from '../ops/softmax';
import { resolveMLPOptions, resolveModelOptions } from '../model/architecture';
import { backprop, forward, objective, type ReferenceParams, trainStep } from './model';

function setup(layers: Layer[], rows: number, seed: number) {
  const random = new Random(seed);
  const params: ReferenceParams = {};
  for (const layer of layers) {
    for (const t of layer.tensors) {
      // weights and biases random; other tensors (batch norm's) near their fill, so that variances stay positive
      const [base, scale] = 'fill' in t.init ? [t.init.fill, t.trained ? 0.3 : 0.2] : [0, 0.7];
      params[`layers.${layer.index}.${t.name}`] = Float64Array.from({ length: t.shape.reduce((a, b) => a * b) }, () => base + random.normal() * scale);
    }
  }
  const inp = Float64Array.from({ length: rows * featuresOf(layers[0].input) }, () => random.uniform());
  const classes = featuresOf(layers[layers.length - 1].output);
  const labels = Uint8Array.from({ length: rows }, () => random.nextU32() % classes);
  return { params, inp, labels };
}

/** The largest relative difference between backprop's gradients (plus the L2 term) and central differences. */
export function worstError(layers: Layer[], loss: LossName, rows: number, l2: number, dropoutSeed?: number): number {
  const { params, inp, labels } = setup(layers, rows, 42);
  const { grads } = backprop(layers, loss, params, inp, labels, rows, dropoutSeed);
  const h = 1e-6;
  let worst = 0;
  for (const layer of layers) {
    for (const t of layer.tensors.filter((x) => x.trained)) {
      const key = `layers.${layer.index}.${t.name}`;
      const tensor = params[key];
      for (let i = 0; i < tensor.length; i++) {
        const saved = tensor[i];
        tensor[i] = saved + h;
        const plus = objective(layers, loss, params, inp, labels, rows, l2, dropoutSeed);
        tensor[i] = saved - h;
        const minus = objective(layers, loss, params, inp, labels, rows, l2, dropoutSeed);
        tensor[i] = saved;
        const numeric = (plus - minus) / (2 * h);
        const analytic = grads[key][i] + (t.decayed ? l2 * saved : 0);
        worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic)));
      }
    }
  }
  return worst;
}

const ACTIVATIONS: ActivationOption[] = ['identity', 'relu', { name: 'leaky_relu', slope: 0.05 }, { name: 'elu', alpha: 0.8 }, 'sigmoid', 'tanh'];

describe('MLP backprop matches finite differences', () => {
  for (const activation of ACTIVATIONS) {
    for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
      test(`${JSON.stringify(activation)}, ${loss}, l2 = 0.01`, () => {
        const { layers } = resolveMLPOptions({ layers: [5, 4, 3, 3], activation, loss });
        const worst = worstError(layers, loss, 6, 0.01);
        console.log(`finite differences ${JSON.stringify(activation)} ${loss}: max relative error ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }
});

// Each case: an input shape and layers. Values are smooth enough here that no max or relu kink sits within h.
const CONVNETS: [string, [number, number, number], LayerOptions[]][] = [
  ['conv (valid) -> maxPool -> relu -> conv (same, tanh) -> avgPool -> flatten -> dense', [2, 9, 8], [
    { type: 'conv2d', filters: 3, kernelSize: [3, 2] },
    { type: 'maxPool2d', size: 2 },
    { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' },
    { type: 'avgPool2d', size: [2, 1], stride: 1 },
    { type: 'flatten' },
    { type: 'dense', units: 3 },
  ]],
  ['stride 2 and numeric padding, pooling that does not tile, activations on pool and flatten', [3, 7, 6], [
    { type: 'conv2d', filters: 5, kernelSize: 3, stride: 2, padding: [1, 2], activation: 'sigmoid' },
    { type: 'maxPool2d', size: [2, 3], stride: [1, 2], activation: { name: 'elu', alpha: 0.7 } },
    { type: 'conv2d', filters: 2, kernelSize: 1, activation: { name: 'leaky_relu', slope: 0.2 } },
    { type: 'flatten', activation: 'tanh' },
    { type: 'dense', units: 6, activation: 'sigmoid' },
    { type: 'dense', units: 4 },
  ]],
  ['dropout between dense layers and on a feature map', [1, 6, 6], [
    { type: 'conv2d', filters: 3, kernelSize: 3, activation: 'tanh' },
    { type: 'dropout', rate: 0.3 },
    { type: 'flatten' },
    { type: 'dense', units: 8, activation: 'tanh' },
    { type: 'dropout', rate: 0.5, activation: 'sigmoid' },
    { type: 'dense', units: 3 },
  ]],
  ['batch norm after a conv (per channel) and on a flat input (per feature), with activations on and before it', [2, 5, 4], [
    { type: 'conv2d', filters: 3, kernelSize: 2, activation: 'tanh' },
    { type: 'batchNorm', activation: 'sigmoid' },
    { type: 'flatten' },
    { type: 'dense', units: 5, activation: 'tanh' }, // without it, the bias's gradient is 0 (the mean takes it away): no test of it
    { type: 'batchNorm', momentum: 0.3, epsilon: 0.01 },
    { type: 'dense', units: 3 },
  ]],
];

describe('ConvNet backprop matches finite differences', () => {
  for (const [name, input, list] of CONVNETS) {
    for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
      test(`${name}, ${loss}`, () => {
        const { layers } = resolveModelOptions({ input, layers: list });
        const dropout = list.some((l) => l.type === 'dropout') ? 1234 : undefined;
        const worst = worstError(layers, loss, 3, 0.01, dropout);
        console.log(`finite differences ${name} ${loss}: max relative error ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }
});

test('a training step lowers the objective', () => {
  const { layers } = resolveMLPOptions({ layers: [5, 8, 3], activation: 'tanh' });
  const { params, inp, labels } = setup(layers, 10, 7);
  const before = objective(layers, 'cross-entropy', params, inp, labels, 10, 0);
  const settings = { optimizer: 'sgd' as const, momentum: 0, l2: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const { loss } = trainStep(layers, 'cross-entropy', params, {}, 1, inp, labels, 10, 0.1, settings);
  expect(loss).toBeCloseTo(before, 12); // the loss reported is the one before the update
  expect(objective(layers, 'cross-entropy', params, inp, labels, 10, 0)).toBeLessThan(before);
});

test('dropout zeroes about `rate` of the values, scales the rest, and draws new masks for a new seed', () => {
  const { layers } = resolveModelOptions({ input: [1, 50, 40], layers: [{ type: 'flatten' }, { type: 'dropout', rate: 0.25 }, { type: 'dense', units: 2 }] });
  const { params } = setup(layers, 1, 1);
  const inp = new Float64Array(2 * 2000).fill(1);
  const dropped = (seed: number) => forward(layers, params, inp, 2, { training: true, dropoutSeed: seed })[2];
  const out = dropped(5);
  const zeros = out.filter((x) => x === 0).length / out.length;
  console.log(`dropout 0.25: ${(zeros * 100).toFixed(2)}% of ${out.length} values zeroed`);
  expect(zeros).toBeGreaterThan(0.23);
  expect(zeros).toBeLessThan(0.27);
  expect(out.every((x) => x === 0 || x === Math.fround(1 / 0.75))).toBe(true);
  expect(Array.from(dropped(6))).not.toEqual(Array.from(out));
  expect(Array.from(forward(layers, params, inp, 2)[2])).toEqual(Array.from(inp)); // no masks: evaluation passes values through
});
