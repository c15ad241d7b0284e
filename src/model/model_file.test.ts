import { expect, test } from 'vitest';
import { encodeSafetensors } from '../data/safetensors';
import { ModelFormatError } from '../errors';
import { resolveMLPOptions, resolveModelOptions } from './architecture';
import { decodeModel, encodeModel } from './model_file';

const { spec, layers } = resolveMLPOptions({ layers: [3, 2, 2], activation: { name: 'leaky_relu', slope: 0.2 }, seed: 4 });
const values = {
  'layers.0.weight': Float32Array.from([1, 2, 3, 4, 5, 6]), 'layers.0.bias': Float32Array.from([0.1, 0.2]),
  'layers.1.weight': Float32Array.from([7, 8, 9, 10]), 'layers.1.bias': Float32Array.from([0.3, 0.4]),
};
const arrays = (record: Record<string, Float32Array>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.from(v)]));

test('a saved model decodes to the same architecture and weights', () => {
  const decoded = decodeModel('m', encodeModel(spec, layers, values, { epochs: 3 }));
  expect(decoded.architecture.spec).toEqual(spec);
  expect(arrays(decoded.values)).toEqual(arrays(values));
  expect(JSON.parse(decoded.metadata.training)).toEqual({ epochs: 3 });
});

test('a file without metadata (e.g. from PyTorch) gets its layers from the shapes', () => {
  const bytes = encodeSafetensors([
    { name: 'layers.0.weight', shape: [2, 3], data: values['layers.0.weight'] },
    { name: 'layers.0.bias', shape: [2], data: values['layers.0.bias'] },
    { name: 'layers.1.weight', shape: [2, 2], data: values['layers.1.weight'] },
    { name: 'layers.1.bias', shape: [2], data: values['layers.1.bias'] },
  ], {});
  expect(decodeModel('torch', bytes).architecture.spec).toEqual(resolveMLPOptions({ layers: [3, 2, 2] }).spec);
});

test('shapes, names and values must match the architecture', () => {
  const tensors = (extra: object[] = [], bias1 = [2]) => [
    { name: 'layers.0.weight', shape: [2, 3], data: values['layers.0.weight'] },
    { name: 'layers.0.bias', shape: [2], data: values['layers.0.bias'] },
    { name: 'layers.1.weight', shape: [2, 2], data: values['layers.1.weight'] },
    { name: 'layers.1.bias', shape: bias1, data: bias1[0] === 2 ? values['layers.1.bias'] : new Float32Array(bias1[0]) },
    ...extra,
  ] as never;
  const meta = { architecture: JSON.stringify({ layers: [3, 2, 2] }) };
  expect(() => decodeModel('m', encodeSafetensors(tensors([], [3]), meta))).toThrow(/tensor layers\.1\.bias has shape \[3\]; the architecture needs \[2\]/);
  expect(() => decodeModel('m', encodeSafetensors(tensors([{ name: 'extra', shape: [1], data: new Float32Array(1) }]), meta))).toThrow(/tensor extra is not part of a 3-2-2 MLP/);
  expect(() => decodeModel('m', encodeSafetensors(tensors(), { architecture: JSON.stringify({ layers: [3, 4, 2] }) }))).toThrow(/layers\.0\.weight has shape \[2,3\]/);
  expect(() => decodeModel('m', encodeSafetensors(tensors(), { architecture: '{"layers": [3]}' }))).toThrow(/^m: architecture: layers is \[3\]/);
  const nan = encodeModel(spec, layers, { ...values, 'layers.0.bias': Float32Array.from([NaN, 0]) }, undefined);
  expect(() => decodeModel('m', nan)).toThrow(/layers\.0\.bias\[0\] is NaN/);
});

test('a file of the MLP format before layer lists ({ layers: widths, activation: { name, alpha } }) loads', () => {
  const meta = { format: 'webgpu-nn', architecture: JSON.stringify({ layers: [3, 2, 2], activation: { name: 'leaky_relu', alpha: 0.2 }, loss: 'cross-entropy', init: 'xavier', seed: 4 }) };
  const bytes = encodeSafetensors([
    { name: 'layers.0.weight', shape: [2, 3], data: values['layers.0.weight'] }, { name: 'layers.0.bias', shape: [2], data: values['layers.0.bias'] },
    { name: 'layers.1.weight', shape: [2, 2], data: values['layers.1.weight'] }, { name: 'layers.1.bias', shape: [2], data: values['layers.1.bias'] },
  ], meta);
  expect(decodeModel('old', bytes).architecture.spec).toEqual(spec);
});

const convnet = resolveModelOptions({ input: [2, 6, 5], layers: [
  { type: 'conv2d', filters: 3, kernelSize: [3, 2], padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' },
  { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 4 },
], init: 'he', seed: 9 });
const convValues = {
  'layers.0.weight': Float32Array.from({ length: 3 * 2 * 3 * 2 }, (_, i) => i / 7), 'layers.0.bias': Float32Array.from([1, 2, 3]),
  'layers.4.weight': Float32Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => -i / 9), 'layers.4.bias': Float32Array.from([4, 5, 6, 7]),
};

test('a ConvNet file names tensors by layer index, in PyTorch\'s shapes, and decodes to the same model', () => {
  const file = encodeModel(convnet.spec, convnet.layers, convValues, undefined);
  const decoded = decodeModel('cnn', file);
  expect(decoded.architecture.spec).toEqual(convnet.spec);
  expect(arrays(decoded.values)).toEqual(arrays(convValues));
  const names = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer).getBigUint64(0, true)))));
  expect(names['layers.0.weight'].shape).toEqual([3, 2, 3, 2]);
  expect(names['layers.4.weight'].shape).toEqual([4, 18]);
  expect(Object.keys(names).filter((k) => k !== '__metadata__').sort()).toEqual(['layers.0.bias', 'layers.0.weight', 'layers.4.bias', 'layers.4.weight']);
});

test('a ConvNet file whose layer list and tensors disagree is a ModelFormatError', () => {
  const tensors = (conv0: number[]) => [
    { name: 'layers.0.weight', shape: conv0, data: new Float32Array(conv0.reduce((a, b) => a * b)) }, { name: 'layers.0.bias', shape: [3], data: convValues['layers.0.bias'] },
    { name: 'layers.4.weight', shape: [4, 18], data: convValues['layers.4.weight'] }, { name: 'layers.4.bias', shape: [4], data: convValues['layers.4.bias'] },
  ];
  const meta = { architecture: JSON.stringify({ input: [2, 6, 5], layers: [
    { type: 'conv2d', filters: 3, kernelSize: [3, 2], padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' },
    { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 4 },
  ] }) };
  expect(() => decodeModel('m', encodeSafetensors(tensors([3, 2, 3, 2]), meta))).not.toThrow();
  expect(() => decodeModel('m', encodeSafetensors(tensors([3, 2, 2, 3]), meta))).toThrow(/^m: tensor layers\.0\.weight has shape \[3,2,2,3\]; the architecture needs \[3,2,3,2\]/);
  expect(() => decodeModel('m', encodeSafetensors(tensors([3, 2, 3, 2]).slice(0, 3), meta))).toThrow(/tensor layers\.4\.bias is missing/);
  const moved = tensors([3, 2, 3, 2]).map((t) => ({ ...t, name: t.name.replace('layers.4', 'layers.3') }));
  expect(() => decodeModel('m', encodeSafetensors(moved, meta))).toThrow(/tensor layers\.3\.(weight|bias) is not part of a model of 5 layers \(conv2d, maxPool2d, flatten, dropout, dense\)/);
  const badLayer = { architecture: meta.architecture.replace('"maxPool2d","size":2', '"maxPool2d","size":9') };
  expect(() => decodeModel('m', encodeSafetensors(tensors([3, 2, 3, 2]), badLayer))).toThrow(/^m: architecture: layers\[1\]\.size is 9; expected at most the input's 6 × 5/);
  expect(() => decodeModel('m', encodeSafetensors(tensors([3, 2, 3, 2]), {}))).toThrow(/has no __metadata__\.architecture, and tensor layers\.0\.weight has shape \[3,2,3,2\]/);
  try {
    decodeModel('m', encodeSafetensors(tensors([3, 2, 2, 3]), meta));
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
  }
});

test('a checkpoint\'s optimizer tensors decode in the weights\' shapes; a partial or extra set is refused', () => {
  const state = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.map((x) => x / 10)]));
  const bytes = encodeModel(spec, layers, values, undefined, { optimizer: [state, values], metadata: { checkpoint: '{}' } });
  const decoded = decodeModel('c', bytes);
  expect(decoded.optimizer).toHaveLength(2);
  expect(arrays(decoded.optimizer[0])).toEqual(arrays(state));
  expect(decoded.metadata.checkpoint).toBe('{}');
  const meta = { architecture: JSON.stringify({ layers: [3, 2, 2] }) };
  const base = [
    { name: 'layers.0.weight', shape: [2, 3], data: values['layers.0.weight'] }, { name: 'layers.0.bias', shape: [2], data: values['layers.0.bias'] },
    { name: 'layers.1.weight', shape: [2, 2], data: values['layers.1.weight'] }, { name: 'layers.1.bias', shape: [2], data: values['layers.1.bias'] },
  ];
  expect(() => decodeModel('c', encodeSafetensors([...base, { name: 'optimizer.0.layers.0.weight', shape: [2, 3], data: values['layers.0.weight'] }], meta)))
    .toThrow(/tensor optimizer\.0\.layers\.0\.bias is missing/);
  expect(() => decodeModel('c', encodeSafetensors([...base, { name: 'optimizer.2.layers.0.bias', shape: [2], data: values['layers.0.bias'] }], meta)))
    .toThrow(/tensor optimizer\.2\.layers\.0\.bias is not part of a 3-2-2 MLP/);
});
