// The reference's backprop against central finite differences of its own objective, for every
// activation and loss, with L2: an oracle for the oracle.
import { describe, expect, test } from 'vitest';
import { Random } from '../random';
import type { Activation } from '../ops/matmul';
import type { LossName } from '../ops/softmax';
import { backprop, objective, type ReferenceParams, type ReferenceSpec, trainStep } from './mlp';

function setup(spec: ReferenceSpec, rows: number, seed: number) {
  const random = new Random(seed);
  const params: ReferenceParams = { weights: [], biases: [] };
  for (let l = 0; l + 1 < spec.layers.length; l++) {
    params.weights.push(Float64Array.from({ length: spec.layers[l] * spec.layers[l + 1] }, () => random.normal() * 0.7));
    params.biases.push(Float64Array.from({ length: spec.layers[l + 1] }, () => random.normal() * 0.3));
  }
  const inp = Float64Array.from({ length: rows * spec.layers[0] }, () => random.uniform());
  const classes = spec.layers[spec.layers.length - 1];
  const labels = Uint8Array.from({ length: rows }, () => random.nextU32() % classes);
  return { params, inp, labels };
}

const ACTIVATIONS: Activation[] = [
  { name: 'identity', alpha: 0 },
  { name: 'relu', alpha: 0 },
  { name: 'leaky_relu', alpha: 0.05 },
  { name: 'elu', alpha: 0.8 },
  { name: 'sigmoid', alpha: 0 },
  { name: 'tanh', alpha: 0 },
];

describe('backprop matches finite differences', () => {
  for (const activation of ACTIVATIONS) {
    for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
      test(`${activation.name}, ${loss}, l2 = 0.01`, () => {
        const spec: ReferenceSpec = { layers: [5, 4, 3, 3], activation, loss };
        const rows = 6;
        const l2 = 0.01;
        const { params, inp, labels } = setup(spec, rows, 42);
        const grads = backprop(spec, params, inp, labels, rows);
        const h = 1e-6;
        let worst = 0;
        for (const kind of ['weights', 'biases'] as const) {
          params[kind].forEach((tensor, l) => {
            for (let i = 0; i < tensor.length; i++) {
              const saved = tensor[i];
              tensor[i] = saved + h;
              const plus = objective(spec, params, inp, labels, rows, l2);
              tensor[i] = saved - h;
              const minus = objective(spec, params, inp, labels, rows, l2);
              tensor[i] = saved;
              const numeric = (plus - minus) / (2 * h);
              const analytic = grads[kind][l][i] + (kind === 'weights' ? l2 * saved : 0);
              worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic)));
            }
          });
        }
        console.log(`finite differences ${activation.name} ${loss}: max relative error ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }
});

test('a training step lowers the objective', () => {
  const spec: ReferenceSpec = { layers: [5, 8, 3], activation: { name: 'tanh', alpha: 0 }, loss: 'cross-entropy' };
  const { params, inp, labels } = setup(spec, 10, 7);
  const before = objective(spec, params, inp, labels, 10, 0);
  const settings = { optimizer: 'sgd' as const, momentum: 0, l2: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const { loss } = trainStep(spec, params, [], 1, inp, labels, 10, 0.1, settings);
  expect(loss).toBeCloseTo(before, 12); // the loss reported is the one before the update
  expect(objective(spec, params, inp, labels, 10, 0)).toBeLessThan(before);
});
