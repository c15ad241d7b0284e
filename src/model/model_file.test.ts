import { expect, test } from 'vitest';
import { encodeSafetensors } from '../data/safetensors';
import { resolveMLPOptions } from './config';
import { decodeModel, encodeModel } from './model_file';

const spec = resolveMLPOptions({ layers: [3, 2, 2], activation: { name: 'leaky_relu', slope: 0.2 }, seed: 4 });
const values = {
  weights: [Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([7, 8, 9, 10])],
  biases: [Float32Array.from([0.1, 0.2]), Float32Array.from([0.3, 0.4])],
};

test('a saved model decodes to the same architecture and weights', () => {
  const decoded = decodeModel('m', encodeModel(spec, values, { epochs: 3 }));
  expect(decoded.spec).toEqual(spec);
  expect(decoded.values.weights.map((w) => Array.from(w))).toEqual(values.weights.map((w) => Array.from(w)));
  expect(JSON.parse(decoded.metadata.training)).toEqual({ epochs: 3 });
});

test('a file without metadata (e.g. from PyTorch) gets its layers from the shapes', () => {
  const bytes = encodeSafetensors([
    { name: 'layers.0.weight', shape: [2, 3], data: values.weights[0] },
    { name: 'layers.0.bias', shape: [2], data: values.biases[0] },
    { name: 'layers.1.weight', shape: [2, 2], data: values.weights[1] },
    { name: 'layers.1.bias', shape: [2], data: values.biases[1] },
  ], {});
  expect(decodeModel('torch', bytes).spec.layers).toEqual([3, 2, 2]);
});

test('shapes, names and values must match the architecture', () => {
  const tensors = (extra: object[] = [], bias1 = [2]) => [
    { name: 'layers.0.weight', shape: [2, 3], data: values.weights[0] },
    { name: 'layers.0.bias', shape: [2], data: values.biases[0] },
    { name: 'layers.1.weight', shape: [2, 2], data: values.weights[1] },
    { name: 'layers.1.bias', shape: bias1, data: bias1[0] === 2 ? values.biases[1] : new Float32Array(bias1[0]) },
    ...extra,
  ] as never;
  const meta = { architecture: JSON.stringify({ layers: [3, 2, 2] }) };
  expect(() => decodeModel('m', encodeSafetensors(tensors([], [3]), meta))).toThrow(/tensor layers\.1\.bias has shape \[3\]; the architecture needs \[2\]/);
  expect(() => decodeModel('m', encodeSafetensors(tensors([{ name: 'extra', shape: [1], data: new Float32Array(1) }]), meta))).toThrow(/tensor extra is not part of a 3-2-2 MLP/);
  expect(() => decodeModel('m', encodeSafetensors(tensors(), { architecture: JSON.stringify({ layers: [3, 4, 2] }) }))).toThrow(/layers\.0\.weight has shape \[2,3\]/);
  expect(() => decodeModel('m', encodeSafetensors(tensors(), { architecture: '{"layers": [3]}' }))).toThrow(/^m: architecture: layers is \[3\]/);
  const nan = encodeModel(spec, { ...values, biases: [Float32Array.from([NaN, 0]), values.biases[1]] }, undefined);
  expect(() => decodeModel('m', nan)).toThrow(/layers\.0\.bias\[0\] is NaN/);
});
